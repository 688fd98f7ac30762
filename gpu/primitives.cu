// CUDA kernels of the tensor primitives: fill, copies within and across devices, dtype
// conversion, and the finiteness checks (one that answers on the host, one that only leaves a flag
// on the device for a later read).
#include "hypertape/gpu/cuda.cuh"
#include "hypertape/gpu/primitives.hpp"
#include "hypertape/ops/math/binary.hpp"

namespace hypertape::gpu {
namespace {

template <class T>
__global__ void fill_kernel(T* out, std::int64_t n, T value) {
    HT_GRID_STRIDE(i, n) { out[i] = value; }
}

template <class From, class To>
__global__ void convert_kernel(const From* in, To* out, std::int64_t n) {
    HT_GRID_STRIDE(i, n) { out[i] = static_cast<To>(in[i]); }
}

// Leaves `tag` in *flag, keeping the smallest tag, where any element is NaN or +-Inf.
template <class T>
__global__ void flag_kernel(const T* x, std::int64_t n, long long* flag, long long tag) {
    HT_GRID_STRIDE(i, n) {
        if (!math::is_finite(x[i])) atomicMin(flag, tag);
    }
}

void launch_flag(const Tensor& x, Tensor& flag, std::int64_t tag) {
    const std::int64_t n = x.numel();
    auto* f = reinterpret_cast<long long*>(mutable_ptr<std::int64_t>(flag));
    dispatch_floating(x.dtype(), [&]<class T>() {
        flag_kernel<<<blocks_for(n), kThreads, 0, stream(x.device())>>>(ptr<T>(x), n, f, tag);
    });
    check_launch("flag_nonfinite");
}

// The copy direction between two tensors, at least one of them on a CUDA device.
cudaMemcpyKind direction(const Tensor& from, const Tensor& to) {
    const bool from_host = from.device().kind == Device::Kind::cpu;
    const bool to_host = to.device().kind == Device::Kind::cpu;
    if (from_host) return cudaMemcpyHostToDevice;
    return to_host ? cudaMemcpyDeviceToHost : cudaMemcpyDeviceToDevice;
}

}  // namespace

void fill(Tensor& out, double value) {
    const DeviceScope scope(out.device());
    const std::int64_t n = out.numel();
    cudaStream_t s = stream(out.device());
    switch (out.dtype()) {
        case DType::f32:
            fill_kernel<<<blocks_for(n), kThreads, 0, s>>>(mutable_ptr<float>(out), n, static_cast<float>(value));
            break;
        case DType::f64:
            fill_kernel<<<blocks_for(n), kThreads, 0, s>>>(mutable_ptr<double>(out), n, value);
            break;
        case DType::i64:
            fill_kernel<<<blocks_for(n), kThreads, 0, s>>>(mutable_ptr<std::int64_t>(out), n,
                                                           static_cast<std::int64_t>(value));
            break;
    }
    check_launch("fill");
}

void copy(const Tensor& from, Tensor& to) {
    const std::size_t bytes = from.nbytes();
    if (bytes == 0) return;
    const cudaMemcpyKind kind = direction(from, to);
    const Device device = kind == cudaMemcpyHostToDevice ? to.device() : from.device();
    const DeviceScope scope(device);
    cudaStream_t s = stream(device);
    if (kind == cudaMemcpyDeviceToDevice && from.device() != to.device()) {
        // Ordered after the source's work on its stream; the destination's stream waits for it.
        HT_CUDA(cudaMemcpyPeerAsync(to.mutable_raw(), to.device().index, from.raw(), from.device().index, bytes, s));
        cudaEvent_t done;
        HT_CUDA(cudaEventCreateWithFlags(&done, cudaEventDisableTiming));
        HT_CUDA(cudaEventRecord(done, s));
        HT_CUDA(cudaStreamWaitEvent(stream(to.device()), done, 0));
        HT_CUDA(cudaEventDestroy(done));
        return;
    }
    HT_CUDA(cudaMemcpyAsync(to.mutable_raw(), from.raw(), bytes, kind, s));
    if (kind == cudaMemcpyDeviceToHost) {
        // The host reads the data as soon as this returns.
        count_device_to_host_copy();
        synchronize(device);
    }
}

void convert(const Tensor& from, Tensor& to) {
    const DeviceScope scope(from.device());
    const std::int64_t n = from.numel();
    dispatch_floating(from.dtype(), [&]<class From>() {
        dispatch_floating(to.dtype(), [&]<class To>() {
            convert_kernel<<<blocks_for(n), kThreads, 0, stream(from.device())>>>(ptr<From>(from), mutable_ptr<To>(to),
                                                                                  n);
        });
    });
    check_launch("convert");
}

bool all_finite(const Tensor& x) {
    if (!is_floating(x.dtype()) || x.numel() == 0) return true;
    const DeviceScope scope(x.device());
    Tensor flag = Tensor::ones(Shape{}, DType::i64, x.device());
    launch_flag(x, flag, 0);  // 1 becomes 0 at the first NaN or Inf
    return flag.item() == 1;  // a counted copy to the host
}

void flag_nonfinite(const Tensor& x, Tensor& first_bad, std::int64_t tag) {
    if (!is_floating(x.dtype()) || x.numel() == 0) return;
    const DeviceScope scope(x.device());
    launch_flag(x, first_bad, tag);
}

}  // namespace hypertape::gpu
