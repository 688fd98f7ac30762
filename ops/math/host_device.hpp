#pragma once
// HT_HOST_DEVICE marks a function that both the host compiler and nvcc compile: element math and
// index helpers are written once and run in the CPU kernels (ops/cpu/) and the CUDA kernels (gpu/).
// For the host compiler the macro is empty.
#if defined(__CUDACC__)
#define HT_HOST_DEVICE __host__ __device__
#else
#define HT_HOST_DEVICE
#endif

namespace hypertape::math {

// std::max and std::min are not device functions; these are, with the same NaN behaviour
// (the first argument is returned when the comparison is false).
template <class T>
HT_HOST_DEVICE constexpr T max_of(T a, T b) {
    return a < b ? b : a;
}
template <class T>
HT_HOST_DEVICE constexpr T min_of(T a, T b) {
    return b < a ? b : a;
}

}  // namespace hypertape::math
