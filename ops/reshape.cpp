#include "hypertape/ops/reshape.hpp"

#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/record.hpp"

namespace hypertape {

Var reshape(const Var& x, const Shape& shape) {
    check_floating("reshape", "x", x);
    if (shape.numel() != x.numel()) {
        fail("reshape: cannot reshape ", x.shape().str(), " (", x.numel(), " elements) to ", shape.str());
    }
    if (shape == x.shape()) return x;
    return record(
        {"reshape", {x}, {}}, x.value().reshaped(shape),
        [sx = x.shape()](const Var& g, const Saved&, const NeedsGrad&) { return Grads{reshape(g, sx)}; },
        [shape](const Tangents& t) { return reshape(t[0], shape.prepend(t.n())); });
}

}  // namespace hypertape
