// CUDA kernels of the layout ops: copies that move elements without arithmetic. swap_axes maps
// each output element to its source, with a tiled transpose for the last two axes of a batch of
// matrices; copy_range moves a range along an axis (slice, pad and concat are made of it).
#include <algorithm>
#include <utility>

#include "hypertape/gpu/cuda.cuh"
#include "hypertape/gpu/layout.hpp"
#include "hypertape/ops/math/layout.hpp"

namespace hypertape::gpu {
namespace {

using math::extent_product;

// x seen as [outer, d0, mid, d1, inner]: the output [outer, d1, mid, d0, inner].
struct SwapView {
    std::int64_t outer, d0, mid, d1, inner;
};

template <class T>
__global__ void swap_axes_kernel(const T* x, T* out, SwapView v, std::int64_t n) {
    HT_GRID_STRIDE(i, n) {
        std::int64_t t = i;
        const std::int64_t e = t % v.inner;
        t /= v.inner;
        const std::int64_t j0 = t % v.d0;
        t /= v.d0;
        const std::int64_t m = t % v.mid;
        t /= v.mid;
        const std::int64_t j1 = t % v.d1;
        const std::int64_t o = t / v.d1;
        out[i] = x[(((o * v.d0 + j0) * v.mid + m) * v.d1 + j1) * v.inner + e];
    }
}

constexpr int kTile = 32;
constexpr int kTileRows = kThreads / kTile;  // rows of a tile one pass of the block covers

// out[b] = x[b]^T for a batch of rows x cols matrices. A block reads a 32x32 tile with coalesced
// loads into shared memory and writes it transposed with coalesced stores; grid-stride over tiles.
template <class T>
__global__ void transpose_tiles(const T* x, T* out, std::int64_t batch, std::int64_t rows, std::int64_t cols) {
    __shared__ T tile[kTile][kTile + 1];  // the padding column keeps the transposed reads free of bank conflicts
    const std::int64_t tiles_r = (rows + kTile - 1) / kTile;
    const std::int64_t tiles_c = (cols + kTile - 1) / kTile;
    const int tx = static_cast<int>(threadIdx.x) % kTile;
    const int ty = static_cast<int>(threadIdx.x) / kTile;
    for (std::int64_t t = blockIdx.x; t < batch * tiles_r * tiles_c; t += gridDim.x) {
        const std::int64_t tc = t % tiles_c;
        const std::int64_t tr = t / tiles_c % tiles_r;
        const std::int64_t b = t / (tiles_c * tiles_r);
        const T* src = x + b * rows * cols;
        T* dst = out + b * rows * cols;
        const std::int64_t col = tc * kTile + tx;
        for (int r = ty; r < kTile; r += kTileRows) {
            const std::int64_t row = tr * kTile + r;
            if (row < rows && col < cols) tile[r][tx] = src[row * cols + col];
        }
        __syncthreads();
        // Output row tc*32 + r (a column of x), output column tr*32 + tx (a row of x).
        const std::int64_t out_col = tr * kTile + tx;
        for (int r = ty; r < kTile; r += kTileRows) {
            const std::int64_t out_row = tc * kTile + r;
            if (out_row < cols && out_col < rows) dst[out_row * rows + out_col] = tile[tx][r];
        }
        __syncthreads();  // the tile is refilled by the block's next iteration
    }
}

// dst and src seen as [outer, len, inner] around the axis: dst[o, dst_at + c, e] =
// src[o, src_at + c, e] for c < count.
struct RangeCopy {
    std::int64_t src_len, src_at, dst_len, dst_at, inner, run;  // run = count * inner
};

template <class T>
__global__ void copy_range_kernel(const T* src, T* dst, RangeCopy c, std::int64_t n) {
    HT_GRID_STRIDE(i, n) {
        const std::int64_t o = i / c.run;
        const std::int64_t e = i - o * c.run;
        dst[(o * c.dst_len + c.dst_at) * c.inner + e] = src[(o * c.src_len + c.src_at) * c.inner + e];
    }
}

}  // namespace

void copy_range(const Tensor& src, std::int64_t src_at, Tensor& dst, std::int64_t dst_at, std::int64_t count,
                int axis) {
    const DeviceScope scope(dst.device());
    const Shape& s = dst.shape();
    const std::int64_t outer = extent_product(s, 0, axis);
    const std::int64_t inner = extent_product(s, axis + 1, s.rank());
    const RangeCopy c{src.shape()[axis], src_at, s[axis], dst_at, inner, count * inner};
    const std::int64_t n = outer * c.run;
    if (n == 0) return;
    dispatch_floating(src.dtype(), [&]<class T>() {
        copy_range_kernel<<<blocks_for(n), kThreads, 0, stream(dst.device())>>>(ptr<T>(src), mutable_ptr<T>(dst), c, n);
        check_launch("copy_range_kernel");
    });
}

Tensor swap_axes(const Tensor& x, int axis0, int axis1) {
    const DeviceScope scope(x.device());
    const auto [lo, hi] = std::minmax(axis0, axis1);
    const Shape& s = x.shape();
    const SwapView v{extent_product(s, 0, lo), s[lo], extent_product(s, lo + 1, hi), s[hi],
                     extent_product(s, hi + 1, s.rank())};
    Shape::Dims swapped = s.dims();
    std::swap(swapped[lo], swapped[hi]);
    Tensor out = Tensor::empty(Shape(swapped), x.dtype(), x.device());
    const std::int64_t n = x.numel();
    if (n == 0) return out;
    const cudaStream_t st = stream(x.device());
    // An axis swapped with itself, or two axes with nothing between them (mid == 1) one of which
    // has extent 1, leave every element where it was. (With mid > 1 an extent-1 axis still moves
    // the other one across mid.)
    if (lo == hi || (v.mid == 1 && (v.d0 == 1 || v.d1 == 1))) {
        HT_CUDA(cudaMemcpyAsync(out.mutable_raw(), x.raw(), x.nbytes(), cudaMemcpyDeviceToDevice, st));
        return out;
    }
    dispatch_floating(x.dtype(), [&]<class T>() {
        if (v.mid == 1 && v.inner == 1) {
            const std::int64_t tiles = v.outer * ((v.d0 + kTile - 1) / kTile) * ((v.d1 + kTile - 1) / kTile);
            transpose_tiles<<<blocks_for(tiles * kThreads), kThreads, 0, st>>>(ptr<T>(x), mutable_ptr<T>(out), v.outer,
                                                                               v.d0, v.d1);
            check_launch("transpose_tiles");
        } else {
            swap_axes_kernel<<<blocks_for(n), kThreads, 0, st>>>(ptr<T>(x), mutable_ptr<T>(out), v, n);
            check_launch("swap_axes_kernel");
        }
    });
    return out;
}

}  // namespace hypertape::gpu
