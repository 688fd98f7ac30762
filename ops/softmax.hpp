#pragma once
// The softmax family along one axis (negative counts from the end), each a fused, numerically
// stable kernel: the maximum of each line is subtracted before exponentiating, so logits of
// +-1000 give finite, exact results.
//
//   softmax(x, axis)       y = exp(x) / sum(exp(x))       VJP: y (g - sum(g y, axis))
//   log_softmax(x, axis)   y = x - logsumexp(x)           VJP: g - softmax(x) sum(g, axis)
//   logsumexp(x, axis)     log sum(exp(x)) over the axis  VJP: g softmax(x)
//                          (removed, or kept with extent 1 under keepdim)
// Infinite inputs: a line of -inf has logsumexp -inf; a line holding +inf has logsumexp +inf, its
// limit, as in PyTorch. softmax and log_softmax of such a line are NaN at its +inf entries and
// take their limits 0 and -inf at the others (PyTorch makes the whole line NaN): there is no
// single limit to give where two entries are +inf.
//
// Softmax cross-entropy with int64 labels y [B] in [0, C) for logits z [B, C], as one record:
//   cross_entropy(z, y)      = (1/B) sum_i l_i,      l_i = logsumexp(z_i) - z_i[y_i]
//   cross_entropy(z, y, w)   = (1/B) sum_i w_i l_i   (w [B] differentiable: hyper-cleaning
//                                                     weights such as sigmoid(lambda))
//   d/dz_i = (softmax(z_i) - one_hot(y_i)) w_i / B      d/dw_i = l_i / B
// The labels are not differentiated.
//
//   Var loss = cross_entropy(matmul(x, W), labels, sigmoid(lam));
#include "hypertape/tape/var.hpp"

namespace hypertape {

Var softmax(const Var& x, int axis = -1);
Var log_softmax(const Var& x, int axis = -1);
Var logsumexp(const Var& x, int axis = -1, bool keepdim = false);
Var cross_entropy(const Var& logits, const Tensor& labels);
Var cross_entropy(const Var& logits, const Tensor& labels, const Var& weights);

}  // namespace hypertape
