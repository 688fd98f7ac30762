#pragma once
// Reductions and explicit broadcasting.
//
//   sum(x)                  all elements, shape []          VJP: g broadcast to x's shape
//   sum(x, axis, keepdim)   over one axis (negative counts from the end)
//   mean(x), mean(x, axis)  sum divided by the count
//   sum_to(x, shape)        x summed down to `shape` (the adjoint of broadcasting)   VJP: broadcast_to
//   broadcast_to(x, shape)  x repeated to `shape`                                     VJP: sum_to
#include "hypertape/tape/var.hpp"

namespace hypertape {

Var sum(const Var& x);
Var sum(const Var& x, int axis, bool keepdim = false);
Var mean(const Var& x);
Var mean(const Var& x, int axis, bool keepdim = false);
Var sum_to(const Var& x, const Shape& shape);
Var broadcast_to(const Var& x, const Shape& shape);

}  // namespace hypertape
