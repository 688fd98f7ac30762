#include "hypertape/ops/cpu/thin_product.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include "hypertape/ops/cpu/parallel.hpp"
#include "hypertape/ops/cpu/thin_kernels.hpp"

namespace hypertape::cpu {
namespace {

using i64 = std::int64_t;

// Rows of the contraction per partial sum of the reduce kernel, and columns per task: fixed
// numbers (or functions of the shapes alone), never of the thread count.
constexpr i64 kReduceRows = 256;
constexpr i64 kReduceColumns = 256;
// At most this many elements of partial sums per product; longer contractions get longer blocks.
constexpr i64 kMaxPartialElements = i64{1} << 22;
// Multiply-adds below which a product runs on the calling thread alone.
constexpr i64 kSerialWork = i64{1} << 16;

template <class T>
using DotsKernel = void (*)(const T* r, i64 ldr, const T* s, i64 thin, i64 k, T* c, i64 rs, i64 cs, i64 begin, i64 end);
template <class T>
using ReduceKernel = void (*)(const T* s, i64 thin, const T* r, i64 ldr, i64 rows, i64 j0, i64 j1, T* out, i64 ldo);

// One entry point per instruction set, each compiling the tiles for its own registers.
template <class T, int Bytes>
struct Entry {
    static void dots(const T* r, i64 ldr, const T* s, i64 thin, i64 k, T* c, i64 rs, i64 cs, i64 begin, i64 end) {
        thin::dots_rows<T, Bytes>(r, ldr, s, thin, k, c, rs, cs, begin, end);
    }
    static void reduce(const T* s, i64 thin, const T* r, i64 ldr, i64 rows, i64 j0, i64 j1, T* out, i64 ldo) {
        thin::reduce_block<T, Bytes>(s, thin, r, ldr, rows, j0, j1, out, ldo);
    }
};

#if defined(__x86_64__)
template <class T>
struct Avx512 {
    [[gnu::target("arch=x86-64-v4")]] static void dots(const T* r, i64 ldr, const T* s, i64 thin, i64 k, T* c, i64 rs,
                                                       i64 cs, i64 begin, i64 end) {
        thin::dots_rows<T, 64>(r, ldr, s, thin, k, c, rs, cs, begin, end);
    }
    [[gnu::target("arch=x86-64-v4")]] static void reduce(const T* s, i64 thin, const T* r, i64 ldr, i64 rows, i64 j0,
                                                         i64 j1, T* out, i64 ldo) {
        thin::reduce_block<T, 64>(s, thin, r, ldr, rows, j0, j1, out, ldo);
    }
};

template <class T>
struct Avx2 {
    [[gnu::target("arch=x86-64-v3")]] static void dots(const T* r, i64 ldr, const T* s, i64 thin, i64 k, T* c, i64 rs,
                                                       i64 cs, i64 begin, i64 end) {
        thin::dots_rows<T, 32>(r, ldr, s, thin, k, c, rs, cs, begin, end);
    }
    [[gnu::target("arch=x86-64-v3")]] static void reduce(const T* s, i64 thin, const T* r, i64 ldr, i64 rows, i64 j0,
                                                         i64 j1, T* out, i64 ldo) {
        thin::reduce_block<T, 32>(s, thin, r, ldr, rows, j0, j1, out, ldo);
    }
};

template <class T>
struct Sse4 {
    [[gnu::target("arch=x86-64-v2")]] static void dots(const T* r, i64 ldr, const T* s, i64 thin, i64 k, T* c, i64 rs,
                                                       i64 cs, i64 begin, i64 end) {
        thin::dots_rows<T, 16>(r, ldr, s, thin, k, c, rs, cs, begin, end);
    }
    [[gnu::target("arch=x86-64-v2")]] static void reduce(const T* s, i64 thin, const T* r, i64 ldr, i64 rows, i64 j0,
                                                         i64 j1, T* out, i64 ldo) {
        thin::reduce_block<T, 16>(s, thin, r, ldr, rows, j0, j1, out, ldo);
    }
};
#else
// Elsewhere one build for the compiler's own target, with 16-byte vectors.
template <class T>
using Avx512 = Entry<T, 16>;
template <class T>
using Avx2 = Entry<T, 16>;
template <class T>
using Sse4 = Entry<T, 16>;
#endif

template <class T>
struct Kernels {
    DotsKernel<T> dots;
    ReduceKernel<T> reduce;
};

template <class T>
Kernels<T> kernels(ThinIsa isa) {
    switch (isa) {
        case ThinIsa::avx512:
            return {&Avx512<T>::dots, &Avx512<T>::reduce};
        case ThinIsa::avx2:
            return {&Avx2<T>::dots, &Avx2<T>::reduce};
        case ThinIsa::sse4:
            break;
    }
#if defined(__x86_64__)
    // A CPU older than SSE4.2 (x86-64-v2) runs the same tiles built for the compiler's baseline.
    if (!__builtin_cpu_supports("x86-64-v2")) return {&Entry<T, 16>::dots, &Entry<T, 16>::reduce};
#endif
    return {&Sse4<T>::dots, &Sse4<T>::reduce};
}

// The transpose of a [rows, cols] matrix, as [cols, rows]: the thin operand in the layout a kernel
// reads (it holds at most kThinMax * k elements).
template <class T>
std::vector<T> transposed(const T* x, i64 rows, i64 cols) {
    std::vector<T> t(static_cast<std::size_t>(rows * cols));
    for (i64 i = 0; i < rows; ++i) {
        for (i64 j = 0; j < cols; ++j) t[static_cast<std::size_t>(j * rows + i)] = x[i * cols + j];
    }
    return t;
}

// c[i * rs + j * cs] = sum_p r[i, p] s[j, p] for r [rows, k] and s [thin, k].
template <class T>
void dots(const Kernels<T>& kn, const T* r, i64 rows, const T* s, i64 thin, i64 k, T* c, i64 rs, i64 cs) {
    const i64 row_work = std::max<i64>(1, thin * k);
    parallel_for(rows, std::max<i64>(4, kGrainElements * 4 / row_work),
                 [&](i64 begin, i64 end) { kn.dots(r, k, s, thin, k, c, rs, cs, begin, end); });
}

// c[i * rs + j * cs] = sum_p s[p, i] r[p, j] for s [k, thin] and r [k, cols]: partial sums over
// blocks of rows p, each block's in its own buffer, then added in block order.
template <class T>
void reduce(const Kernels<T>& kn, const T* s, i64 thin, const T* r, i64 cols, i64 k, T* c, i64 rs, i64 cs) {
    const i64 most_blocks = std::max<i64>(1, kMaxPartialElements / (thin * cols));
    const i64 blocks = std::min((k + kReduceRows - 1) / kReduceRows, most_blocks);
    const i64 block_rows = (k + blocks - 1) / blocks;
    const i64 ranges = (cols + kReduceColumns - 1) / kReduceColumns;
    const i64 plane = thin * cols;
    // One block in c's own layout needs no buffer; otherwise each block sums into its own plane.
    const bool direct = blocks == 1 && rs == cols && cs == 1;
    std::unique_ptr<T[]> buffer(direct ? nullptr : new T[static_cast<std::size_t>(blocks * plane)]);
    T* const partial = direct ? c : buffer.get();

    const i64 task_work = block_rows * std::min(cols, kReduceColumns) * thin;
    parallel_for(blocks * ranges, std::max<i64>(1, kSerialWork / task_work), [&](i64 begin, i64 end) {
        for (i64 t = begin; t < end; ++t) {
            const i64 b = t / ranges;
            const i64 j0 = (t % ranges) * kReduceColumns;
            const i64 p0 = b * block_rows;
            const i64 rows = std::min(block_rows, k - p0);
            kn.reduce(s + p0 * thin, thin, r + p0 * cols, cols, rows, j0, std::min(cols, j0 + kReduceColumns),
                      partial + b * plane, cols);
        }
    });
    if (direct) return;
    parallel_rows(thin, cols * blocks, [&](i64 begin, i64 end) {
        for (i64 i = begin; i < end; ++i) {
            T* sum = partial + i * cols;
            for (i64 b = 1; b < blocks; ++b) {
                const T* add = partial + b * plane + i * cols;
                for (i64 j = 0; j < cols; ++j) sum[j] += add[j];
            }
            for (i64 j = 0; j < cols; ++j) c[i * rs + j * cs] = sum[j];
        }
    });
}

template <class T>
void run(bool ta, bool tb, i64 m, i64 n, i64 k, const T* a, const T* b, T* c, ThinIsa isa) {
    const Kernels<T> kn = kernels<T>(isa);
    std::vector<T> packed;
    if (n <= m) {   // c's columns are thin: n of them
        if (!ta) {  // dots of a's rows with op(b)'s columns, which are b's rows when tb
            if (!tb) packed = transposed(b, k, n);
            dots(kn, a, m, tb ? b : packed.data(), n, k, c, n, 1);
        } else {  // a is [k, m]: c^T = op(b)^T a, summed over k
            if (tb) packed = transposed(b, n, k);
            reduce(kn, tb ? packed.data() : b, n, a, m, k, c, 1, n);
        }
    } else {       // c's rows are thin: m of them
        if (tb) {  // b is [n, k]: c^T = b op(a)^T, dots of b's rows with op(a)'s rows
            if (ta) packed = transposed(a, k, m);
            dots(kn, b, n, ta ? packed.data() : a, m, k, c, 1, n);
        } else {  // b is [k, n]: c = op(a) b, summed over k
            if (!ta) packed = transposed(a, m, k);
            reduce(kn, ta ? a : packed.data(), m, b, n, k, c, n, 1);
        }
    }
}

}  // namespace

ThinIsa best_thin_isa() {
#if defined(__x86_64__)
    static const ThinIsa best = __builtin_cpu_supports("x86-64-v4")   ? ThinIsa::avx512
                                : __builtin_cpu_supports("x86-64-v3") ? ThinIsa::avx2
                                                                      : ThinIsa::sse4;
    return best;
#else
    return ThinIsa::sse4;
#endif
}

bool supports(ThinIsa isa) { return static_cast<int>(isa) <= static_cast<int>(best_thin_isa()); }

bool is_thin(i64 m, i64 n) { return std::min(m, n) <= kThinMax; }

void thin_gemm(bool ta, bool tb, i64 m, i64 n, i64 k, const float* a, const float* b, float* c, ThinIsa isa) {
    run(ta, tb, m, n, k, a, b, c, isa);
}

void thin_gemm(bool ta, bool tb, i64 m, i64 n, i64 k, const double* a, const double* b, double* c, ThinIsa isa) {
    run(ta, tb, m, n, k, a, b, c, isa);
}

}  // namespace hypertape::cpu
