#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/ops/select.hpp>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::randn;
using hypertape::testing::uniform;
using hypertape::testing::Vars;

namespace {

// A mask of ones and zeros, alternating.
Tensor mask(const Shape& shape) {
    std::vector<double> v(static_cast<std::size_t>(shape.numel()));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = (i * 7 % 3 == 0) ? 1.0 : 0.0;
    return Tensor::from_vector(v, shape, f64);
}

// Values in [-2.9, 2.9], each at least 0.1 away from every multiple of 0.5 (where clamp(x, -1, 1)
// and clamp(x * x, 0.25, 4) have their kinks).
Tensor away_from_kinks(const Shape& shape, std::uint64_t seed) {
    auto v = uniform(shape, 0.1, 0.4, seed).to_vector();
    const auto k = uniform(shape, -3, 3, seed + 1).to_vector();
    for (std::size_t i = 0; i < v.size(); ++i) v[i] += 0.5 * std::floor(2 * k[i]);
    return Tensor::from_vector(v, shape, f64);
}

}  // namespace

TEST_CASE("where matches finite differences, with all three operands broadcasting", "[ops][select]") {
    struct Case {
        Shape cond, a, b;
    };
    const std::vector<Case> cases = {
        {{3, 4}, {3, 4}, {3, 4}},
        {{3, 4}, {4}, {}},
        {{3, 1}, {1, 4}, {3, 4}},
        {{4}, {3, 1}, {2, 1, 1}},
    };
    for (const auto& [sc, sa, sb] : cases) {
        INFO("cond " << sc.str() << ", a " << sa.str() << ", b " << sb.str());
        const Tensor c = mask(sc);
        check_op("where", [&](const Vars& v) { return where(Var(c), v[0], v[1]); }, {randn(sa, 81), randn(sb, 82)});
        check_op("where of products", [&](const Vars& v) { return where(Var(c), v[0] * v[1], v[1] * v[1]); },
                 {randn(sa, 83), randn(sb, 84)});
    }
}

TEST_CASE("clamp, maximum and minimum match finite differences away from their kinks", "[ops][select]") {
    const Tensor x = away_from_kinks({3, 5}, 85);
    check_op("clamp", [](const Vars& v) { return clamp(v[0], -1.0, 1.0); }, {x});
    check_op("clamp of a square", [](const Vars& v) { return clamp(v[0] * v[0], 0.25, 4.0); }, {x});
    // a - b stays at least 0.1 away from 0 wherever b = a - d for |d| >= 0.1.
    const Tensor a = randn({3, 4}, 86);
    auto bv = a.to_vector();
    const auto d = away_from_kinks({3, 4}, 87).to_vector();
    for (std::size_t i = 0; i < bv.size(); ++i) bv[i] -= d[i];
    const Tensor b = Tensor::from_vector(bv, {3, 4}, f64);
    check_op("maximum", [](const Vars& v) { return maximum(v[0], v[1]); }, {a, b});
    check_op("minimum", [](const Vars& v) { return minimum(v[0], v[1]); }, {a, b});
    check_op("maximum of products", [](const Vars& v) { return maximum(v[0] * v[0], v[0] * v[1]); },
             {uniform({2, 3}, 1.2, 2.0, 88), uniform({2, 3}, -1.0, 0.8, 89)});
    // A row of multiples of 0.5 against values away from them: both branches, never a tie.
    const Tensor row = Tensor::from_vector({-1, 0, 0.5, 1}, {4}, f64);
    check_op("maximum against a row", [](const Vars& v) { return maximum(v[0], v[1]); },
             {away_from_kinks({3, 4}, 90), row});
    check_op("minimum against a row", [](const Vars& v) { return minimum(v[1], v[0]); },
             {away_from_kinks({3, 4}, 91), row});
}

