#pragma once
// CPU kernels of the window ops (ops/conv.hpp, ops/pool.hpp): the two layout changes a
// convolution is made of, and the argmax of max pooling. The products themselves are BLAS gemm
// through kernels::matmul. Every output element is written by one task in a fixed order, so the
// results do not depend on the thread count and equal the CUDA kernels' bit for bit.
#include "hypertape/ops/math/conv.hpp"
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

// x [N, C, H, W] -> columns [N, C * kh * kw, out_h * out_w]: row (c, ki, kj) holds, at column
// (oh, ow), the input the window at (oh, ow) reads at offset (ki, kj), or 0 in the padding.
Tensor im2col(const Tensor& x, const math::Window2d& window);
// The adjoint of im2col: columns [N, C * kh * kw, out_h * out_w] -> [N, C, H, W], each input
// position the sum of the column entries that read it, added in (ki, kj) order.
Tensor col2im(const Tensor& columns, const math::Window2d& window);
// int64 [N, C, out_h, out_w]: the row-major position in x (over all N * C * H * W elements) of
// each window's maximum, the first one in (ki, kj) order on ties; a NaN wins over any number.
// Padding is never chosen (every window holds at least one input, which the op checks).
Tensor max_pool2d_indices(const Tensor& x, const math::Window2d& window);

}  // namespace hypertape::cpu
