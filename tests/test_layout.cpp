#include <catch2/catch.hpp>
#include <hypertape/ops/layout.hpp>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::randn;
using hypertape::testing::Vars;

namespace {

Var iota(const Shape& shape) {
    std::vector<double> v(static_cast<std::size_t>(shape.numel()));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
    return Tensor::from_vector(v, shape, f64);
}

std::vector<double> values(const Var& x) { return x.value().to_vector(); }

}  // namespace

TEST_CASE("transpose swaps two axes", "[ops][layout]") {
    const Var x = iota({2, 3});
    CHECK(transpose(x).shape() == Shape{3, 2});
    CHECK(values(transpose(x)) == std::vector<double>{0, 3, 1, 4, 2, 5});

    const Var y = iota({2, 3, 2});
    CHECK(transpose(y, 0, 2).shape() == Shape{2, 3, 2});
    CHECK(values(transpose(y, 0, 2)) == std::vector<double>{0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11});
    CHECK(values(transpose(y, -3, 1)) == std::vector<double>{0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11});
    CHECK(values(transpose(transpose(y, 0, 2), 2, 0)) == values(y));
    CHECK(transpose(y, 1, -2).value().storage() == y.value().storage());
}

TEST_CASE("transpose matches finite differences in every mode", "[ops][layout]") {
    check_op("transpose", [](const Vars& x) { return transpose(x[0]); }, {randn({3, 4}, 1)});
    check_op("transpose batch", [](const Vars& x) { return transpose(x[0]); }, {randn({2, 3, 4}, 2)});
    check_op("transpose 0 2", [](const Vars& x) { return transpose(x[0], 0, 2); }, {randn({2, 3, 4}, 3)});
    check_op("transpose -1 -3", [](const Vars& x) { return transpose(x[0], -1, -3); }, {randn({2, 3, 4}, 4)});
    check_op("transpose 1 3 of rank 4", [](const Vars& x) { return transpose(x[0], 1, 3); }, {randn({2, 3, 1, 4}, 5)});
    check_op("transpose, second order", [](const Vars& x) { return x[0] * transpose(x[0]) * x[1]; },
             {randn({3, 3}, 6), randn({3}, 7)});
}

TEST_CASE("slice and pad cut out and pad a range of one axis", "[ops][layout]") {
    const Var x = iota({2, 3});
    CHECK(values(slice(x, 1, 1, 3)) == std::vector<double>{1, 2, 4, 5});
    CHECK(values(slice(x, 0, 1, 2)) == std::vector<double>{3, 4, 5});
    CHECK(values(slice(x, -1, 0, 1)) == std::vector<double>{0, 3});
    CHECK(slice(x, 1, 2, 2).shape() == Shape{2, 0});
    CHECK(slice(x, 0, 0, 2).value().storage() == x.value().storage());

    CHECK(values(pad(x, 1, 1, 2)) == std::vector<double>{0, 0, 1, 2, 0, 0, 0, 3, 4, 5, 0, 0});
    CHECK(values(pad(x, 0, 0, 1)) == std::vector<double>{0, 1, 2, 3, 4, 5, 0, 0, 0});
    CHECK(values(pad(Var(Tensor::zeros({2, 0}, f64)), 1, 1, 0)) == std::vector<double>{0, 0});
}

TEST_CASE("slice and pad match finite differences in every mode", "[ops][layout]") {
    const Tensor x = randn({4, 5, 3}, 8);
    for (const int axis : {0, 1, 2, -1}) {
        INFO("axis " << axis);
        check_op("slice", [axis](const Vars& v) { return slice(v[0], axis, 1, 3); }, {x});
        check_op("pad", [axis](const Vars& v) { return pad(v[0], axis, 2, 1); }, {x});
        // Nonlinear in x, so the Hessian runs through pad's and slice's own VJPs.
        check_op("slice, second order",
                 [axis](const Vars& v) { return tanh(slice(v[0], axis, 1, 3)) * slice(v[0], axis, 0, 2); }, {x});
        check_op("pad, second order", [axis](const Vars& v) { return sin(pad(square(v[0]), axis, 0, 2)); }, {x});
    }
}

TEST_CASE("concat joins operands along one axis", "[ops][layout]") {
    const Var a = iota({2, 2});
    const Var b = Tensor::from_vector({10, 11, 12, 13, 14, 15}, {2, 3}, f64);
    CHECK(values(concat({a, b}, 1)) == std::vector<double>{0, 1, 10, 11, 12, 2, 3, 13, 14, 15});
    CHECK(values(concat({a, transpose(a)}, 0)) == std::vector<double>{0, 1, 2, 3, 0, 2, 1, 3});
    CHECK(concat({a, Var(Tensor::zeros({2, 0}, f64)), b}, -1).shape() == Shape{2, 5});
    CHECK(concat({a}, 0).value().storage() == a.value().storage());
}

