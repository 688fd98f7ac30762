#pragma once
// Indexing by int64 tensors (Tensor::indices). Indices are never differentiated and must lie in
// [0, extent) of the indexed axis; a negative axis counts from the end.
//
//   gather(x, indices, axis)   the entries of x at `indices` along `axis` (numpy's take): shape
//                              x[:axis] + indices.shape + x[axis+1:]
//                              VJP: scatter_add(g, indices, axis, x.shape)
//   scatter_add(g, indices, axis, shape)
//                              zeros of `shape` with g's slices added at `indices` along `axis`
//                              (repeated indices add up): the adjoint of gather, g of gather's
//                              output shape           VJP: gather(g, indices, axis)
//   one_hot(labels, classes)   labels.shape + [classes]: 1 at each label, else 0; a constant
//
//   Var batch = gather(x, Tensor::indices({4, 0, 7}));      // rows 4, 0 and 7 of x
//   Var picked = gather(x, Tensor::indices({2}, {}), 1);    // column 2 of x, shape [rows]
#include "hypertape/tape/var.hpp"

namespace hypertape {

Var gather(const Var& x, const Tensor& indices, int axis = 0);
Var scatter_add(const Var& g, const Tensor& indices, int axis, const Shape& shape);
Var one_hot(const Tensor& labels, std::int64_t classes, DType dtype = f32);

}  // namespace hypertape
