#include "hypertape/tape/shape.hpp"

#include <algorithm>

#include "hypertape/tape/error.hpp"

namespace hypertape {
namespace {

std::string dims_str(const Shape::Dims& dims) {
    std::string s = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(dims[i]);
    }
    return s + "]";
}

// Extents are >= 0 and the product of the nonzero ones is at most kMaxNumel; the running product
// is checked at every factor, so the check itself never overflows.
void check_dims(const char* op, const Shape::Dims& dims, const char* what) {
    std::int64_t product = 1;
    for (auto d : dims) {
        if (d < 0) fail(op, ": negative extent in ", what, " ", dims_str(dims));
        if (d == 0) continue;
        if (__builtin_mul_overflow(product, d, &product) || product > kMaxNumel) {
            fail(op, ": ", what, " ", dims_str(dims),
                 " is too large: its nonzero extents multiply to more than 2^59 = ", kMaxNumel,
                 ", the most elements a tensor may hold");
        }
    }
}

}  // namespace

Shape::Shape(std::initializer_list<std::int64_t> dims) {
    if (dims.size() > static_cast<std::size_t>(kMaxRank)) {
        fail("Shape: rank ", dims.size(), " exceeds the maximum rank ", kMaxRank);
    }
    dims_.assign(dims.begin(), dims.end());
    check_dims("Shape", dims_, "shape");
}

Shape::Shape(const Dims& dims) : dims_(dims) { check_dims("Shape", dims_, "shape"); }

Shape checked_shape(const char* op, const Shape::Dims& dims, const char* what) {
    check_dims(op, dims, what);
    return Shape(dims, Shape::Checked{});
}

// The constructors bound the product, so it cannot overflow here.
std::int64_t Shape::numel() const {
    std::int64_t n = 1;
    for (auto d : dims_) n *= d;
    return n;
}

Shape Shape::prepend(std::int64_t n) const { return tangent_batch_shape("Shape::prepend", n, *this); }

Shape Shape::drop_front() const {
    if (rank() == 0) fail("Shape: a scalar shape has no leading axis");
    return Shape(Dims(dims_.begin() + 1, dims_.end()));
}

Shape Shape::with_extent(int axis, std::int64_t extent) const {
    Dims d = dims_;
    d[static_cast<std::size_t>(axis)] = extent;
    return Shape(d);
}

std::string Shape::str() const { return dims_str(dims_); }

Shape tangent_batch_shape(const char* op, std::int64_t n, const Shape& value) {
    if (value.rank() == kMaxRank) {
        fail(op, ": the value has shape ", value.str(), ", but forward mode needs one more axis for its ", n,
             " tangent directions: only values of rank 0 to ", kMaxRank - 1, " can carry tangents");
    }
    Shape::Dims dims{n};
    dims.insert(dims.end(), value.dims().begin(), value.dims().end());
    return checked_shape(op, dims, "the tangent batch");
}

Shape broadcast_shapes(const char* op, const Shape& a, const Shape& b) {
    const int rank = std::max(a.rank(), b.rank());
    Shape::Dims out(static_cast<std::size_t>(rank), 1);
    for (int i = 0; i < rank; ++i) {
        const int ia = a.rank() - rank + i;
        const int ib = b.rank() - rank + i;
        const std::int64_t da = ia >= 0 ? a[ia] : 1;
        const std::int64_t db = ib >= 0 ? b[ib] : 1;
        if (da != db && da != 1 && db != 1) {
            fail(op, ": shapes ", a.str(), " and ", b.str(), " do not broadcast");
        }
        out[static_cast<std::size_t>(i)] = da == 1 ? db : da;
    }
    return checked_shape(op, out);
}

int normalize_axis(const char* op, int axis, int rank) {
    const int resolved = axis < 0 ? axis + rank : axis;
    if (resolved < 0 || resolved >= rank) {
        fail(op, ": axis ", axis, " is out of range for rank ", rank);
    }
    return resolved;
}

}  // namespace hypertape
