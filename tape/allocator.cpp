#include "hypertape/tape/allocator.hpp"

#include <array>
#include <bit>
#include <boost/pool/pool.hpp>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

#include "hypertape/tape/error.hpp"

#if HYPERTAPE_HAS_CUDA
#include "hypertape/gpu/allocator.hpp"
#endif

namespace hypertape {
namespace {

constexpr int kMinClassLog2 = 6;    // 64 bytes
constexpr int kPoolClassLog2 = 12;  // classes up to 4 KiB come from Boost.Pool
constexpr int kClassCount = 48;     // classes up to 2^53 bytes
constexpr std::size_t kLargeAlignment = 64;

int class_log2(std::size_t bytes) {
    const int log2 = static_cast<int>(std::bit_width(bytes - 1));
    return log2 < kMinClassLog2 ? kMinClassLog2 : log2;
}

}  // namespace

struct HostAllocator::Pools {
    std::mutex mutex;
    MemoryCounters counters;
    // small_pools[k] serves class 2^k for kMinClassLog2 <= k <= kPoolClassLog2.
    std::array<std::unique_ptr<boost::pool<>>, kPoolClassLog2 + 1> small_pools;
    // Chunks returned to each small pool and not yet handed out again.
    std::array<std::size_t, kPoolClassLog2 + 1> small_free{};
    std::array<std::vector<void*>, kClassCount> cached_large;

    Pools() {
        for (int k = kMinClassLog2; k <= kPoolClassLog2; ++k) {
            small_pools[static_cast<std::size_t>(k)] = std::make_unique<boost::pool<>>(std::size_t{1} << k);
        }
    }

    void free_cached() {
        for (int k = kPoolClassLog2 + 1; k < kClassCount; ++k) {
            auto& list = cached_large[static_cast<std::size_t>(k)];
            for (void* block : list) std::free(block);
            counters.reserved_bytes -= list.size() * (std::size_t{1} << k);
            list.clear();
        }
    }
};

HostAllocator::HostAllocator() : pools_(std::make_unique<Pools>()) {}

HostAllocator::~HostAllocator() { pools_->free_cached(); }

HostAllocator& HostAllocator::instance() {
    static HostAllocator allocator;
    return allocator;
}

Allocator& allocator_for(Device device) {
    if (device.kind == Device::Kind::cpu) return HostAllocator::instance();
#if HYPERTAPE_HAS_CUDA
    return gpu::CudaAllocator::of(device.index);
#else
    fail("allocator: device ", device.name(), " is not available in this build (built without CUDA)");
#endif
}

void* HostAllocator::allocate(std::size_t bytes) {
    if (bytes == 0) return nullptr;
    const int k = class_log2(bytes);
    if (k >= kClassCount) fail("allocate: ", bytes, " bytes exceed the largest size class");
    const std::size_t class_bytes = std::size_t{1} << k;

    std::lock_guard lock(pools_->mutex);
    void* block = nullptr;
    bool reused = false;
    if (k <= kPoolClassLog2) {
        auto& free_chunks = pools_->small_free[static_cast<std::size_t>(k)];
        reused = free_chunks > 0;
        if (reused) --free_chunks;
        block = pools_->small_pools[static_cast<std::size_t>(k)]->malloc();
    } else {
        auto& list = pools_->cached_large[static_cast<std::size_t>(k)];
        if (!list.empty()) {
            block = list.back();
            list.pop_back();
            reused = true;
        } else {
            block = std::aligned_alloc(kLargeAlignment, class_bytes);
        }
    }
    if (block == nullptr) fail("allocate: out of host memory for ", bytes, " bytes");

    auto& c = pools_->counters;
    c.live_bytes += bytes;
    c.live_blocks += 1;
    if (!reused) c.reserved_bytes += class_bytes;
    if (c.live_bytes > c.peak_bytes) c.peak_bytes = c.live_bytes;
    return block;
}

void HostAllocator::deallocate(void* block, std::size_t bytes) {
    if (block == nullptr) return;
    const int k = class_log2(bytes);
    std::lock_guard lock(pools_->mutex);
    if (k <= kPoolClassLog2) {
        pools_->small_pools[static_cast<std::size_t>(k)]->free(block);
        pools_->small_free[static_cast<std::size_t>(k)] += 1;
    } else {
        pools_->cached_large[static_cast<std::size_t>(k)].push_back(block);
    }
    pools_->counters.live_bytes -= bytes;
    pools_->counters.live_blocks -= 1;
}

MemoryCounters HostAllocator::counters() const {
    std::lock_guard lock(pools_->mutex);
    return pools_->counters;
}

void HostAllocator::reset_peak() {
    std::lock_guard lock(pools_->mutex);
    pools_->counters.peak_bytes = pools_->counters.live_bytes;
}

void HostAllocator::release_cache() {
    std::lock_guard lock(pools_->mutex);
    pools_->free_cached();
}

}  // namespace hypertape
