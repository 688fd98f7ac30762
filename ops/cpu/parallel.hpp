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

// Calls body(begin, end) over [0, n) in chunks of at least `grain` indices.
template <class Body>
void parallel_for(std::int64_t n, std::int64_t grain, Body&& body) {
    if (grain < 1) grain = 1;
    if (n <= grain) {
        if (n > 0) body(std::int64_t{0}, n);
        return;
    }
    num_threads();  // the first parallel loop applies HYPERTAPE_NUM_THREADS (tape/threads.hpp)
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
