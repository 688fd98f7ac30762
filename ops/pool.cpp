#include "hypertape/ops/pool.hpp"

#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/index.hpp"
#include "hypertape/ops/kernels.hpp"
#include "hypertape/ops/record.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/ops/tangent.hpp"
#include "hypertape/ops/window.hpp"

namespace hypertape {
namespace {

math::Window2d pooling_window(const char* op, const Var& x, std::int64_t kernel, std::int64_t stride,
                              std::int64_t padding) {
    check_floating(op, "x", x);
    if (kernel >= 1 && (padding < 0 || padding > kernel / 2)) {
        fail(op, ": padding ", padding, " must lie in [0, ", kernel / 2, "], at most half the kernel ", kernel,
             ", so that no window holds padding alone");
    }
    return make_window(op, "x", x.shape(), {kernel, kernel, stride == 0 ? kernel : stride, padding, 1});
}

// Pooling treats every (image, channel) plane alike: the window over [N C, 1, H, W].
math::Window2d per_plane(math::Window2d win) {
    win.batch *= win.channels;
    win.channels = 1;
    return win;
}

Tensor window_means(const Tensor& x, const math::Window2d& win) {
    const math::Window2d plane = per_plane(win);
    const Tensor columns = kernels::im2col(x.reshaped(image_shape(plane)), plane);  // [N C, k k, Ho Wo]
    const Tensor scale = Tensor::scalar(1.0 / static_cast<double>(win.kernel_size()), x.dtype(), x.device());
    const Tensor sums = kernels::sum_axis(columns, 1);
    return kernels::binary(math::BinaryKind::mul, sums, scale, sums.shape()).reshaped(pooled_shape(win));
}

Tensor spread_means(const Tensor& g, const math::Window2d& win) {
    const math::Window2d plane = per_plane(win);
    const Tensor scale = Tensor::scalar(1.0 / static_cast<double>(win.kernel_size()), g.dtype(), g.device());
    const Tensor lines = g.reshaped(Shape{plane.batch, 1, plane.out_size()});
    const Tensor scaled = kernels::binary(math::BinaryKind::mul, lines, scale, lines.shape());
    const Tensor columns = kernels::broadcast_to(scaled, Shape{plane.batch, plane.kernel_size(), plane.out_size()});
    return kernels::col2im(columns, plane).reshaped(image_shape(win));
}

Var spread_op(const Var& g, const math::Window2d& win);

Var mean_op(const Var& x, const math::Window2d& win) {
    return record(
        {.name = "avg_pool2d", .operands = {x}}, window_means(x.value(), win),
        [win](const Var& g, const Saved&, const NeedsGrad&) { return Grads{spread_op(g, win)}; },
        [&](const Tangents& t) { return each_direction(t[0], [&](const Var& tx) { return mean_op(tx, win); }); });
}

Var spread_op(const Var& g, const math::Window2d& win) {
    return record(
        {.name = "avg_pool2d_adjoint", .operands = {g}}, spread_means(g.value(), win),
        [win](const Var& gg, const Saved&, const NeedsGrad&) { return Grads{mean_op(gg, win)}; },
        [&](const Tangents& t) { return each_direction(t[0], [&](const Var& tg) { return spread_op(tg, win); }); });
}

}  // namespace

Var max_pool2d(const Var& x, std::int64_t kernel, std::int64_t stride, std::int64_t padding) {
    const math::Window2d win = pooling_window("max_pool2d", x, kernel, stride, padding);
    const Shape out = pooled_shape(win);
    const Shape flat_x{x.shape().numel()};
    // Positions over the whole of x, so that one gather along a flat x picks every maximum.
    const Tensor at = kernels::max_pool2d_indices(x.value(), win).reshaped(Shape{out.numel()});
    Tensor y = kernels::gather(x.value().reshaped(flat_x), at, 0, Shape{out.numel()}).reshaped(out);
    return record(
        {.name = "max_pool2d", .operands = {x}, .saved = {Var(at)}}, y,
        [flat_x, shape = x.shape()](const Var& g, const Saved& s, const NeedsGrad&) {
            const Var flat_g = reshape(g, Shape{g.shape().numel()});
            return Grads{reshape(scatter_add(flat_g, s[0].value(), 0, flat_x), shape)};
        },
        [&](const Tangents& t) {
            const Var flat_t = reshape(t[0], Shape{t.n(), flat_x[0]});
            return reshape(gather(flat_t, at, 1), out.prepend(t.n()));
        });
}

Var avg_pool2d(const Var& x, std::int64_t kernel, std::int64_t stride, std::int64_t padding) {
    return mean_op(x, pooling_window("avg_pool2d", x, kernel, stride, padding));
}

}  // namespace hypertape
