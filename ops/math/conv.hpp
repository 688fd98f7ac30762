#pragma once
// The geometry of a sliding 2-D window over NCHW images, shared by convolution and pooling and by
// the CPU (ops/cpu/conv.cpp) and CUDA (gpu/conv.cu) kernels. Output position (oh, ow) with window
// offset (ki, kj) reads input row oh * stride - padding + ki * dilation, and likewise the column;
// positions outside [0, height) x [0, width) are padding. The op layer builds a Window2d after
// checking every extent (ops/conv.cpp), so the kernels trust it.
//
//   Window2d w = ...;            // x [N, C, H, W], 3x3 kernel, stride 1, padding 1
//   w.out_h == H;                 // (H + 2 - 2 - 1) / 1 + 1
#include <cstdint>

#include "hypertape/ops/math/host_device.hpp"

namespace hypertape::math {

struct Window2d {
    std::int64_t batch = 0, channels = 0, height = 0, width = 0;
    std::int64_t kernel_h = 1, kernel_w = 1;
    std::int64_t stride = 1, padding = 0, dilation = 1;
    std::int64_t out_h = 0, out_w = 0;

    HT_HOST_DEVICE std::int64_t kernel_size() const { return kernel_h * kernel_w; }
    HT_HOST_DEVICE std::int64_t out_size() const { return out_h * out_w; }
    HT_HOST_DEVICE std::int64_t in_size() const { return height * width; }
    // The input row (column) that output row oh (column ow) reads at kernel row ki (column kj).
    HT_HOST_DEVICE std::int64_t in_row(std::int64_t oh, std::int64_t ki) const {
        return oh * stride - padding + ki * dilation;
    }
    HT_HOST_DEVICE std::int64_t in_col(std::int64_t ow, std::int64_t kj) const {
        return ow * stride - padding + kj * dilation;
    }
    HT_HOST_DEVICE bool inside(std::int64_t r, std::int64_t c) const {
        return r >= 0 && r < height && c >= 0 && c < width;
    }
};

// The sum of the column entries that read input position (r, c) of one plane, whose columns
// [kh kw, Ho Wo] start at `block`, added in (ki, kj) order: col2im's element, on either device.
template <class T>
HT_HOST_DEVICE T gathered_columns(const T* block, std::int64_t r, std::int64_t c, const Window2d& w) {
    T sum = T(0);
    for (std::int64_t ki = 0; ki < w.kernel_h; ++ki) {
        const std::int64_t oh_scaled = r + w.padding - ki * w.dilation;
        if (oh_scaled < 0 || oh_scaled % w.stride != 0 || oh_scaled / w.stride >= w.out_h) continue;
        const std::int64_t oh = oh_scaled / w.stride;
        for (std::int64_t kj = 0; kj < w.kernel_w; ++kj) {
            const std::int64_t ow_scaled = c + w.padding - kj * w.dilation;
            if (ow_scaled < 0 || ow_scaled % w.stride != 0 || ow_scaled / w.stride >= w.out_w) continue;
            sum += block[(ki * w.kernel_w + kj) * w.out_size() + oh * w.out_w + ow_scaled / w.stride];
        }
    }
    return sum;
}

// The position in x (over all of N * C * H * W) of the maximum of plane p's window at output o
// (row-major over out_h x out_w): the first maximum in (ki, kj) order; a NaN wins over any number.
// The window must reach at least one input position.
template <class T>
HT_HOST_DEVICE std::int64_t window_argmax(const T* x, std::int64_t p, std::int64_t o, const Window2d& w) {
    const std::int64_t oh = o / w.out_w;
    const std::int64_t ow = o % w.out_w;
    std::int64_t best = -1;
    T best_value = T(0);
    for (std::int64_t ki = 0; ki < w.kernel_h; ++ki) {
        const std::int64_t r = w.in_row(oh, ki);
        for (std::int64_t kj = 0; kj < w.kernel_w; ++kj) {
            const std::int64_t c = w.in_col(ow, kj);
            if (!w.inside(r, c)) continue;
            const std::int64_t at = p * w.in_size() + r * w.width + c;
            const T v = x[at];
            const bool best_is_nan = best_value != best_value;
            if (best < 0 || (!best_is_nan && (v > best_value || v != v))) {
                best = at;
                best_value = v;
            }
        }
    }
    return best;
}

}  // namespace hypertape::math
