#include "hypertape/ops/cpu/matmul.hpp"

#include <cblas.h>

#include <array>

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

// Which matrix of an operand the output's batch index reads: the operand's batch axes are
// right-aligned with the output's, and an axis it lacks or holds with extent 1 has stride 0.
class BatchIndex {
public:
    BatchIndex(const Shape& out, const Shape& operand) : rank_(out.rank() - 2) {
        std::int64_t stride = 1;
        for (int d = rank_ - 1; d >= 0; --d) {
            const int od = operand.rank() - out.rank() + d;
            const std::int64_t extent = od >= 0 ? operand[od] : 1;
            extents_[static_cast<std::size_t>(d)] = out[d];
            strides_[static_cast<std::size_t>(d)] = extent == 1 ? 0 : stride;
            stride *= extent;
        }
    }

    std::int64_t operator()(std::int64_t batch) const {
        std::int64_t index = 0;
        for (int d = rank_ - 1; d >= 0; --d) {
            const auto i = static_cast<std::size_t>(d);
            index += (batch % extents_[i]) * strides_[i];
            batch /= extents_[i];
        }
        return index;
    }

private:
    int rank_;
    std::array<std::int64_t, kMaxRank> extents_{};
    std::array<std::int64_t, kMaxRank> strides_{};
};

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
    const BatchIndex index_a(s, a.shape());
    const BatchIndex index_b(s, b.shape());
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
