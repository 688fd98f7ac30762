#pragma once
// Where a tensor's storage lives. Every op checks that its operands share one device and then
// dispatches once to that device's kernels (ops/kernels.hpp).
#include <cstdint>
#include <string>

namespace hypertape {

struct Device {
    enum class Kind { cpu, cuda };
    Kind kind = Kind::cpu;
    int index = 0;

    static constexpr Device cpu() { return {Kind::cpu, 0}; }
    static constexpr Device cuda(int i) { return {Kind::cuda, i}; }

    friend constexpr bool operator==(Device, Device) = default;

    std::string name() const { return kind == Kind::cpu ? std::string("cpu") : "cuda:" + std::to_string(index); }
};

// Whether this build has the CUDA backend (gpu/).
bool cuda_built();
// CUDA devices usable now: 0 in a CPU-only build and on a machine without a driver or device.
int cuda_device_count();

// How often the library has waited for a device, and how many of those waits were copies of
// device data to the host (item(), to_vector(), all_finite(), index range checks), since the
// process started. Inner steps on the GPU do neither; tests assert that through these counters.
struct DeviceSyncCounters {
    std::uint64_t synchronizations = 0;
    std::uint64_t device_to_host_copies = 0;
};
DeviceSyncCounters device_sync_counters();

// Lets float32 products on CUDA devices use TF32 tensor cores (10-bit mantissa products, about
// 1e-3 relative error; off by default, so float32 products are computed in FP32).
void set_cuda_allow_tf32(bool allow);

}  // namespace hypertape
