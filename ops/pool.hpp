#pragma once
// Pooling over NCHW images with a kernel x kernel window moved by `stride` (the kernel size when
// 0, as in PyTorch), with `padding` on each side.
//
//   max_pool2d(x, kernel, stride, padding)
//       [N, C, Ho, Wo], Ho = (H + 2 padding - kernel) / stride + 1: each window's maximum. Padding
//       is never chosen, and a window holding a NaN gives NaN. The op saves the position of each
//       maximum (the first in row-major window order on ties), not x:
//       VJP: g scattered to those positions (added where windows overlap);
//       JVP: the tangent gathered at them. Both are index ops, so second order works.
//   avg_pool2d(x, kernel, stride, padding)
//       the same windows' means, padding counted as zeros in the kernel x kernel divisor
//       (PyTorch's count_include_pad). Linear: VJP g / kernel^2 spread over each window (the
//       adjoint, itself an op whose VJP is avg_pool2d); JVP avg_pool2d of the tangent.
//
//   Var h = max_pool2d(relu(conv2d(x, w, b, 1, 1)), 2);   // halves H and W
//
// Errors name the op: rank other than 4, kernel or stride < 1, padding < 0 or more than half the
// kernel (a window of padding alone), and a window larger than the padded image.
#include <cstdint>

#include "hypertape/tape/var.hpp"

namespace hypertape {

Var max_pool2d(const Var& x, std::int64_t kernel, std::int64_t stride = 0, std::int64_t padding = 0);
Var avg_pool2d(const Var& x, std::int64_t kernel, std::int64_t stride = 0, std::int64_t padding = 0);

}  // namespace hypertape
