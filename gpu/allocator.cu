// CudaAllocator: size classes, free lists per class, exact counters, one retry after releasing
// the cache on out-of-memory.
#include <array>
#include <map>
#include <mutex>
#include <vector>

#include "hypertape/gpu/allocator.hpp"
#include "hypertape/gpu/cuda.cuh"
#include "hypertape/tape/error.hpp"

namespace hypertape::gpu {
namespace {

constexpr std::size_t kSmallQuantum = 512;  // classes up to 1 MiB: multiples of 512 B
constexpr std::size_t kSmallLimit = std::size_t{1} << 20;
constexpr std::size_t kLargeQuantum = std::size_t{2} << 20;  // above: multiples of 2 MiB
constexpr int kMaxDevices = 16;

std::size_t round_up(std::size_t bytes, std::size_t quantum) { return (bytes + quantum - 1) / quantum * quantum; }

std::size_t class_bytes(std::size_t bytes) {
    return bytes <= kSmallLimit ? round_up(bytes, kSmallQuantum) : round_up(bytes, kLargeQuantum);
}

}  // namespace

struct CudaAllocator::Cache {
    int device = 0;
    mutable std::mutex mutex;
    MemoryCounters counters;
    std::map<std::size_t, std::vector<void*>> free_blocks;  // by class size

    // cudaFree of every cached block; the caller holds the mutex.
    void free_cached() {
        const DeviceScope scope(Device::cuda(device));
        for (auto& [size, blocks] : free_blocks) {
            for (void* block : blocks) cudaFree(block);
            counters.reserved_bytes -= size * blocks.size();
        }
        free_blocks.clear();
    }
};

CudaAllocator::CudaAllocator(int index) : cache_(std::make_unique<Cache>()) { cache_->device = index; }

CudaAllocator::~CudaAllocator() {
    std::lock_guard lock(cache_->mutex);
    cache_->free_cached();
}

CudaAllocator& CudaAllocator::of(int index) {
    check_device("allocator", Device::cuda(index));
    // One per device for the life of the process, never destroyed: tensors held by static objects
    // may be freed after any static allocator would be, and the driver reclaims device memory at exit.
    static auto* allocators = new std::array<std::unique_ptr<CudaAllocator>, kMaxDevices>();
    static std::mutex creation;
    std::lock_guard lock(creation);
    auto& slot = (*allocators)[static_cast<std::size_t>(index)];
    if (!slot) slot.reset(new CudaAllocator(index));
    return *slot;
}

void* CudaAllocator::allocate(std::size_t bytes) {
    if (bytes == 0) return nullptr;
    if (bytes > (std::size_t{1} << 52)) fail("allocate: ", bytes, " bytes on cuda:", cache_->device, " is too large");
    const std::size_t size = class_bytes(bytes);
    std::lock_guard lock(cache_->mutex);
    auto& c = cache_->counters;
    void* block = nullptr;
    if (auto it = cache_->free_blocks.find(size); it != cache_->free_blocks.end() && !it->second.empty()) {
        block = it->second.back();
        it->second.pop_back();
    } else {
        const DeviceScope scope(Device::cuda(cache_->device));
        cudaError_t status = cudaMalloc(&block, size);
        if (status == cudaErrorMemoryAllocation) {
            cudaGetLastError();
            cache_->free_cached();
            status = cudaMalloc(&block, size);
        }
        if (status == cudaErrorMemoryAllocation) {
            cudaGetLastError();
            fail("allocate: out of memory on cuda:", cache_->device, " for ", bytes, " bytes (", size,
                 " with rounding); this allocator holds ", c.reserved_bytes, " bytes, ", c.live_bytes, " of them live");
        }
        check(status, "cudaMalloc");
        c.reserved_bytes += size;
    }
    c.live_bytes += bytes;
    c.live_blocks += 1;
    if (c.live_bytes > c.peak_bytes) c.peak_bytes = c.live_bytes;
    return block;
}

void CudaAllocator::deallocate(void* block, std::size_t bytes) {
    if (block == nullptr) return;
    std::lock_guard lock(cache_->mutex);
    cache_->free_blocks[class_bytes(bytes)].push_back(block);
    cache_->counters.live_bytes -= bytes;
    cache_->counters.live_blocks -= 1;
}

MemoryCounters CudaAllocator::counters() const {
    std::lock_guard lock(cache_->mutex);
    return cache_->counters;
}

void CudaAllocator::reset_peak() {
    std::lock_guard lock(cache_->mutex);
    cache_->counters.peak_bytes = cache_->counters.live_bytes;
}

void CudaAllocator::release_cache() {
    std::lock_guard lock(cache_->mutex);
    cache_->free_cached();
}

}  // namespace hypertape::gpu
