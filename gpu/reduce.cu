// CUDA kernels of the reductions and of broadcasting. Sums accumulate in double along a fixed
// reduction tree that depends only on the shape (grid-stride partial sums, then CUB block and
// warp reductions; no atomics), so the same input gives the same bits on every run.
#include <algorithm>
#include <cub/block/block_reduce.cuh>
#include <cub/warp/warp_reduce.cuh>

#include "hypertape/gpu/broadcast.cuh"
#include "hypertape/gpu/reduce.hpp"
#include "hypertape/ops/math/layout.hpp"

namespace hypertape::gpu {
namespace {

constexpr int kWarp = 32;
constexpr int kWarpsPerBlock = kThreads / kWarp;
// Partial sums of sum_all's first pass: enough blocks to keep every SM of an H100 busy, few
// enough for one block to add them up. A constant, so the tree does not depend on the device.
constexpr std::int64_t kMaxPartials = 1024;
// Lines up to this long are summed by one warp each, longer ones by a block each.
constexpr std::int64_t kWarpLineMax = 512;

using BlockSum = cub::BlockReduce<double, kThreads>;
using WarpSum = cub::WarpReduce<double>;

// sums[blockIdx.x] = the sum of the elements x[i] that this block's grid-stride loop visits.
template <class In, class Out>
__global__ void block_sums(const In* x, std::int64_t n, Out* sums) {
    __shared__ typename BlockSum::TempStorage temp;
    double acc = 0.0;
    HT_GRID_STRIDE(i, n) acc += static_cast<double>(x[i]);
    const double total = BlockSum(temp).Sum(acc);
    if (threadIdx.x == 0) sums[blockIdx.x] = static_cast<Out>(total);
}

// out[k] = the sum of line k, one warp per line.
template <class T>
__global__ void sum_lines_warp(const T* x, T* out, math::AxisLines lines) {
    __shared__ typename WarpSum::TempStorage temp[kWarpsPerBlock];
    const int warp = static_cast<int>(threadIdx.x) / kWarp;
    const int lane = static_cast<int>(threadIdx.x) % kWarp;
    const std::int64_t step = static_cast<std::int64_t>(gridDim.x) * kWarpsPerBlock;
    for (std::int64_t k = static_cast<std::int64_t>(blockIdx.x) * kWarpsPerBlock + warp; k < lines.count(); k += step) {
        const T* line = x + lines.start(k);
        double acc = 0.0;
        for (std::int64_t l = lane; l < lines.len; l += kWarp) acc += static_cast<double>(line[l * lines.inner]);
        const double total = WarpSum(temp[warp]).Sum(acc);
        if (lane == 0) out[k] = static_cast<T>(total);
        __syncwarp();  // temp[warp] is reused by the warp's next line
    }
}

// out[k] = the sum of line k, one block per line.
template <class T>
__global__ void sum_lines_block(const T* x, T* out, math::AxisLines lines) {
    __shared__ typename BlockSum::TempStorage temp;
    for (std::int64_t k = blockIdx.x; k < lines.count(); k += gridDim.x) {
        const T* line = x + lines.start(k);
        double acc = 0.0;
        for (std::int64_t l = threadIdx.x; l < lines.len; l += kThreads) {
            acc += static_cast<double>(line[l * lines.inner]);
        }
        const double total = BlockSum(temp).Sum(acc);
        if (threadIdx.x == 0) out[k] = static_cast<T>(total);
        __syncthreads();  // temp is reused by the block's next line
    }
}

// broadcast_to is a map that copies.
struct Copy {
    template <class T>
    __device__ T operator()(T v) const {
        return v;
    }
};

}  // namespace

Tensor sum_all(const Tensor& x) {
    const DeviceScope scope(x.device());
    const std::int64_t n = x.numel();
    if (n == 0) return Tensor::zeros(Shape{}, x.dtype(), x.device());
    Tensor out = Tensor::empty(Shape{}, x.dtype(), x.device());
    const cudaStream_t s = stream(x.device());
    const auto blocks = static_cast<unsigned>(std::min<std::int64_t>(blocks_for(n), kMaxPartials));
    dispatch_floating(x.dtype(), [&]<class T>() {
        if (blocks == 1) {
            block_sums<<<1, kThreads, 0, s>>>(ptr<T>(x), n, mutable_ptr<T>(out));
            check_launch("block_sums");
            return;
        }
        // The partials live in a library tensor, so their memory comes from the device allocator.
        Tensor partials = Tensor::empty(Shape{static_cast<std::int64_t>(blocks)}, f64, x.device());
        block_sums<<<blocks, kThreads, 0, s>>>(ptr<T>(x), n, mutable_ptr<double>(partials));
        check_launch("block_sums");
        block_sums<<<1, kThreads, 0, s>>>(ptr<double>(partials), static_cast<std::int64_t>(blocks),
                                          mutable_ptr<T>(out));
        check_launch("block_sums");
    });
    return out;
}

Tensor sum_axis(const Tensor& x, int axis) {
    const DeviceScope scope(x.device());
    const math::AxisLines lines(x.shape(), axis);
    const Shape kept = x.shape().with_extent(axis, 1);
    if (lines.count() == 0) return Tensor::empty(kept, x.dtype(), x.device());
    if (lines.len == 0) return Tensor::zeros(kept, x.dtype(), x.device());
    // A single line is the whole tensor: the two-pass sum_all spreads it over the device.
    if (lines.count() == 1) return sum_all(x).reshaped(kept);
    Tensor out = Tensor::empty(kept, x.dtype(), x.device());
    const cudaStream_t s = stream(x.device());
    dispatch_floating(x.dtype(), [&]<class T>() {
        if (lines.len <= kWarpLineMax) {
            sum_lines_warp<<<blocks_for(lines.count() * kWarp), kThreads, 0, s>>>(ptr<T>(x), mutable_ptr<T>(out),
                                                                                  lines);
            check_launch("sum_lines_warp");
        } else {
            sum_lines_block<<<blocks_for(lines.count() * kThreads), kThreads, 0, s>>>(ptr<T>(x), mutable_ptr<T>(out),
                                                                                      lines);
            check_launch("sum_lines_block");
        }
    });
    return out;
}

Tensor broadcast_to(const Tensor& x, const Shape& shape) {
    const DeviceScope scope(x.device());
    Tensor out = Tensor::empty(shape, x.dtype(), x.device());
    dispatch_floating(x.dtype(), [&]<class T>() { broadcast_map<T, 1>({&x}, out, Copy{}, "broadcast_to"); });
    return out;
}

}  // namespace hypertape::gpu
