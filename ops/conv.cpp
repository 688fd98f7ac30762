#include "hypertape/ops/conv.hpp"

#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/kernels.hpp"
#include "hypertape/ops/record.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/ops/tangent.hpp"
#include "hypertape/ops/window.hpp"

namespace hypertape {
namespace {

// The three bilinear maps on values, for a window `win` over the images x [N, C, H, W] and
// filters w [F, C, kh, kw]; columns are im2col's [N, C kh kw, Ho Wo], a temporary.
Tensor convolve(const Tensor& x, const Tensor& w, const math::Window2d& win) {
    const std::int64_t filters = w.shape()[0];
    const Tensor columns = kernels::im2col(x, win);
    const Tensor flat_w = w.reshaped(Shape{filters, columns.shape()[1]});
    return kernels::matmul(flat_w, false, columns, false, Shape{win.batch, filters, win.out_size()})
        .reshaped(Shape{win.batch, filters, win.out_h, win.out_w});
}

Tensor convolve_adjoint(const Tensor& y, const Tensor& w, const math::Window2d& win) {
    const std::int64_t filters = w.shape()[0];
    const std::int64_t rows = win.channels * win.kernel_size();
    const Tensor columns =
        kernels::matmul(w.reshaped(Shape{filters, rows}), true, y.reshaped(Shape{win.batch, filters, win.out_size()}),
                        false, Shape{win.batch, rows, win.out_size()});
    return kernels::col2im(columns, win);
}

Tensor filter_gradient(const Tensor& x, const Tensor& g, const math::Window2d& win) {
    const std::int64_t filters = g.shape()[1];
    const Shape shape{filters, win.channels, win.kernel_h, win.kernel_w};
    if (win.batch == 0) return Tensor::zeros(shape, x.dtype(), x.device());
    const Tensor columns = kernels::im2col(x, win);
    const std::int64_t rows = columns.shape()[1];
    const Tensor per_image = kernels::matmul(g.reshaped(Shape{win.batch, filters, win.out_size()}), false, columns,
                                             true, Shape{win.batch, filters, rows});
    return kernels::sum_axis(per_image, 0).reshaped(shape);
}

Tensor with_bias(Tensor y, const Var& bias) {
    if (!bias.defined()) return y;
    const Shape along_channels{1, bias.shape()[0], 1, 1};
    return kernels::binary(math::BinaryKind::add, y, bias.value().reshaped(along_channels), y.shape());
}

// The gradient of a per-channel bias: g summed over every axis but the channels'.
Var bias_gradient(const Var& g) { return reshape(sum_to(g, Shape{1, g.shape()[1], 1, 1}), Shape{g.shape()[1]}); }

// A bias tangent [n, F] lined up with outputs [n, N, F, H, W].
Var bias_tangent(const Var& t) { return Var(t.value().reshaped(Shape{t.shape()[0], 1, t.shape()[1], 1, 1})); }

Var convolve_op(const Var& x, const Var& w, const Var& b, const math::Window2d& win);
Var adjoint_op(const Var& y, const Var& w, const Var& b, const math::Window2d& win);
Var filter_gradient_op(const Var& x, const Var& g, const math::Window2d& win);

VarList operands_of(const Var& a, const Var& w, const Var& b) { return b.defined() ? VarList{a, w, b} : VarList{a, w}; }

Var convolve_op(const Var& x, const Var& w, const Var& b, const math::Window2d& win) {
    return record(
        {.name = "conv2d",
         .operands = operands_of(x, w, b),
         .saved = {needed_if_tracked(x, w), needed_if_tracked(w, x)}},
        with_bias(convolve(x.value(), w.value(), win), b),
        [win, biased = b.defined()](const Var& g, const Saved& s, const NeedsGrad& needs) {
            Grads grads{needs[0] ? adjoint_op(g, s[1], Var(), win) : Var(),
                        needs[1] ? filter_gradient_op(s[0], g, win) : Var()};
            if (biased) grads.push_back(needs[2] ? bias_gradient(g) : Var());
            return grads;
        },
        [&](const Tangents& t) {
            const Var x0 = t.primal(0);
            const Var w0 = t.primal(1);
            return sum_terms(
                t, {t.has(0) ? each_direction(t[0], [&](const Var& tx) { return convolve_op(tx, w0, Var(), win); })
                             : Var(),
                    t.has(1) ? each_direction(t[1], [&](const Var& tw) { return convolve_op(x0, tw, Var(), win); })
                             : Var(),
                    b.defined() && t.has(2) ? bias_tangent(t[2]) : Var()});
        });
}

Var adjoint_op(const Var& y, const Var& w, const Var& b, const math::Window2d& win) {
    return record(
        {.name = "conv_transpose2d",
         .operands = operands_of(y, w, b),
         .saved = {needed_if_tracked(y, w), needed_if_tracked(w, y)}},
        with_bias(convolve_adjoint(y.value(), w.value(), win), b),
        [win, biased = b.defined()](const Var& g, const Saved& s, const NeedsGrad& needs) {
            Grads grads{needs[0] ? convolve_op(g, s[1], Var(), win) : Var(),
                        needs[1] ? filter_gradient_op(g, s[0], win) : Var()};
            if (biased) grads.push_back(needs[2] ? bias_gradient(g) : Var());
            return grads;
        },
        [&](const Tangents& t) {
            const Var y0 = t.primal(0);
            const Var w0 = t.primal(1);
            return sum_terms(
                t,
                {t.has(0) ? each_direction(t[0], [&](const Var& ty) { return adjoint_op(ty, w0, Var(), win); }) : Var(),
                 t.has(1) ? each_direction(t[1], [&](const Var& tw) { return adjoint_op(y0, tw, Var(), win); }) : Var(),
                 b.defined() && t.has(2) ? bias_tangent(t[2]) : Var()});
        });
}

Var filter_gradient_op(const Var& x, const Var& g, const math::Window2d& win) {
    return record(
        {.name = "conv2d_weight", .operands = {x, g}, .saved = {needed_if_tracked(x, g), needed_if_tracked(g, x)}},
        filter_gradient(x.value(), g.value(), win),
        [win](const Var& gw, const Saved& s, const NeedsGrad& needs) {
            return Grads{needs[0] ? adjoint_op(s[1], gw, Var(), win) : Var(),
                         needs[1] ? convolve_op(s[0], gw, Var(), win) : Var()};
        },
        [&](const Tangents& t) {
            const Var x0 = t.primal(0);
            const Var g0 = t.primal(1);
            return sum_terms(
                t, {t.has(0) ? each_direction(t[0], [&](const Var& tx) { return filter_gradient_op(tx, g0, win); })
                             : Var(),
                    t.has(1) ? each_direction(t[1], [&](const Var& tg) { return filter_gradient_op(x0, tg, win); })
                             : Var()});
        });
}

void check_filters(const char* op, const Var& images, const Var& w, std::int64_t channels_axis_of_w,
                   const char* images_name) {
    check_operands(op, images, w);
    if (w.rank() != 4) fail(op, ": weight must be [F, C, kh, kw], got ", w.shape().str());
    if (images.rank() != 4) fail(op, ": ", images_name, " must be [N, C, H, W], got ", images.shape().str());
    if (w.shape()[static_cast<int>(channels_axis_of_w)] != images.shape()[1]) {
        fail(op, ": ", images_name, " ", images.shape().str(), " has ", images.shape()[1], " channels but weight ",
             w.shape().str(), " expects ", w.shape()[static_cast<int>(channels_axis_of_w)]);
    }
}

void check_bias(const char* op, const Var& bias, const Var& like, std::int64_t channels) {
    if (!bias.defined()) return;
    check_operands(op, like, bias);
    if (bias.shape() != Shape{channels}) {
        fail(op, ": bias ", bias.shape().str(), " must be [", channels, "], one per output channel");
    }
}

}  // namespace

Var conv2d(const Var& x, const Var& weight, const Var& bias, std::int64_t stride, std::int64_t padding,
           std::int64_t dilation) {
    const char* op = "conv2d";
    check_filters(op, x, weight, 1, "x");
    check_bias(op, bias, x, weight.shape()[0]);
    const math::Window2d win =
        make_window(op, "x", x.shape(), {weight.shape()[2], weight.shape()[3], stride, padding, dilation});
    return convolve_op(x, weight, bias, win);
}

Var conv_transpose2d(const Var& y, const Var& weight, const Var& bias, std::int64_t stride, std::int64_t padding,
                     std::int64_t output_padding, std::int64_t dilation) {
    const char* op = "conv_transpose2d";
    check_filters(op, y, weight, 0, "y");
    check_bias(op, bias, y, weight.shape()[1]);
    const WindowParams params{weight.shape()[2], weight.shape()[3], stride, padding, dilation};
    check_window_params(op, params);
    if (output_padding < 0 || output_padding >= stride) {
        fail(op, ": output_padding ", output_padding, " must lie in [0, stride ", stride, ")");
    }
    // The image size whose convolution has y's extents: (Ho - 1) stride + span + output_padding - 2 padding.
    auto extent = [&](std::int64_t out, std::int64_t kernel) {
        const std::int64_t span = checked_affine(op, kernel - 1, dilation, 1 + output_padding, "the dilated kernel");
        const std::int64_t padded = checked_affine(op, out - 1, stride, span, "the output size");
        const std::int64_t e = checked_affine(op, -2, padding, padded, "the output size");
        if (out < 1 || e < 1) {
            fail(op, ": y ", y.shape().str(), " with a ", weight.shape()[2], "x", weight.shape()[3], " kernel, stride ",
                 stride, " and padding ", padding, " gives an empty image (extent ", e, ")");
        }
        return e;
    };
    const Shape image = checked_shape(op, {y.shape()[0], weight.shape()[1], extent(y.shape()[2], weight.shape()[2]),
                                           extent(y.shape()[3], weight.shape()[3])});
    return adjoint_op(y, weight, bias, make_window(op, "the output", image, params));
}

Var conv2d_weight(const Var& x, const Var& g, std::int64_t kernel_h, std::int64_t kernel_w, std::int64_t stride,
                  std::int64_t padding, std::int64_t dilation) {
    const char* op = "conv2d_weight";
    check_operands(op, x, g);
    const math::Window2d win = make_window(op, "x", x.shape(), {kernel_h, kernel_w, stride, padding, dilation});
    if (g.rank() != 4 || g.shape()[0] != win.batch || g.shape()[2] != win.out_h || g.shape()[3] != win.out_w) {
        fail(op, ": g ", g.shape().str(), " must be [", win.batch, ", F, ", win.out_h, ", ", win.out_w,
             "], the shape of conv2d's output for x ", x.shape().str());
    }
    return filter_gradient_op(x, g, win);
}

}  // namespace hypertape
