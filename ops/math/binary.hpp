#pragma once
// The element math of the binary and selection ops (ops/binary.hpp, ops/select.hpp), written once
// for the CPU and CUDA kernels. Binary<K> and with_binary work as Unary<K> and with_unary do
// (ops/math/unary.hpp).
#include <cmath>

#include "hypertape/ops/math/host_device.hpp"

namespace hypertape::math {

enum class BinaryKind { add, sub, mul, div, pow, greater };

template <BinaryKind K>
struct Binary {
    template <class T>
    HT_HOST_DEVICE T operator()(T a, T b) const {
        if constexpr (K == BinaryKind::add) return a + b;
        if constexpr (K == BinaryKind::sub) return a - b;
        if constexpr (K == BinaryKind::mul) return a * b;
        if constexpr (K == BinaryKind::div) return a / b;
        if constexpr (K == BinaryKind::pow) return std::pow(a, b);
        if constexpr (K == BinaryKind::greater) return T(a > b ? 1 : 0);  // 1 or 0
    }
};

template <class F>
decltype(auto) with_binary(BinaryKind kind, F&& f) {
    switch (kind) {
        case BinaryKind::add:
            return f(Binary<BinaryKind::add>{});
        case BinaryKind::sub:
            return f(Binary<BinaryKind::sub>{});
        case BinaryKind::mul:
            return f(Binary<BinaryKind::mul>{});
        case BinaryKind::div:
            return f(Binary<BinaryKind::div>{});
        case BinaryKind::pow:
            return f(Binary<BinaryKind::pow>{});
        case BinaryKind::greater:
            break;
    }
    return f(Binary<BinaryKind::greater>{});
}

// where: cond != 0 ? a : b.
struct Where {
    template <class T>
    HT_HOST_DEVICE T operator()(T cond, T a, T b) const {
        return cond != T(0) ? a : b;
    }
};

// clamp: min(max(x, lo), hi); NaN stays NaN (both comparisons are false).
template <class T>
struct Clamp {
    T lo;
    T hi;
    HT_HOST_DEVICE T operator()(T x) const { return x < lo ? lo : (hi < x ? hi : x); }
};

// Finite: neither NaN nor +-Inf.
template <class T>
HT_HOST_DEVICE bool is_finite(T x) {
    return std::isfinite(x);
}

}  // namespace hypertape::math
