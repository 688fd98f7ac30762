#pragma once
// A shape seen as [outer, len, inner] around one axis: outer * inner lines of `len` elements,
// line k starting at start(k) and stepping by `inner`. The layout of every kernel that works
// along an axis (reductions, softmax, gather).
#include <cstdint>

#include "hypertape/tape/shape.hpp"

namespace hypertape::cpu {

struct AxisLines {
    AxisLines(const Shape& s, int axis) : len(s[axis]) {
        for (int d = 0; d < axis; ++d) outer *= s[d];
        for (int d = axis + 1; d < s.rank(); ++d) inner *= s[d];
    }

    std::int64_t count() const { return outer * inner; }
    std::int64_t start(std::int64_t k) const { return (k / inner) * len * inner + k % inner; }

    std::int64_t len;
    std::int64_t outer = 1;
    std::int64_t inner = 1;
};

}  // namespace hypertape::cpu
