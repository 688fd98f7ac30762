#pragma once
// Walks an output shape row by row (a row is the last axis) and gives, for each of N operands
// broadcast to it, the offset of that row and the stride along it (0 where the operand is
// broadcast). Elementwise kernels loop over rows in parallel and over the inner axis plainly.
#include <array>
#include <cstdint>
#include <utility>

#include "hypertape/ops/cpu/parallel.hpp"
#include "hypertape/tape/shape.hpp"
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

template <std::size_t N>
class BroadcastRows {
public:
    BroadcastRows(const Shape& out, const std::array<const Shape*, N>& operands) : rank_(out.rank()) {
        for (int d = 0; d < rank_; ++d) dims_[static_cast<std::size_t>(d)] = out[d];
        for (std::size_t i = 0; i < N; ++i) {
            const Shape& s = *operands[i];
            std::int64_t stride = 1;
            for (int d = rank_ - 1; d >= 0; --d) {
                const int sd = s.rank() - rank_ + d;
                const std::int64_t extent = sd >= 0 ? s[sd] : 1;
                strides_[i][static_cast<std::size_t>(d)] = extent == 1 ? 0 : stride;
                stride *= extent;
            }
        }
        inner_ = rank_ > 0 ? out[rank_ - 1] : 1;
        rows_ = inner_ > 0 ? out.numel() / inner_ : 0;
    }

    std::int64_t rows() const { return rows_; }
    std::int64_t inner() const { return inner_; }
    std::int64_t inner_stride(std::size_t i) const {
        return rank_ > 0 ? strides_[i][static_cast<std::size_t>(rank_ - 1)] : 0;
    }

    std::array<std::int64_t, N> offsets(std::int64_t row) const {
        std::array<std::int64_t, N> off{};
        for (int d = rank_ - 2; d >= 0; --d) {
            const std::int64_t extent = dims_[static_cast<std::size_t>(d)];
            const std::int64_t idx = row % extent;
            row /= extent;
            for (std::size_t i = 0; i < N; ++i) off[i] += idx * strides_[i][static_cast<std::size_t>(d)];
        }
        return off;
    }

private:
    int rank_;
    std::array<std::int64_t, kMaxRank> dims_{};
    std::array<std::array<std::int64_t, kMaxRank>, N> strides_{};
    std::int64_t rows_ = 0;
    std::int64_t inner_ = 1;
};

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
    const BroadcastRows<N> plan(out.shape(), shapes);
    const std::int64_t inner = plan.inner();
    std::array<std::int64_t, N> stride{};
    for (std::size_t i = 0; i < N; ++i) stride[i] = plan.inner_stride(i);
    parallel_rows(plan.rows(), inner, [&](std::int64_t lo, std::int64_t hi) {
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
