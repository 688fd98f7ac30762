#include "hypertape/tape/device.hpp"

#include "hypertape/tape/error.hpp"

#if HYPERTAPE_HAS_CUDA
#include "hypertape/gpu/runtime.hpp"
#endif

namespace hypertape {

#if HYPERTAPE_HAS_CUDA
bool cuda_built() { return true; }
int cuda_device_count() { return gpu::device_count(); }
DeviceSyncCounters device_sync_counters() { return gpu::sync_counters(); }
void set_cuda_allow_tf32(bool allow) { gpu::set_allow_tf32(allow); }
#else
bool cuda_built() { return false; }
int cuda_device_count() { return 0; }
DeviceSyncCounters device_sync_counters() { return {}; }
void set_cuda_allow_tf32(bool allow) {
    if (allow) fail("set_cuda_allow_tf32: this build has no CUDA backend");
}
#endif

}  // namespace hypertape
