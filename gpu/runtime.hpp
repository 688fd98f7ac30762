#pragma once
// The CUDA runtime as the rest of the library sees it: device selection, one stream and one
// cuBLAS handle per device, and counters of every synchronisation and device-to-host copy the
// library makes. Plain C++: no CUDA header is needed to include it. The kernels' side of it
// (streams, handles, status checks) is gpu/cuda.cuh.
#include <cstdint>

#include "hypertape/tape/device.hpp"

namespace hypertape::gpu {

// Devices the driver reports; 0 when there is no driver or no device (never throws).
int device_count();
// Throws hypertape::Error naming `op` unless `device` is a CUDA device that exists.
void check_device(const char* op, Device device);
// Waits until the device's stream has finished its work; counted.
void synchronize(Device device);

// Counters since the process started; see tape/device.hpp.
DeviceSyncCounters sync_counters();
void count_synchronization();
void count_device_to_host_copy();

// TF32 tensor-core math for float32 products (off by default).
void set_allow_tf32(bool allow);
bool allow_tf32();

}  // namespace hypertape::gpu
