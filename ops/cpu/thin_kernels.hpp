#pragma once
// The register tiles of the thin products (ops/cpu/thin_product.cpp), written once on GCC vector
// types of `Bytes` bytes and inlined into one function per instruction set, which compiles them
// to SSE4 (16 bytes), AVX2 (32) or AVX-512 (64) registers.
//
// The loops over a tile's extents are unrolled by pragma: GCC keeps the accumulators in registers
// only once they are.
//
// Every output element is summed in an order fixed by the shapes alone: lane by lane over the
// contraction, then the lanes in index order, then the scalar tail. Which tile or which thread
// computes an element never changes its bits. For that, thin_product.cpp is compiled with
// -ffp-contract=off: GCC fused multiply-adds into FMAs in some tiles and not in others.
#include <cstdint>
#include <cstring>

namespace hypertape::cpu::thin {

template <class T, int Bytes>
struct Simd {
    typedef T V __attribute__((vector_size(Bytes)));
    static constexpr int lanes = Bytes / static_cast<int>(sizeof(T));

    // By reference: a vector passed by value would change the ABI between instruction sets.
    [[gnu::always_inline]] static void load(V& v, const T* p) { std::memcpy(&v, p, sizeof v); }
    [[gnu::always_inline]] static void store(T* p, const V& v) { std::memcpy(p, &v, sizeof v); }
    [[gnu::always_inline]] static T sum(const V& v) {
        T s = v[0];
#pragma GCC unroll 16
        for (int l = 1; l < lanes; ++l) s += v[l];
        return s;
    }
};

// Dot products of RA rows of the big operand r (row stride ldr) with RB rows of the thin one s
// (row stride k), all of length k: c[a * rs + b * cs] = sum_p r[a, p] s[b, p].
template <class T, int Bytes, int RA, int RB>
[[gnu::always_inline]] inline void dots_tile(const T* r, std::int64_t ldr, const T* s, std::int64_t k, T* c,
                                             std::int64_t rs, std::int64_t cs) {
    using S = Simd<T, Bytes>;
    typename S::V acc[RA][RB] = {};
    std::int64_t p = 0;
    for (; p + S::lanes <= k; p += S::lanes) {
        typename S::V x[RA], y[RB];
#pragma GCC unroll 16
        for (int a = 0; a < RA; ++a) S::load(x[a], r + a * ldr + p);
#pragma GCC unroll 16
        for (int b = 0; b < RB; ++b) S::load(y[b], s + b * k + p);
#pragma GCC unroll 16
        for (int a = 0; a < RA; ++a) {
#pragma GCC unroll 16
            for (int b = 0; b < RB; ++b) acc[a][b] += x[a] * y[b];
        }
    }
#pragma GCC unroll 16
    for (int a = 0; a < RA; ++a) {
#pragma GCC unroll 16
        for (int b = 0; b < RB; ++b) {
            T t = S::sum(acc[a][b]);
            for (std::int64_t q = p; q < k; ++q) t += r[a * ldr + q] * s[b * k + q];
            c[a * rs + b * cs] = t;
        }
    }
}

// RA rows of the big operand against all `thin` rows of s, RB rows of s at a time.
template <class T, int Bytes, int RA>
[[gnu::always_inline]] inline void dots_row_tile(const T* r, std::int64_t ldr, const T* s, std::int64_t thin,
                                                 std::int64_t k, T* c, std::int64_t rs, std::int64_t cs) {
    constexpr int kMaxRB = Bytes == 64 ? 4 : 2;  // RA * RB accumulators and RA + RB loads in registers
    std::int64_t b = 0;
    for (; b + kMaxRB <= thin; b += kMaxRB) dots_tile<T, Bytes, RA, kMaxRB>(r, ldr, s + b * k, k, c + b * cs, rs, cs);
    if constexpr (kMaxRB == 4) {
        if (b + 2 <= thin) {
            dots_tile<T, Bytes, RA, 2>(r, ldr, s + b * k, k, c + b * cs, rs, cs);
            b += 2;
        }
    }
    if (b < thin) dots_tile<T, Bytes, RA, 1>(r, ldr, s + b * k, k, c + b * cs, rs, cs);
}

// c[i * rs + j * cs] = sum_p r[i, p] s[j, p] for rows i in [begin, end) of r ([rows, k], row stride
// ldr) and all rows j < thin of s ([thin, k], packed).
template <class T, int Bytes>
[[gnu::always_inline]] inline void dots_rows(const T* r, std::int64_t ldr, const T* s, std::int64_t thin,
                                             std::int64_t k, T* c, std::int64_t rs, std::int64_t cs, std::int64_t begin,
                                             std::int64_t end) {
    std::int64_t i = begin;
    for (; i + 4 <= end; i += 4) dots_row_tile<T, Bytes, 4>(r + i * ldr, ldr, s, thin, k, c + i * rs, rs, cs);
    for (; i < end; ++i) dots_row_tile<T, Bytes, 1>(r + i * ldr, ldr, s, thin, k, c + i * rs, rs, cs);
}

// Partial sums over `rows` rows p of the contraction: out[i, j] = sum_p s[p, i] r[p, j] for RM
// columns i of the thin operand s (row stride lds) and CW vectors of columns j of the big one r
// (row stride ldr); out has row stride ldo.
template <class T, int Bytes, int RM, int CW>
[[gnu::always_inline]] inline void reduce_tile(const T* s, std::int64_t lds, const T* r, std::int64_t ldr,
                                               std::int64_t rows, T* out, std::int64_t ldo) {
    using S = Simd<T, Bytes>;
    typename S::V acc[RM][CW] = {};
    for (std::int64_t p = 0; p < rows; ++p) {
        typename S::V y[CW];
#pragma GCC unroll 16
        for (int w = 0; w < CW; ++w) S::load(y[w], r + p * ldr + w * S::lanes);
#pragma GCC unroll 16
        for (int i = 0; i < RM; ++i) {
            const typename S::V a = typename S::V{} + s[p * lds + i];
#pragma GCC unroll 16
            for (int w = 0; w < CW; ++w) acc[i][w] += a * y[w];
        }
    }
#pragma GCC unroll 16
    for (int i = 0; i < RM; ++i) {
#pragma GCC unroll 16
        for (int w = 0; w < CW; ++w) S::store(out + i * ldo + w * S::lanes, acc[i][w]);
    }
}

// The same for columns j in [j0, j1) of r, which need not be a whole number of vectors.
template <class T, int Bytes, int RM>
[[gnu::always_inline]] inline void reduce_columns(const T* s, std::int64_t lds, const T* r, std::int64_t ldr,
                                                  std::int64_t rows, std::int64_t j0, std::int64_t j1, T* out,
                                                  std::int64_t ldo) {
    constexpr int L = Simd<T, Bytes>::lanes;
    std::int64_t j = j0;
    for (; j + 2 * L <= j1; j += 2 * L) reduce_tile<T, Bytes, RM, 2>(s, lds, r + j, ldr, rows, out + j, ldo);
    for (; j + L <= j1; j += L) reduce_tile<T, Bytes, RM, 1>(s, lds, r + j, ldr, rows, out + j, ldo);
    for (; j < j1; ++j) {
        T acc[RM] = {};
        for (std::int64_t p = 0; p < rows; ++p) {
#pragma GCC unroll 16
            for (int i = 0; i < RM; ++i) acc[i] += s[p * lds + i] * r[p * ldr + j];
        }
#pragma GCC unroll 16
        for (int i = 0; i < RM; ++i) out[i * ldo + j] = acc[i];
    }
}

// out[i, j] = sum_p s[p, i] r[p, j] for all thin columns i of s and columns j in [j0, j1) of r, over
// `rows` rows p; out is [thin, ldo].
template <class T, int Bytes>
[[gnu::always_inline]] inline void reduce_block(const T* s, std::int64_t thin, const T* r, std::int64_t ldr,
                                                std::int64_t rows, std::int64_t j0, std::int64_t j1, T* out,
                                                std::int64_t ldo) {
    constexpr int kMaxRM = Bytes == 64 ? 8 : 4;  // RM * 2 accumulators in registers
    std::int64_t i = 0;
    for (; i + kMaxRM <= thin; i += kMaxRM) {
        reduce_columns<T, Bytes, kMaxRM>(s + i, thin, r, ldr, rows, j0, j1, out + i * ldo, ldo);
    }
    if constexpr (kMaxRM == 8) {
        if (i + 4 <= thin) {
            reduce_columns<T, Bytes, 4>(s + i, thin, r, ldr, rows, j0, j1, out + i * ldo, ldo);
            i += 4;
        }
    }
    if (i + 2 <= thin) {
        reduce_columns<T, Bytes, 2>(s + i, thin, r, ldr, rows, j0, j1, out + i * ldo, ldo);
        i += 2;
    }
    if (i < thin) reduce_columns<T, Bytes, 1>(s + i, thin, r, ldr, rows, j0, j1, out + i * ldo, ldo);
}

}  // namespace hypertape::cpu::thin
