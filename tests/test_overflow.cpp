// Shapes whose element or byte count would overflow are rejected with an Error naming the op and
// the shape, before anything is allocated (issue 8, defect 1). Each case below used to overflow
// silently: a tensor claiming 2^62 or more elements backed by a few bytes, then out-of-bounds
// reads and writes.
#include <catch2/catch.hpp>
#include <cstdint>
#include <hypertape/hypertape.hpp>
#include <hypertape/tape/allocator.hpp>
#include <limits>
#include <vector>

#include "support/error_matcher.hpp"

using namespace hypertape;
using Catch::Contains;

namespace {

constexpr std::int64_t k2_31 = std::int64_t{1} << 31;
constexpr std::int64_t k2_40 = std::int64_t{1} << 40;
constexpr std::int64_t k2_62 = std::int64_t{1} << 62;

// Runs `f`, which must throw, and checks that no tensor was allocated on the way (the host
// allocator's peak stays where it was).
template <class F>
void check_no_allocation(F&& f) {
    HostAllocator& pool = HostAllocator::instance();
    pool.reset_peak();
    const auto before = pool.counters();
    CHECK_THROWS_AS(f(), Error);
    CHECK(pool.counters().peak_bytes == before.peak_bytes);
    CHECK(pool.counters().live_bytes == before.live_bytes);
}

}  // namespace

TEST_CASE("a Shape holds at most kMaxNumel elements", "[errors][overflow]") {
    CHECK(Shape{kMaxNumel}.numel() == kMaxNumel);
    CHECK(Shape{2, 2, kMaxNumel / 4}.numel() == kMaxNumel);
    CHECK(Shape{0, kMaxNumel}.numel() == 0);
    CHECK_ERROR(Shape{kMaxNumel + 1}, Contains("Shape") && Contains("[576460752303423489]") && Contains("too large"));
    // 2^64 elements: wraps to 0 in int64 arithmetic.
    CHECK_ERROR((Shape{k2_31, k2_31, 4}), Contains("Shape") && Contains("[2147483648, 2147483648, 4]"));
    CHECK_ERROR((Shape{k2_62, 4}), Contains("Shape") && Contains("[4611686018427387904, 4]"));
    CHECK_ERROR(Shape(Shape::Dims{k2_62, k2_62}),
                Contains("Shape") && Contains("[4611686018427387904, 4611686018427387904]"));
    // Empty, but its strides would overflow all the same.
    CHECK_ERROR((Shape{0, k2_40, k2_40}), Contains("Shape") && Contains("[0, 1099511627776, 1099511627776]"));
    CHECK_ERROR(checked_shape("my_op", Shape::Dims{k2_62, 4}),
                Contains("my_op") && Contains("[4611686018427387904, 4]"));
}

TEST_CASE("tensor factories, reshape and broadcast_to reject overflowing shapes", "[errors][overflow]") {
    check_no_allocation([] { return sum(Tensor::zeros({k2_31, k2_31, 4}), 2); });
    CHECK_ERROR(Tensor::zeros({k2_31, k2_31, 4}), Contains("[2147483648, 2147483648, 4]"));
    CHECK_ERROR(Tensor::ones({k2_62, 4}, f64), Contains("[4611686018427387904, 4]"));
    CHECK_ERROR(Tensor::full({k2_62, 4}, 1.0), Contains("[4611686018427387904, 4]"));
    CHECK_ERROR(Tensor::from_vector({}, {0, k2_62, 4}), Contains("[0, 4611686018427387904, 4]"));

    // 0 elements reshaped to 2^64 used to pass the element count check.
    const Var empty = Tensor::zeros({0}, f64);
    check_no_allocation([&] { return reshape(empty, {k2_62, 4}); });
    CHECK_ERROR(reshape(empty, {k2_62, 4}), Contains("[4611686018427387904, 4]"));

    const Var x = Tensor::ones({4}, f64);
    check_no_allocation([&] { return sum(broadcast_to(x, {k2_62, 4}), 1); });
    CHECK_ERROR(broadcast_to(x, {k2_62, 4}), Contains("[4611686018427387904, 4]"));
}

