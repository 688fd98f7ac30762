#include <catch2/catch.hpp>
#include <hypertape/ops/matmul.hpp>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::max_relative_error;
using hypertape::testing::randn;
using hypertape::testing::Vars;

namespace {

const std::vector<Trans> kAllFlags = {no_trans, trans_a, trans_b, trans_a | trans_b};

std::string flag_name(Trans t) { return std::string(t.a ? "A^T" : "A") + (t.b ? " B^T" : " B"); }

// The stored shape of an operand that op() turns into [batch..., rows, cols].
Shape stored(Shape::Dims batch, std::int64_t rows, std::int64_t cols, bool transposed) {
    batch.push_back(transposed ? cols : rows);
    batch.push_back(transposed ? rows : cols);
    return Shape(batch);
}

// Element (i, j) of op(x) for the matrix x starting at `base`, stored [r, c].
double at(const std::vector<double>& x, std::int64_t base, std::int64_t c, std::int64_t i, std::int64_t j,
          bool transposed) {
    return transposed ? x[static_cast<std::size_t>(base + j * c + i)] : x[static_cast<std::size_t>(base + i * c + j)];
}

// A plain triple loop over batch index b (a, b rank 3 with batch extent 1 broadcasting, or rank 2).
Tensor reference(const Tensor& a, const Tensor& b, Trans t, const Shape& out) {
    const auto va = a.to_vector();
    const auto vb = b.to_vector();
    const std::int64_t m = out[out.rank() - 2];
    const std::int64_t n = out[out.rank() - 1];
    const std::int64_t k = a.shape()[t.a ? a.rank() - 2 : a.rank() - 1];
    const std::int64_t batches = out.numel() / (m * n);
    const std::int64_t a_batches = a.numel() / (m * k);
    const std::int64_t b_batches = b.numel() / (k * n);
    const std::int64_t ca = a.shape()[a.rank() - 1];
    const std::int64_t cb = b.shape()[b.rank() - 1];
    std::vector<double> c;
    for (std::int64_t p = 0; p < batches; ++p) {
        const std::int64_t base_a = (a_batches == 1 ? 0 : p) * m * k;
        const std::int64_t base_b = (b_batches == 1 ? 0 : p) * k * n;
        for (std::int64_t i = 0; i < m; ++i) {
            for (std::int64_t j = 0; j < n; ++j) {
                double s = 0.0;
                for (std::int64_t l = 0; l < k; ++l) s += at(va, base_a, ca, i, l, t.a) * at(vb, base_b, cb, l, j, t.b);
                c.push_back(s);
            }
        }
    }
    return Tensor::from_vector(c, out, f64);
}

}  // namespace

TEST_CASE("matmul computes op(A) op(B) for every flag combination, batched or not", "[ops][matmul]") {
    // {batch of a, batch of b, expected batch of the output}
    const std::vector<std::array<Shape::Dims, 3>> batches = {
        {Shape::Dims{}, Shape::Dims{}, Shape::Dims{}},    {Shape::Dims{4}, Shape::Dims{}, Shape::Dims{4}},
        {Shape::Dims{}, Shape::Dims{4}, Shape::Dims{4}},  {Shape::Dims{4}, Shape::Dims{4}, Shape::Dims{4}},
        {Shape::Dims{1}, Shape::Dims{4}, Shape::Dims{4}},
    };
    for (const Trans t : kAllFlags) {
        for (const auto& [ba, bb, bo] : batches) {
            const Tensor a = randn(stored(ba, 3, 5, t.a), 1);
            const Tensor b = randn(stored(bb, 5, 2, t.b), 2);
            INFO(flag_name(t) << " with a " << a.shape().str() << " and b " << b.shape().str());
            const Tensor c = matmul(Var(a), Var(b), t).value();
            Shape::Dims out = bo;
            out.push_back(3);
            out.push_back(2);
            REQUIRE(c.shape() == Shape(out));
            CHECK(max_relative_error(c, reference(a, b, t, Shape(out))) < 1e-12);
        }
    }
}

TEST_CASE("matmul matches finite differences in every mode, for every flag combination", "[ops][matmul]") {
    for (const Trans t : kAllFlags) {
        INFO(flag_name(t));
        const auto f = [t](const Vars& x) { return matmul(x[0], x[1], t); };
        check_op("matmul", f, {randn(stored({}, 3, 4, t.a), 1), randn(stored({}, 4, 2, t.b), 2)});
        check_op("matmul, batch times matrix", f, {randn(stored({2}, 3, 4, t.a), 3), randn(stored({}, 4, 2, t.b), 4)});
        check_op("matmul, matrix times batch", f, {randn(stored({}, 3, 4, t.a), 5), randn(stored({2}, 4, 2, t.b), 6)});
        check_op("matmul, batch times batch", f, {randn(stored({2}, 3, 4, t.a), 7), randn(stored({2}, 4, 2, t.b), 8)});
        check_op("matmul, broadcast batch axes", f,
                 {randn(stored({2, 1}, 2, 3, t.a), 9), randn(stored({3}, 3, 2, t.b), 10)});
    }
}

