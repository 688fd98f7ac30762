#include "hypertape/ops/cpu/unary.hpp"

#include "hypertape/ops/cpu/parallel.hpp"

namespace hypertape::cpu {

Tensor unary(math::UnaryKind kind, const Tensor& x) {
    Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        const T* px = x.data<T>();
        T* po = out.data<T>();
        math::with_unary(kind, [&](auto f) {
            parallel_for(x.numel(), kGrainElements, [&](std::int64_t lo, std::int64_t hi) {
                for (std::int64_t i = lo; i < hi; ++i) po[i] = f(px[i]);
            });
        });
    });
    return out;
}

}  // namespace hypertape::cpu
