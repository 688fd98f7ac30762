#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/ops/softmax.hpp>
#include <hypertape/tape/grad.hpp>
#include <limits>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::randn;
using hypertape::testing::uniform;
using hypertape::testing::Vars;

namespace {

// The cross-entropy written out by hand: (1/B) sum_i w_i (log sum_c exp(z_ic) - z_i,y_i), shifted
// by each row's maximum.
double by_hand(const std::vector<double>& z, std::int64_t classes, const std::vector<std::int64_t>& y,
               const std::vector<double>& w) {
    double total = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double* row = z.data() + i * static_cast<std::size_t>(classes);
        double m = row[0];
        for (std::int64_t c = 1; c < classes; ++c) m = std::max(m, row[c]);
        double s = 0.0;
        for (std::int64_t c = 0; c < classes; ++c) s += std::exp(row[c] - m);
        total += w[i] * ((m - row[y[i]]) + std::log(s));
    }
    return total / static_cast<double>(y.size());
}

}  // namespace

TEST_CASE("softmax, log_softmax and logsumexp match finite differences on every axis", "[ops][softmax]") {
    const Tensor x = randn({2, 3, 4}, 61);
    for (int axis : {0, 1, 2, -1}) {
        INFO("axis " << axis);
        check_op("softmax", [axis](const Vars& v) { return softmax(v[0], axis); }, {x});
        check_op("log_softmax", [axis](const Vars& v) { return log_softmax(v[0], axis); }, {x});
        check_op("logsumexp", [axis](const Vars& v) { return logsumexp(v[0], axis); }, {x});
        check_op("logsumexp keepdim", [axis](const Vars& v) { return logsumexp(v[0], axis, true); }, {x});
    }
    check_op("softmax of a vector", [](const Vars& v) { return softmax(v[0]); }, {randn({5}, 62)});
    check_op("composed", [](const Vars& v) { return log_softmax(softmax(v[0], 0) * v[0], 1); }, {randn({3, 4}, 63)});
}

TEST_CASE("softmax family values and identities", "[ops][softmax]") {
    const Var x = Tensor::from_vector({1, 2, 3, -1, 0, 4}, {2, 3}, f64);
    const auto y = softmax(x).value().to_vector();
    CHECK(y[0] + y[1] + y[2] == Approx(1.0));
    CHECK(y[1] / y[0] == Approx(std::exp(1.0)));
    const auto lse = logsumexp(x).value().to_vector();
    CHECK(lse[0] == Approx(std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0))));
    CHECK(logsumexp(x, 0, true).shape() == Shape{1, 3});
    CHECK(logsumexp(x, 0).shape() == Shape{3});
    const auto ls = log_softmax(x).value().to_vector();
    for (std::size_t i = 0; i < ls.size(); ++i) CHECK(ls[i] == Approx(std::log(softmax(x).value().to_vector()[i])));
    const auto by_column = softmax(x, 0).value().to_vector();
    CHECK(by_column[0] + by_column[3] == Approx(1.0));
}

TEST_CASE("softmax family is stable for logits around +-1000", "[ops][softmax]") {
    for (DType dtype : {f32, f64}) {
        INFO(name_of(dtype));
        const Var x = Tensor::from_vector({1000, 999, -1000, -1000, -1001, -999}, {2, 3}, dtype);
        const auto y = softmax(x).value().to_vector();
        const double e = std::exp(-1.0);
        CHECK(y[0] == Approx(1 / (1 + e)));
        CHECK(y[2] == 0.0);
        CHECK(y[5] == Approx(1 / (1 + e + e * e)));
        const auto lse = logsumexp(x).value().to_vector();
        CHECK(lse[0] == Approx(1000 + std::log1p(e)));
        CHECK(lse[1] == Approx(-999 + std::log(1 + e + e * e)));
        const auto ls = log_softmax(x).value().to_vector();
        CHECK(ls[2] == Approx(-2000 - std::log1p(e)));
        for (double v : y) CHECK(std::isfinite(v));
    }
}

