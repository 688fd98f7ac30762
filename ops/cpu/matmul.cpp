#include "hypertape/ops/cpu/matmul.hpp"

#include <cblas.h>

#include "hypertape/ops/math/layout.hpp"

namespace hypertape::cpu {
namespace {

CBLAS_TRANSPOSE op(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }

// c = op(a) op(b), row-major, with c of shape [m, n] and a contraction of length k.
void gemm(bool ta, bool tb, blasint m, blasint n, blasint k, const float* a, const float* b, float* c) {
    cblas_sgemm(CblasRowMajor, op(ta), op(tb), m, n, k, 1.0f, a, ta ? m : k, b, tb ? k : n, 0.0f, c, n);
}

void gemm(bool ta, bool tb, blasint m, blasint n, blasint k, const double* a, const double* b, double* c) {
    cblas_dgemm(CblasRowMajor, op(ta), op(tb), m, n, k, 1.0, a, ta ? m : k, b, tb ? k : n, 0.0, c, n);
}

template <class T>
void run(const Tensor& a, bool ta, const Tensor& b, bool tb, Tensor& out) {
    const math::ProductPlan p(a.shape(), ta, b.shape(), out.shape());
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    if (p.stacked) {
        gemm(false, tb, static_cast<blasint>(p.batches * p.m), static_cast<blasint>(p.n), static_cast<blasint>(p.k), pa,
             pb, po);
        return;
    }
    for (std::int64_t i = 0; i < p.batches; ++i) {
        gemm(ta, tb, static_cast<blasint>(p.m), static_cast<blasint>(p.n), static_cast<blasint>(p.k),
             pa + p.index_a(i) * p.m * p.k, pb + p.index_b(i) * p.k * p.n, po + i * p.m * p.n);
    }
}

}  // namespace

// out is not empty and neither operand is (ops/kernels.cpp handles those).
Tensor matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, const Shape& out) {
    Tensor result = Tensor::empty(out, a.dtype(), a.device());
    dispatch_floating(a.dtype(), [&]<class T>() { run<T>(a, transpose_a, b, transpose_b, result); });
    return result;
}

}  // namespace hypertape::cpu
