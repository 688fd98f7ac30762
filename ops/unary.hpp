#pragma once
// Elementwise unary ops. Each has one row in the derivative table of ops/unary.cpp, giving
// dy/dx in terms of x and y = f(x):
//
//   neg          -x                    -1
//   exp          e^x                   y
//   log          ln x                  1 / x
//   log1p        ln(1 + x)             1 / (1 + x)
//   sigmoid      1 / (1 + e^-x)        y (1 - y)
//   log_sigmoid  ln sigmoid(x)         sigmoid(-x)
//   softplus     ln(1 + e^x)           sigmoid(x)
//   tanh         tanh x                1 - y^2
//   sin, cos     sin x, cos x          cos x, -sin x
//   relu         max(x, 0)             1 where x > 0, else 0
//   square       x^2                   2 x
//   sqrt         sqrt x                1 / (2 y)
//   abs          |x|                   sign(x)
// sigmoid, log_sigmoid and softplus are evaluated without overflow for any finite x.
// sign(x) and step(x) (1 where x > 0) are constant masks with no derivative.
#include "hypertape/tape/var.hpp"

namespace hypertape {

Var neg(const Var& x);
Var exp(const Var& x);
Var log(const Var& x);
Var log1p(const Var& x);
Var sigmoid(const Var& x);
Var log_sigmoid(const Var& x);
Var softplus(const Var& x);
Var tanh(const Var& x);
Var sin(const Var& x);
Var cos(const Var& x);
Var relu(const Var& x);
Var square(const Var& x);
Var sqrt(const Var& x);
Var abs(const Var& x);
Var sign(const Var& x);
Var step(const Var& x);

inline Var operator-(const Var& x) { return neg(x); }

}  // namespace hypertape