TEST_CASE("cross_entropy matches finite differences, weighted and not", "[ops][softmax][cross_entropy]") {
    const Tensor labels = Tensor::indices({2, 0, 3, 3});
    const Tensor z = randn({4, 5}, 64);
    check_op("cross_entropy", [&](const Vars& v) { return cross_entropy(v[0], labels); }, {z});
    check_op("weighted cross_entropy", [&](const Vars& v) { return cross_entropy(v[0], labels, v[1]); },
             {z, uniform({4}, 0.1, 1.0, 65)});
    check_op("hyper-cleaning weights", [&](const Vars& v) { return cross_entropy(v[0], labels, sigmoid(v[1])); },
             {z, randn({4}, 66)});
    check_op("cross_entropy of a product", [&](const Vars& v) { return cross_entropy(v[0] * v[1], labels); },
             {z, randn({5}, 67)});
}

// The gradient of a * cross_entropy(z, y, sigmoid(v)) with respect to z, on `tape`: with a on
// the tape too, the seed that cross_entropy's VJP record (cross_entropy_vjp) receives is tracked.
Var scaled_gradient(const Var& z, const Var& v, const Var& a, const Tensor& labels) {
    return grad(a * cross_entropy(z, labels, sigmoid(v)), z, create_graph);
}

std::vector<Tensor> perturbed(std::vector<Tensor> inputs, std::size_t which, std::int64_t at, double by) {
    std::vector<double> values = inputs[which].to_vector();
    values[static_cast<std::size_t>(at)] += by;
    inputs[which] = Tensor::from_vector(values, inputs[which].shape(), f64);
    return inputs;
}

// The VJP record's own rules, against central differences of the gradient: its VJP (through
// grad of <u, gradient>) and its JVP (tangents through the create_graph sweep), with respect to
// the logits, the weights and the seed.
TEST_CASE("cross_entropy's gradient is differentiable in the logits, the weights and the seed",
          "[ops][softmax][cross_entropy]") {
    const Tensor labels = Tensor::indices({2, 0, 3, 3});
    const std::vector<Tensor> x = {randn({4, 5}, 68), randn({4}, 69), uniform({}, 0.5, 2.0, 70)};
    const Tensor u = randn({4, 5}, 71);
    const auto gradient_value = [&](const std::vector<Tensor>& in) {
        Tape tape;
        return scaled_gradient(tape.variable(in[0]), tape.variable(in[1]), tape.variable(in[2]), labels).value();
    };
    const auto paired = [&](const std::vector<Tensor>& in) { return (Var(gradient_value(in)) * Var(u)).value(); };
    constexpr double h = 1e-6;

    Tape tape;
    const Var z = tape.variable(x[0]), v = tape.variable(x[1]), a = tape.variable(x[2]);
    const std::vector<Var> reverse = grad(sum(scaled_gradient(z, v, a, labels) * Var(u)), {z, v, a});
    for (std::size_t i = 0; i < x.size(); ++i) {
        const std::vector<double> exact = reverse[i].value().to_vector();
        for (std::int64_t k = 0; k < x[i].numel(); ++k) {
            const double up = sum(Var(paired(perturbed(x, i, k, h)))).item();
            const double down = sum(Var(paired(perturbed(x, i, k, -h)))).item();
            CHECK(exact[static_cast<std::size_t>(k)] == Approx((up - down) / (2 * h)).margin(1e-7).epsilon(1e-6));
        }
    }

    const std::vector<Tensor> directions = {randn({1, 4, 5}, 72), randn({1, 4}, 73), randn({1}, 74)};
    Tape forward;
    const Var zt = with_tangents(forward.variable(x[0]), directions[0]);
    const Var vt = with_tangents(forward.variable(x[1]), directions[1]);
    const Var at = with_tangents(forward.variable(x[2]), directions[2]);
    const std::vector<double> tangent = scaled_gradient(zt, vt, at, labels).tangents().to_vector();
    std::vector<Tensor> up = x, down = x;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const Tensor d = directions[i].reshaped(x[i].shape());
        up[i] = (Var(x[i]) + Var(d) * h).value();
        down[i] = (Var(x[i]) - Var(d) * h).value();
    }
    const std::vector<double> hi = gradient_value(up).to_vector(), lo = gradient_value(down).to_vector();
    for (std::size_t k = 0; k < tangent.size(); ++k) {
        CHECK(tangent[k] == Approx((hi[k] - lo[k]) / (2 * h)).margin(1e-7).epsilon(1e-6));
    }
}

