#pragma once
// CUDA kernels of the indexing ops, mirroring ops/cpu/index.hpp. scatter_add uses no atomics:
// it adds each output slice's contributions in index order, as the CPU kernel does.
#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

std::int64_t first_out_of_range(const Tensor& indices, std::int64_t bound);
Tensor gather(const Tensor& x, const Tensor& indices, int axis, const Shape& out);
Tensor scatter_add(const Tensor& g, const Tensor& indices, int axis, const Shape& shape);
Tensor one_hot(const Tensor& labels, std::int64_t classes, DType dtype);

}  // namespace hypertape::gpu
