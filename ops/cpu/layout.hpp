#pragma once
// CPU kernels of the layout ops (ops/layout.hpp): copies that move elements without arithmetic.
// The caller has checked axes and ranges.
#include <vector>

#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

// x with axes axis0 and axis1 swapped.
Tensor swap_axes(const Tensor& x, int axis0, int axis1);
// The range [start, stop) of `axis`.
Tensor slice(const Tensor& x, int axis, std::int64_t start, std::int64_t stop);
// x with `before` zeros in front of it and `after` zeros behind it along `axis`.
Tensor pad(const Tensor& x, int axis, std::int64_t before, std::int64_t after);
// The xs one after another along `axis`; their other extents are equal.
Tensor concat(const std::vector<Tensor>& xs, int axis);

}  // namespace hypertape::cpu