TEST_CASE("cross_entropy equals the formula written by hand, with its gradients", "[ops][softmax][cross_entropy]") {
    const std::vector<double> zv = {0.5, -1.0, 2.0, 0.1, 0.0, 3.0, -2.0, 1.0, 1.5};
    const std::vector<std::int64_t> yv = {2, 0, 1};
    const std::vector<double> wv = {0.2, 1.0, 0.7};
    const Tensor labels = Tensor::indices(yv);
    const std::vector<double> ones(3, 1.0);

    Tape tape;
    const Var z = tape.variable(Tensor::from_vector(zv, {3, 3}, f64));
    const Var w = tape.variable(Tensor::from_vector(wv, {3}, f64));
    CHECK(cross_entropy(z, labels).item() == Approx(by_hand(zv, 3, yv, ones)).epsilon(1e-14));
    const Var loss = cross_entropy(z, labels, w);
    CHECK(loss.item() == Approx(by_hand(zv, 3, yv, wv)).epsilon(1e-14));

    const Vars g = grad(loss, {z, w});
    const auto gz = g[0].value().to_vector();
    const auto gw = g[1].value().to_vector();
    for (std::size_t i = 0; i < 3; ++i) {
        const std::vector<double> row(zv.begin() + 3 * i, zv.begin() + 3 * i + 3);
        const double l = by_hand(row, 3, {yv[i]}, {1.0});
        CHECK(gw[i] == Approx(l / 3).epsilon(1e-14));
        double s = 0.0;
        for (double v : row) s += std::exp(v);
        for (std::size_t c = 0; c < 3; ++c) {
            const double p = std::exp(row[c]) / s - (static_cast<std::int64_t>(c) == yv[i] ? 1.0 : 0.0);
            CHECK(gz[3 * i + c] == Approx(p * wv[i] / 3).epsilon(1e-14));
        }
    }
}

TEST_CASE("cross_entropy is finite and exact for logits around +-1000", "[ops][softmax][cross_entropy]") {
    const std::vector<double> zv = {1000, -1000, 999, -1000, -999, -1001};
    const Tensor labels = Tensor::indices({2, 1});
    const double e = std::exp(-1.0);
    const double expected = ((1 + std::log1p(e)) + std::log(1 + e + e * e)) / 2;
    for (DType dtype : {f32, f64}) {
        INFO(name_of(dtype));
        Tape tape;
        const Var z = tape.variable(Tensor::from_vector(zv, {2, 3}, dtype));
        const Var w = tape.variable(Tensor::from_vector({1, 1}, {2}, dtype));
        const Var loss = cross_entropy(z, labels, w);
        CHECK(loss.item() == Approx(expected).epsilon(1e-6));
        const Vars g = grad(loss, {z, w});
        for (const Var& gi : g) {
            for (double v : gi.value().to_vector()) CHECK(std::isfinite(v));
        }
        CHECK(g[0].value().to_vector()[2] == Approx(-1 / (1 + e) / 2).epsilon(1e-6));
        CHECK(g[1].value().to_vector()[0] == Approx((1 + std::log1p(e)) / 2).epsilon(1e-6));
    }
}

TEST_CASE("large inputs run in parallel and agree with the formulas", "[ops][softmax]") {
    const Tensor x = randn({600, 40}, 68);
    const auto xv = x.to_vector();
    std::vector<double> lse(600);
    std::vector<double> log_p(xv.size());
    std::vector<std::int64_t> labels(600);
    for (std::size_t i = 0; i < 600; ++i) {
        double s = 0.0;
        for (std::size_t c = 0; c < 40; ++c) s += std::exp(xv[40 * i + c]);
        lse[i] = std::log(s);
        for (std::size_t c = 0; c < 40; ++c) log_p[40 * i + c] = xv[40 * i + c] - lse[i];
        labels[i] = static_cast<std::int64_t>(i % 40);
    }
    using hypertape::testing::max_relative_error;
    CHECK(max_relative_error(sum(softmax(Var(x), 0), 0).value(), Tensor::ones({40}, f64)) < 1e-12);
    CHECK(max_relative_error(logsumexp(Var(x), 1).value(), Tensor::from_vector(lse, {600}, f64)) < 1e-12);
    CHECK(max_relative_error(log_softmax(Var(x)).value(), Tensor::from_vector(log_p, {600, 40}, f64)) < 1e-12);
    const double expected = by_hand(xv, 40, labels, std::vector<double>(600, 1.0));
    CHECK(cross_entropy(Var(x), Tensor::indices(labels)).item() == Approx(expected).epsilon(1e-12));
}

