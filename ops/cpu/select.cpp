#include "hypertape/ops/cpu/select.hpp"

#include <algorithm>

#include "hypertape/ops/cpu/broadcast.hpp"
#include "hypertape/ops/cpu/parallel.hpp"

namespace hypertape::cpu {

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out_shape) {
    Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
    dispatch_floating(a.dtype(), [&]<class T>() {
        broadcast_map<T, 3>({&cond, &a, &b}, out, [](T c, T x, T y) { return c != T(0) ? x : y; });
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
