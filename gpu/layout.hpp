#pragma once
// CUDA kernels of the layout ops, mirroring ops/cpu/layout.hpp.

#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

Tensor swap_axes(const Tensor& x, int axis0, int axis1);
void copy_range(const Tensor& src, std::int64_t src_at, Tensor& dst, std::int64_t dst_at, std::int64_t count,
                int axis);

}  // namespace hypertape::gpu
