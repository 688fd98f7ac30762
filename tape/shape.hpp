#pragma once
// Shape: the extents of a dense row-major tensor, rank 0 (a scalar) to kMaxRank.
//
// A batch of n forward-mode tangents of a value of shape S has shape [n, S...], one axis more than
// S, so only values of rank 0 to kMaxRank - 1 can carry tangents; an op whose result has rank
// kMaxRank throws, naming the op, when its operands carry tangents (ops/record.hpp).
//
// Every Shape holds at most kMaxNumel elements, checked by its constructors (shapes are immutable
// once built), so numel() and a tensor's byte count never overflow, and neither does any partial
// product of extents a kernel computes (strides, line counts): the bound holds for the product of
// the nonzero extents, so an empty shape such as [0, 2^40, 2^40] is rejected too.
#include <boost/container/static_vector.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace hypertape {

inline constexpr int kMaxRank = 5;
// The most elements a shape may hold: 2^59, so that the bytes of any tensor (at most 8 bytes an
// element) stay below 2^62 and fit int64 and size_t.
inline constexpr std::int64_t kMaxNumel = std::int64_t{1} << 59;

class Shape {
public:
    using Dims = boost::container::static_vector<std::int64_t, kMaxRank>;

    Shape() = default;
    Shape(std::initializer_list<std::int64_t> dims);
    explicit Shape(const Dims& dims);

    int rank() const { return static_cast<int>(dims_.size()); }
    std::int64_t numel() const;
    std::int64_t operator[](int axis) const { return dims_[static_cast<std::size_t>(axis)]; }
    const Dims& dims() const { return dims_; }

    // Shape with a leading axis of extent n in front (the layout of a tangent batch).
    Shape prepend(std::int64_t n) const;
    // Shape without its leading axis.
    Shape drop_front() const;
    // Shape with the extent of `axis` replaced (checked like any new shape).
    Shape with_extent(int axis, std::int64_t extent) const;

    std::string str() const;

    friend bool operator==(const Shape& a, const Shape& b) { return a.dims_ == b.dims_; }

private:
    friend Shape checked_shape(const char* op, const Shape::Dims& dims, const char* what);
    struct Checked {};
    // dims that the caller has already checked.
    Shape(const Dims& dims, Checked) : dims_(dims) {}

    Dims dims_;
};

// Shape(dims), checked in the same way but naming `op` and `what` the shape is in the error:
//   "pad: shape [3, 4611686018427387904] is too large: ..."
// Ops that compute a result shape (pad, concat, matmul, gather, one_hot, broadcasting, the tangent
// batch of a result) build it with this.
Shape checked_shape(const char* op, const Shape::Dims& dims, const char* what = "shape");

// [n, value...]: the shape of a batch of n forward-mode tangents of a value of shape `value`.
// Throws naming `op` when the value has rank kMaxRank (no room for the batch axis: only values of
// rank 0 to kMaxRank - 1 carry tangents) or when the batch would be too large.
Shape tangent_batch_shape(const char* op, std::int64_t n, const Shape& value);

// Numpy broadcasting of two shapes (right-aligned; extents equal or 1). Throws naming `op`.
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

// Resolves a possibly negative axis against `rank`; throws naming `op` when out of range.
int normalize_axis(const char* op, int axis, int rank);

}  // namespace hypertape
