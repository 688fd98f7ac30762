#pragma once
// CPU kernels of the matrix products (ops/matmul.hpp), on CBLAS gemm.
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

// out[i] = op(a[i]) op(b[i]) for every batch index i of `out`, where op transposes the last two
// axes when its flag is set and the batch axes (all but the last two) of a and b broadcast to
// those of `out`. The caller has checked the shapes.
Tensor matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, const Shape& out);

}  // namespace hypertape::cpu
