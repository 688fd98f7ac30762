#include "hypertape/ops/cpu/select.hpp"

#include <algorithm>

#include "hypertape/ops/cpu/broadcast.hpp"
#include "hypertape/ops/cpu/parallel.hpp"

namespace hypertape::cpu {

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out_shape) {
    Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
    dispatch_floating(a.dtype(), [&]<class T>() {
        const T* pc = cond.data<T>();
        const T* pa = a.data<T>();
        const T* pb = b.data<T>();
        T* po = out.data<T>();
        const BroadcastRows<3> plan(out_shape, {&cond.shape(), &a.shape(), &b.shape()});
        const std::int64_t inner = plan.inner();
        const std::int64_t sc = plan.inner_stride(0);
        const std::int64_t sa = plan.inner_stride(1);
        const std::int64_t sb = plan.inner_stride(2);
        parallel_rows(plan.rows(), inner, [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t row = lo; row < hi; ++row) {
                const auto off = plan.offsets(row);
                const T* rc = pc + off[0];
                const T* ra = pa + off[1];
                const T* rb = pb + off[2];
                T* ro = po + row * inner;
                for (std::int64_t j = 0; j < inner; ++j) ro[j] = rc[j * sc] != T(0) ? ra[j * sa] : rb[j * sb];
            }
        });
    });
    return out;
}

Tensor clamp(const Tensor& x, double lo, double hi) {
    Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        const T* px = x.data<T>();
        T* po = out.data<T>();
        const T l = static_cast<T>(lo);
        const T h = static_cast<T>(hi);
        parallel_for(x.numel(), kGrainElements, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t i = begin; i < end; ++i) po[i] = std::clamp(px[i], l, h);
        });
    });
    return out;
}

}  // namespace hypertape::cpu
