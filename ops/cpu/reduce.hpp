#pragma once
// CPU kernels of the reductions and of broadcasting (ops/reduce.hpp). Sums accumulate in double
// and are deterministic: the same input gives the same bits whatever the thread count.
#include "hypertape/tape/tensor.hpp"

namespace hypertape::cpu {

// Sum of every element, shape [].
Tensor sum_all(const Tensor& x);
// Sum over `axis`, kept with extent 1.
Tensor sum_axis(const Tensor& x, int axis);
// x repeated along its broadcast axes to `shape`.
Tensor broadcast_to(const Tensor& x, const Shape& shape);

}  // namespace hypertape::cpu
