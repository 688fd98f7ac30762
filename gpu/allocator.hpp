#pragma once
// CudaAllocator: the caching allocator behind every tensor on one CUDA device, with the same exact
// counters as the HostAllocator (tape/allocator.hpp), so tape stats and strategy reports mean
// the same on the GPU.
//
// Concept: requests are rounded up to a size class (512-byte multiples up to 1 MiB, then
// multiples of 2 MiB), and a freed block goes to its class's free list instead of back to cudaFree. Blocks
// are used only on the device's single stream, so a block freed by one kernel's tensor and handed
// to the next kernel is safe without synchronising: the stream orders the two. On out-of-memory
// the cache is released and cudaMalloc tried once more; then an Error says how many bytes were
// asked for and how many the allocator holds.
//
// Counters: live_bytes is the exact sum of requested byte counts not yet freed, peak_bytes its
// maximum since reset_peak(), reserved_bytes the bytes of cudaMalloc blocks held (handed out or
// cached), live_blocks the blocks handed out.
#include <memory>

#include "hypertape/tape/allocator.hpp"

namespace hypertape::gpu {

class CudaAllocator final : public Allocator {
public:
    // The allocator of CUDA device `index` (created on first use); throws for a missing device.
    static CudaAllocator& of(int index);

    void* allocate(std::size_t bytes) override;
    void deallocate(void* block, std::size_t bytes) override;
    MemoryCounters counters() const override;
    void reset_peak() override;
    void release_cache() override;

    CudaAllocator(const CudaAllocator&) = delete;
    CudaAllocator& operator=(const CudaAllocator&) = delete;
    ~CudaAllocator() override;

private:
    explicit CudaAllocator(int index);

    struct Cache;
    std::unique_ptr<Cache> cache_;
};

}  // namespace hypertape::gpu
