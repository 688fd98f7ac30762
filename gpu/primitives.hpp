#pragma once
// CUDA kernels of the tensor primitives, mirroring ops/cpu/primitives.hpp. copy also moves
// data between the host and a device (cudaMemcpyAsync on the device's stream; a copy to the host
// waits for it and is counted in the runtime's synchronisation counters).
#include <cstdint>

#include "hypertape/tape/tensor.hpp"

namespace hypertape::gpu {

void fill(Tensor& out, double value);
void copy(const Tensor& from, Tensor& to);
void convert(const Tensor& from, Tensor& to);
bool all_finite(const Tensor& x);
void flag_nonfinite(const Tensor& x, Tensor& first_bad, std::int64_t tag);

}  // namespace hypertape::gpu
