#pragma once
// Layout ops: copies that rearrange, cut out, pad or join elements without arithmetic. Each is
// linear, so its VJP is its adjoint layout op applied to g, and its JVP is the op itself applied
// to the tangent batch (one axis further right). Negative axes count from the end.
//
//   transpose(x)                  the last two axes swapped         VJP: transpose(g)
//   transpose(x, axis0, axis1)    axes axis0 and axis1 swapped      VJP: the same swap of g
//   slice(x, axis, start, stop)   positions [start, stop) of axis   VJP: g padded with zeros back to x's extent
//   pad(x, axis, before, after)   `before` zeros, x, `after` zeros  VJP: the slice of g where x was
//   concat(xs, axis)              the xs one after another; their   VJP: the slices of g, one per operand
//                                 other extents must agree
//
//   Var head = slice(x, 0, 0, 2);             // the first two rows of x
//   Var both = concat({head, y}, -1);         // joined along the last axis
#include <vector>

#include "hypertape/tape/var.hpp"

namespace hypertape {

Var transpose(const Var& x);
Var transpose(const Var& x, int axis0, int axis1);
// 0 <= start <= stop <= the axis' extent.
Var slice(const Var& x, int axis, std::int64_t start, std::int64_t stop);
// before, after >= 0.
Var pad(const Var& x, int axis, std::int64_t before, std::int64_t after);
Var concat(const std::vector<Var>& xs, int axis);

}  // namespace hypertape
