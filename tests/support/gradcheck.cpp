#include "gradcheck.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

namespace hypertape::testing {
namespace {

double dot(const Tensor& a, const Tensor& b) {
    const auto va = a.to_vector();
    const auto vb = b.to_vector();
    double s = 0.0;
    for (std::size_t i = 0; i < va.size(); ++i) s += va[i] * vb[i];
    return s;
}

// x + step * direction, element-wise.
Tensor shifted(const Tensor& x, const std::vector<double>& direction, double step) {
    auto v = x.to_vector();
    for (std::size_t i = 0; i < v.size(); ++i) v[i] += step * direction[i];
    return Tensor::from_vector(v, x.shape(), x.dtype());
}

std::vector<double> unit(std::size_t n, std::size_t j) {
    std::vector<double> e(n, 0.0);
    e[j] = 1.0;
    return e;
}

Tensor evaluate(const OpFn& f, const std::vector<Tensor>& inputs) {
    Vars constants(inputs.begin(), inputs.end());
    return f(constants).value();
}

// Row k of a [n, shape...] batch as a flat vector.
std::vector<double> row(const Tensor& batch, std::int64_t k) {
    const auto all = batch.to_vector();
    const std::int64_t len = batch.numel() / batch.shape()[0];
    return {all.begin() + k * len, all.begin() + (k + 1) * len};
}

Tensor combine(double a, const Tensor& x, double b, const Tensor& y) {
    auto vx = x.to_vector();
    const auto vy = y.to_vector();
    for (std::size_t i = 0; i < vx.size(); ++i) vx[i] = a * vx[i] + b * vy[i];
    return Tensor::from_vector(vx, x.shape(), x.dtype());
}

}  // namespace

Tensor randn(const Shape& shape, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    return Tensor::randn(shape, rng, f64);
}

Tensor uniform(const Shape& shape, double lo, double hi, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    return Tensor::uniform(shape, lo, hi, rng, f64);
}

Tensor finite_difference_gradient(const std::function<double(const Tensor&)>& f, const Tensor& x, double eps) {
    std::vector<double> fd(static_cast<std::size_t>(x.numel()));
    for (std::size_t j = 0; j < fd.size(); ++j) {
        const auto e = unit(fd.size(), j);
        fd[j] = (f(shifted(x, e, eps)) - f(shifted(x, e, -eps))) / (2 * eps);
    }
    return Tensor::from_vector(fd, x.shape(), x.dtype());
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
    return a.shape() == b.shape() && a.to_vector() == b.to_vector();
}

double max_relative_error(const Tensor& a, const Tensor& b) {
    REQUIRE(a.shape() == b.shape());
    const auto va = a.to_vector();
    const auto vb = b.to_vector();
    double worst = 0.0;
    for (std::size_t i = 0; i < va.size(); ++i) {
        const double scale = std::max({1.0, std::abs(va[i]), std::abs(vb[i])});
        const double err = std::abs(va[i] - vb[i]) / scale;
        worst = std::max(worst, std::isnan(err) ? INFINITY : err);
    }
    return worst;
}

void check_op(const std::string& name, const OpFn& f, const std::vector<Tensor>& inputs, CheckOptions options) {
    INFO("op " << name);
    // Ops and their VJP and JVP rules read their operands and never write them: the inputs'
    // storage versions (Tensor::version) must not move, in any mode.
    std::vector<std::uint64_t> versions;
    for (const Tensor& x : inputs) versions.push_back(x.version());
    const auto check_inputs_unwritten = [&] {
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            INFO("operand " << i << " of shape " << inputs[i].shape().str());
            CHECK(inputs[i].version() == versions[i]);
        }
    };
    const double e = options.eps;
    const Tensor y0 = evaluate(f, inputs);
    const Tensor u = randn(y0.shape(), options.seed);

