#pragma once
// Broadcasting binary arithmetic (numpy rules: shapes right-aligned, extents equal or 1; a
// scalar, a row or a column broadcasts against a matrix). Operands share dtype and device.
//
// Derivatives (VJP to each operand, summed back to its shape):
//   add  a + b     d/da = 1          d/db = 1
//   sub  a - b     d/da = 1          d/db = -1
//   mul  a * b     d/da = b          d/db = a
//   div  a / b     d/da = 1/b        d/db = -y/b          (y = a / b)
//   pow  a ^ b     d/da = b a^(b-1)  d/db = y log(a)      (y = a ^ b)
//        as in PyTorch, d/da is 0 where b == 0 and d/db is 0 where a == 0 and b >= 0, so
//        pow(0, 0) has derivatives 0 and 0 (not NaN and -inf); d/db is NaN where a < 0
// Doubles mix in as constant scalars of the tensor's dtype: 2.0 * x, x - 1.0, 1.0 / x.
#include "hypertape/tape/var.hpp"

namespace hypertape {

Var add(const Var& a, const Var& b);
Var sub(const Var& a, const Var& b);
Var mul(const Var& a, const Var& b);
Var div(const Var& a, const Var& b);
Var pow(const Var& a, const Var& b);
Var pow(const Var& a, double exponent);
// 1 where a > b, else 0: a constant mask (no derivative).
Var greater(const Var& a, const Var& b);

// A constant rank-0 tensor holding `value` in x's dtype, on x's device.
Var scalar_like(double value, const Var& x);

inline Var operator+(const Var& a, const Var& b) { return add(a, b); }
inline Var operator-(const Var& a, const Var& b) { return sub(a, b); }
inline Var operator*(const Var& a, const Var& b) { return mul(a, b); }
inline Var operator/(const Var& a, const Var& b) { return div(a, b); }
inline Var operator+(const Var& a, double s) { return add(a, scalar_like(s, a)); }
inline Var operator+(double s, const Var& a) { return add(scalar_like(s, a), a); }
inline Var operator-(const Var& a, double s) { return sub(a, scalar_like(s, a)); }
inline Var operator-(double s, const Var& a) { return sub(scalar_like(s, a), a); }
inline Var operator*(const Var& a, double s) { return mul(a, scalar_like(s, a)); }
inline Var operator*(double s, const Var& a) { return mul(scalar_like(s, a), a); }
inline Var operator/(const Var& a, double s) { return div(a, scalar_like(s, a)); }
inline Var operator/(double s, const Var& a) { return div(scalar_like(s, a), a); }

}  // namespace hypertape
