#include "hypertape/ops/cpu/binary.hpp"

#include "hypertape/ops/cpu/broadcast.hpp"

namespace hypertape::cpu {

Tensor binary(math::BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out_shape) {
    Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
    dispatch_floating(a.dtype(), [&]<class T>() {
        math::with_binary(kind, [&](auto f) { broadcast_map<T, 2>({&a, &b}, out, f); });
    });
    return out;
}

}  // namespace hypertape::cpu
