#include "hypertape/ops/window.hpp"

#include "hypertape/tape/error.hpp"

namespace hypertape {
std::int64_t checked_affine(const char* op, std::int64_t a, std::int64_t b, std::int64_t c, const char* what) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r) || __builtin_add_overflow(r, c, &r)) fail(op, ": ", what, " overflows int64");
    return r;
}

void check_window_params(const char* op, const WindowParams& p) {
    if (p.kernel_h < 1 || p.kernel_w < 1) fail(op, ": kernel ", p.kernel_h, "x", p.kernel_w, " must be at least 1x1");
    if (p.stride < 1) fail(op, ": stride ", p.stride, " must be at least 1");
    if (p.dilation < 1) fail(op, ": dilation ", p.dilation, " must be at least 1");
    if (p.padding < 0) fail(op, ": padding ", p.padding, " must not be negative");
}

math::Window2d make_window(const char* op, const char* name, const Shape& image, const WindowParams& p) {
    if (image.rank() != 4) fail(op, ": ", name, " must be [N, C, H, W], got ", image.str());
    check_window_params(op, p);
    math::Window2d w;
    w.batch = image[0];
    w.channels = image[1];
    w.height = image[2];
    w.width = image[3];
    w.kernel_h = p.kernel_h;
    w.kernel_w = p.kernel_w;
    w.stride = p.stride;
    w.padding = p.padding;
    w.dilation = p.dilation;
    const std::int64_t span_h = checked_affine(op, p.dilation, p.kernel_h - 1, 1, "the dilated kernel height");
    const std::int64_t span_w = checked_affine(op, p.dilation, p.kernel_w - 1, 1, "the dilated kernel width");
    const std::int64_t padded_h = checked_affine(op, 2, p.padding, w.height, "the padded height");
    const std::int64_t padded_w = checked_affine(op, 2, p.padding, w.width, "the padded width");
    if (span_h > padded_h || span_w > padded_w) {
        fail(op, ": a ", p.kernel_h, "x", p.kernel_w, " kernel with dilation ", p.dilation, " spans ", span_h, "x",
             span_w, ", more than ", name, " ", image.str(), " padded by ", p.padding, " (", padded_h, "x", padded_w,
             ")");
    }
    w.out_h = (padded_h - span_h) / p.stride + 1;
    w.out_w = (padded_w - span_w) / p.stride + 1;
    const std::int64_t kernel_size = checked_affine(op, w.kernel_h, w.kernel_w, 0, "the kernel size");
    checked_shape(op, {w.batch, w.channels, kernel_size, w.out_h, w.out_w}, "column buffer");
    return w;
}

Shape image_shape(const math::Window2d& w) { return Shape{w.batch, w.channels, w.height, w.width}; }
Shape pooled_shape(const math::Window2d& w) { return Shape{w.batch, w.channels, w.out_h, w.out_w}; }

}  // namespace hypertape
