#pragma once
// How many threads hypertape's CPU kernels use: one oneTBB pool for everything, with BLAS kept
// single-threaded inside it so the two never compete for the cores.
//
// The count is read once, at first use, from the environment variable HYPERTAPE_NUM_THREADS
// (a positive integer), or is the number of cores this process may run on; set_num_threads
// changes it at any time. Usage:
//   hypertape::set_num_threads(2);         // every later kernel runs on at most 2 threads
//   int n = hypertape::num_threads();      // 2
//   HYPERTAPE_NUM_THREADS=1 ./app          // the same from the shell, before the first kernel
#include <string_view>

namespace hypertape {

// Limits the CPU kernels to n threads (n >= 1; the caller's thread counts as one). Throws
// hypertape::Error for n < 1.
void set_num_threads(int n);

// The number of threads the CPU kernels may use now.
int num_threads();

// The thread count a value of HYPERTAPE_NUM_THREADS asks for: a positive decimal integer,
// surrounding spaces allowed. Throws hypertape::Error naming the variable and the value otherwise.
int parse_num_threads(std::string_view value);

}  // namespace hypertape
