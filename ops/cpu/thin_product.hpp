#pragma once
// Products with a thin side: c = op(a) op(b) where c has at most kThinMax rows or columns, such as
// the logits X W^T (n = 10) and the weight gradient G^T X (m = 10) of a linear classifier. BLAS
// copies ("packs") the big operand into its own layout on every call; these kernels read it once,
// in place, vectorised for the widest instruction set the CPU has (SSE4, AVX2 or AVX-512, chosen at
// run time) and parallel over row blocks on oneTBB.
//
// Two kernels cover every transposition (docs/design.md, "Thin products"):
//   dots:   each row of the big operand against the few rows of the thin one (X W^T);
//   reduce: sums over the long contraction axis (G^T X), in blocks of rows fixed by the shapes,
//           added in block order, so the result does not depend on the thread count.
// The thin operand is first copied transposed where its layout needs it (it is small).
#include <cstdint>

namespace hypertape::cpu {

// The most rows or columns of c that count as thin.
inline constexpr std::int64_t kThinMax = 16;

// The instruction sets the kernels are compiled for.
enum class ThinIsa { sse4, avx2, avx512 };

// The widest instruction set this CPU runs, and whether it runs `isa`.
ThinIsa best_thin_isa();
bool supports(ThinIsa isa);

// Whether thin_gemm takes a product whose result c is [m, n].
bool is_thin(std::int64_t m, std::int64_t n);

// c = op(a) op(b), row-major and packed as for cblas: a is [m, k] ([k, m] when ta), b is [k, n]
// ([n, k] when tb), c is [m, n]. Requires is_thin(m, n) and, for `isa`, supports(isa).
void thin_gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const float* a, const float* b,
               float* c, ThinIsa isa = best_thin_isa());
void thin_gemm(bool ta, bool tb, std::int64_t m, std::int64_t n, std::int64_t k, const double* a, const double* b,
               double* c, ThinIsa isa = best_thin_isa());

}  // namespace hypertape::cpu