    // Reverse mode: u^T J against differences of <u, f>.
    Tape tape;
    Vars xs;
    for (const Tensor& x : inputs) xs.push_back(tape.variable(x));
    const Vars vjps = vjp(f(xs), u, xs);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        INFO("VJP with respect to operand " << i << " of shape " << inputs[i].shape().str());
        REQUIRE(vjps[i].shape() == inputs[i].shape());
        const auto projected = [&](const Tensor& xi) {
            auto at = inputs;
            at[i] = xi;
            return dot(u, evaluate(f, at));
        };
        CHECK(max_relative_error(vjps[i].value(), finite_difference_gradient(projected, inputs[i], e)) <
              options.tolerance);
    }

    // Forward mode: an n-direction tangent batch against differences along each direction.
    const std::int64_t n = options.directions;
    Vars duals;
    std::vector<Tensor> directions;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        directions.push_back(randn(inputs[i].shape().prepend(n), options.seed + 100 + i));
        duals.push_back(with_tangents(Var(inputs[i]), directions.back()));
    }
    const Var yt = f(duals);
    REQUIRE(yt.has_tangents());
    REQUIRE(yt.tangents().shape() == y0.shape().prepend(n));
    for (std::int64_t k = 0; k < n; ++k) {
        INFO("JVP along direction " << k);
        auto plus = inputs;
        auto minus = inputs;
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            plus[i] = shifted(inputs[i], row(directions[i], k), e);
            minus[i] = shifted(inputs[i], row(directions[i], k), -e);
        }
        const Tensor fd = combine(1 / (2 * e), evaluate(f, plus), -1 / (2 * e), evaluate(f, minus));
        const Tensor jv = Tensor::from_vector(row(yt.tangents(), k), y0.shape(), f64);
        CHECK(max_relative_error(jv, fd) < options.tolerance);

        // <u, J v> = <J^T u, v>.
        double utjv = 0.0;
        for (std::size_t i = 0; i < inputs.size(); ++i) {
            utjv += dot(vjps[i].value(), Tensor::from_vector(row(directions[i], k), inputs[i].shape(), f64));
        }
        const double ujv = dot(u, jv);
        CHECK(std::abs(ujv - utjv) <= 1e-10 * std::max({1.0, std::abs(ujv), std::abs(utjv)}));
    }

    if (!options.second_order) {
        check_inputs_unwritten();
        return;
    }

    // Second order: H w by grad-of-grad, by forward-over-reverse, and by differences of gradients.
    std::vector<Tensor> w;
    for (std::size_t i = 0; i < inputs.size(); ++i) w.push_back(randn(inputs[i].shape(), options.seed + 200 + i));
    const auto gradient_at = [&](const std::vector<Tensor>& at) {
        Tape t;
        Vars v;
        for (const Tensor& x : at) v.push_back(t.variable(x));
        return vjp(f(v), u, v);
    };
    Tape tape2;
    Vars xs2;
    for (const Tensor& x : inputs) xs2.push_back(tape2.variable(x));
    const Var s = sum(f(xs2) * Var(u));
    const Vars g = grad(s, xs2, create_graph);
    Var gw = sum(g[0] * Var(w[0]));
    for (std::size_t i = 1; i < inputs.size(); ++i) gw = gw + sum(g[i] * Var(w[i]));
    // A linear op's gradient does not depend on x: its Hessian is zero and gw is a constant.
    Vars hvp;
    if (gw.on_tape()) {
        hvp = grad(gw, xs2);
    } else {
        for (const Tensor& x : inputs) hvp.push_back(Var(Tensor::zeros(x.shape(), f64)));
    }

    Tape tape3;
    Vars xs3;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        xs3.push_back(with_tangents(tape3.variable(inputs[i]), w[i].reshaped(inputs[i].shape().prepend(1))));
    }
    const Vars g3 = vjp(f(xs3), u, xs3);

    auto plus = inputs;
    auto minus = inputs;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        plus[i] = combine(1, inputs[i], e, w[i]);
        minus[i] = combine(1, inputs[i], -e, w[i]);
    }
    const Vars gp = gradient_at(plus);
    const Vars gm = gradient_at(minus);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        INFO("Hessian-vector product, operand " << i);
        const Tensor fd = combine(1 / (2 * e), gp[i].value(), -1 / (2 * e), gm[i].value());
        CHECK(max_relative_error(hvp[i].value(), fd) < options.tolerance);
        const Tensor carried =
            g3[i].has_tangents() ? g3[i].tangents().reshaped(inputs[i].shape()) : Tensor::zeros(inputs[i].shape(), f64);
        CHECK(max_relative_error(carried, fd) < options.tolerance);
    }
    check_inputs_unwritten();
}

}  // namespace hypertape::testing
