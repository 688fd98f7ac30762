// CUDA kernels of the indexing ops (gpu/index.hpp), mirroring ops/cpu/index.cpp. scatter_add adds
// without atomics, in index order: a stable radix sort of (index, position) pairs groups each output
// slice's contributions with their positions ascending, and one thread per output element adds
// them from 0 in that order, as the CPU kernel's sequential dst += src does.
#include <algorithm>
#include <bit>
#include <cstdint>
#include <cub/block/block_reduce.cuh>
#include <cub/device/device_radix_sort.cuh>

#include "hypertape/gpu/cuda.cuh"
#include "hypertape/gpu/index.hpp"
#include "hypertape/ops/math/layout.hpp"

namespace hypertape::gpu {
namespace {

struct MinOf {
    __device__ std::int64_t operator()(std::int64_t a, std::int64_t b) const { return math::min_of(a, b); }
};

// Lowers *first (which starts at n) to the smallest position of an index outside [0, bound). The
// minimum does not depend on the order of the atomics.
__global__ void first_out_of_range_kernel(const std::int64_t* idx, std::int64_t n, std::int64_t bound,
                                          std::int64_t* first) {
    using Reduce = cub::BlockReduce<std::int64_t, kThreads>;
    __shared__ typename Reduce::TempStorage storage;
    std::int64_t local = n;
    // A thread's positions increase, so its first bad one is its smallest.
    HT_GRID_STRIDE(i, n) {
        if (idx[i] < 0 || idx[i] >= bound) {
            local = i;
            break;
        }
    }
    local = Reduce(storage).Reduce(local, MinOf{});
    if (threadIdx.x == 0 && local < n) atomicMin(reinterpret_cast<long long*>(first), static_cast<long long>(local));
}

// out viewed as [outer, count, inner] reads x viewed as [outer, len, inner] at index idx[k].
template <class T>
__global__ void gather_kernel(const T* x, const std::int64_t* idx, T* out, std::int64_t n, std::int64_t count,
                              std::int64_t len, std::int64_t inner) {
    HT_GRID_STRIDE(e, n) {
        const std::int64_t r = e / inner;
        const std::int64_t i = e - r * inner;
        const std::int64_t o = r / count;
        out[e] = x[(o * len + idx[r - o * count]) * inner + i];
    }
}

__global__ void iota_kernel(std::int64_t* out, std::int64_t n) { HT_GRID_STRIDE(i, n) out[i] = i; }

// The first position of sorted `keys` whose key is not below `key`.
__device__ std::int64_t lower_bound(const std::int64_t* keys, std::int64_t count, std::int64_t key) {
    std::int64_t lo = 0;
    std::int64_t hi = count;
    while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        if (keys[mid] < key) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

// out viewed as [outer, len, inner] gets, at (o, j, i), the sum over k with idx[k] == j of g viewed
// as [outer, count, inner] at (o, k, i), in increasing k. keys are idx sorted, positions their k's.
template <class T>
__global__ void scatter_add_kernel(const T* g, const std::int64_t* keys, const std::int64_t* positions, T* out,
                                   std::int64_t n, std::int64_t count, std::int64_t len, std::int64_t inner) {
    HT_GRID_STRIDE(e, n) {
        const std::int64_t r = e / inner;
        const std::int64_t i = e - r * inner;
        const std::int64_t o = r / len;
        const std::int64_t j = r - o * len;
        T sum = T(0);
        for (std::int64_t p = lower_bound(keys, count, j); p < count && keys[p] == j; ++p) {
            sum += g[(o * count + positions[p]) * inner + i];
        }
        out[e] = sum;
    }
}

template <class T>
__global__ void one_hot_kernel(const std::int64_t* y, T* out, std::int64_t n, std::int64_t classes) {
    HT_GRID_STRIDE(i, n) out[i * classes + y[i]] = T(1);
}

}  // namespace

std::int64_t first_out_of_range(const Tensor& indices, std::int64_t bound) {
    const std::int64_t n = indices.numel();
    if (n == 0) return -1;
    const Device device = indices.device();
    const DeviceScope scope(device);
    // n (an element count, far below 2^53) is exact as a double.
    Tensor first = Tensor::full(Shape{}, static_cast<double>(n), i64, device);
    first_out_of_range_kernel<<<blocks_for(n), kThreads, 0, stream(device)>>>(ptr<std::int64_t>(indices), n, bound,
                                                                              mutable_ptr<std::int64_t>(first));
    check_launch("first_out_of_range");
    const auto at = static_cast<std::int64_t>(first.item());  // a counted copy to the host
    return at < n ? at : -1;
}

Tensor gather(const Tensor& x, const Tensor& indices, int axis, const Shape& out_shape) {
    const Device device = x.device();
    const DeviceScope scope(device);
    Tensor out = Tensor::empty(out_shape, x.dtype(), device);
    const std::int64_t n = out.numel();
    if (n == 0) return out;
    const math::AxisLines s(x.shape(), axis);
    dispatch_floating(x.dtype(), [&]<class T>() {
        gather_kernel<T><<<blocks_for(n), kThreads, 0, stream(device)>>>(
            ptr<T>(x), ptr<std::int64_t>(indices), mutable_ptr<T>(out), n, indices.numel(), s.len, s.inner);
    });
    check_launch("gather");
    return out;
}

Tensor scatter_add(const Tensor& g, const Tensor& indices, int axis, const Shape& shape) {
    const Device device = g.device();
    const DeviceScope scope(device);
    const std::int64_t n = shape.numel();
    const std::int64_t count = indices.numel();
    if (n == 0 || count == 0) return Tensor::zeros(shape, g.dtype(), device);
    const math::AxisLines s(shape, axis);
    cudaStream_t st = stream(device);

    // Sort (index, position) pairs by index; the sort is stable, so equal indices keep their
    // positions ascending. Indices lie in [0, len), so only their low bits need sorting.
    Tensor positions = Tensor::empty(Shape{count}, i64, device);
    iota_kernel<<<blocks_for(count), kThreads, 0, st>>>(mutable_ptr<std::int64_t>(positions), count);
    check_launch("scatter_add positions");
    Tensor sorted_keys = Tensor::empty(Shape{count}, i64, device);
    Tensor sorted_positions = Tensor::empty(Shape{count}, i64, device);
    const int end_bit = std::max(1, static_cast<int>(std::bit_width(static_cast<std::uint64_t>(s.len - 1))));
    const auto sort = [&](void* temp, std::size_t& temp_bytes) {
        check(cub::DeviceRadixSort::SortPairs(temp, temp_bytes, ptr<std::int64_t>(indices),
                                              mutable_ptr<std::int64_t>(sorted_keys), ptr<std::int64_t>(positions),
                                              mutable_ptr<std::int64_t>(sorted_positions), count, 0, end_bit, st),
              "cub::DeviceRadixSort::SortPairs");
    };
    std::size_t temp_bytes = 0;
    sort(nullptr, temp_bytes);  // the size query: host only, no device work
    // At least one element, since a null temp pointer would make the call another size query.
    const auto temp_words = static_cast<std::int64_t>(std::max<std::size_t>(1, (temp_bytes + 7) / 8));
    Tensor temp = Tensor::empty(Shape{temp_words}, i64, device);
    sort(temp.mutable_raw(), temp_bytes);

    Tensor out = Tensor::empty(shape, g.dtype(), device);
    dispatch_floating(g.dtype(), [&]<class T>() {
        scatter_add_kernel<T><<<blocks_for(n), kThreads, 0, st>>>(ptr<T>(g), ptr<std::int64_t>(sorted_keys),
                                                                  ptr<std::int64_t>(sorted_positions),
                                                                  mutable_ptr<T>(out), n, count, s.len, s.inner);
    });
    check_launch("scatter_add");
    return out;
}

Tensor one_hot(const Tensor& labels, std::int64_t classes, DType dtype) {
    const Device device = labels.device();
    const DeviceScope scope(device);
    Shape::Dims dims = labels.shape().dims();
    dims.push_back(classes);
    Tensor out = Tensor::zeros(Shape(dims), dtype, device);
    const std::int64_t n = labels.numel();
    if (n == 0) return out;
    dispatch_floating(dtype, [&]<class T>() {
        one_hot_kernel<T><<<blocks_for(n), kThreads, 0, stream(device)>>>(ptr<std::int64_t>(labels),
                                                                          mutable_ptr<T>(out), n, classes);
    });
    check_launch("one_hot");
    return out;
}

}  // namespace hypertape::gpu
