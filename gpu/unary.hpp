#pragma once
// CUDA kernels of the elementwise unary ops, mirroring ops/cpu/unary.hpp; the element math
// is ops/math/unary.hpp, shared with the CPU kernels.
#include "hypertape/ops/math/unary.hpp"
#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

Tensor unary(math::UnaryKind kind, const Tensor& x);

}  // namespace hypertape::gpu
