#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::randn;
using hypertape::testing::uniform;
using hypertape::testing::Vars;

TEST_CASE("binary ops match finite differences in every mode, with broadcasting", "[ops][binary]") {
    const std::vector<std::pair<Shape, Shape>> shapes = {
        {{3, 4}, {3, 4}},     // same shape
        {{3, 4}, {}},         // scalar
        {{3, 4}, {4}},        // row
        {{3, 1}, {3, 4}},     // column
        {{2, 1, 4}, {3, 1}},  // both sides broadcast
    };
    for (const auto& [sa, sb] : shapes) {
        INFO("shapes " << sa.str() << " and " << sb.str());
        check_op("add", [](const Vars& x) { return x[0] + x[1]; }, {randn(sa, 1), randn(sb, 2)});
        check_op("sub", [](const Vars& x) { return x[0] - x[1]; }, {randn(sa, 3), randn(sb, 4)});
        check_op("mul", [](const Vars& x) { return x[0] * x[1]; }, {randn(sa, 5), randn(sb, 6)});
        check_op("div", [](const Vars& x) { return x[0] / x[1]; }, {randn(sa, 7), uniform(sb, 0.5, 2.0, 8)});
        check_op("pow", [](const Vars& x) { return pow(x[0], x[1]); },
                 {uniform(sa, 0.5, 2.0, 9), uniform(sb, -1.5, 1.5, 10)});
    }
}

TEST_CASE("scalar arithmetic and pow with a constant exponent", "[ops][binary]") {
    const Tensor x = uniform({2, 3}, 0.5, 2.0, 11);
    check_op("scalar +", [](const Vars& v) { return 2.0 + v[0] + 1.5; }, {x});
    check_op("scalar -", [](const Vars& v) { return 3.0 - v[0] - 0.5; }, {x});
    check_op("scalar *", [](const Vars& v) { return -2.0 * v[0] * 0.25; }, {x});
    check_op("scalar /", [](const Vars& v) { return 1.0 / v[0] / 4.0; }, {x});
    check_op("pow 3", [](const Vars& v) { return pow(v[0], 3.0); }, {randn({4}, 12)});
}

TEST_CASE("pow's derivatives at a = 0 are PyTorch's, in reverse and forward mode", "[ops][binary]") {
    const double inf = std::numeric_limits<double>::infinity();
    // (a, b) = (0, 0), (0, 2), (0, 0.5), (0, -1), (2, 0), (3, 2)
    const Tensor a = Tensor::from_vector({0, 0, 0, 0, 2, 3}, {6}, f64);
    const Tensor b = Tensor::from_vector({0, 2, 0.5, -1, 0, 2}, {6}, f64);
    const std::vector<double> da{0, 0, inf, -inf, 0, 6};                            // b a^(b-1), 0 where b == 0
    const std::vector<double> db{0, 0, 0, -inf, std::log(2.0), 9 * std::log(3.0)};  // y log a, 0 where a == 0, b >= 0
    const auto check_values = [](const Tensor& got, const std::vector<double>& want) {
        const std::vector<double> v = got.to_vector();
        REQUIRE(v.size() == want.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            INFO("element " << i);
            if (std::isfinite(want[i])) {
                CHECK(v[i] == Approx(want[i]));
            } else {
                CHECK(v[i] == want[i]);
            }
        }
    };

    Tape tape;
    const Var va = tape.variable(a);
    const Var vb = tape.variable(b);
    const std::vector<Var> g = grad(sum(pow(va, vb)), {va, vb});
    check_values(g[0].value(), da);
    check_values(g[1].value(), db);

    // One direction of ones: the tangent is the elementwise derivative.
    const Tensor ones = Tensor::ones({1, 6}, f64);
    check_values(pow(with_tangents(Var(a), ones), Var(b)).tangents().reshaped({6}), da);
    check_values(pow(Var(a), with_tangents(Var(b), ones)).tangents().reshaped({6}), db);
}

TEST_CASE("binary ops reject mismatched operands with a clear error", "[ops][binary][errors]") {
    const Var a = Tensor::zeros({3, 4}, f64);
    CHECK_ERROR(a + Var(Tensor::zeros({5}, f64)), Catch::Contains("add") && Catch::Contains("[3, 4]") &&
                                                      Catch::Contains("[5]") && Catch::Contains("broadcast"));
    CHECK_ERROR(a * Var(Tensor::zeros({3, 4}, f32)),
                Catch::Contains("mul") && Catch::Contains("float32") && Catch::Contains("float64"));
    CHECK_THROWS_AS(a - Var(Tensor::indices({1, 2, 3, 4})), Error);
    CHECK_ERROR(a / Var(), Catch::Contains("div") && Catch::Contains("undefined"));
}
