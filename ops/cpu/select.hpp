#pragma once
// CPU kernels of the selection ops (ops/select.hpp).
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

// out[i] = cond[i] != 0 ? a[i] : b[i], all three broadcast to `out`.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out);
// min(max(x, lo), hi), with the bounds in x's dtype; NaN stays NaN.
Tensor clamp(const Tensor& x, double lo, double hi);

}  // namespace hypertape::cpu
