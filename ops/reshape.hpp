#pragma once
// reshape(x, shape): the same elements in row-major order under a new shape of equal count.
// Shares x's storage. VJP: reshape back to x's shape.
#include "hypertape/tape/var.hpp"

namespace hypertape {

Var reshape(const Var& x, const Shape& shape);

}  // namespace hypertape
