#include "hypertape/ops/cpu/binary.hpp"

#include <cmath>

#include "hypertape/ops/cpu/broadcast.hpp"
#include "hypertape/ops/cpu/parallel.hpp"

namespace hypertape::cpu {
namespace {

template <class T, class F>
void broadcast_loop(const Tensor& a, const Tensor& b, Tensor& out, F f) {
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    if (a.shape() == b.shape()) {
        parallel_for(out.numel(), kGrainElements, [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t i = lo; i < hi; ++i) po[i] = f(pa[i], pb[i]);
        });
        return;
    }
    const BroadcastRows<2> plan(out.shape(), {&a.shape(), &b.shape()});
    const std::int64_t inner = plan.inner();
    const std::int64_t sa = plan.inner_stride(0);
    const std::int64_t sb = plan.inner_stride(1);
    parallel_rows(plan.rows(), inner, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t row = lo; row < hi; ++row) {
            const auto off = plan.offsets(row);
            const T* ra = pa + off[0];
            const T* rb = pb + off[1];
            T* ro = po + row * inner;
            for (std::int64_t j = 0; j < inner; ++j) ro[j] = f(ra[j * sa], rb[j * sb]);
        }
    });
}

template <class T>
void run(BinaryKind kind, const Tensor& a, const Tensor& b, Tensor& out) {
    switch (kind) {
        case BinaryKind::add:
            return broadcast_loop<T>(a, b, out, [](T x, T y) { return x + y; });
        case BinaryKind::sub:
            return broadcast_loop<T>(a, b, out, [](T x, T y) { return x - y; });
        case BinaryKind::mul:
            return broadcast_loop<T>(a, b, out, [](T x, T y) { return x * y; });
        case BinaryKind::div:
            return broadcast_loop<T>(a, b, out, [](T x, T y) { return x / y; });
        case BinaryKind::pow:
            return broadcast_loop<T>(a, b, out, [](T x, T y) { return std::pow(x, y); });
        case BinaryKind::greater:
            return broadcast_loop<T>(a, b, out, [](T x, T y) { return T(x > y ? 1 : 0); });
    }
}

}  // namespace

Tensor binary(BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out_shape) {
    Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
    dispatch_floating(a.dtype(), [&]<class T>() { run<T>(kind, a, b, out); });
    return out;
}

}  // namespace hypertape::cpu
