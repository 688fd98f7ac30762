#pragma once
// Elementwise maps over N operands broadcast to an output, the CUDA side of ops/cpu/broadcast.hpp:
// a flat grid-stride loop when every operand has the output's shape, else one thread per output
// element reading each operand through math::BroadcastRows. Used by the unary, binary, selection
// and broadcast kernels.
#include <array>
#include <utility>

#include "hypertape/gpu/cuda.cuh"
#include "hypertape/ops/math/layout.hpp"

namespace hypertape::gpu {
namespace detail {

template <class T, std::size_t N, class F, std::size_t... I>
__device__ T apply(const F& f, const std::array<const T*, N>& in, const std::array<std::int64_t, N>& at,
                   std::index_sequence<I...>) {
    return f(in[I][at[I]]...);
}

template <class T, std::size_t N, class F>
__global__ void map_flat(std::array<const T*, N> in, T* out, std::int64_t n, F f) {
    HT_GRID_STRIDE(i, n) {
        std::array<std::int64_t, N> at;
        at.fill(i);
        out[i] = apply(f, in, at, std::make_index_sequence<N>());
    }
}

template <class T, std::size_t N, class F>
__global__ void map_broadcast(std::array<const T*, N> in, T* out, math::BroadcastRows<N> plan, F f) {
    HT_GRID_STRIDE(i, plan.rows * plan.inner) {
        const std::int64_t row = i / plan.inner;
        const std::int64_t j = i - row * plan.inner;
        std::array<std::int64_t, N> at = plan.offsets(row);
        for (std::size_t k = 0; k < N; ++k) at[k] += j * plan.inner_stride(k);
        out[i] = apply(f, in, at, std::make_index_sequence<N>());
    }
}

}  // namespace detail

// out[i] = f(in_0[i], ..., in_{N-1}[i]) with every operand broadcast to out's shape, on out's
// device and stream. The caller holds a DeviceScope.
template <class T, std::size_t N, class F>
void broadcast_map(const std::array<const Tensor*, N>& in, Tensor& out, F f, const char* name) {
    const std::int64_t n = out.numel();
    if (n == 0) return;
    std::array<const T*, N> p{};
    std::array<const Shape*, N> shapes{};
    bool all_same = true;
    for (std::size_t i = 0; i < N; ++i) {
        p[i] = ptr<T>(*in[i]);
        shapes[i] = &in[i]->shape();
        all_same = all_same && in[i]->shape() == out.shape();
    }
    const cudaStream_t s = stream(out.device());
    if (all_same) {
        detail::map_flat<<<blocks_for(n), kThreads, 0, s>>>(p, mutable_ptr<T>(out), n, f);
    } else {
        const math::BroadcastRows<N> plan(out.shape(), shapes);
        detail::map_broadcast<<<blocks_for(n), kThreads, 0, s>>>(p, mutable_ptr<T>(out), plan, f);
    }
    check_launch(name);
}

}  // namespace hypertape::gpu
