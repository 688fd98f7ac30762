#pragma once
// HostAllocator: the pooled allocator behind every CPU tensor, with exact byte counters.
//
// Concept: requests are rounded up to a power-of-two size class (at least 64 bytes). Classes up
// to 4 KiB are served by Boost.Pool (one pool per class: scalars and small vectors are most of an
// unrolled tape's tensors); larger classes keep a free list of cached blocks, so a loop that
// frees and re-allocates the same shapes every step never returns to the system allocator.
//
// Counters: `live_bytes` is the exact sum of the byte sizes callers asked for and have not yet
// freed; `peak_bytes` its maximum since the last reset_peak(); `reserved_bytes` is what the
// allocator holds in size-class blocks, handed out or cached (Boost.Pool's own bookkeeping is
// not included).
//
// Usage: tensors call it; users read it, e.g.
//   auto before = HostAllocator::instance().counters().live_bytes;
//   { auto t = Tensor::zeros({1000}, f64); }
//   assert(HostAllocator::instance().counters().live_bytes == before);
//
// Thread-safe: one mutex guards the pools and counters.
#include <cstddef>
#include <memory>

#include "hypertape/tape/device.hpp"

namespace hypertape {

struct MemoryCounters {
    std::size_t live_bytes = 0;
    std::size_t peak_bytes = 0;
    std::size_t reserved_bytes = 0;
    std::size_t live_blocks = 0;
};

// What every device's allocator provides. A Storage block goes back to the allocator that made
// it; a device backend (the CUDA caching allocator) implements the same interface.
class Allocator {
public:
    virtual ~Allocator() = default;
    // A block of at least `bytes` bytes. `bytes == 0` gives nullptr.
    virtual void* allocate(std::size_t bytes) = 0;
    // Returns a block; `bytes` must be the size it was allocated with.
    virtual void deallocate(void* block, std::size_t bytes) = 0;
    virtual MemoryCounters counters() const = 0;
    virtual void reset_peak() = 0;
    // Frees cached blocks back to the system.
    virtual void release_cache() = 0;
};

// The allocator of `device`; throws hypertape::Error when this build has no backend for it.
Allocator& allocator_for(Device device);

class HostAllocator final : public Allocator {
public:
    static HostAllocator& instance();

    // Blocks above 4 KiB are 64-byte aligned.
    void* allocate(std::size_t bytes) override;
    void deallocate(void* block, std::size_t bytes) override;
    MemoryCounters counters() const override;
    void reset_peak() override;
    void release_cache() override;

    HostAllocator(const HostAllocator&) = delete;
    HostAllocator& operator=(const HostAllocator&) = delete;
    ~HostAllocator() override;

private:
    HostAllocator();
    struct Pools;
    std::unique_ptr<Pools> pools_;
};

}  // namespace hypertape
