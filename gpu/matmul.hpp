#pragma once
// CUDA kernels of the matrix products, mirroring ops/cpu/matmul.hpp, on cuBLAS gemm in FP32
// (or FP64) math; TF32 tensor cores only after set_cuda_allow_tf32(true).
#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

Tensor matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, const Shape& out);

}  // namespace hypertape::gpu
