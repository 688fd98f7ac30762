#include "hypertape/ops/cpu/unary.hpp"

#include <cmath>

#include "hypertape/ops/cpu/parallel.hpp"

namespace hypertape::cpu {
namespace {

template <class T, class F>
void map(const Tensor& x, Tensor& out, F f) {
    const T* px = x.data<T>();
    T* po = out.data<T>();
    parallel_for(x.numel(), kGrainElements, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t i = lo; i < hi; ++i) po[i] = f(px[i]);
    });
}

// Numerically stable forms: no overflow of exp for large |x|.
template <class T>
T stable_sigmoid(T x) {
    if (x >= 0) return T(1) / (T(1) + std::exp(-x));
    const T e = std::exp(x);
    return e / (T(1) + e);
}
template <class T>
T stable_softplus(T x) {
    return std::max(x, T(0)) + std::log1p(std::exp(-std::abs(x)));
}

template <class T>
void run(UnaryKind kind, const Tensor& x, Tensor& out) {
    switch (kind) {
        case UnaryKind::neg:
            return map<T>(x, out, [](T v) { return -v; });
        case UnaryKind::exp:
            return map<T>(x, out, [](T v) { return std::exp(v); });
        case UnaryKind::log:
            return map<T>(x, out, [](T v) { return std::log(v); });
        case UnaryKind::log1p:
            return map<T>(x, out, [](T v) { return std::log1p(v); });
        case UnaryKind::sigmoid:
            return map<T>(x, out, [](T v) { return stable_sigmoid(v); });
        case UnaryKind::log_sigmoid:
            return map<T>(x, out, [](T v) { return -stable_softplus(-v); });
        case UnaryKind::softplus:
            return map<T>(x, out, [](T v) { return stable_softplus(v); });
        case UnaryKind::tanh:
            return map<T>(x, out, [](T v) { return std::tanh(v); });
        case UnaryKind::sin:
            return map<T>(x, out, [](T v) { return std::sin(v); });
        case UnaryKind::cos:
            return map<T>(x, out, [](T v) { return std::cos(v); });
        case UnaryKind::relu:
            return map<T>(x, out, [](T v) { return v > 0 ? v : T(0); });
        case UnaryKind::square:
            return map<T>(x, out, [](T v) { return v * v; });
        case UnaryKind::sqrt:
            return map<T>(x, out, [](T v) { return std::sqrt(v); });
        case UnaryKind::abs:
            return map<T>(x, out, [](T v) { return std::abs(v); });
        case UnaryKind::sign:
            return map<T>(x, out, [](T v) { return T((v > 0) - (v < 0)); });
        case UnaryKind::step:
            return map<T>(x, out, [](T v) { return T(v > 0 ? 1 : 0); });
    }
}

}  // namespace

Tensor unary(UnaryKind kind, const Tensor& x) {
    Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() { run<T>(kind, x, out); });
    return out;
}

}  // namespace hypertape::cpu
