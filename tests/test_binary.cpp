#include <catch2/catch.hpp>

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

TEST_CASE("binary ops reject mismatched operands with a clear error", "[ops][binary][errors]") {
    const Var a = Tensor::zeros({3, 4}, f64);
    CHECK_ERROR(a + Var(Tensor::zeros({5}, f64)), Catch::Contains("add") && Catch::Contains("[3, 4]") &&
                                                      Catch::Contains("[5]") && Catch::Contains("broadcast"));
    CHECK_ERROR(a * Var(Tensor::zeros({3, 4}, f32)),
                Catch::Contains("mul") && Catch::Contains("float32") && Catch::Contains("float64"));
    CHECK_THROWS_AS(a - Var(Tensor::indices({1, 2, 3, 4})), Error);
    CHECK_ERROR(a / Var(), Catch::Contains("div") && Catch::Contains("undefined"));
}
