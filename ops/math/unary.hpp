#pragma once
// The element math of the unary ops (ops/unary.hpp), written once for the CPU and CUDA kernels.
//
// Unary<K> is the function of kind K on one element; with_unary(kind, f) calls f(Unary<K>{}) for
// the K that a run-time `kind` names, so a kernel is instantiated once per kind and its inner
// loop has no switch.
//
//   with_unary(UnaryKind::exp, [&](auto op) { for (i...) out[i] = op(x[i]); });
#include <cmath>

#include "hypertape/ops/math/host_device.hpp"

namespace hypertape::math {

enum class UnaryKind {
    neg,
    exp,
    log,
    log1p,
    sigmoid,
    log_sigmoid,
    softplus,
    tanh,
    sin,
    cos,
    relu,
    square,
    sqrt,
    abs,
    sign,  // -1, 0 or 1
    step,  // 1 where x > 0, else 0
};

// Numerically stable forms: exp never overflows for large |x|.
template <class T>
HT_HOST_DEVICE T stable_sigmoid(T x) {
    if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
}

template <class T>
HT_HOST_DEVICE T stable_softplus(T x) {
    return max_of(x, T(0)) + std::log1p(std::exp(-std::abs(x)));
}

template <UnaryKind K>
struct Unary {
    template <class T>
    HT_HOST_DEVICE T operator()(T v) const {
        if constexpr (K == UnaryKind::neg) return -v;
        if constexpr (K == UnaryKind::exp) return std::exp(v);
        if constexpr (K == UnaryKind::log) return std::log(v);
        if constexpr (K == UnaryKind::log1p) return std::log1p(v);
        if constexpr (K == UnaryKind::sigmoid) return stable_sigmoid(v);
        if constexpr (K == UnaryKind::log_sigmoid) return -stable_softplus(-v);
        if constexpr (K == UnaryKind::softplus) return stable_softplus(v);
        if constexpr (K == UnaryKind::tanh) return std::tanh(v);
        if constexpr (K == UnaryKind::sin) return std::sin(v);
        if constexpr (K == UnaryKind::cos) return std::cos(v);
        if constexpr (K == UnaryKind::relu) return v > T(0) ? v : T(0);
        if constexpr (K == UnaryKind::square) return v * v;
        if constexpr (K == UnaryKind::sqrt) return std::sqrt(v);
        if constexpr (K == UnaryKind::abs) return std::abs(v);
        if constexpr (K == UnaryKind::sign) return T((v > T(0)) - (v < T(0)));
        if constexpr (K == UnaryKind::step) return T(v > T(0) ? 1 : 0);
    }
};

template <class F>
decltype(auto) with_unary(UnaryKind kind, F&& f) {
    switch (kind) {
        case UnaryKind::neg:
            return f(Unary<UnaryKind::neg>{});
        case UnaryKind::exp:
            return f(Unary<UnaryKind::exp>{});
        case UnaryKind::log:
            return f(Unary<UnaryKind::log>{});
        case UnaryKind::log1p:
            return f(Unary<UnaryKind::log1p>{});
        case UnaryKind::sigmoid:
            return f(Unary<UnaryKind::sigmoid>{});
        case UnaryKind::log_sigmoid:
            return f(Unary<UnaryKind::log_sigmoid>{});
        case UnaryKind::softplus:
            return f(Unary<UnaryKind::softplus>{});
        case UnaryKind::tanh:
            return f(Unary<UnaryKind::tanh>{});
        case UnaryKind::sin:
            return f(Unary<UnaryKind::sin>{});
        case UnaryKind::cos:
            return f(Unary<UnaryKind::cos>{});
        case UnaryKind::relu:
            return f(Unary<UnaryKind::relu>{});
        case UnaryKind::square:
            return f(Unary<UnaryKind::square>{});
        case UnaryKind::sqrt:
            return f(Unary<UnaryKind::sqrt>{});
        case UnaryKind::abs:
            return f(Unary<UnaryKind::abs>{});
        case UnaryKind::sign:
            return f(Unary<UnaryKind::sign>{});
        case UnaryKind::step:
            break;
    }
    return f(Unary<UnaryKind::step>{});
}

}  // namespace hypertape::math
