#pragma once
// Selection. cond is a constant mask of a's dtype (nonzero: true), such as greater(a, b); it is
// never differentiated. cond, a and b broadcast together (numpy rules) and share dtype and device.
//
//   where(cond, a, b)    a where cond, else b      VJP: a: where(cond, g, 0)  b: where(cond, 0, g),
//                                                       each summed to its operand's shape
//   clamp(x, lo, hi)     min(max(x, lo), hi)       VJP: g where lo < x < hi, else 0
//   maximum(a, b)        a where a > b, else b     VJP: a: g where a > b  b: g elsewhere
//   minimum(a, b)        a where a < b, else b     VJP: a: g where a < b  b: g elsewhere
// At ties the whole derivative goes to b; clamp passes none at x = lo or x = hi.
//
//   Var y = where(greater(x, scalar_like(0, x)), x, 0.1 * x);    // leaky relu
#include "hypertape/tape/var.hpp"

namespace hypertape {

Var where(const Var& cond, const Var& a, const Var& b);
// lo <= hi.
Var clamp(const Var& x, double lo, double hi);
Var maximum(const Var& a, const Var& b);
Var minimum(const Var& a, const Var& b);

}  // namespace hypertape