TEST_CASE("softmax family and cross_entropy reject bad arguments", "[ops][softmax][errors]") {
    const Var z = Tensor::zeros({3, 4}, f64);
    CHECK_ERROR(softmax(z, 2), Catch::Contains("softmax") && Catch::Contains("axis 2"));
    CHECK_ERROR(log_softmax(Var(Tensor::indices({1, 2}))), Catch::Contains("log_softmax") && Catch::Contains("int64"));
    CHECK_ERROR(logsumexp(Var(Tensor::scalar(1.0, f64))), Catch::Contains("logsumexp") && Catch::Contains("rank 0"));

    CHECK_ERROR(cross_entropy(z, Tensor::indices({0, 4, 1})),
                Catch::Contains("cross_entropy") && Catch::Contains("label 4") && Catch::Contains("position 1"));
    CHECK_ERROR(cross_entropy(z, Tensor::indices({0, 1, -1})),
                Catch::Contains("cross_entropy") && Catch::Contains("label -1") && Catch::Contains("position 2"));
    CHECK_ERROR(cross_entropy(z, Tensor::from_vector({0, 1, 2}, {3}, f64)),
                Catch::Contains("cross_entropy") && Catch::Contains("labels") && Catch::Contains("int64"));
    CHECK_ERROR(cross_entropy(z, Tensor::indices({0, 1})),
                Catch::Contains("cross_entropy") && Catch::Contains("[2]") && Catch::Contains("[3, 4]"));
    CHECK_ERROR(cross_entropy(z, Tensor::indices({0, 1, 2}, {3, 1})),
                Catch::Contains("cross_entropy") && Catch::Contains("[3, 1]"));
    CHECK_ERROR(cross_entropy(Var(Tensor::zeros({4}, f64)), Tensor::indices({0})),
                Catch::Contains("cross_entropy") && Catch::Contains("[B, C]"));
    CHECK_ERROR(cross_entropy(Var(Tensor::zeros({0, 4}, f64)), Tensor::indices({}, {0})),
                Catch::Contains("cross_entropy") && Catch::Contains("empty"));

    const Tensor labels = Tensor::indices({0, 1, 2});
    CHECK_ERROR(cross_entropy(z, labels, Var(Tensor::ones({4}, f64))),
                Catch::Contains("cross_entropy") && Catch::Contains("weights") && Catch::Contains("[4]"));
    CHECK_ERROR(cross_entropy(z, labels, Var(Tensor::ones({3}, f32))),
                Catch::Contains("cross_entropy") && Catch::Contains("float32") && Catch::Contains("float64"));
    CHECK_ERROR(cross_entropy(z, labels, Var()), Catch::Contains("weights") && Catch::Contains("undefined"));
}

TEST_CASE("a line holding +inf has logsumexp +inf, and softmax is NaN only at the +inf entries", "[ops][softmax]") {
    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (DType dtype : {f64, f32}) {
        INFO(name_of(dtype));
        const Var x = Tensor::from_vector({inf, 0, -inf, -inf, -inf, inf, 1, 2, nan, 0, inf, nan}, {6, 2}, dtype);
        const std::vector<double> lse = logsumexp(x).value().to_vector();
        CHECK(lse[0] == inf);  // PyTorch: inf; exp(inf - inf) made it NaN
        CHECK(lse[1] == -inf);
        CHECK(lse[2] == inf);
        CHECK(lse[3] == Approx(std::log(std::exp(1.0) + std::exp(2.0))));
        CHECK(std::isnan(lse[4]));
        CHECK(std::isnan(lse[5]));

        const std::vector<double> p = softmax(x).value().to_vector();
        CHECK(std::isnan(p[0]));
        CHECK(p[1] == 0);
        CHECK(p[4] == 0);
        CHECK(std::isnan(p[5]));
        const std::vector<double> lp = log_softmax(x).value().to_vector();
        CHECK(std::isnan(lp[0]));
        CHECK(lp[1] == -inf);
        CHECK(lp[4] == -inf);
        CHECK(std::isnan(lp[5]));
    }
}
