#pragma once
// Batch normalisation in training mode (Ioffe and Szegedy 2015): each channel (axis 1) of x
// [N, C, ...] is standardised by its batch statistics over every other axis, then scaled and
// shifted:
//   mu_c = mean of x[:, c, ...],   v_c = mean of (x[:, c, ...] - mu_c)^2 (the biased variance),
//   s_c = 1 / sqrt(v_c + eps),     xh = (x - mu) s,     y = weight_c xh + bias_c.
// weight and bias are [C] or undefined (1 and 0). There are no running statistics: the op is a
// pure function of its batch, which is what an inner loop that re-normalises every step needs.
//
//   VJP: gxh = g weight,  x <- s (gxh - mean(gxh) - xh mean(gxh xh)),
//        weight <- sum(g xh), bias <- sum(g)   (means and sums per channel)
//   JVP: weight (s (tx - mean(tx) - xh mean(xh tx))) + tweight xh + tbias
// The VJP is written with differentiable ops on the saved x, so grad-of-grad works. The op saves
// x and weight, never the normalised copy.
//
//   Var h = relu(batch_norm(conv2d(x, w, b, 1, 1), gamma, beta));
//
// Errors: rank < 2, weight or bias not [C], eps <= 0 or not finite, a channel of a single value
// (N times the other extents is 1: its variance is 0 and the output is 0, a silent loss of the
// input), and mixed dtypes or devices.
#include "hypertape/tape/var.hpp"

namespace hypertape {

Var batch_norm(const Var& x, const Var& weight = Var(), const Var& bias = Var(), double eps = 1e-5);

}  // namespace hypertape
