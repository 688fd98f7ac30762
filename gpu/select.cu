// CUDA kernels of the selection ops, with the element math of ops/math/binary.hpp.
#include "hypertape/gpu/broadcast.cuh"
#include "hypertape/gpu/select.hpp"
#include "hypertape/ops/math/binary.hpp"

namespace hypertape::gpu {

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out_shape) {
    const DeviceScope scope(a.device());
    Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
    dispatch_floating(a.dtype(), [&]<class T>() { broadcast_map<T, 3>({&cond, &a, &b}, out, math::Where{}, "where"); });
    return out;
}

Tensor clamp(const Tensor& x, double lo, double hi) {
    const DeviceScope scope(x.device());
    Tensor out = Tensor::empty(x.shape(), x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        broadcast_map<T, 1>({&x}, out, math::Clamp<T>{static_cast<T>(lo), static_cast<T>(hi)}, "clamp");
    });
    return out;
}

}  // namespace hypertape::gpu
