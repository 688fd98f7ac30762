#pragma once
// Tensor: a dense, row-major, contiguous array of float32, float64 or int64 on one device.
//
// Concept: a tensor is a shape, an element type and a reference-counted Storage block from the
// device's pooled allocator. Copying a Tensor shares the block; the block goes back to the pool
// when its last Tensor is destroyed. Ops never write into their operands: every op returns a new
// tensor, so sharing is always safe. Storage() identifies the block, which is how the tape counts
// each saved block exactly once.
//
// Writes are counted: every mutable access (data<T>() on a non-const Tensor, mutable_raw()) bumps
// the block's version. A tape record remembers the versions of the tensors it saved, and a reverse
// sweep through it throws when one changed, since its gradient would be computed from the new
// values. Read through a const Tensor (`std::as_const(t).data<T>()`, to_vector()) to leave the
// version alone.
//
// Usage:
//   auto x = Tensor::from_vector({1, 2, 3, 4}, {2, 2}, f64);
//   auto z = Tensor::zeros({10, 785});               // float32 unless a dtype is given
//   double s = std::as_const(x).data<double>()[3];   // host read, checked against dtype/device
//   x.data<double>()[3] = 1.0;                       // host write: bumps x's version
//   auto g = x.to(Device::cuda(0));                  // an explicit copy to a GPU, and back with
//   auto h = g.to(Device::cpu());                    // to(Device::cpu())
//
// Tensors on a CUDA device are created, filled, cloned and converted there. item(), to_vector()
// and all_finite() of a device tensor copy to the host and so wait for the device.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "hypertape/tape/device.hpp"
#include "hypertape/tape/dtype.hpp"
#include "hypertape/tape/shape.hpp"

namespace hypertape {

class Allocator;

// One allocation from a device allocator, returned to it on destruction.
class Storage {
public:
    Storage(std::size_t bytes, Device device);
    ~Storage();
    Storage(const Storage&) = delete;
    Storage& operator=(const Storage&) = delete;

    void* data() const { return data_; }
    std::size_t bytes() const { return bytes_; }
    Device device() const { return device_; }

    // Index range checks remember, for a device block, the smallest bound all its int64 elements
    // were found to lie below at the block's current version, so a block of labels is read from
    // the device once instead of at every op that uses it; a write (which bumps the version)
    // makes the next check read it again.
    bool indices_known_below(std::int64_t bound) const;
    void note_indices_below(std::int64_t bound) const;

    // How many times the block was handed out for writing (Tensor::data<T>() non-const,
    // Tensor::mutable_raw()), by any tensor that shares it. A fresh block is at 0; kernels write
    // their fresh outputs, so a computed tensor starts a little above. Host metadata only.
    std::uint64_t version() const { return version_.load(std::memory_order_relaxed); }
    void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

private:
    struct IndexCheck {
        std::uint64_t version = 0;
        std::int64_t bound = 0;  // 0: nothing checked
    };
    mutable std::mutex index_check_mutex_;
    mutable IndexCheck index_check_;
    std::atomic<std::uint64_t> version_{0};
    Allocator& allocator_;
    void* data_;
    std::size_t bytes_;
    Device device_;
};

class Tensor {
public:
    // An undefined tensor (no storage); defined() is false. Ops reject it.
    Tensor() = default;

    static Tensor empty(const Shape& shape, DType dtype = f32, Device device = Device::cpu());
    static Tensor zeros(const Shape& shape, DType dtype = f32, Device device = Device::cpu());
    // Zeros of `like`'s shape, dtype and device.
    static Tensor zeros_like(const Tensor& like);
    static Tensor ones(const Shape& shape, DType dtype = f32, Device device = Device::cpu());
    static Tensor full(const Shape& shape, double value, DType dtype = f32, Device device = Device::cpu());
    static Tensor scalar(double value, DType dtype = f32, Device device = Device::cpu());
    // Values converted to `dtype`; `values.size()` must equal shape.numel().
    static Tensor from_vector(const std::vector<double>& values, const Shape& shape, DType dtype = f32);
    // An int64 tensor of indices or labels.
    static Tensor indices(const std::vector<std::int64_t>& values, const Shape& shape);
    static Tensor indices(const std::vector<std::int64_t>& values);
    // Standard normal and uniform [lo, hi) samples from the caller's generator (floating dtypes).
    static Tensor randn(const Shape& shape, std::mt19937_64& rng, DType dtype = f32);
    static Tensor uniform(const Shape& shape, double lo, double hi, std::mt19937_64& rng, DType dtype = f32);

    bool defined() const { return storage_ != nullptr; }
    const Shape& shape() const { return shape_; }
    int rank() const { return shape_.rank(); }
    std::int64_t numel() const { return shape_.numel(); }
    DType dtype() const { return dtype_; }
    Device device() const;
    std::size_t nbytes() const { return static_cast<std::size_t>(numel()) * size_of(dtype_); }
    const Storage* storage() const { return storage_.get(); }

    // Host pointers, checked: T must match dtype() and the tensor must live on the CPU. The
    // mutable one is a write: it bumps the storage's version (see Storage::version), so a tape
    // record that saved this block refuses to be swept through afterwards.
    template <class T>
    T* data();
    template <class T>
    const T* data() const;
    // Device-agnostic raw pointers, for backends: raw() reads, mutable_raw() writes (and bumps the
    // version). Kernels read their operands (const Tensor&) with raw() and write only the fresh
    // tensors they return with mutable_raw().
    const void* raw() const;
    void* mutable_raw();
    // The storage block's write count (Storage::version); 0 for an undefined tensor.
    std::uint64_t version() const { return storage_ ? storage_->version() : 0; }

    // The single element of a one-element tensor, as double. Synchronises on a device.
    double item() const;
    // False when any element is NaN or +-Inf. Synchronises on a device.
    bool all_finite() const;
    // All elements converted to double, in row-major order. Synchronises on a device.
    std::vector<double> to_vector() const;

    // A copy with its own storage.
    Tensor clone() const;
    // The same storage seen with another shape of equal element count.
    Tensor reshaped(const Shape& shape) const;
    // A converted copy (float32 <-> float64), on the same device.
    Tensor to(DType dtype) const;
    // A copy on `device` (a copy even when it is this tensor's device).
    Tensor to(Device device) const;

private:
    Tensor(std::shared_ptr<Storage> storage, Shape shape, DType dtype);
    void check_host_access(DType requested) const;

    std::shared_ptr<Storage> storage_;
    Shape shape_;
    DType dtype_ = f32;
};

template <class T>
T* Tensor::data() {
    check_host_access(dtype_of<T>());
    storage_->bump_version();
    return static_cast<T*>(storage_->data());
}

template <class T>
const T* Tensor::data() const {
    check_host_access(dtype_of<T>());
    return static_cast<const T*>(storage_->data());
}

// Calls f.template operator()<T>() with T the C++ type of a floating dtype.
template <class F>
decltype(auto) dispatch_floating(DType dtype, F&& f) {
    if (dtype == DType::f64) return f.template operator()<double>();
    return f.template operator()<float>();
}

}  // namespace hypertape
