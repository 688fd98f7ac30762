#include "hypertape/ops/cpu/conv.hpp"

#include "hypertape/ops/cpu/parallel.hpp"

namespace hypertape::cpu {

Tensor im2col(const Tensor& x, const math::Window2d& w) {
    const std::int64_t rows = w.channels * w.kernel_size();
    Tensor out = Tensor::empty(Shape{w.batch, rows, w.out_size()}, x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        const T* px = x.data<T>();
        T* po = out.data<T>();
        // One task per (image, column row): row (c, ki, kj) of image n.
        parallel_rows(w.batch * rows, w.out_size(), [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t r = lo; r < hi; ++r) {
                const std::int64_t n = r / rows;
                const std::int64_t k = r % w.kernel_size();
                const std::int64_t c = (r / w.kernel_size()) % w.channels;
                const std::int64_t ki = k / w.kernel_w;
                const std::int64_t kj = k % w.kernel_w;
                const T* plane = px + (n * w.channels + c) * w.in_size();
                T* line = po + r * w.out_size();
                for (std::int64_t oh = 0; oh < w.out_h; ++oh) {
                    const std::int64_t ir = w.in_row(oh, ki);
                    for (std::int64_t ow = 0; ow < w.out_w; ++ow) {
                        const std::int64_t ic = w.in_col(ow, kj);
                        line[oh * w.out_w + ow] = w.inside(ir, ic) ? plane[ir * w.width + ic] : T(0);
                    }
                }
            }
        });
    });
    return out;
}

Tensor col2im(const Tensor& columns, const math::Window2d& w) {
    Tensor out = Tensor::empty(Shape{w.batch, w.channels, w.height, w.width}, columns.dtype(), columns.device());
    dispatch_floating(columns.dtype(), [&]<class T>() {
        const T* pc = columns.data<T>();
        T* po = out.data<T>();
        // One task per (image, channel) plane; each input position gathers the column entries that
        // read it (math::gathered_columns, as gpu/conv.cu does).
        parallel_rows(w.batch * w.channels, w.in_size() * w.kernel_size(), [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t p = lo; p < hi; ++p) {
                const T* block = pc + p * w.kernel_size() * w.out_size();
                for (std::int64_t r = 0; r < w.height; ++r) {
                    for (std::int64_t c = 0; c < w.width; ++c) {
                        po[p * w.in_size() + r * w.width + c] = math::gathered_columns(block, r, c, w);
                    }
                }
            }
        });
    });
    return out;
}

Tensor max_pool2d_indices(const Tensor& x, const math::Window2d& w) {
    Tensor out = Tensor::empty(Shape{w.batch, w.channels, w.out_h, w.out_w}, i64, x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        const T* px = x.data<T>();
        std::int64_t* po = out.data<std::int64_t>();
        parallel_rows(w.batch * w.channels, w.out_size() * w.kernel_size(), [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t p = lo; p < hi; ++p) {
                for (std::int64_t o = 0; o < w.out_size(); ++o) {
                    po[p * w.out_size() + o] = math::window_argmax(px, p, o, w);
                }
            }
        });
    });
    return out;
}

}  // namespace hypertape::cpu