TEST_CASE("concat matches finite differences in every mode", "[ops][layout]") {
    check_op("concat axis 0",
             [](const Vars& x) {
                 return concat({x[0], x[1]}, 0);
             },
             {randn({2, 3}, 9), randn({4, 3}, 10)});
    check_op("concat axis 1 of three",
             [](const Vars& x) {
                 return concat({x[0], x[1], x[2]}, 1);
             },
             {randn({2, 1, 3}, 11), randn({2, 2, 3}, 12), randn({2, 3, 3}, 13)});
    check_op("concat axis -1",
             [](const Vars& x) {
                 return concat({x[1], x[0]}, -1);
             },
             {randn({2, 3}, 14), randn({2, 1}, 15)});
    // A constant operand: no gradient for it and a zero tangent in forward mode.
    const Tensor c = randn({2, 2}, 16);
    check_op("concat with a constant",
             [c](const Vars& x) {
                 return concat({x[0], Var(c), x[1]}, 1);
             },
             {randn({2, 3}, 17), randn({2, 1}, 18)});
    check_op("concat, second order",
             [](const Vars& x) {
                 return exp(concat({x[0] * x[1], sin(x[0])}, 0));
             },
             {randn({2, 3}, 19), randn({3}, 20)});
    check_op("concat the same operand twice",
             [](const Vars& x) {
                 return square(concat({x[0], x[0]}, 0));
             },
             {randn({3}, 21)});
}

TEST_CASE("layout ops on tensors large enough to run in parallel", "[ops][layout]") {
    std::mt19937_64 rng(22);
    const Var x = Tensor::randn({300, 200}, rng, f32);
    const Var t = transpose(x);
    const auto vx = values(x);
    const auto vt = values(t);
    bool transposed = true;
    for (std::size_t i = 0; i < 300; ++i) {
        for (std::size_t j = 0; j < 200; ++j) transposed = transposed && vt[j * 300 + i] == vx[i * 200 + j];
    }
    CHECK(transposed);
    for (const int axis : {0, 1}) {
        const std::int64_t half = x.shape()[axis] / 2;
        const Var joined = concat({slice(x, axis, 0, half), slice(x, axis, half, x.shape()[axis])}, axis);
        CHECK(values(joined) == vx);
        const Var padded = pad(x, axis, 3, 5);
        CHECK(values(slice(padded, axis, 3, 3 + x.shape()[axis])) == vx);
        CHECK(values(sum(slice(padded, axis, 0, 3))) == std::vector<double>{0});
    }
}

TEST_CASE("layout ops reject bad axes and ranges with a clear error", "[ops][layout][errors]") {
    const Var x = Tensor::zeros({2, 3}, f64);
    CHECK_ERROR(transpose(x, 0, 2), Catch::Contains("transpose") && Catch::Contains("axis 2") &&
                                        Catch::Contains("out of range") && Catch::Contains("[2, 3]"));
    CHECK_ERROR(transpose(Var(Tensor::zeros({3}, f64))),
                Catch::Contains("transpose") && Catch::Contains("[3]") && Catch::Contains("two axes"));
    CHECK_ERROR(slice(x, -3, 0, 1), Catch::Contains("slice") && Catch::Contains("axis -3"));
    CHECK_ERROR(slice(x, 1, 2, 4), Catch::Contains("slice") && Catch::Contains("[2, 4)") &&
                                       Catch::Contains("out of range") && Catch::Contains("[2, 3]"));
    CHECK_ERROR(slice(x, 1, 2, 1), Catch::Contains("slice") && Catch::Contains("[2, 1)"));
    CHECK_ERROR(slice(x, 0, -1, 1), Catch::Contains("slice") && Catch::Contains("out of range"));
    CHECK_ERROR(pad(x, 0, -1, 0), Catch::Contains("pad") && Catch::Contains("negative"));
    CHECK_ERROR(pad(x, 2, 1, 1), Catch::Contains("pad") && Catch::Contains("axis 2"));
    CHECK_ERROR(slice(Var(Tensor::indices({1, 2})), 0, 0, 1), Catch::Contains("slice") && Catch::Contains("int64"));

    CHECK_ERROR(concat({}, 0), Catch::Contains("concat") && Catch::Contains("no operands"));
    CHECK_ERROR(concat({x, Var(Tensor::zeros({3, 3}, f64))}, 1),
                Catch::Contains("concat") && Catch::Contains("xs[1]") && Catch::Contains("[3, 3]") &&
                    Catch::Contains("[2, 3]"));
    CHECK_ERROR(concat({x, Var(Tensor::zeros({2, 3, 1}, f64))}, 0), Catch::Contains("[2, 3, 1]"));
    CHECK_ERROR(concat({x, Var(Tensor::zeros({2, 3}, f32))}, 0),
                Catch::Contains("concat") && Catch::Contains("float32") && Catch::Contains("float64"));
    CHECK_ERROR(concat({x, x}, 2), Catch::Contains("concat") && Catch::Contains("out of range"));
    CHECK_ERROR(concat({x, Var()}, 0),
                Catch::Contains("concat") && Catch::Contains("xs[1]") && Catch::Contains("undefined"));
}
