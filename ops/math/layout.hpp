#pragma once
// Index helpers of the kernels, as plain structs that the host builds from shapes and both the
// CPU and CUDA kernels use: the constructors run on the host, the index functions on either side.
//   BroadcastRows: offsets of broadcast operands along an output, row by row.
//   AxisLines:     a shape as [outer, len, inner] lines around one axis.
//   BatchIndex:    which matrix of a broadcast batch an output batch index reads.
#include <array>
#include <cstddef>
#include <cstdint>

#include "hypertape/ops/math/host_device.hpp"
#include "hypertape/tape/shape.hpp"

namespace hypertape::math {

// Walks an output shape row by row (a row is the last axis) and gives, for each of N operands
// broadcast to it, the offset of that row and the stride along it (0 where the operand is
// broadcast).
template <std::size_t N>
struct BroadcastRows {
    BroadcastRows(const Shape& out, const std::array<const Shape*, N>& operands) : rank(out.rank()) {
        for (int d = 0; d < rank; ++d) dims[static_cast<std::size_t>(d)] = out[d];
        for (std::size_t i = 0; i < N; ++i) {
            const Shape& s = *operands[i];
            std::int64_t stride = 1;
            for (int d = rank - 1; d >= 0; --d) {
                const int sd = s.rank() - rank + d;
                const std::int64_t extent = sd >= 0 ? s[sd] : 1;
                strides[i][static_cast<std::size_t>(d)] = extent == 1 ? 0 : stride;
                stride *= extent;
            }
        }
        inner = rank > 0 ? out[rank - 1] : 1;
        rows = inner > 0 ? out.numel() / inner : 0;
    }

    HT_HOST_DEVICE std::int64_t inner_stride(std::size_t i) const {
        return rank > 0 ? strides[i][static_cast<std::size_t>(rank - 1)] : 0;
    }

    // The offset of each operand's element at the start of output row `row`.
    HT_HOST_DEVICE std::array<std::int64_t, N> offsets(std::int64_t row) const {
        std::array<std::int64_t, N> off{};
        for (int d = rank - 2; d >= 0; --d) {
            const std::int64_t extent = dims[static_cast<std::size_t>(d)];
            const std::int64_t idx = row % extent;
            row /= extent;
            for (std::size_t i = 0; i < N; ++i) off[i] += idx * strides[i][static_cast<std::size_t>(d)];
        }
        return off;
    }

    int rank;
    std::array<std::int64_t, kMaxRank> dims{};
    std::array<std::array<std::int64_t, kMaxRank>, N> strides{};
    std::int64_t rows = 0;
    std::int64_t inner = 1;
};

// A shape seen as [outer, len, inner] around one axis: outer * inner lines of `len` elements,
// line k starting at start(k) and stepping by `inner`. The layout of every kernel that works
// along an axis (reductions, softmax, gather).
struct AxisLines {
    AxisLines(const Shape& s, int axis) : len(s[axis]) {
        for (int d = 0; d < axis; ++d) outer *= s[d];
        for (int d = axis + 1; d < s.rank(); ++d) inner *= s[d];
    }

    HT_HOST_DEVICE std::int64_t count() const { return outer * inner; }
    HT_HOST_DEVICE std::int64_t start(std::int64_t k) const { return (k / inner) * len * inner + k % inner; }

    std::int64_t len;
    std::int64_t outer = 1;
    std::int64_t inner = 1;
};

// Which matrix of an operand the output's batch index reads: the operand's batch axes (all but
// the last two) are right-aligned with the output's, and an axis it lacks or holds with extent 1
// has stride 0.
struct BatchIndex {
    BatchIndex(const Shape& out, const Shape& operand) : rank(out.rank() - 2) {
        std::int64_t stride = 1;
        for (int d = rank - 1; d >= 0; --d) {
            const int od = operand.rank() - out.rank() + d;
            const std::int64_t extent = od >= 0 ? operand[od] : 1;
            extents[static_cast<std::size_t>(d)] = out[d];
            strides[static_cast<std::size_t>(d)] = extent == 1 ? 0 : stride;
            stride *= extent;
        }
    }

    HT_HOST_DEVICE std::int64_t operator()(std::int64_t batch) const {
        std::int64_t index = 0;
        for (int d = rank - 1; d >= 0; --d) {
            const auto i = static_cast<std::size_t>(d);
            index += (batch % extents[i]) * strides[i];
            batch /= extents[i];
        }
        return index;
    }

    int rank;
    std::array<std::int64_t, kMaxRank> extents{};
    std::array<std::int64_t, kMaxRank> strides{};
};

// How a batched product out = op(a) op(b) (ops/matmul.hpp) splits into gemm calls, for both
// backends: m x n results with a contraction of k, `batches` of them. When b is one matrix and a
// is not transposed, a's batch stacks into rows: one gemm of batches * m rows. Otherwise output
// batch i multiplies a's matrix index_a(i) by b's matrix index_b(i); matrices_a and matrices_b
// count the operands' own matrices (1 for an operand broadcast whole, `batches` for one whose
// batch axes are the output's).
struct ProductPlan {
    ProductPlan(const Shape& a, bool transpose_a, const Shape& b, const Shape& out)
        : m(out[out.rank() - 2]),
          n(out[out.rank() - 1]),
          k(a[transpose_a ? a.rank() - 2 : a.rank() - 1]),
          batches(out.numel() / (m * n)),
          stacked(b.rank() == 2 && !transpose_a),
          matrices_a(a.numel() / (m * k)),
          matrices_b(b.numel() / (k * n)),
          index_a(out, a),
          index_b(out, b) {}

    std::int64_t m, n, k, batches;
    bool stacked;
    std::int64_t matrices_a, matrices_b;
    BatchIndex index_a, index_b;
};

// The product of the extents of axes [begin, end).
inline std::int64_t extent_product(const Shape& s, int begin, int end) {
    std::int64_t p = 1;
    for (int d = begin; d < end; ++d) p *= s[d];
    return p;
}

}  // namespace hypertape::math
