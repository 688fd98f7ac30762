#pragma once
// CUDA kernels of the layout ops, mirroring ops/cpu/layout.hpp.
#include <vector>

#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

Tensor swap_axes(const Tensor& x, int axis0, int axis1);
Tensor slice(const Tensor& x, int axis, std::int64_t start, std::int64_t stop);
Tensor pad(const Tensor& x, int axis, std::int64_t before, std::int64_t after);
Tensor concat(const std::vector<Tensor>& xs, int axis);

}  // namespace hypertape::gpu
