#pragma once
// Convolution on NCHW images, as three bilinear ops that are each other's derivatives, so grad-of-
// grad stays within the family. Kernels are square or not (kh x kw); stride, padding and dilation
// are the same along both image axes. Groups are not supported.
//
//   conv2d(x, w, b, stride, padding, dilation)
//       x [N, C, H, W], w [F, C, kh, kw], b [F] or undefined -> y [N, F, Ho, Wo] with
//       Ho = (H + 2 padding - dilation (kh - 1) - 1) / stride + 1 (likewise Wo), and
//       y[n, f, i, j] = b[f] + sum_{c, ki, kj} w[f, c, ki, kj] x[n, c, i stride - padding + ki dilation, ...]
//       (zero outside the image: the padding).
//       VJP: x <- conv_transpose2d(g, w), w <- conv2d_weight(x, g), b <- g summed over N, Ho, Wo.
//   conv_transpose2d(y, w, b, stride, padding, output_padding, dilation)
//       y [N, F, Ho, Wo], w [F, C, kh, kw] (PyTorch's layout), b [C] or undefined -> [N, C, H, W] with
//       H = (Ho - 1) stride - 2 padding + dilation (kh - 1) + output_padding + 1: the adjoint of
//       conv2d's map x -> y for the x of that shape (0 <= output_padding < stride picks among the
//       image sizes that conv2d maps to the same Ho).
//       VJP: y <- conv2d(g, w), w <- conv2d_weight(g, y), b <- g summed over N, H, W.
//   conv2d_weight(x, g, kh, kw, stride, padding, dilation)
//       the gradient of <g, conv2d(x, w)> with respect to w, [F, C, kh, kw], for x [N, C, H, W]
//       and g [N, F, Ho, Wo] (PyTorch's torch.nn.grad.conv2d_weight).
//       VJP: x <- conv_transpose2d(g, gw), g <- conv2d(x, gw).
// JVPs are the same bilinear maps applied to one tangent at a time, summed.
//
// The CPU computes them by im2col and BLAS gemm (cuBLAS on a GPU), batched over the images; the
// column buffer is a temporary and never saved. conv2d saves x and w, not the columns.
//
//   Var h = relu(conv2d(images, w1, b1, 1, 1));     // 3x3 kernels, "same" padding
//
// Errors name the op and the operand: ranks other than 4, channel or bias extents that disagree,
// stride or dilation < 1, padding < 0, output_padding outside [0, stride), kernels
// larger than the padded image, and mixed dtypes or devices.
#include <cstdint>

#include "hypertape/tape/var.hpp"

namespace hypertape {

Var conv2d(const Var& x, const Var& weight, const Var& bias = Var(), std::int64_t stride = 1, std::int64_t padding = 0,
           std::int64_t dilation = 1);
Var conv_transpose2d(const Var& y, const Var& weight, const Var& bias = Var(), std::int64_t stride = 1,
                     std::int64_t padding = 0, std::int64_t output_padding = 0, std::int64_t dilation = 1);
Var conv2d_weight(const Var& x, const Var& g, std::int64_t kernel_h, std::int64_t kernel_w, std::int64_t stride = 1,
                  std::int64_t padding = 0, std::int64_t dilation = 1);

}  // namespace hypertape