TEST_CASE("where, clamp, maximum and minimum compute the right values", "[ops][select]") {
    const Var c = Tensor::from_vector({1, 0, 2, 0}, {2, 2}, f64);
    const Var a = Tensor::from_vector({1, 2, 3, 4}, {2, 2}, f64);
    const Var b = Tensor::from_vector({-1, -2}, {2}, f64);
    CHECK(where(c, a, b).value().to_vector() == std::vector<double>{1, -2, 3, -2});
    CHECK(where(c, b, a).value().to_vector() == std::vector<double>{-1, 2, -1, 4});

    const Var x = Tensor::from_vector({-3, -0.5, 0, 0.5, 3}, {5}, f64);
    CHECK(clamp(x, -1, 1).value().to_vector() == std::vector<double>{-1, -0.5, 0, 0.5, 1});
    CHECK(maximum(a, Var(Tensor::scalar(2.5, f64))).value().to_vector() == std::vector<double>{2.5, 2.5, 3, 4});
    CHECK(minimum(a, Var(Tensor::scalar(2.5, f64))).value().to_vector() == std::vector<double>{1, 2, 2.5, 2.5});
    CHECK(clamp(Var(Tensor::from_vector({-2, 0.25, 2}, {3}, f32)), -1, 1).value().to_vector() ==
          std::vector<double>{-1, 0.25, 1});
}

TEST_CASE("clamp passes the gradient only strictly inside its bounds", "[ops][select]") {
    Tape tape;
    const Var x = tape.variable(Tensor::from_vector({-2, -1, 0, 1, 2}, {5}, f64));
    CHECK(grad(sum(clamp(x, -1, 1)), x).value().to_vector() == std::vector<double>{0, 0, 1, 0, 0});
}

TEST_CASE("where's condition is not differentiated", "[ops][select]") {
    Tape tape;
    const Var c = tape.variable(Tensor::from_vector({1, 0}, {2}, f64));
    const Var a = tape.variable(Tensor::from_vector({1, 2}, {2}, f64));
    const Var b = tape.variable(Tensor::from_vector({3, 4}, {2}, f64));
    const Vars g = grad(sum(where(c, a, b)), {c, a, b});
    CHECK(g[0].value().to_vector() == std::vector<double>{0, 0});
    CHECK(g[1].value().to_vector() == std::vector<double>{1, 0});
    CHECK(g[2].value().to_vector() == std::vector<double>{0, 1});
}

TEST_CASE("selection ops reject bad operands", "[ops][select][errors]") {
    const Var a = Tensor::zeros({3, 4}, f64);
    const Var c = Tensor::ones({3, 4}, f64);
    CHECK_ERROR(where(c, a, Var(Tensor::zeros({5}, f64))),
                Catch::Contains("where") && Catch::Contains("[5]") && Catch::Contains("broadcast"));
    CHECK_ERROR(where(Var(Tensor::ones({2}, f64)), a, a),
                Catch::Contains("where") && Catch::Contains("[2]") && Catch::Contains("broadcast"));
    CHECK_ERROR(where(Var(Tensor::ones({3, 4}, f32)), a, a),
                Catch::Contains("where") && Catch::Contains("cond") && Catch::Contains("float32"));
    CHECK_ERROR(where(Var(Tensor::indices({1})), a, a), Catch::Contains("where") && Catch::Contains("int64"));
    CHECK_ERROR(where(c, a, Var(Tensor::zeros({3, 4}, f32))),
                Catch::Contains("where") && Catch::Contains("float32") && Catch::Contains("float64"));
    CHECK_ERROR(where(Var(), a, a), Catch::Contains("where") && Catch::Contains("undefined"));
    CHECK_ERROR(clamp(a, 1, -1), Catch::Contains("clamp") && Catch::Contains("lo <= hi"));
    CHECK_ERROR(maximum(a, Var(Tensor::zeros({2}, f64))), Catch::Contains("maximum") && Catch::Contains("[2]"));
    CHECK_ERROR(minimum(a, Var(Tensor::zeros({4}, f32))), Catch::Contains("minimum") && Catch::Contains("float32"));
}
