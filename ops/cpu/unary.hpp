#pragma once
// CPU kernels of the elementwise unary ops (ops/unary.hpp); the element math is ops/math/unary.hpp.
#include "hypertape/ops/math/unary.hpp"
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

Tensor unary(math::UnaryKind kind, const Tensor& x);

}  // namespace hypertape::cpu
