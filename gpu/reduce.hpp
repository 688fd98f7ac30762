#pragma once
// CUDA kernels of the reductions and of broadcasting, mirroring ops/cpu/reduce.hpp. Sums
// accumulate in double with a fixed reduction tree (CUB block reductions, no atomics), so the
// same input gives the same bits on every run.
#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

Tensor sum_all(const Tensor& x);
Tensor sum_axis(const Tensor& x, int axis);
Tensor broadcast_to(const Tensor& x, const Shape& shape);

}  // namespace hypertape::gpu
