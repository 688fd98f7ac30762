#pragma once
// CPU kernels of the broadcasting binary ops (ops/binary.hpp).
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

enum class BinaryKind { add, sub, mul, div, pow, greater };

// out[i] = a[i] (op) b[i] with both broadcast to `out`. `greater` yields 1 or 0.
Tensor binary(BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out);

}  // namespace hypertape::cpu
