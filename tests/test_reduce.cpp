#include <catch2/catch.hpp>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::randn;
using hypertape::testing::Vars;

TEST_CASE("reductions match finite differences in every mode", "[ops][reduce]") {
    const Tensor x = randn({2, 3, 4}, 51);
    check_op("sum", [](const Vars& v) { return sum(v[0]); }, {x});
    check_op("mean", [](const Vars& v) { return mean(v[0]); }, {x});
    for (int axis : {0, 1, 2, -1}) {
        INFO("axis " << axis);
        check_op("sum axis", [axis](const Vars& v) { return sum(v[0], axis); }, {x});
        check_op("sum axis keepdim", [axis](const Vars& v) { return sum(v[0], axis, true); }, {x});
        check_op("mean axis", [axis](const Vars& v) { return mean(v[0], axis); }, {x});
    }
}

TEST_CASE("broadcast_to, sum_to and reshape match finite differences", "[ops][reduce]") {
    check_op("broadcast_to", [](const Vars& v) { return broadcast_to(v[0], {2, 3, 4}); }, {randn({3, 1}, 52)});
    check_op("sum_to", [](const Vars& v) { return sum_to(v[0], {3, 1}); }, {randn({2, 3, 4}, 53)});
    check_op("reshape", [](const Vars& v) { return reshape(v[0] * v[0], {4, 3}); }, {randn({2, 6}, 54)});
}

TEST_CASE("reductions compute the right values", "[ops][reduce]") {
    const Var x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, f64);
    CHECK(sum(x).item() == 21);
    CHECK(mean(x).item() == 3.5);
    CHECK(sum(x, 0).value().to_vector() == std::vector<double>{5, 7, 9});
    CHECK(sum(x, 1).value().to_vector() == std::vector<double>{6, 15});
    CHECK(sum(x, 1, true).shape() == Shape{2, 1});
    CHECK(mean(x, -1).value().to_vector() == std::vector<double>{2, 5});
    CHECK(sum_to(x, {3}).value().to_vector() == std::vector<double>{5, 7, 9});
    CHECK(broadcast_to(Var(Tensor::from_vector({1, 2}, {2, 1}, f64)), {2, 2}).value().to_vector() ==
          std::vector<double>{1, 1, 2, 2});
}

TEST_CASE("large sums are deterministic and accurate in float32", "[ops][reduce]") {
    const Tensor x = Tensor::full({1 << 20}, 0.1, f32);
    const double first = sum(Var(x)).item();
    CHECK(first == sum(Var(x)).item());
    CHECK(first == Approx(104857.6).epsilon(1e-6));
}

TEST_CASE("reductions reject bad axes and shapes", "[ops][reduce][errors]") {
    const Var x = Tensor::zeros({2, 3}, f64);
    CHECK_ERROR(sum(x, 2), Catch::Contains("sum") && Catch::Contains("axis 2"));
    CHECK_ERROR(mean(x, -3), Catch::Contains("mean") && Catch::Contains("axis -3"));
    CHECK_ERROR(sum_to(x, {4}), Catch::Contains("sum_to") && Catch::Contains("[4]"));
    CHECK_ERROR(broadcast_to(x, {3, 3}), Catch::Contains("broadcast_to") && Catch::Contains("[2, 3]"));
    CHECK_ERROR(reshape(x, {5}), Catch::Contains("reshape") && Catch::Contains("[5]"));
    CHECK_ERROR(mean(Var(Tensor::zeros({0}, f64))), Catch::Contains("mean") && Catch::Contains("no elements"));
}
