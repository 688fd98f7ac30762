#pragma once
// Elementwise maps over broadcast operands: rows in parallel, the inner axis plainly, with the
// row offsets of math::BroadcastRows (shared with the CUDA kernels).
#include <array>
#include <cstdint>
#include <utility>

#include "hypertape/ops/cpu/parallel.hpp"
#include "hypertape/ops/math/layout.hpp"
#include "hypertape/tape/shape.hpp"
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

// out[i] = f(in_0[i], ..., in_{N-1}[i]) with every operand broadcast to out's shape; rows in
// parallel. Operands of out's own shape take a flat loop.
template <class T, std::size_t N, class F>
void broadcast_map(const std::array<const Tensor*, N>& in, Tensor& out, F f) {
    std::array<const T*, N> p{};
    std::array<const Shape*, N> shapes{};
    bool all_same = true;
    for (std::size_t i = 0; i < N; ++i) {
        p[i] = in[i]->template data<T>();
        shapes[i] = &in[i]->shape();
        all_same = all_same && in[i]->shape() == out.shape();
    }
    T* po = out.template data<T>();
    if (all_same) {
        parallel_for(out.numel(), kGrainElements, [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t j = lo; j < hi; ++j) {
                po[j] = [&]<std::size_t... I>(std::index_sequence<I...>) { return f(p[I][j]...); }
                (std::make_index_sequence<N>());
            }
        });
        return;
    }
    const math::BroadcastRows<N> plan(out.shape(), shapes);
    const std::int64_t inner = plan.inner;
    std::array<std::int64_t, N> stride{};
    for (std::size_t i = 0; i < N; ++i) stride[i] = plan.inner_stride(i);
    parallel_rows(plan.rows, inner, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t row = lo; row < hi; ++row) {
            const auto off = plan.offsets(row);
            T* ro = po + row * inner;
            for (std::int64_t j = 0; j < inner; ++j) {
                ro[j] = [&]<std::size_t... I>(std::index_sequence<I...>) { return f(p[I][off[I] + j * stride[I]]...); }
                (std::make_index_sequence<N>());
            }
        }
    });
}

}  // namespace hypertape::cpu
