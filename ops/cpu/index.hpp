#pragma once
// CPU kernels of the indexing ops (ops/index.hpp). Indices are int64 and already checked to lie
// in range, except by first_out_of_range, which is that check.
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

// The row-major position of the first index outside [0, bound), or -1 when all are inside.
std::int64_t first_out_of_range(const Tensor& indices, std::int64_t bound);
// out[..., k..., ...] = x[..., indices[k...], ...] with the index axes in place of `axis`.
Tensor gather(const Tensor& x, const Tensor& indices, int axis, const Shape& out);
// Zeros of `shape` with g's slices added at `indices` along `axis`, in index order (deterministic).
Tensor scatter_add(const Tensor& g, const Tensor& indices, int axis, const Shape& shape);
// labels.shape + [classes]: 1 at each label, else 0.
Tensor one_hot(const Tensor& labels, std::int64_t classes, DType dtype);

}  // namespace hypertape::cpu
