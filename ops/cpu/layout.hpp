#pragma once
// CPU kernels of the layout ops (ops/layout.hpp): copies that move elements without arithmetic.
// The caller has checked axes and ranges.
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

// x with axes axis0 and axis1 swapped.
Tensor swap_axes(const Tensor& x, int axis0, int axis1);
// Copies `count` positions along `axis` from position src_at of src to position dst_at of dst;
// the two shapes agree on every other axis. slice, pad and concat are made of it (ops/kernels.cpp).
void copy_range(const Tensor& src, std::int64_t src_at, Tensor& dst, std::int64_t dst_at, std::int64_t count, int axis);

}  // namespace hypertape::cpu
