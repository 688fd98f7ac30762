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

// Each block takes lines blockIdx.x, blockIdx.x + gridDim.x, ... and runs `line` on each; the
// barrier at the end of a line keeps the next line's reductions from overwriting results other
// threads still read. line(in, k, stride, shared) gets line k's first element and its stride.
template <class T, class Line>
__global__ void each_line(const T* x, math::AxisLines lines, Line line) {
    __shared__ LineShared<T> shared;
    for (std::int64_t k = blockIdx.x; k < lines.count(); k += gridDim.x) {
        line(x + lines.start(k), k, lines, shared);
        __syncthreads();
    }
}

// The per-line work of each op; `out` has x's lines (softmax, log_softmax) or one element per
// line (logsumexp keeps the axis at extent 1; cross-entropy's per-row losses).
template <class T>
struct SoftmaxLine {
    T* out;
    __device__ void operator()(const T* in, std::int64_t k, const math::AxisLines& lines, LineShared<T>& shared) const {
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
    }
};

template <class T>
struct LogSoftmaxLine {
    T* out;
    __device__ void operator()(const T* in, std::int64_t k, const math::AxisLines& lines, LineShared<T>& shared) const {
        T* o = out + lines.start(k);
        const double lse = block_logsumexp(in, lines.len, lines.inner, shared);
        for (std::int64_t l = threadIdx.x; l < lines.len; l += blockDim.x) {
            o[l * lines.inner] = static_cast<T>(in[l * lines.inner] - lse);
        }
    }
};

template <class T>
struct LogSumExpLine {
    T* out;
    __device__ void operator()(const T* in, std::int64_t k, const math::AxisLines& lines, LineShared<T>& shared) const {
        const double lse = block_logsumexp(in, lines.len, lines.inner, shared);
        if (threadIdx.x == 0) out[k] = static_cast<T>(lse);
    }
};

// Row k of logits [batch, classes]: logsumexp(row) - row[label].
template <class T>
struct RowLossLine {
    const std::int64_t* labels;
    double* losses;
    __device__ void operator()(const T* row, std::int64_t k, const math::AxisLines& lines,
                               LineShared<T>& shared) const {
        const double lse = block_logsumexp(row, lines.len, lines.inner, shared);
        if (threadIdx.x == 0) losses[k] = lse - row[labels[k]];
    }
};

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

// Runs the per-line op Line<T>{out} over the lines of x along `axis`, into a new tensor of
// `out_shape`.
template <template <class> class Line>
Tensor map_lines(const Tensor& x, int axis, const Shape& out_shape, const char* name) {
    const DeviceScope scope(x.device());
    Tensor out = Tensor::empty(out_shape, x.dtype(), x.device());
    if (out.numel() == 0) return out;
    const math::AxisLines lines(x.shape(), axis);
    dispatch_floating(x.dtype(), [&]<class T>() {
        each_line<<<line_blocks(lines.count()), kThreads, 0, stream(x.device())>>>(ptr<T>(x), lines,
                                                                                   Line<T>{mutable_ptr<T>(out)});
    });
    check_launch(name);
    return out;
}

}  // namespace

Tensor softmax(const Tensor& x, int axis) { return map_lines<SoftmaxLine>(x, axis, x.shape(), "softmax"); }

Tensor log_softmax(const Tensor& x, int axis) { return map_lines<LogSoftmaxLine>(x, axis, x.shape(), "log_softmax"); }

Tensor logsumexp(const Tensor& x, int axis) {
    return map_lines<LogSumExpLine>(x, axis, x.shape().with_extent(axis, 1), "logsumexp");
}

Tensor cross_entropy(const Tensor& logits, const Tensor& labels, const Tensor& weights) {
    const Device device = logits.device();
    const DeviceScope scope(device);
    const std::int64_t batch = logits.shape()[0];
    Tensor out = Tensor::empty(Shape{}, logits.dtype(), device);
    Tensor losses = Tensor::empty(Shape{batch}, f64, device);
    dispatch_floating(logits.dtype(), [&]<class T>() {
        const T* w = weights.defined() ? ptr<T>(weights) : nullptr;
        each_line<<<line_blocks(batch), kThreads, 0, stream(device)>>>(
            ptr<T>(logits), math::AxisLines(logits.shape(), 1),
            RowLossLine<T>{ptr<std::int64_t>(labels), mutable_ptr<double>(losses)});
        check_launch("cross_entropy rows");
        mean_loss_kernel<T><<<1, kThreads, 0, stream(device)>>>(ptr<double>(losses), w, batch, mutable_ptr<T>(out));
        check_launch("cross_entropy mean");
    });
    return out;
}

}  // namespace hypertape::gpu
