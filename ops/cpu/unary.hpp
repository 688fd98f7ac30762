#pragma once
// CPU kernels of the elementwise unary ops (ops/unary.hpp).
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

enum class UnaryKind {
    neg,
    exp,
    log,
    log1p,
    sigmoid,
    log_sigmoid,
    softplus,
    tanh,
    sin,
    cos,
    relu,
    square,
    sqrt,
    abs,
    sign,  // -1, 0 or 1
    step,  // 1 where x > 0, else 0
};

Tensor unary(UnaryKind kind, const Tensor& x);

}  // namespace hypertape::cpu
