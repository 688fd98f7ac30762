// CUDA kernels of the elementwise unary ops: one map instantiated per kind with the element math
// of ops/math/unary.hpp.
#include "hypertape/gpu/broadcast.cuh"
#include "hypertape/gpu/unary.hpp"

namespace hypertape::gpu {

Tensor unary(math::UnaryKind kind, const Tensor& x) {
    const DeviceScope scope(x.device());
    Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        math::with_unary(kind, [&](auto f) { broadcast_map<T, 1>({&x}, out, f, "unary"); });
    });
    return out;
}

}  // namespace hypertape::gpu
