#include "hypertape/ops/cpu/matmul.hpp"

#include <cblas.h>

#include <algorithm>

#include "hypertape/ops/cpu/parallel.hpp"
#include "hypertape/ops/cpu/thin_product.hpp"
#include "hypertape/ops/math/layout.hpp"

namespace hypertape::cpu {
namespace {

// BLAS runs single-threaded (tape/threads.cpp); a product of at least kSplitWork multiply-adds is
// split into blocks of kSplitBlock rows (or columns) of c, one BLAS call each, on oneTBB. The split
// depends on the shapes alone, never on the thread count, so neither do the results.
constexpr std::int64_t kSplitWork = std::int64_t{1} << 24;
constexpr std::int64_t kSplitBlock = 256;

CBLAS_TRANSPOSE op(bool transpose) { return transpose ? CblasTrans : CblasNoTrans; }

// c = op(a) op(b) with explicit leading dimensions.
void blas(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
          const float* b, std::int64_t ldb, float* c, std::int64_t ldc) {
    cblas_sgemm(CblasRowMajor, op(ta), op(tb), static_cast<blasint>(m), static_cast<blasint>(n),
                static_cast<blasint>(k), 1.0f, a, static_cast<blasint>(lda), b, static_cast<blasint>(ldb), 0.0f, c,
                static_cast<blasint>(ldc));
}

void blas(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const double* a, std::int64_t lda,
          const double* b, std::int64_t ldb, double* c, std::int64_t ldc) {
    cblas_dgemm(CblasRowMajor, op(ta), op(tb), static_cast<blasint>(m), static_cast<blasint>(n),
                static_cast<blasint>(k), 1.0, a, static_cast<blasint>(lda), b, static_cast<blasint>(ldb), 0.0, c,
                static_cast<blasint>(ldc));
}

// c = op(a) op(b), row-major and packed, with c of shape [m, n] and a contraction of length k: the
// thin kernels where c has few rows or columns, else BLAS, split over blocks of c when large.
template <class T>
void gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const T* a, const T* b, T* c) {
    if (is_thin(m, n)) {
        thin_gemm(ta, tb, m, n, k, a, b, c);
        return;
    }
    const std::int64_t lda = ta ? m : k;
    const std::int64_t ldb = tb ? k : n;
    if (m * n * k < kSplitWork) {
        blas(ta, tb, m, n, k, a, lda, b, ldb, c, n);
    } else if (m >= n) {  // blocks of rows of c: rows of op(a)
        parallel_for((m + kSplitBlock - 1) / kSplitBlock, 1, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t i = begin * kSplitBlock; i < std::min(m, end * kSplitBlock); i += kSplitBlock) {
                blas(ta, tb, std::min(kSplitBlock, m - i), n, k, a + (ta ? i : i * lda), lda, b, ldb, c + i * n, n);
            }
        });
    } else {  // blocks of columns of c: columns of op(b)
        parallel_for((n + kSplitBlock - 1) / kSplitBlock, 1, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t j = begin * kSplitBlock; j < std::min(n, end * kSplitBlock); j += kSplitBlock) {
                blas(ta, tb, m, std::min(kSplitBlock, n - j), k, a, lda, b + (tb ? j * ldb : j), ldb, c + j, n);
            }
        });
    }
}

template <class T>
void run(const Tensor& a, bool ta, const Tensor& b, bool tb, Tensor& out) {
    const math::ProductPlan p(a.shape(), ta, b.shape(), out.shape());
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    if (p.stacked) {
        gemm(false, tb, p.batches * p.m, p.n, p.k, pa, pb, po);
        return;
    }
    for (std::int64_t i = 0; i < p.batches; ++i) {
        gemm(ta, tb, p.m, p.n, p.k, pa + p.index_a(i) * p.m * p.k, pb + p.index_b(i) * p.k * p.n, po + i * p.m * p.n);
    }
}

}  // namespace

// out is not empty and neither operand is (ops/kernels.cpp handles those).
Tensor matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, const Shape& out) {
    Tensor result = Tensor::empty(out, a.dtype(), a.device());
    enter_thread_pool();
    dispatch_floating(a.dtype(), [&]<class T>() { run<T>(a, transpose_a, b, transpose_b, result); });
    return result;
}

}  // namespace hypertape::cpu
