// CUDA kernels of the window ops (gpu/conv.hpp), mirroring ops/cpu/conv.cpp: one thread per output
// element, with the element functions of ops/math/conv.hpp that the CPU kernels use, so both
// devices add in one order and agree bit for bit.
#include <cstdint>

#include "hypertape/gpu/conv.hpp"
#include "hypertape/gpu/cuda.cuh"

namespace hypertape::gpu {
namespace {

// Element e of columns [N, C kh kw, Ho Wo].
template <class T>
__global__ void im2col_kernel(const T* x, T* out, std::int64_t n, math::Window2d w) {
    HT_GRID_STRIDE(e, n) {
        const std::int64_t o = e % w.out_size();
        const std::int64_t row = e / w.out_size();  // (image, channel, ki, kj)
        const std::int64_t k = row % w.kernel_size();
        const std::int64_t plane = row / w.kernel_size();  // image * C + channel
        const std::int64_t r = w.in_row(o / w.out_w, k / w.kernel_w);
        const std::int64_t c = w.in_col(o % w.out_w, k % w.kernel_w);
        out[e] = w.inside(r, c) ? x[plane * w.in_size() + r * w.width + c] : T(0);
    }
}

// Element e of the image [N, C, H, W].
template <class T>
__global__ void col2im_kernel(const T* columns, T* out, std::int64_t n, math::Window2d w) {
    HT_GRID_STRIDE(e, n) {
        const std::int64_t plane = e / w.in_size();
        const std::int64_t at = e % w.in_size();
        out[e] =
            math::gathered_columns(columns + plane * w.kernel_size() * w.out_size(), at / w.width, at % w.width, w);
    }
}

template <class T>
__global__ void max_pool2d_indices_kernel(const T* x, std::int64_t* out, std::int64_t n, math::Window2d w) {
    HT_GRID_STRIDE(e, n) out[e] = math::window_argmax(x, e / w.out_size(), e % w.out_size(), w);
}

}  // namespace

Tensor im2col(const Tensor& x, const math::Window2d& w) {
    const Device device = x.device();
    const DeviceScope scope(device);
    Tensor out = Tensor::empty(Shape{w.batch, w.channels * w.kernel_size(), w.out_size()}, x.dtype(), device);
    const std::int64_t n = out.numel();
    if (n == 0) return out;
    dispatch_floating(x.dtype(), [&]<class T>() {
        im2col_kernel<T><<<blocks_for(n), kThreads, 0, stream(device)>>>(ptr<T>(x), mutable_ptr<T>(out), n, w);
    });
    check_launch("im2col");
    return out;
}

Tensor col2im(const Tensor& columns, const math::Window2d& w) {
    const Device device = columns.device();
    const DeviceScope scope(device);
    Tensor out = Tensor::empty(Shape{w.batch, w.channels, w.height, w.width}, columns.dtype(), device);
    const std::int64_t n = out.numel();
    if (n == 0) return out;
    dispatch_floating(columns.dtype(), [&]<class T>() {
        col2im_kernel<T><<<blocks_for(n), kThreads, 0, stream(device)>>>(ptr<T>(columns), mutable_ptr<T>(out), n, w);
    });
    check_launch("col2im");
    return out;
}

Tensor max_pool2d_indices(const Tensor& x, const math::Window2d& w) {
    const Device device = x.device();
    const DeviceScope scope(device);
    Tensor out = Tensor::empty(Shape{w.batch, w.channels, w.out_h, w.out_w}, i64, device);
    const std::int64_t n = out.numel();
    if (n == 0) return out;
    dispatch_floating(x.dtype(), [&]<class T>() {
        max_pool2d_indices_kernel<T>
            <<<blocks_for(n), kThreads, 0, stream(device)>>>(ptr<T>(x), mutable_ptr<std::int64_t>(out), n, w);
    });
    check_launch("max_pool2d_indices");
    return out;
}

}  // namespace hypertape::gpu
