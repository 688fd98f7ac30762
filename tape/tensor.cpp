#include "hypertape/tape/tensor.hpp"

#include <algorithm>
#include <limits>

#include "hypertape/ops/kernels.hpp"
#include "hypertape/tape/allocator.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape {
Storage::Storage(std::size_t bytes, Device device)
    : allocator_(allocator_for(device)), data_(allocator_.allocate(bytes)), bytes_(bytes), device_(device) {}

Storage::~Storage() { allocator_.deallocate(data_, bytes_); }

Tensor::Tensor(std::shared_ptr<Storage> storage, Shape shape, DType dtype)
    : storage_(std::move(storage)), shape_(std::move(shape)), dtype_(dtype) {}

Device Tensor::device() const { return storage_ ? storage_->device() : Device::cpu(); }

const void* Tensor::raw() const {
    if (!storage_) fail("Tensor: access to an undefined tensor");
    return storage_->data();
}

void* Tensor::mutable_raw() {
    if (!storage_) fail("Tensor: access to an undefined tensor");
    storage_->bump_version();
    return storage_->data();
}

void Tensor::check_host_access(DType requested) const {
    if (!storage_) fail("Tensor::data: the tensor is undefined");
    if (requested != dtype_) {
        fail("Tensor::data: requested ", name_of(requested), " from a ", name_of(dtype_), " tensor of shape ",
             shape_.str());
    }
    if (device().kind != Device::Kind::cpu) fail("Tensor::data: tensor lives on ", device().name(), ", not the host");
}

// A Shape holds at most kMaxNumel elements (checked when it is built), so no byte count overflows.
static_assert(kMaxNumel <= std::numeric_limits<std::int64_t>::max() / 8, "8-byte elements must fit");

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
    const auto bytes = static_cast<std::size_t>(shape.numel()) * size_of(dtype);
    return Tensor(std::make_shared<Storage>(bytes, device), shape, dtype);
}

Tensor Tensor::full(const Shape& shape, double value, DType dtype, Device device) {
    Tensor t = empty(shape, dtype, device);
    if (t.numel() > 0) kernels::fill(t, value);
    return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) { return full(shape, 0.0, dtype, device); }
Tensor Tensor::zeros_like(const Tensor& like) { return zeros(like.shape(), like.dtype(), like.device()); }
Tensor Tensor::ones(const Shape& shape, DType dtype, Device device) { return full(shape, 1.0, dtype, device); }
Tensor Tensor::scalar(double value, DType dtype, Device device) { return full(Shape{}, value, dtype, device); }

Tensor Tensor::from_vector(const std::vector<double>& values, const Shape& shape, DType dtype) {
    if (static_cast<std::int64_t>(values.size()) != shape.numel()) {
        fail("Tensor::from_vector: ", values.size(), " values for shape ", shape.str());
    }
    Tensor t = empty(shape, dtype);
    switch (dtype) {
        case DType::f32:
            std::copy(values.begin(), values.end(), t.data<float>());
            break;
        case DType::f64:
            std::copy(values.begin(), values.end(), t.data<double>());
            break;
        case DType::i64:
            std::transform(values.begin(), values.end(), t.data<std::int64_t>(),
                           [](double v) { return static_cast<std::int64_t>(v); });
            break;
    }
    return t;
}

Tensor Tensor::indices(const std::vector<std::int64_t>& values, const Shape& shape) {
    if (static_cast<std::int64_t>(values.size()) != shape.numel()) {
        fail("Tensor::indices: ", values.size(), " values for shape ", shape.str());
    }
    Tensor t = empty(shape, i64);
    std::copy(values.begin(), values.end(), t.data<std::int64_t>());
    return t;
}

Tensor Tensor::indices(const std::vector<std::int64_t>& values) {
    return indices(values, Shape{static_cast<std::int64_t>(values.size())});
}

namespace {

// A host tensor of `shape` filled with draws of `sample` converted to `dtype`, in row-major order.
// The tensor is allocated first, so a shape too large for memory fails in the allocator with an
// Error before anything else is reserved.
template <class Sample>
Tensor sampled(const char* op, const Shape& shape, DType dtype, Sample sample) {
    if (!is_floating(dtype)) fail(op, ": samples need a floating dtype, got ", name_of(dtype));
    Tensor t = Tensor::empty(shape, dtype);
    dispatch_floating(dtype, [&]<class T>() {
        T* p = t.data<T>();
        for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(sample());
    });
    return t;
}

}  // namespace

Tensor Tensor::randn(const Shape& shape, std::mt19937_64& rng, DType dtype) {
    std::normal_distribution<double> normal(0.0, 1.0);
    return sampled("Tensor::randn", shape, dtype, [&] { return normal(rng); });
}

Tensor Tensor::uniform(const Shape& shape, double lo, double hi, std::mt19937_64& rng, DType dtype) {
    std::uniform_real_distribution<double> uniform(lo, hi);
    return sampled("Tensor::uniform", shape, dtype, [&] { return uniform(rng); });
}

double Tensor::item() const {
    if (numel() != 1) fail("Tensor::item: tensor of shape ", shape_.str(), " has ", numel(), " elements, not 1");
    return to_vector()[0];
}

bool Tensor::all_finite() const {
    if (!storage_) fail("Tensor::all_finite: the tensor is undefined");
    return numel() == 0 || kernels::all_finite(*this);
}

std::vector<double> Tensor::to_vector() const {
    if (device().kind != Device::Kind::cpu) return to(Device::cpu()).to_vector();
    std::vector<double> out(static_cast<std::size_t>(numel()));
    switch (dtype_) {
        case DType::f32:
            std::copy_n(data<float>(), out.size(), out.begin());
            break;
        case DType::f64:
            std::copy_n(data<double>(), out.size(), out.begin());
            break;
        case DType::i64:
            std::copy_n(data<std::int64_t>(), out.size(), out.begin());
            break;
    }
    return out;
}

Tensor Tensor::clone() const { return to(device()); }

Tensor Tensor::reshaped(const Shape& shape) const {
    if (shape.numel() != numel()) {
        fail("reshape: cannot view shape ", shape_.str(), " (", numel(), " elements) as ", shape.str());
    }
    return Tensor(storage_, shape, dtype_);
}

Tensor Tensor::to(DType dtype) const {
    if (!is_floating(dtype) || !is_floating(dtype_)) {
        fail("Tensor::to: conversion from ", name_of(dtype_), " to ", name_of(dtype), " is not supported");
    }
    if (dtype == dtype_) return clone();
    Tensor out = empty(shape_, dtype, device());
    if (numel() > 0) kernels::convert(*this, out);
    return out;
}

Tensor Tensor::to(Device device) const {
    if (!storage_) fail("Tensor::to: the tensor is undefined");
    Tensor out = empty(shape_, dtype_, device);
    if (numel() > 0) kernels::copy(*this, out);
    return out;
}

bool Storage::indices_known_below(std::int64_t bound) const {
    std::lock_guard lock(index_check_mutex_);
    return index_check_.bound > 0 && index_check_.version == version() && index_check_.bound <= bound;
}

void Storage::note_indices_below(std::int64_t bound) const {
    std::lock_guard lock(index_check_mutex_);
    const std::uint64_t now = version();
    if (index_check_.version != now || index_check_.bound == 0 || bound < index_check_.bound) {
        index_check_ = {now, bound};
    }
}

}  // namespace hypertape
