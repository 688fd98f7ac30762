#pragma once
// CUDA kernels of the selection ops, mirroring ops/cpu/select.hpp.
#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out);
Tensor clamp(const Tensor& x, double lo, double hi);

}  // namespace hypertape::gpu
