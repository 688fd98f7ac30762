#pragma once
// The kernels' side of the CUDA runtime (gpu/runtime.hpp is the library's side): status checks
// that turn every CUDA, cuBLAS and CUB error into a hypertape::Error naming the call, the stream
// and cuBLAS handle of a device, and launch shapes. Included only by gpu/*.cu.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>

#include "hypertape/gpu/runtime.hpp"
#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

// Throws hypertape::Error "CUDA error in <call>: <name>: <description>" unless status is success.
void check(cudaError_t status, const char* call);
void check(cublasStatus_t status, const char* call);

// HT_CUDA(cudaMemsetAsync(...)) checks a call and names it in the error.
#define HT_CUDA(call) ::hypertape::gpu::check((call), #call)

// Makes `device` current for the scope, and restores the previous device after.
class DeviceScope {
public:
    explicit DeviceScope(Device device);
    ~DeviceScope();
    DeviceScope(const DeviceScope&) = delete;
    DeviceScope& operator=(const DeviceScope&) = delete;

private:
    int previous_ = 0;
    bool changed_ = false;
};

// The one stream every kernel and copy on `device` runs on (created on first use). One stream per
// device orders all work, which is what lets the caching allocator reuse a block at once.
cudaStream_t stream(Device device);
// The device's cuBLAS handle, bound to its stream, with its workspace from the CudaAllocator.
cublasHandle_t cublas(Device device);

// Checks the launch that precedes it (cudaGetLastError), naming the kernel.
void check_launch(const char* kernel);

inline constexpr int kThreads = 256;

// Blocks of kThreads for n elements, capped: kernels loop over the rest (grid-stride loops).
inline unsigned blocks_for(std::int64_t n) {
    const std::int64_t blocks = (n + kThreads - 1) / kThreads;
    return static_cast<unsigned>(blocks < 1 ? 1 : (blocks > 65535 * 8 ? 65535 * 8 : blocks));
}

// Typed device pointers of a tensor (the tensor's device and dtype are the caller's business).
template <class T>
const T* ptr(const Tensor& t) {
    return static_cast<const T*>(t.raw());
}
template <class T>
T* mutable_ptr(Tensor& t) {
    return static_cast<T*>(t.mutable_raw());
}

// for (i = global thread index; i < n; i += grid size): the loop of every elementwise kernel.
#define HT_GRID_STRIDE(i, n)                                                                         \
    for (std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
         i += static_cast<std::int64_t>(gridDim.x) * blockDim.x)

}  // namespace hypertape::gpu
