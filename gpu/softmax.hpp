#pragma once
// CUDA kernels of the softmax family, mirroring ops/cpu/softmax.hpp: one block per line,
// with the line math of ops/math/softmax.hpp. Deterministic.
#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

Tensor softmax(const Tensor& x, int axis);
Tensor log_softmax(const Tensor& x, int axis);
Tensor logsumexp(const Tensor& x, int axis);
Tensor cross_entropy(const Tensor& logits, const Tensor& labels, const Tensor& weights);

}  // namespace hypertape::gpu
