#pragma once
// Helpers for JVP rules. A tangent batch of a value of shape S has shape [n, S...]; these line it
// up with values of other shapes so the ordinary broadcasting ops apply to it.
#include <functional>
#include <initializer_list>

#include "hypertape/ops/record.hpp"

namespace hypertape {

// [n, S...] -> [n, 1, ..., 1, S...] of rank `value_rank` + 1, so it broadcasts against values of
// rank `value_rank` (right-aligned) without mixing the batch axis into theirs.
Var lift(const Var& tangent, int value_rank);
// A tangent batch broadcast to [n, shape...].
Var broadcast_tangent(const Var& tangent, const Shape& shape);
// The output tangent of an op as a sum of terms, each a lifted input tangent times its partial
// derivative; undefined terms (operands without tangents) are skipped. Broadcast to [n, out...].
Var sum_terms(const Tangents& t, std::initializer_list<Var> terms);
// A tangent batch [n, S...] summed down to [n, shape...] (the tangent of sum_to).
Var sum_tangent_to(const Var& tangent, const Shape& shape);
// f applied to each direction of a tangent batch [n, S...] (as a value of shape S), the results
// stacked into [n, f's shape...]: the JVP of an op that has no batched form, such as a bilinear
// map of images.
Var each_direction(const Var& tangent, const std::function<Var(const Var&)>& f);

}  // namespace hypertape
