#pragma once
// CPU kernels of the softmax family (ops/softmax.hpp). Every line along the axis is shifted by
// its maximum before exponentiating, so no finite input overflows; sums accumulate in double.
// The line math is ops/math/softmax.hpp, shared with the CUDA kernels.
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

Tensor softmax(const Tensor& x, int axis);
Tensor log_softmax(const Tensor& x, int axis);
// The axis is kept with extent 1.
Tensor logsumexp(const Tensor& x, int axis);
// (1/B) sum_i w_i (logsumexp(z_i) - z_i[labels_i]) for logits z [B, C], labels [B] in [0, C) and
// weights [B] (all 1 when undefined), shape []. Deterministic whatever the thread count.
Tensor cross_entropy(const Tensor& logits, const Tensor& labels, const Tensor& weights);

}  // namespace hypertape::cpu
