#include "hypertape/ops/cpu/index.hpp"

#include <algorithm>

#include "hypertape/ops/cpu/parallel.hpp"
#include "hypertape/ops/math/layout.hpp"

namespace hypertape::cpu {

std::int64_t first_out_of_range(const Tensor& indices, std::int64_t bound) {
    const std::int64_t* p = indices.data<std::int64_t>();
    for (std::int64_t i = 0; i < indices.numel(); ++i) {
        if (p[i] < 0 || p[i] >= bound) return i;
    }
    return -1;
}

Tensor gather(const Tensor& x, const Tensor& indices, int axis, const Shape& out_shape) {
    Tensor out = Tensor::empty(out_shape, x.dtype(), x.device());
    const math::AxisLines s(x.shape(), axis);
    const std::int64_t count = indices.numel();
    const std::int64_t* idx = indices.data<std::int64_t>();
    dispatch_floating(x.dtype(), [&]<class T>() {
        const T* px = x.data<T>();
        T* po = out.data<T>();
        parallel_rows(s.outer * count, s.inner, [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t r = lo; r < hi; ++r) {
                const std::int64_t o = r / count;
                std::copy_n(px + (o * s.len + idx[r % count]) * s.inner, s.inner, po + r * s.inner);
            }
        });
    });
    return out;
}

Tensor scatter_add(const Tensor& g, const Tensor& indices, int axis, const Shape& shape) {
    Tensor out = Tensor::zeros(shape, g.dtype(), g.device());
    const math::AxisLines s(shape, axis);
    const std::int64_t count = indices.numel();
    const std::int64_t* idx = indices.data<std::int64_t>();
    dispatch_floating(g.dtype(), [&]<class T>() {
        const T* pg = g.data<T>();
        T* po = out.data<T>();
        // One task per outer block, so repeated indices never race.
        parallel_rows(s.outer, count * s.inner, [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t o = lo; o < hi; ++o) {
                for (std::int64_t k = 0; k < count; ++k) {
                    const T* src = pg + (o * count + k) * s.inner;
                    T* dst = po + (o * s.len + idx[k]) * s.inner;
                    for (std::int64_t i = 0; i < s.inner; ++i) dst[i] += src[i];
                }
            }
        });
    });
    return out;
}

Tensor one_hot(const Tensor& labels, std::int64_t classes, DType dtype) {
    Shape::Dims dims = labels.shape().dims();
    dims.push_back(classes);
    Tensor out = Tensor::zeros(Shape(dims), dtype, labels.device());
    const std::int64_t* y = labels.data<std::int64_t>();
    dispatch_floating(dtype, [&]<class T>() {
        T* po = out.data<T>();
        for (std::int64_t i = 0; i < labels.numel(); ++i) po[i * classes + y[i]] = T(1);
    });
    return out;
}

}  // namespace hypertape::cpu