TEST_CASE("matmul inside a nonlinear function has correct second derivatives", "[ops][matmul]") {
    check_op("tanh layer", [](const Vars& x) { return tanh(matmul(x[0], x[1], trans_b)); },
             {randn({4, 3}, 11), randn({2, 3}, 12)});
    check_op("two layers", [](const Vars& x) { return matmul(sin(matmul(x[0], x[1])), x[1], trans_b); },
             {randn({2, 3}, 13), randn({3, 3}, 14)});
    check_op("gram", [](const Vars& x) { return matmul(x[0], x[0], trans_a); }, {randn({2, 3, 2}, 15)});
}

TEST_CASE("dot and squared_norm match finite differences in every mode", "[ops][matmul]") {
    check_op("dot", [](const Vars& x) { return dot(x[0], x[1]); }, {randn({5}, 16), randn({5}, 17)});
    check_op("dot with itself", [](const Vars& x) { return dot(x[0], exp(x[0])); }, {randn({4}, 18)});
    check_op("squared_norm", [](const Vars& x) { return squared_norm(x[0]); }, {randn({2, 3}, 19)});
    check_op("squared_norm of a product", [](const Vars& x) { return squared_norm(matmul(x[0], x[1])); },
             {randn({2, 3}, 20), randn({3, 2}, 21)});

    const Var a = Tensor::from_vector({1, 2, 3}, {3}, f64);
    const Var b = Tensor::from_vector({4, -5, 6}, {3}, f64);
    CHECK(dot(a, b).item() == 12.0);
    CHECK(dot(a, b).shape() == Shape{});
    CHECK(squared_norm(b).item() == 77.0);
}

TEST_CASE("matmul over an empty contraction is zero and empty outputs are fine", "[ops][matmul]") {
    const Tensor c = matmul(Var(Tensor::ones({3, 0}, f64)), Var(Tensor::ones({0, 2}, f64))).value();
    REQUIRE(c.shape() == Shape{3, 2});
    for (const double v : c.to_vector()) CHECK(v == 0.0);
    CHECK(matmul(Var(Tensor::ones({0, 4}, f64)), Var(Tensor::ones({4, 2}, f64))).shape() == Shape{0, 2});
    CHECK(matmul(Var(Tensor::ones({0, 2, 4}, f64)), Var(Tensor::ones({4, 2}, f64))).shape() == Shape{0, 2, 2});
}

TEST_CASE("matmul in float32 agrees with float64 within float32 precision", "[ops][matmul]") {
    for (const Trans t : kAllFlags) {
        INFO(flag_name(t));
        for (const Shape::Dims& batch : {Shape::Dims{}, Shape::Dims{3}}) {
            const Tensor a = randn(stored(batch, 17, 64, t.a), 22);
            const Tensor b = randn(stored({}, 64, 9, t.b), 23);
            const Tensor c64 = matmul(Var(a), Var(b), t).value();
            const Tensor c32 = matmul(Var(a.to(f32)), Var(b.to(f32)), t).value();
            REQUIRE(c32.dtype() == f32);
            CHECK(max_relative_error(c32.to(f64), c64) < 1e-5);
        }
    }
}

TEST_CASE("matmul, dot and squared_norm reject bad operands with a clear error", "[ops][matmul][errors]") {
    const Var a = Tensor::zeros({3, 4}, f64);
    const Var b = Tensor::zeros({5, 2}, f64);
    CHECK_ERROR(matmul(a, b), Catch::Contains("matmul") && Catch::Contains("inner dimensions") &&
                                  Catch::Contains("[3, 4]") && Catch::Contains("[5, 2]"));
    CHECK_ERROR(matmul(a, a), Catch::Contains("matmul") && Catch::Contains("[3, 4]"));
    CHECK_ERROR(matmul(a, b, trans_a),
                Catch::Contains("[3, 4] (transposed)") && Catch::Contains("3 columns") && Catch::Contains("5 rows"));
    CHECK_NOTHROW(matmul(a, a, trans_b));
    CHECK_ERROR(matmul(a, Var(Tensor::zeros({4, 2}, f32))),
                Catch::Contains("matmul") && Catch::Contains("float32") && Catch::Contains("float64"));
    CHECK_ERROR(matmul(Var(Tensor::zeros({4}, f64)), a),
                Catch::Contains("matmul") && Catch::Contains("[4]") && Catch::Contains("rank 2"));
    CHECK_ERROR(matmul(Var(Tensor::zeros({2, 3, 4}, f64)), Var(Tensor::zeros({3, 4, 2}, f64))),
                Catch::Contains("batch axes") && Catch::Contains("[2, 3, 4]") && Catch::Contains("[3, 4, 2]"));
    CHECK_ERROR(matmul(a, Var()), Catch::Contains("matmul") && Catch::Contains("undefined"));
    CHECK_THROWS_AS(matmul(a, Var(Tensor::indices({1, 2, 3, 4}, {4, 1}))), Error);

    CHECK_ERROR(dot(Var(Tensor::zeros({3}, f64)), Var(Tensor::zeros({4}, f64))),
                Catch::Contains("dot") && Catch::Contains("[3]") && Catch::Contains("[4]"));
    CHECK_ERROR(dot(a, a), Catch::Contains("dot") && Catch::Contains("[3, 4]"));
    CHECK_ERROR(dot(Var(Tensor::zeros({3}, f64)), Var(Tensor::zeros({3}, f32))),
                Catch::Contains("dot") && Catch::Contains("float32"));
    CHECK_ERROR(squared_norm(Var()), Catch::Contains("squared_norm") && Catch::Contains("undefined"));
}
