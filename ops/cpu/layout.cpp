#include "hypertape/ops/cpu/layout.hpp"

#include <algorithm>
#include <utility>

#include "hypertape/ops/cpu/parallel.hpp"
#include "hypertape/ops/math/layout.hpp"

namespace hypertape::cpu {

using math::extent_product;

void copy_range(const Tensor& src, std::int64_t src_at, Tensor& dst, std::int64_t dst_at, std::int64_t count,
                int axis) {
    const Shape& s = dst.shape();
    const std::int64_t outer = extent_product(s, 0, axis);
    const std::int64_t inner = extent_product(s, axis + 1, s.rank());
    const std::int64_t src_len = src.shape()[axis];
    const std::int64_t dst_len = s[axis];
    const std::int64_t run = count * inner;
    dispatch_floating(src.dtype(), [&]<class T>() {
        const T* ps = src.data<T>();
        T* pd = dst.data<T>();
        parallel_rows(outer, run, [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t o = lo; o < hi; ++o) {
                std::copy_n(ps + (o * src_len + src_at) * inner, run, pd + (o * dst_len + dst_at) * inner);
            }
        });
    });
}

Tensor swap_axes(const Tensor& x, int axis0, int axis1) {
    const auto [lo, hi] = std::minmax(axis0, axis1);
    const Shape& s = x.shape();
    // x seen as [outer, d0, mid, d1, inner]; the output as [outer, d1, mid, d0, inner].
    const std::int64_t outer = extent_product(s, 0, lo);
    const std::int64_t d0 = s[lo];
    const std::int64_t mid = extent_product(s, lo + 1, hi);
    const std::int64_t d1 = s[hi];
    const std::int64_t inner = extent_product(s, hi + 1, s.rank());
    Shape::Dims swapped = s.dims();
    std::swap(swapped[lo], swapped[hi]);
    Tensor out = Tensor::empty(Shape(swapped), x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        const T* px = x.data<T>();
        T* po = out.data<T>();
        const std::int64_t src_step = mid * d1 * inner;  // one step of j0 in x
        // Output row r = (o, j1, m) holds d0 runs of `inner`; run j0 comes from x at (o, j0, m, j1).
        parallel_rows(outer * d1 * mid, d0 * inner, [&](std::int64_t begin, std::int64_t end) {
            for (std::int64_t r = begin; r < end; ++r) {
                const std::int64_t m = r % mid;
                const std::int64_t j1 = r / mid % d1;
                const std::int64_t o = r / (mid * d1);
                const T* src = px + ((o * d0 * mid + m) * d1 + j1) * inner;
                T* dst = po + r * d0 * inner;
                for (std::int64_t j0 = 0; j0 < d0; ++j0) std::copy_n(src + j0 * src_step, inner, dst + j0 * inner);
            }
        });
    });
    return out;
}

}  // namespace hypertape::cpu
