#pragma once
// Builds and checks the Window2d of a convolution or pooling op (ops/math/conv.hpp) from the
// image's shape and the op's parameters, naming the op in every error. Internal to ops/.
#include <cstdint>

#include "hypertape/ops/math/conv.hpp"
#include "hypertape/tape/shape.hpp"

namespace hypertape {

struct WindowParams {
    std::int64_t kernel_h = 1, kernel_w = 1;
    std::int64_t stride = 1, padding = 0, dilation = 1;
};

// Throws unless kernel extents, stride and dilation are >= 1 and padding >= 0.
void check_window_params(const char* op, const WindowParams& p);
// a * b + c, or a failure naming the op and `what` when that overflows int64.
std::int64_t checked_affine(const char* op, std::int64_t a, std::int64_t b, std::int64_t c, const char* what);

// The window over `image` ([N, C, H, W], named `name` in errors). Throws unless image has rank 4,
// kernel extents, stride and dilation are >= 1, padding >= 0, the dilated kernel fits in the padded
// image, and the column buffer [N, C * kh * kw, Ho * Wo] has at most kMaxNumel elements.
math::Window2d make_window(const char* op, const char* name, const Shape& image, const WindowParams& p);

// Shape{...} of an image, [N, C, H, W], and of the window's output, [N, C, Ho, Wo].
Shape image_shape(const math::Window2d& w);
Shape pooled_shape(const math::Window2d& w);

}  // namespace hypertape
