#include "hypertape/ops/reduce.hpp"

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/kernels.hpp"
#include "hypertape/ops/record.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/ops/tangent.hpp"

namespace hypertape {
namespace {

Shape without_axis(const Shape& s, int axis) {
    Shape::Dims d;
    for (int i = 0; i < s.rank(); ++i) {
        if (i != axis) d.push_back(s[i]);
    }
    return Shape(d);
}

}  // namespace

Var sum(const Var& x) {
    check_floating("sum", "x", x);
    return record(
        {"sum", {x}, {}}, kernels::sum_all(x.value()),
        [sx = x.shape()](const Var& g, const Saved&, const NeedsGrad&) { return Grads{broadcast_to(g, sx)}; },
        [](const Tangents& t) { return sum_tangent_to(t[0], Shape{}); });
}

Var sum(const Var& x, int axis, bool keepdim) {
    check_floating("sum", "x", x);
    const int a = normalize_axis("sum", axis, x.rank());
    Tensor kept = kernels::sum_axis(x.value(), a);
    Tensor y = keepdim ? kept : kept.reshaped(without_axis(x.shape(), a));
    return record(
        {"sum", {x}, {}}, y,
        [sx = x.shape(), kept_shape = kept.shape()](const Var& g, const Saved&, const NeedsGrad&) {
            return Grads{broadcast_to(reshape(g, kept_shape), sx)};
        },
        [a, keepdim](const Tangents& t) { return sum(t[0], a + 1, keepdim); });
}

Var mean(const Var& x) {
    check_floating("mean", "x", x);
    if (x.numel() == 0) fail("mean: x of shape ", x.shape().str(), " has no elements");
    return sum(x) * (1.0 / static_cast<double>(x.numel()));
}

Var mean(const Var& x, int axis, bool keepdim) {
    check_floating("mean", "x", x);
    const int a = normalize_axis("mean", axis, x.rank());
    if (x.shape()[a] == 0) fail("mean: axis ", axis, " of shape ", x.shape().str(), " is empty");
    return sum(x, a, keepdim) * (1.0 / static_cast<double>(x.shape()[a]));
}

Var sum_to(const Var& x, const Shape& shape) {
    check_floating("sum_to", "x", x);
    if (x.rank() < shape.rank() || broadcast_shapes("sum_to", shape, x.shape()) != x.shape()) {
        fail("sum_to: shape ", shape.str(), " does not broadcast to the operand's shape ", x.shape().str());
    }
    if (shape == x.shape()) return x;
    return record(
        {"sum_to", {x}, {}}, kernels::sum_to(x.value(), shape),
        [sx = x.shape()](const Var& g, const Saved&, const NeedsGrad&) { return Grads{broadcast_to(g, sx)}; },
        [shape](const Tangents& t) { return sum_tangent_to(t[0], shape); });
}

Var broadcast_to(const Var& x, const Shape& shape) {
    check_floating("broadcast_to", "x", x);
    if (x.rank() > shape.rank() || broadcast_shapes("broadcast_to", x.shape(), shape) != shape) {
        fail("broadcast_to: operand of shape ", x.shape().str(), " does not broadcast to ", shape.str());
    }
    if (shape == x.shape()) return x;
    return record(
        {"broadcast_to", {x}, {}}, kernels::broadcast_to(x.value(), shape),
        [sx = x.shape()](const Var& g, const Saved&, const NeedsGrad&) { return Grads{sum_to(g, sx)}; },
        [shape](const Tangents& t) { return broadcast_tangent(t[0], shape); });
}

}  // namespace hypertape
