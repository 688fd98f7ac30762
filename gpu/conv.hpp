#pragma once
// CUDA kernels of the window ops, mirroring ops/cpu/conv.hpp (whose comments say what each
// computes): one thread per output element, each adding in the CPU kernel's order, so results
// repeat bit for bit and equal the CPU's.
#include "hypertape/ops/math/conv.hpp"
#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

Tensor im2col(const Tensor& x, const math::Window2d& window);
Tensor col2im(const Tensor& columns, const math::Window2d& window);
Tensor max_pool2d_indices(const Tensor& x, const math::Window2d& window);

}  // namespace hypertape::gpu
