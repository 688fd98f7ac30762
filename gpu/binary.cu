// CUDA kernels of the broadcasting binary ops, with the element math of ops/math/binary.hpp.
#include "hypertape/gpu/binary.hpp"
#include "hypertape/gpu/broadcast.cuh"

namespace hypertape::gpu {

Tensor binary(math::BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out_shape) {
    const DeviceScope scope(a.device());
    Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
    dispatch_floating(a.dtype(), [&]<class T>() {
        math::with_binary(kind, [&](auto f) { broadcast_map<T, 2>({&a, &b}, out, f, "binary"); });
    });
    return out;
}

}  // namespace hypertape::gpu
