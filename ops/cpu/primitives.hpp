#pragma once
// CPU kernels of the tensor primitives (ops/kernels.hpp): fill, copy, dtype conversion and
// finiteness. The callers have checked dtypes, devices and element counts.
#include <cstdint>

#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

// Every element of `out` set to `value`, converted to out's dtype.
void fill(Tensor& out, double value);
// from's bytes into `to` (same dtype and element count).
void copy(const Tensor& from, Tensor& to);
// from converted element by element into to's floating dtype.
void convert(const Tensor& from, Tensor& to);
// False when any element is NaN or +-Inf; int64 tensors are always finite.
bool all_finite(const Tensor& x);
// first_bad (an int64 scalar) becomes min(first_bad, tag) when x holds NaN or Inf.
void flag_nonfinite(const Tensor& x, Tensor& first_bad, std::int64_t tag);

}  // namespace hypertape::cpu
