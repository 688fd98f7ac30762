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
    const Shape& s = out.shape();
    const std::int64_t m = s[s.rank() - 2];
    const std::int64_t n = s[s.rank() - 1];
    const std::int64_t k = a.shape()[ta ? a.rank() - 2 : a.rank() - 1];
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    // A batch of plain matrices times one matrix is one product with the batch stacked into rows.
    if (b.rank() == 2 && !ta) {
        gemm(false, tb, static_cast<blasint>(a.numel() / k), static_cast<blasint>(n), static_cast<blasint>(k), pa, pb,
             po);
        return;
    }
    const math::BatchIndex index_a(s, a.shape());
    const math::BatchIndex index_b(s, b.shape());
    const std::int64_t batches = out.numel() / (m * n);
    for (std::int64_t i = 0; i < batches; ++i) {
        gemm(ta, tb, static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), pa + index_a(i) * m * k,
             pb + index_b(i) * k * n, po + i * m * n);
    }
}

}  // namespace

Tensor matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, const Shape& out) {
    if (out.numel() == 0) return Tensor::empty(out, a.dtype(), a.device());
    if (a.numel() == 0) return Tensor::zeros(out, a.dtype(), a.device());  // an empty contraction
    Tensor result = Tensor::empty(out, a.dtype(), a.device());
    dispatch_floating(a.dtype(), [&]<class T>() { run<T>(a, transpose_a, b, transpose_b, result); });
    return result;
}

}  // namespace hypertape::cpu
