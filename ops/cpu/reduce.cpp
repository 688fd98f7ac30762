#include "hypertape/ops/cpu/reduce.hpp"

#include <tbb/parallel_reduce.h>

#include <algorithm>

#include "hypertape/ops/cpu/broadcast.hpp"
#include "hypertape/ops/cpu/parallel.hpp"
#include "hypertape/ops/math/layout.hpp"

namespace hypertape::cpu {

Tensor sum_all(const Tensor& x) {
    Tensor out = Tensor::empty(Shape{}, x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        const T* px = x.data<T>();
        const auto add_range = [px](const tbb::blocked_range<std::int64_t>& r, double acc) {
            for (std::int64_t i = r.begin(); i < r.end(); ++i) acc += px[i];
            return acc;
        };
        const tbb::blocked_range<std::int64_t> all(0, x.numel(), kGrainElements);
        enter_thread_pool();
        const double total = x.numel() <= kGrainElements
                                 ? add_range(all, 0.0)
                                 : tbb::parallel_deterministic_reduce(all, 0.0, add_range, std::plus<double>());
        out.data<T>()[0] = static_cast<T>(total);
    });
    return out;
}

Tensor sum_axis(const Tensor& x, int axis) {
    const math::AxisLines lines(x.shape(), axis);
    const Shape kept = x.shape().with_extent(axis, 1);
    Tensor out = Tensor::empty(kept, x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        const T* px = x.data<T>();
        T* po = out.data<T>();
        parallel_rows(lines.count(), lines.len, [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t k = lo; k < hi; ++k) {
                const T* line = px + lines.start(k);
                double acc = 0.0;
                for (std::int64_t l = 0; l < lines.len; ++l) acc += line[l * lines.inner];
                po[k] = static_cast<T>(acc);
            }
        });
    });
    return out;
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
    Tensor out = Tensor::empty(shape, x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        const T* px = x.data<T>();
        T* po = out.data<T>();
        const math::BroadcastRows<1> plan(shape, {&x.shape()});
        const std::int64_t inner = plan.inner;
        const std::int64_t stride = plan.inner_stride(0);
        parallel_rows(plan.rows, inner, [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t row = lo; row < hi; ++row) {
                const T* src = px + plan.offsets(row)[0];
                T* dst = po + row * inner;
                if (stride == 0) {
                    std::fill_n(dst, inner, src[0]);
                } else {
                    std::copy_n(src, inner, dst);
                }
            }
        });
    });
    return out;
}

}  // namespace hypertape::cpu
