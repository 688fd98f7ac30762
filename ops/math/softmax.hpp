#pragma once
// The line math of the softmax family (ops/softmax.hpp), written once for the CPU and CUDA
// kernels. A line is shifted by its maximum before exponentiating, so no finite input overflows;
// sums accumulate in double. The CPU kernels walk a line with these sequential forms; the CUDA
// kernels reduce a line across a block and combine the partial results with the same functions
// (softmax_shift, log_sum_from).
#include <cmath>
#include <cstdint>
#include <limits>

#include "hypertape/ops/math/host_device.hpp"

namespace hypertape::math {

// The shift of a line from its maximum: the maximum, or 0 when it is infinite, as PyTorch's
// logsumexp shifts: a line that is empty or all -inf then has logsumexp -inf, and one holding +inf
// has logsumexp +inf (its limit), not the NaN of exp(inf - inf). In softmax and log_softmax such a
// line gives NaN at its +inf entries and the limits 0 and -inf elsewhere (PyTorch gives NaN for the
// whole line).
template <class T>
HT_HOST_DEVICE T softmax_shift(T line_maximum) {
    return std::isinf(line_maximum) ? T(0) : line_maximum;
}

// logsumexp of a line from its shift m and the sum s of exp(x - m).
template <class T>
HT_HOST_DEVICE double log_sum_from(T m, double s) {
    return static_cast<double>(m) + std::log(s);
}

template <class T>
HT_HOST_DEVICE T line_max(const T* x, std::int64_t len, std::int64_t stride) {
    T m = -std::numeric_limits<T>::infinity();
    for (std::int64_t l = 0; l < len; ++l) m = max_of(m, x[l * stride]);
    return softmax_shift(m);
}

template <class T>
HT_HOST_DEVICE double line_exp_sum(const T* x, std::int64_t len, std::int64_t stride, T shift) {
    double s = 0.0;
    for (std::int64_t l = 0; l < len; ++l) s += std::exp(x[l * stride] - shift);
    return s;
}

template <class T>
HT_HOST_DEVICE double line_logsumexp(const T* x, std::int64_t len, std::int64_t stride) {
    const T m = line_max(x, len, stride);
    return log_sum_from(m, line_exp_sum(x, len, stride, m));
}

// The weighted cross-entropy total from per-row losses, in row order: (1/B) sum_i w_i loss_i.
template <class T>
HT_HOST_DEVICE double mean_weighted_loss(const double* losses, const T* weights, std::int64_t batch) {
    double total = 0.0;
    for (std::int64_t i = 0; i < batch; ++i) total += (weights ? static_cast<double>(weights[i]) : 1.0) * losses[i];
    return total / static_cast<double>(batch);
}

}  // namespace hypertape::math
