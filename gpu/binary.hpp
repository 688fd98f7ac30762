#pragma once
// CUDA kernels of the broadcasting binary ops, mirroring ops/cpu/binary.hpp; the element
// math is ops/math/binary.hpp, shared with the CPU kernels.
#include "hypertape/ops/math/binary.hpp"
#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

Tensor binary(math::BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out);

}  // namespace hypertape::gpu
