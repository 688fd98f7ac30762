#pragma once
// Shape: the extents of a dense row-major tensor, rank 0 (a scalar) to kMaxRank.
//
// Values have rank 0-4; a batch of n forward-mode tangents of a value of shape S has shape
// [n, S...], which is why one more axis is allowed.
#include <boost/container/static_vector.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>

namespace hypertape {

inline constexpr int kMaxRank = 5;

class Shape {
public:
    using Dims = boost::container::static_vector<std::int64_t, kMaxRank>;

    Shape() = default;
    Shape(std::initializer_list<std::int64_t> dims);
    explicit Shape(const Dims& dims);

    int rank() const { return static_cast<int>(dims_.size()); }
    std::int64_t numel() const;
    std::int64_t operator[](int axis) const { return dims_[static_cast<std::size_t>(axis)]; }
    std::int64_t& operator[](int axis) { return dims_[static_cast<std::size_t>(axis)]; }
    const Dims& dims() const { return dims_; }

    // Shape with a leading axis of extent n in front (the layout of a tangent batch).
    Shape prepend(std::int64_t n) const;
    // Shape without its leading axis.
    Shape drop_front() const;

    std::string str() const;

    friend bool operator==(const Shape& a, const Shape& b) { return a.dims_ == b.dims_; }

private:
    void validate() const;
    Dims dims_;
};

// Numpy broadcasting of two shapes (right-aligned; extents equal or 1). Throws naming `op`.
Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b);

// Resolves a possibly negative axis against `rank`; throws naming `op` when out of range.
int normalize_axis(const char* op, int axis, int rank);

}  // namespace hypertape
