#pragma once
// Parallel loops for CPU kernels: oneTBB above a grain size, a plain loop below it, so the many
// small tensors of an unrolled tape never pay for task scheduling. oneTBB's pool is the only one:
// its size is hypertape::num_threads().
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cstdint>

#include "hypertape/tape/threads.hpp"

namespace hypertape::cpu {

inline constexpr std::int64_t kGrainElements = 1 << 14;

// Called before each entry to oneTBB or BLAS: the first call sizes oneTBB's pool from
// HYPERTAPE_NUM_THREADS and makes OpenBLAS single-threaded (tape/threads.cpp); later ones cost an
// atomic load.
inline void enter_thread_pool() { num_threads(); }

// Calls body(begin, end) over [0, n) in chunks of at least `grain` indices.
template <class Body>
void parallel_for(std::int64_t n, std::int64_t grain, Body&& body) {
    if (grain < 1) grain = 1;
    if (n <= grain) {
        if (n > 0) body(std::int64_t{0}, n);
        return;
    }
    enter_thread_pool();
    tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, n, grain),
                      [&](const tbb::blocked_range<std::int64_t>& r) { body(r.begin(), r.end()); });
}

// Rows of `row_length` elements each: the grain is chosen so a chunk holds about kGrainElements.
template <class Body>
void parallel_rows(std::int64_t rows, std::int64_t row_length, Body&& body) {
    const std::int64_t grain = row_length > 0 ? kGrainElements / row_length : rows;
    parallel_for(rows, grain, std::forward<Body>(body));
}

}  // namespace hypertape::cpu