TEST_CASE("random tensors of a valid shape too large for memory fail in the allocator, not in a buffer",
          "[errors][overflow]") {
    // 2^59 elements is a valid shape; its 2^61 bytes exceed the largest size class. The samples
    // used to be drawn into a std::vector first, which threw std::bad_alloc instead.
    std::mt19937_64 rng(1);
    CHECK_ERROR(Tensor::randn({std::int64_t{1} << 29, std::int64_t{1} << 30}, rng), Contains("bytes"));
    CHECK_ERROR(Tensor::uniform({std::int64_t{1} << 29, std::int64_t{1} << 30}, 0, 1, rng), Contains("bytes"));
    CHECK_ERROR(Tensor::randn({4}, rng, i64), Contains("randn") && Contains("int64"));
}

TEST_CASE("ops that compute a result shape check it, naming the op", "[errors][overflow]") {
    const Tensor labels = Tensor::indices({0, 1});
    check_no_allocation([&] { return one_hot(labels, k2_62); });
    CHECK_ERROR(one_hot(labels, k2_62), Contains("one_hot") && Contains("[2, 4611686018427387904]"));

    const Var x = Tensor::ones({3}, f64);
    check_no_allocation([&] { return sum(pad(x, 0, 0, k2_62)); });
    CHECK_ERROR(pad(x, 0, 0, k2_62), Contains("pad") && Contains("[4611686018427387907]"));
    // The extent itself overflows int64.
    const std::int64_t most = std::numeric_limits<std::int64_t>::max();
    CHECK_ERROR(pad(x, 0, most, 1), Contains("pad") && Contains("overflows int64"));
    CHECK_ERROR(pad(x, 0, 1, most), Contains("pad") && Contains("overflows int64"));

    // [2^40, 0] x [0, 2^40]: no element in either operand, 2^80 in the product.
    const Var a = Tensor::zeros({k2_40, 0}, f64);
    const Var b = Tensor::zeros({0, k2_40}, f64);
    check_no_allocation([&] { return matmul(a, b); });
    CHECK_ERROR(matmul(a, b), Contains("matmul") && Contains("[1099511627776, 1099511627776]"));

    // Broadcasting two empty operands to [0, 2^40, 2^40].
    const Var column = Tensor::zeros({0, k2_40, 1}, f64);
    const Var row = Tensor::zeros({0, 1, k2_40}, f64);
    CHECK_ERROR(column + row, Contains("add") && Contains("[0, 1099511627776, 1099511627776]"));
    CHECK_ERROR(where(column, column, row), Contains("where") && Contains("[0, 1099511627776, 1099511627776]"));

    // 16 operands of 2^59 rows: the concatenated extent, 2^63, overflows int64; 2 exceed kMaxNumel.
    const Var tall = Tensor::zeros({kMaxNumel, 0}, f64);
    CHECK_ERROR(concat(std::vector<Var>(16, tall), 0), Contains("concat") && Contains("overflow int64"));
    CHECK_ERROR(concat({tall, tall}, 0), Contains("concat") && Contains("[1152921504606846976, 0]"));

    // 2^20 indices into an axis of [1, 0, 2^40]: [2^20, 0, 2^40].
    const Var wide = Tensor::zeros({1, 0, k2_40}, f64);
    const Tensor many = Tensor::indices(std::vector<std::int64_t>(std::size_t{1} << 20, 0));
    CHECK_ERROR(gather(wide, many, 0), Contains("gather") && Contains("[1048576, 0, 1099511627776]"));
}

TEST_CASE("a tangent batch too large to hold is rejected, naming the op", "[errors][overflow][forward]") {
    // 2^20 directions of a value broadcast to [0, 2^40]: the batch [2^20, 0, 2^40] is too large.
    const Var x = with_tangents(Tensor::zeros({0, 1}, f64), Tensor::zeros({1 << 20, 0, 1}, f64));
    CHECK_ERROR(broadcast_to(x, {0, k2_40}),
                Contains("broadcast_to") && Contains("tangent batch") && Contains("[1048576, 0, 1099511627776]"));
}
