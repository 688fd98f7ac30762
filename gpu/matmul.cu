// CUDA kernels of the matrix products (gpu/matmul.hpp) on cuBLAS: the cases of the CPU kernel
// (ops/cpu/matmul.cpp), with batches that are plain or broadcast as a whole in one strided-batched
// call. cuBLAS is column-major: the row-major c[m, n] = op(a) op(b) is the column-major
// c^T = op(b)^T op(a)^T, so every call passes b first, with the leading dimensions of the CPU's
// row-major cblas calls.
#include <climits>
#include <cstdint>
#include <type_traits>

#include "hypertape/gpu/cuda.cuh"
#include "hypertape/gpu/matmul.hpp"
#include "hypertape/ops/math/layout.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape::gpu {
namespace {

int to_int(std::int64_t value, const char* what) {
    if (value > INT_MAX) fail("matmul: ", what, " ", value, " exceeds the int range of cuBLAS");
    return static_cast<int>(value);
}

cublasOperation_t op(bool transpose) { return transpose ? CUBLAS_OP_T : CUBLAS_OP_N; }

// One row-major product c[m, n] = op(a)[m, k] op(b)[k, n].
struct Gemm {
    bool ta;
    bool tb;
    int m;
    int n;
    int k;

    int lda() const { return ta ? m : k; }
    int ldb() const { return tb ? k : n; }
};

// cuBLAS's single and double precision entry points, chosen by element type.
template <class T>
struct Blas;
template <>
struct Blas<float> {
    static constexpr auto gemm = cublasSgemm;
    static constexpr auto gemm_batched = cublasSgemmStridedBatched;
    static constexpr const char* gemm_name = "cublasSgemm";
    static constexpr const char* gemm_batched_name = "cublasSgemmStridedBatched";
};
template <>
struct Blas<double> {
    static constexpr auto gemm = cublasDgemm;
    static constexpr auto gemm_batched = cublasDgemmStridedBatched;
    static constexpr const char* gemm_name = "cublasDgemm";
    static constexpr const char* gemm_batched_name = "cublasDgemmStridedBatched";
};

template <class T>
void gemm(cublasHandle_t h, const Gemm& g, const T* a, const T* b, T* c) {
    const T one = 1;
    const T zero = 0;
    check(Blas<T>::gemm(h, op(g.tb), op(g.ta), g.n, g.m, g.k, &one, b, g.ldb(), a, g.lda(), &zero, c, g.n),
          Blas<T>::gemm_name);
}

// `batches` products, operand i's matrix at stride_i * (batch index); a stride of 0 broadcasts.
template <class T>
void gemm_batched(cublasHandle_t h, const Gemm& g, const T* a, long long stride_a, const T* b, long long stride_b, T* c,
                  long long stride_c, int batches) {
    const T one = 1;
    const T zero = 0;
    check(Blas<T>::gemm_batched(h, op(g.tb), op(g.ta), g.n, g.m, g.k, &one, b, g.ldb(), stride_b, a, g.lda(), stride_a,
                                &zero, c, g.n, stride_c, batches),
          Blas<T>::gemm_batched_name);
}

template <class T>
void run(const Tensor& a, bool ta, const Tensor& b, bool tb, Tensor& out) {
    const math::ProductPlan p(a.shape(), ta, b.shape(), out.shape());
    const T* pa = ptr<T>(a);
    const T* pb = ptr<T>(b);
    T* po = mutable_ptr<T>(out);
    cublasHandle_t h = cublas(out.device());
    // The handle is shared, so its math mode is set at every call.
    const bool tf32 = std::is_same_v<T, float> && allow_tf32();
    check(cublasSetMathMode(h, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    if (p.stacked) {
        gemm(h, Gemm{false, tb, to_int(p.batches * p.m, "rows"), to_int(p.n, "columns"), to_int(p.k, "contraction")},
             pa, pb, po);
        return;
    }
    const Gemm g{ta, tb, to_int(p.m, "rows"), to_int(p.n, "columns"), to_int(p.k, "contraction")};
    // Operands whose matrices are the output's batch or broadcast whole are one strided call.
    const auto strided = [&](std::int64_t matrices) { return matrices == p.batches || matrices == 1; };
    if (strided(p.matrices_a) && strided(p.matrices_b)) {
        gemm_batched(h, g, pa, p.matrices_a == 1 ? 0 : p.m * p.k, pb, p.matrices_b == 1 ? 0 : p.k * p.n, po, p.m * p.n,
                     to_int(p.batches, "batch count"));
        return;
    }
    for (std::int64_t i = 0; i < p.batches; ++i) {
        gemm(h, g, pa + p.index_a(i) * p.m * p.k, pb + p.index_b(i) * p.k * p.n, po + i * p.m * p.n);
    }
}

}  // namespace

// out is not empty and neither operand is (ops/kernels.cpp handles those).
Tensor matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, const Shape& out) {
    const DeviceScope scope(a.device());
    Tensor result = Tensor::empty(out, a.dtype(), a.device());
    dispatch_floating(a.dtype(), [&]<class T>() { run<T>(a, transpose_a, b, transpose_b, result); });
    return result;
}

}  // namespace hypertape::gpu
