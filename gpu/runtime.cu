// The CUDA runtime: status checks, device selection, one stream and one cuBLAS handle per device,
// and the synchronisation counters.
#include <array>
#include <atomic>
#include <mutex>

#include "hypertape/gpu/allocator.hpp"
#include "hypertape/gpu/cuda.cuh"
#include "hypertape/tape/error.hpp"

namespace hypertape::gpu {
namespace {

constexpr int kMaxDevices = 16;
// cuBLAS's workspace: enough for its gemm kernels on Hopper (NVIDIA recommends 32 MiB there).
constexpr std::size_t kCublasWorkspaceBytes = std::size_t{32} << 20;

std::atomic<std::uint64_t> synchronizations{0};
std::atomic<std::uint64_t> device_to_host_copies{0};
std::atomic<bool> tf32_allowed{false};

struct DeviceHandles {
    std::once_flag once;
    cudaStream_t stream = nullptr;
    cublasHandle_t cublas = nullptr;
    void* workspace = nullptr;
};

// Created on first use and kept for the life of the process: destroying streams and handles
// from a static destructor can run after the CUDA runtime has shut down.
std::array<DeviceHandles, kMaxDevices>& handles() {
    static auto* all = new std::array<DeviceHandles, kMaxDevices>();
    return *all;
}

DeviceHandles& handles_of(Device device) {
    check_device("cuda", device);
    DeviceHandles& h = handles()[static_cast<std::size_t>(device.index)];
    std::call_once(h.once, [&] {
        const DeviceScope scope(device);
        HT_CUDA(cudaStreamCreateWithFlags(&h.stream, cudaStreamNonBlocking));
        check(cublasCreate(&h.cublas), "cublasCreate");
        check(cublasSetStream(h.cublas, h.stream), "cublasSetStream");
        // A workspace of our own keeps cuBLAS from allocating behind the allocator's counters and
        // makes its results deterministic run to run on one stream.
        h.workspace = CudaAllocator::of(device.index).allocate(kCublasWorkspaceBytes);
        check(cublasSetWorkspace(h.cublas, h.workspace, kCublasWorkspaceBytes), "cublasSetWorkspace");
    });
    return h;
}

}  // namespace

void check(cudaError_t status, const char* call) {
    if (status == cudaSuccess) return;
    cudaGetLastError();  // clear a sticky launch error so the next check does not report it again
    fail("CUDA error in ", call, ": ", cudaGetErrorName(status), ": ", cudaGetErrorString(status));
}

void check(cublasStatus_t status, const char* call) {
    if (status == CUBLAS_STATUS_SUCCESS) return;
    fail("cuBLAS error in ", call, ": ", cublasGetStatusName(status), ": ", cublasGetStatusString(status));
}

void check_launch(const char* kernel) { check(cudaGetLastError(), kernel); }

int device_count() {
    static const int count = [] {
        int n = 0;
        if (cudaGetDeviceCount(&n) != cudaSuccess) {
            cudaGetLastError();
            return 0;
        }
        return n < kMaxDevices ? n : kMaxDevices;
    }();
    return count;
}

void check_device(const char* op, Device device) {
    if (device.kind != Device::Kind::cuda) fail(op, ": ", device.name(), " is not a CUDA device");
    const int n = device_count();
    if (device.index < 0 || device.index >= n) {
        fail(op, ": device ", device.name(), " does not exist (", n, " CUDA device", n == 1 ? "" : "s", " found)");
    }
}

DeviceScope::DeviceScope(Device device) {
    HT_CUDA(cudaGetDevice(&previous_));
    if (previous_ != device.index) {
        HT_CUDA(cudaSetDevice(device.index));
        changed_ = true;
    }
}

DeviceScope::~DeviceScope() {
    if (changed_) cudaSetDevice(previous_);
}

cudaStream_t stream(Device device) { return handles_of(device).stream; }

cublasHandle_t cublas(Device device) { return handles_of(device).cublas; }

void synchronize(Device device) {
    count_synchronization();
    HT_CUDA(cudaStreamSynchronize(stream(device)));
}

DeviceSyncCounters sync_counters() { return {synchronizations.load(), device_to_host_copies.load()}; }
void count_synchronization() { synchronizations.fetch_add(1); }
void count_device_to_host_copy() { device_to_host_copies.fetch_add(1); }

void set_allow_tf32(bool allow) { tf32_allowed.store(allow); }
bool allow_tf32() { return tf32_allowed.load(); }

}  // namespace hypertape::gpu
