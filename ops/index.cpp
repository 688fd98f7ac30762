#include "hypertape/ops/index.hpp"

#include <string>

#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/kernels.hpp"
#include "hypertape/ops/record.hpp"

namespace hypertape {
namespace {

// `shape` with its `axis` replaced by the index axes; throws naming `op` when that has more than
// kMaxRank axes or kMaxNumel elements.
Shape gathered_shape(const char* op, const Shape& shape, const Shape& indices, int axis) {
    const int rank = shape.rank() - 1 + indices.rank();
    if (rank > kMaxRank) {
        fail(op, ": indices ", indices.str(), " along axis ", axis, " of ", shape.str(), " give rank ", rank,
             "; the most is ", kMaxRank);
    }
    Shape::Dims dims(shape.dims().begin(), shape.dims().begin() + axis);
    dims.insert(dims.end(), indices.dims().begin(), indices.dims().end());
    dims.insert(dims.end(), shape.dims().begin() + axis + 1, shape.dims().end());
    return checked_shape(op, dims);
}

}  // namespace

Var gather(const Var& x, const Tensor& indices, int axis) {
    check_floating("gather", "x", x);
    check_indices("gather", "indices", indices, x);
    const int a = normalize_axis("gather", axis, x.rank());
    check_in_range("gather", "index", indices, x.shape()[a],
                   "along axis " + std::to_string(axis) + " of x " + x.shape().str());
    const Shape out = gathered_shape("gather", x.shape(), indices.shape(), a);
    return record(
        {.name = "gather", .operands = {x}, .saved = {Var(indices)}}, kernels::gather(x.value(), indices, a, out),
        [a, sx = x.shape()](const Var& g, const Saved& s, const NeedsGrad&) {
            return Grads{scatter_add(g, s[0].value(), a, sx)};
        },
        [&](const Tangents& t) { return Var(kernels::gather(t[0].value(), indices, a + 1, out.prepend(t.n()))); });
}

Var scatter_add(const Var& g, const Tensor& indices, int axis, const Shape& shape) {
    check_floating("scatter_add", "g", g);
    check_indices("scatter_add", "indices", indices, g);
    const int a = normalize_axis("scatter_add", axis, shape.rank());
    check_in_range("scatter_add", "index", indices, shape[a],
                   "along axis " + std::to_string(axis) + " of shape " + shape.str());
    if (const Shape expected = gathered_shape("scatter_add", shape, indices.shape(), a); g.shape() != expected) {
        fail("scatter_add: g has shape ", g.shape().str(), " but indices ", indices.shape().str(), " along axis ", axis,
             " of ", shape.str(), " need ", expected.str());
    }
    return record(
        {.name = "scatter_add", .operands = {g}, .saved = {Var(indices)}},
        kernels::scatter_add(g.value(), indices, a, shape),
        [a](const Var& gy, const Saved& s, const NeedsGrad&) { return Grads{gather(gy, s[0].value(), a)}; },
        [&](const Tangents& t) {
            return Var(kernels::scatter_add(t[0].value(), indices, a + 1, shape.prepend(t.n())));
        });
}

Var one_hot(const Tensor& labels, std::int64_t classes, DType dtype) {
    if (!labels.defined()) fail("one_hot: labels are undefined");
    if (labels.dtype() != DType::i64) {
        fail("one_hot: labels must be int64, got ", name_of(labels.dtype()), " ", labels.shape().str());
    }
    if (!is_floating(dtype)) fail("one_hot: the result dtype must be floating, got ", name_of(dtype));
    if (labels.rank() >= kMaxRank) {
        fail("one_hot: labels of shape ", labels.shape().str(), " give rank ", labels.rank() + 1, "; the most is ",
             kMaxRank);
    }
    if (classes < 1) fail("one_hot: classes must be positive, got ", classes);
    // The result [labels..., classes] must fit before the kernel allocates it.
    Shape::Dims dims = labels.shape().dims();
    dims.push_back(classes);
    checked_shape("one_hot", dims);
    check_in_range("one_hot", "label", labels, classes, "for " + std::to_string(classes) + " classes");
    return constant_result(kernels::one_hot(labels, classes, dtype));
}

}  // namespace hypertape
