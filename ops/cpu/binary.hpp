#pragma once
// CPU kernels of the broadcasting binary ops (ops/binary.hpp); the element math is
// ops/math/binary.hpp.
#include "hypertape/ops/math/binary.hpp"
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

// out[i] = a[i] (op) b[i] with both broadcast to `out`. `greater` yields 1 or 0.
Tensor binary(math::BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out);

}  // namespace hypertape::cpu
