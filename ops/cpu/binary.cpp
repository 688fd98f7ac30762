#include "hypertape/ops/cpu/binary.hpp"

#include <cmath>

#include "hypertape/ops/cpu/broadcast.hpp"

namespace hypertape::cpu {
namespace {

template <class T>
void run(BinaryKind kind, const Tensor& a, const Tensor& b, Tensor& out) {
    switch (kind) {
        case BinaryKind::add:
            return broadcast_map<T, 2>({&a, &b}, out, [](T x, T y) { return x + y; });
        case BinaryKind::sub:
            return broadcast_map<T, 2>({&a, &b}, out, [](T x, T y) { return x - y; });
        case BinaryKind::mul:
            return broadcast_map<T, 2>({&a, &b}, out, [](T x, T y) { return x * y; });
        case BinaryKind::div:
            return broadcast_map<T, 2>({&a, &b}, out, [](T x, T y) { return x / y; });
        case BinaryKind::pow:
            return broadcast_map<T, 2>({&a, &b}, out, [](T x, T y) { return std::pow(x, y); });
        case BinaryKind::greater:
            return broadcast_map<T, 2>({&a, &b}, out, [](T x, T y) { return T(x > y ? 1 : 0); });
    }
}

}  // namespace

Tensor binary(BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out_shape) {
    Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
    dispatch_floating(a.dtype(), [&]<class T>() { run<T>(kind, a, b, out); });
    return out;
}

}  // namespace hypertape::cpu
