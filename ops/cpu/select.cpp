#include "hypertape/ops/cpu/select.hpp"

#include "hypertape/ops/cpu/broadcast.hpp"
#include "hypertape/ops/cpu/parallel.hpp"
#include "hypertape/ops/math/binary.hpp"

namespace hypertape::cpu {

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out_shape) {
    Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
    dispatch_floating(a.dtype(), [&]<class T>() { broadcast_map<T, 3>({&cond, &a, &b}, out, math::Where{}); });
    return out;
}

Tensor clamp(const Tensor& x, double lo, double hi) {
    Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        const T* px = x.data<T>();
        T* po = out.data<T>();
        const math::Clamp<T> f{static_cast<T>(lo), static_cast<T>(hi)};
        parallel_for(x.numel(), kGrainElements, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t i = begin; i < end; ++i) po[i] = f(px[i]);
        });
    });
    return out;
}

}  // namespace hypertape::cpu
