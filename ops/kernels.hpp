#pragma once
// The one dispatch layer between ops and backends. Each function checks nothing (the op has
// checked shapes, dtypes and devices) and switches once on the device of its operands to the CPU
// kernel (ops/cpu/) or the CUDA kernel (gpu/) of the same name and signature; kernels.cpp asserts
// at compile time that the two signatures are identical. ops/*.cpp and the tensor primitives call
// only these.
//
// Device kernels are asynchronous on the device's stream. The functions that return a host value
// (all_finite, first_out_of_range) and copies to the host wait for the stream; they say so below.
#include <cstdint>
#include <vector>

#include "hypertape/ops/math/binary.hpp"
#include "hypertape/ops/math/conv.hpp"
#include "hypertape/ops/math/unary.hpp"
#include "hypertape/tape/tensor.hpp"

namespace hypertape::kernels {

// Tensor primitives.
void fill(Tensor& out, double value);
// from's bytes into `to`, of equal dtype and element count, on any two devices (the only way data
// crosses devices). A copy to the host synchronises.
void copy(const Tensor& from, Tensor& to);
// from converted into to's floating dtype, on one device.
void convert(const Tensor& from, Tensor& to);
// False when any element is NaN or +-Inf. Synchronises on a device.
bool all_finite(const Tensor& x);
// first_bad (an int64 scalar on x's device) becomes min(first_bad, tag) when x holds NaN or Inf,
// without synchronising: the caller reads first_bad once, later.
void flag_nonfinite(const Tensor& x, Tensor& first_bad, std::int64_t tag);
// The row-major position of the first index outside [0, bound), or -1. Synchronises on a device.
std::int64_t first_out_of_range(const Tensor& indices, std::int64_t bound);

// Elementwise (ops/unary.hpp, ops/binary.hpp, ops/select.hpp).
Tensor unary(math::UnaryKind kind, const Tensor& x);
Tensor binary(math::BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out);
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out);
Tensor clamp(const Tensor& x, double lo, double hi);

// Reductions and broadcasting (ops/reduce.hpp).
Tensor sum_all(const Tensor& x);
Tensor sum_axis(const Tensor& x, int axis);
// x summed down to `shape`, which broadcasts to x.shape(): sum_axis over the broadcast axes.
Tensor sum_to(const Tensor& x, const Shape& shape);
Tensor broadcast_to(const Tensor& x, const Shape& shape);

// Layout (ops/layout.hpp). slice, pad and concat are made of copy_range, which moves `count`
// positions along `axis` from position src_at of src to position dst_at of dst (the shapes agree
// on every other axis). pad and concat throw, naming their op, when the result's extent overflows
// int64 or its shape exceeds kMaxNumel elements, before they allocate.
Tensor swap_axes(const Tensor& x, int axis0, int axis1);
void copy_range(const Tensor& src, std::int64_t src_at, Tensor& dst, std::int64_t dst_at, std::int64_t count, int axis);
Tensor slice(const Tensor& x, int axis, std::int64_t start, std::int64_t stop);
Tensor pad(const Tensor& x, int axis, std::int64_t before, std::int64_t after);
Tensor concat(const std::vector<Tensor>& xs, int axis);

// Products (ops/matmul.hpp).
Tensor matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, const Shape& out);

// Window ops (ops/conv.hpp, ops/pool.hpp; see ops/cpu/conv.hpp).
Tensor im2col(const Tensor& x, const math::Window2d& window);
Tensor col2im(const Tensor& columns, const math::Window2d& window);
Tensor max_pool2d_indices(const Tensor& x, const math::Window2d& window);

// Softmax family (ops/softmax.hpp).
Tensor softmax(const Tensor& x, int axis);
Tensor log_softmax(const Tensor& x, int axis);
Tensor logsumexp(const Tensor& x, int axis);
Tensor cross_entropy(const Tensor& logits, const Tensor& labels, const Tensor& weights);

// Indexing (ops/index.hpp).
Tensor gather(const Tensor& x, const Tensor& indices, int axis, const Shape& out);
Tensor scatter_add(const Tensor& g, const Tensor& indices, int axis, const Shape& shape);
Tensor one_hot(const Tensor& labels, std::int64_t classes, DType dtype);

}  // namespace hypertape::kernels
