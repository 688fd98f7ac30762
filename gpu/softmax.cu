// CUDA kernels of the softmax family (gpu/softmax.hpp): one block per line of math::AxisLines, the
// line maximum and the sum of exp(x - shift) reduced across the block with cub::BlockReduce (the sum
// in double) and combined with the line math of ops/math/softmax.hpp, as the CPU kernels do.
// Block reductions have a fixed order, so results repeat bit for bit.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cub/block/block_reduce.cuh>
#include <limits>

#include "hypertape/gpu/cuda.cuh"
#include "hypertape/gpu/softmax.hpp"
#include "hypertape/ops/math/layout.hpp"
#include "hypertape/ops/math/softmax.hpp"

namespace hypertape::gpu {
namespace {

struct MaxOf {
    template <class T>
    __device__ T operator()(T a, T b) const {
        return math::max_of(a, b);
    }
};

// Shared memory of one block's line: the reductions' storage and the block-wide results.
template <class T>
struct LineShared {
    union {
        typename cub::BlockReduce<T, kThreads>::TempStorage max;
        typename cub::BlockReduce<double, kThreads>::TempStorage sum;
    } reduce;
    T shift;
    double sum;
};

// The shift of a line (math::softmax_shift of its maximum), in every thread of the block.
template <class T>
__device__ T block_shift(const T* x, std::int64_t len, std::int64_t stride, LineShared<T>& shared) {
    T m = -std::numeric_limits<T>::infinity();
    for (std::int64_t l = threadIdx.x; l < len; l += blockDim.x) m = math::max_of(m, x[l * stride]);
    m = cub::BlockReduce<T, kThreads>(shared.reduce.max).Reduce(m, MaxOf{});
    if (threadIdx.x == 0) shared.shift = math::softmax_shift(m);
    __syncthreads();
    return shared.shift;
}

// The block-wide sum of each thread's partial sum, in every thread of the block.
template <class T>
__device__ double block_sum(double partial, LineShared<T>& shared) {
    const double s = cub::BlockReduce<double, kThreads>(shared.reduce.sum).Sum(partial);
    if (threadIdx.x == 0) shared.sum = s;
    __syncthreads();
    return shared.sum;
}

// logsumexp of a line, in every thread of the block.
template <class T>
__device__ double block_logsumexp(const T* x, std::int64_t len, std::int64_t stride, LineShared<T>& shared) {
    const T m = block_shift(x, len, stride, shared);
    double s = 0.0;
    for (std::int64_t l = threadIdx.x; l < len; l += blockDim.x) s += std::exp(x[l * stride] - m);
    return math::log_sum_from(m, block_sum(s, shared));
}

// Each block takes lines blockIdx.x, blockIdx.x + gridDim.x, ...; the barrier at the end of a line
// keeps the next line's reductions from overwriting results other threads still read.
template <class T>
__global__ void softmax_kernel(const T* x, T* out, math::AxisLines lines) {
    __shared__ LineShared<T> shared;
    for (std::int64_t k = blockIdx.x; k < lines.count(); k += gridDim.x) {
        const T* in = x + lines.start(k);
        T* o = out + lines.start(k);
        const std::int64_t stride = lines.inner;
        const T m = block_shift(in, lines.len, stride, shared);
        double s = 0.0;
        for (std::int64_t l = threadIdx.x; l < lines.len; l += blockDim.x) {
            const T e = std::exp(in[l * stride] - m);
            o[l * stride] = e;
            s += e;
        }
        // Each thread rescales the elements it wrote itself.
        const T scale = static_cast<T>(1.0 / block_sum(s, shared));
        for (std::int64_t l = threadIdx.x; l < lines.len; l += blockDim.x) o[l * stride] *= scale;
        __syncthreads();
    }
}

template <class T>
__global__ void log_softmax_kernel(const T* x, T* out, math::AxisLines lines) {
    __shared__ LineShared<T> shared;
    for (std::int64_t k = blockIdx.x; k < lines.count(); k += gridDim.x) {
        const T* in = x + lines.start(k);
        T* o = out + lines.start(k);
        const std::int64_t stride = lines.inner;
        const double lse = block_logsumexp(in, lines.len, stride, shared);
        for (std::int64_t l = threadIdx.x; l < lines.len; l += blockDim.x) {
            o[l * stride] = static_cast<T>(in[l * stride] - lse);
        }
        __syncthreads();
    }
}

// The output keeps the axis at extent 1, so line k's result is element k.
template <class T>
__global__ void logsumexp_kernel(const T* x, T* out, math::AxisLines lines) {
    __shared__ LineShared<T> shared;
    for (std::int64_t k = blockIdx.x; k < lines.count(); k += gridDim.x) {
        const double lse = block_logsumexp(x + lines.start(k), lines.len, lines.inner, shared);
        if (threadIdx.x == 0) out[k] = static_cast<T>(lse);
        __syncthreads();
    }
}

// Per-row losses logsumexp(row) - row[label] of logits [batch, classes].
template <class T>
__global__ void row_losses_kernel(const T* z, const std::int64_t* y, double* losses, std::int64_t batch,
                                  std::int64_t classes) {
    __shared__ LineShared<T> shared;
    for (std::int64_t i = blockIdx.x; i < batch; i += gridDim.x) {
        const T* row = z + i * classes;
        const double lse = block_logsumexp(row, classes, 1, shared);
        if (threadIdx.x == 0) losses[i] = lse - row[y[i]];
        __syncthreads();
    }
}

// (1/B) sum_i w_i loss_i by one block: each thread adds a fixed stride of rows, then a block
// reduction, so the order (and the bits) are the same on every run.
template <class T>
__global__ void mean_loss_kernel(const double* losses, const T* weights, std::int64_t batch, T* out) {
    __shared__ typename cub::BlockReduce<double, kThreads>::TempStorage storage;
    double partial = 0.0;
    for (std::int64_t i = threadIdx.x; i < batch; i += blockDim.x) {
        partial += (weights ? static_cast<double>(weights[i]) : 1.0) * losses[i];
    }
    const double total = cub::BlockReduce<double, kThreads>(storage).Sum(partial);
    if (threadIdx.x == 0) *out = static_cast<T>(total / static_cast<double>(batch));
}

// One block per line, capped (blocks loop over the rest), and at least one block.
unsigned line_blocks(std::int64_t lines) {
    return static_cast<unsigned>(std::clamp<std::int64_t>(lines, 1, 65535 * 8));
}

// Calls launch(blocks, stream, x, out, lines) over the lines of x along `axis`, into a new tensor
// of `out_shape`; launch deduces the element type from the pointers.
template <class Launch>
Tensor map_lines(const Tensor& x, int axis, const Shape& out_shape, const char* name, Launch launch) {
    const DeviceScope scope(x.device());
    Tensor out = Tensor::empty(out_shape, x.dtype(), x.device());
    if (out.numel() == 0) return out;
    const math::AxisLines lines(x.shape(), axis);
    dispatch_floating(x.dtype(), [&]<class T>() {
        launch(line_blocks(lines.count()), stream(x.device()), ptr<T>(x), mutable_ptr<T>(out), lines);
    });
    check_launch(name);
    return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int axis) {
    return map_lines(x, axis, x.shape(), "softmax",
                     [](unsigned blocks, cudaStream_t s, const auto* in, auto* out, const math::AxisLines& lines) {
                         softmax_kernel<<<blocks, kThreads, 0, s>>>(in, out, lines);
                     });
}

Tensor log_softmax(const Tensor& x, int axis) {
    return map_lines(x, axis, x.shape(), "log_softmax",
                     [](unsigned blocks, cudaStream_t s, const auto* in, auto* out, const math::AxisLines& lines) {
                         log_softmax_kernel<<<blocks, kThreads, 0, s>>>(in, out, lines);
                     });
}

Tensor logsumexp(const Tensor& x, int axis) {
    const Shape kept = x.shape().with_extent(axis, 1);
    return map_lines(x, axis, kept, "logsumexp",
                     [](unsigned blocks, cudaStream_t s, const auto* in, auto* out, const math::AxisLines& lines) {
                         logsumexp_kernel<<<blocks, kThreads, 0, s>>>(in, out, lines);
                     });
}

Tensor cross_entropy(const Tensor& logits, const Tensor& labels, const Tensor& weights) {
    const Device device = logits.device();
    const DeviceScope scope(device);
    const std::int64_t batch = logits.shape()[0];
    const std::int64_t classes = logits.shape()[1];
    Tensor out = Tensor::empty(Shape{}, logits.dtype(), device);
    Tensor losses = Tensor::empty(Shape{batch}, f64, device);
    dispatch_floating(logits.dtype(), [&]<class T>() {
        const T* w = weights.defined() ? ptr<T>(weights) : nullptr;
        row_losses_kernel<T><<<line_blocks(batch), kThreads, 0, stream(device)>>>(
            ptr<T>(logits), ptr<std::int64_t>(labels), mutable_ptr<double>(losses), batch, classes);
        check_launch("cross_entropy rows");
        mean_loss_kernel<T><<<1, kThreads, 0, stream(device)>>>(ptr<double>(losses), w, batch, mutable_ptr<T>(out));
        check_launch("cross_entropy mean");
    });
    return out;
}

}  // namespace hypertape::gpu
