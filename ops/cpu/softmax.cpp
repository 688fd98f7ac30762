#include "hypertape/ops/cpu/softmax.hpp"

#include <cmath>
#include <type_traits>
#include <vector>

#include "hypertape/ops/cpu/parallel.hpp"
#include "hypertape/ops/math/layout.hpp"
#include "hypertape/ops/math/softmax.hpp"

namespace hypertape::cpu {
namespace {

// Calls line(x_line, out_line, len, stride) for every line of x along `axis`, in parallel. The
// lines of `out_shape` (x's shape, or x's with the axis kept at extent 1) start where x's do.
template <class Line>
Tensor map_lines(const Tensor& x, int axis, const Shape& out_shape, Line line) {
    Tensor out = Tensor::empty(out_shape, x.dtype(), x.device());
    const math::AxisLines in(x.shape(), axis);
    const math::AxisLines to(out_shape, axis);
    dispatch_floating(x.dtype(), [&]<class T>() {
        const T* px = x.data<T>();
        T* po = out.data<T>();
        parallel_rows(in.count(), in.len, [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t k = lo; k < hi; ++k) line(px + in.start(k), po + to.start(k), in.len, in.inner);
        });
    });
    return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int axis) {
    return map_lines(x, axis, x.shape(), [](const auto* in, auto* out, std::int64_t len, std::int64_t stride) {
        using T = std::remove_cvref_t<decltype(*out)>;
        const T m = math::line_max(in, len, stride);
        double s = 0.0;
        for (std::int64_t l = 0; l < len; ++l) {
            const T e = std::exp(in[l * stride] - m);
            out[l * stride] = e;
            s += e;
        }
        const T scale = static_cast<T>(1.0 / s);
        for (std::int64_t l = 0; l < len; ++l) out[l * stride] *= scale;
    });
}

Tensor log_softmax(const Tensor& x, int axis) {
    return map_lines(x, axis, x.shape(), [](const auto* in, auto* out, std::int64_t len, std::int64_t stride) {
        using T = std::remove_cvref_t<decltype(*out)>;
        const double lse = math::line_logsumexp(in, len, stride);
        for (std::int64_t l = 0; l < len; ++l) out[l * stride] = static_cast<T>(in[l * stride] - lse);
    });
}

Tensor logsumexp(const Tensor& x, int axis) {
    const Shape kept = x.shape().with_extent(axis, 1);
    return map_lines(x, axis, kept, [](const auto* in, auto* out, std::int64_t len, std::int64_t stride) {
        using T = std::remove_cvref_t<decltype(*out)>;
        *out = static_cast<T>(math::line_logsumexp(in, len, stride));
    });
}

Tensor cross_entropy(const Tensor& logits, const Tensor& labels, const Tensor& weights) {
    const std::int64_t batch = logits.shape()[0];
    const std::int64_t classes = logits.shape()[1];
    Tensor out = Tensor::empty(Shape{}, logits.dtype(), logits.device());
    dispatch_floating(logits.dtype(), [&]<class T>() {
        const T* z = logits.data<T>();
        const std::int64_t* y = labels.data<std::int64_t>();
        const T* w = weights.defined() ? weights.data<T>() : nullptr;
        std::vector<double> losses(static_cast<std::size_t>(batch));
        parallel_rows(batch, classes, [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t i = lo; i < hi; ++i) {
                const T* row = z + i * classes;
                losses[static_cast<std::size_t>(i)] = math::line_logsumexp(row, classes, 1) - row[y[i]];
            }
        });
        out.data<T>()[0] = static_cast<T>(math::mean_weighted_loss(losses.data(), w, batch));
    });
    return out;
}

}  // namespace hypertape::cpu
