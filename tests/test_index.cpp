#include <algorithm>
#include <catch2/catch.hpp>
#include <hypertape/ops/index.hpp>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::randn;
using hypertape::testing::Vars;

TEST_CASE("gather matches finite differences on every axis, with repeated indices", "[ops][index]") {
    const Tensor x = randn({4, 3, 2}, 71);
    const Tensor rows = Tensor::indices({3, 0, 3, 1, 3});
    check_op("gather rows", [&](const Vars& v) { return gather(v[0], rows); }, {x});
    check_op("gather axis 1", [](const Vars& v) { return gather(v[0], Tensor::indices({2, 2, 0}), 1); }, {x});
    check_op("gather axis -1", [](const Vars& v) { return gather(v[0], Tensor::indices({1, 0, 1, 1}), -1); }, {x});
    check_op("gather 2-d indices",
             [](const Vars& v) {
                 return gather(v[0], Tensor::indices({0, 2, 2, 1}, {2, 2}), 1);
             },
             {x});
    check_op("gather one index", [](const Vars& v) { return gather(v[0], Tensor::indices({2}, {}), 0); }, {x});
    check_op("gather of a square", [&](const Vars& v) { return gather(v[0] * v[0], rows) * v[1]; },
             {x, randn({5, 3, 2}, 72)});
}

TEST_CASE("scatter_add matches finite differences and is gather's adjoint", "[ops][index]") {
    const Tensor idx = Tensor::indices({2, 0, 2});
    check_op("scatter_add", [&](const Vars& v) { return scatter_add(v[0], idx, 0, {4, 2}); }, {randn({3, 2}, 73)});
    check_op("scatter_add axis 1",
             [&](const Vars& v) {
                 return scatter_add(v[0] * v[0], idx, 1, {2, 5});
             },
             {randn({2, 3}, 74)});

    // <gather(x), g> = <x, scatter_add(g)>.
    const Tensor x = randn({4, 2}, 75);
    const Tensor g = randn({3, 2}, 76);
    const double lhs = sum(gather(Var(x), idx) * Var(g)).item();
    const double rhs = sum(Var(x) * scatter_add(Var(g), idx, 0, {4, 2})).item();
    CHECK(lhs == Approx(rhs).epsilon(1e-14));
}

TEST_CASE("gather, scatter_add and one_hot compute the right values", "[ops][index]") {
    const Var x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {3, 2}, f64);
    CHECK(gather(x, Tensor::indices({2, 0})).value().to_vector() == std::vector<double>{5, 6, 1, 2});
    CHECK(gather(x, Tensor::indices({1, 1, 0}), 1).value().to_vector() ==
          std::vector<double>{2, 2, 1, 4, 4, 3, 6, 6, 5});
    CHECK(gather(x, Tensor::indices({1}, {}), 1).shape() == Shape{3});
    CHECK(gather(x, Tensor::indices({0, 1, 2, 0}, {2, 2})).shape() == Shape{2, 2, 2});
    CHECK(gather(x, Tensor::indices({})).shape() == Shape{0, 2});

    const Var g = Tensor::from_vector({1, 2, 3, 4}, {2, 2}, f64);
    CHECK(scatter_add(g, Tensor::indices({1, 1}), 0, {3, 2}).value().to_vector() ==
          std::vector<double>{0, 0, 4, 6, 0, 0});

    const Var h = one_hot(Tensor::indices({2, 0}), 3, f64);
    CHECK(h.shape() == Shape{2, 3});
    CHECK(h.dtype() == f64);
    CHECK(h.value().to_vector() == std::vector<double>{0, 0, 1, 1, 0, 0});
    CHECK_FALSE(h.on_tape());
    CHECK(one_hot(Tensor::indices({1, 0}, {1, 2}), 2).dtype() == f32);
}

TEST_CASE("large gathers and scatters run in parallel and agree with plain loops", "[ops][index]") {
    const Tensor x = randn({20000, 4}, 77);
    const auto xv = x.to_vector();
    std::vector<std::int64_t> reversed(20000);
    std::vector<double> flipped(xv.size());
    std::vector<double> doubled(xv.size(), 0.0);
    for (std::size_t i = 0; i < 20000; ++i) {
        reversed[i] = static_cast<std::int64_t>(19999 - i);
        std::copy_n(xv.begin() + 4 * (19999 - i), 4, flipped.begin() + 4 * i);
        doubled[4 * i] = xv[4 * i];
        doubled[4 * i + 3] = 2 * xv[4 * i + 3];
    }
    CHECK(gather(Var(x), Tensor::indices(reversed)).value().to_vector() == flipped);
    const Tensor idx = Tensor::indices({3, 0, 3});
    CHECK(scatter_add(gather(Var(x), idx, 1), idx, 1, {20000, 4}).value().to_vector() == doubled);
}

TEST_CASE("gather's gradient accumulates repeated rows", "[ops][index]") {
    Tape tape;
    const Var x = tape.variable(Tensor::zeros({3, 2}, f64));
    const Var y = gather(x, Tensor::indices({1, 1, 2}));
    const Var g = grad(sum(y * Var(Tensor::from_vector({1, 2, 3, 4, 5, 6}, {3, 2}, f64))), x);
    CHECK(g.value().to_vector() == std::vector<double>{0, 0, 4, 6, 5, 6});
}

TEST_CASE("indexing ops reject bad indices and shapes", "[ops][index][errors]") {
    const Var x = Tensor::zeros({3, 2}, f64);
    CHECK_ERROR(gather(x, Tensor::indices({0, 3})), Catch::Contains("gather") && Catch::Contains("index 3") &&
                                                        Catch::Contains("position 1") && Catch::Contains("[3, 2]"));
    CHECK_ERROR(gather(x, Tensor::indices({-1}), 1), Catch::Contains("gather") && Catch::Contains("index -1"));
    CHECK_ERROR(gather(x, Tensor::from_vector({0}, {1}, f64)),
                Catch::Contains("gather") && Catch::Contains("int64") && Catch::Contains("float64"));
    CHECK_ERROR(gather(x, Tensor::indices({0}), 2), Catch::Contains("gather") && Catch::Contains("axis 2"));
    CHECK_ERROR(gather(Var(Tensor::indices({0, 1})), Tensor::indices({0})), Catch::Contains("gather"));
    CHECK_ERROR(gather(Var(Tensor::zeros({2, 2, 2}, f64)), Tensor::indices({0, 0, 0, 0}, {1, 1, 2, 2}), 1),
                Catch::Contains("gather") && Catch::Contains("rank"));

    CHECK_ERROR(scatter_add(x, Tensor::indices({0, 1}), 0, {3, 2}),
                Catch::Contains("scatter_add") && Catch::Contains("[3, 2]") && Catch::Contains("[2, 2]"));
    CHECK_ERROR(scatter_add(x, Tensor::indices({0, 5, 1}), 0, {4, 2}),
                Catch::Contains("scatter_add") && Catch::Contains("index 5"));

    CHECK_ERROR(one_hot(Tensor::indices({0, 3}), 3),
                Catch::Contains("one_hot") && Catch::Contains("label 3") && Catch::Contains("position 1"));
    CHECK_ERROR(one_hot(Tensor::indices({0}), 0), Catch::Contains("one_hot") && Catch::Contains("classes"));
    CHECK_ERROR(one_hot(Tensor::from_vector({0}, {1}, f32), 2), Catch::Contains("one_hot") && Catch::Contains("int64"));
    CHECK_ERROR(one_hot(Tensor::indices({0}), 2, i64), Catch::Contains("one_hot") && Catch::Contains("floating"));
}
