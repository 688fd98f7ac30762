#include "hypertape/ops/kernels.hpp"

#include <type_traits>

#include "hypertape/ops/cpu/binary.hpp"
#include "hypertape/ops/cpu/conv.hpp"
#include "hypertape/ops/cpu/index.hpp"
#include "hypertape/ops/cpu/layout.hpp"
#include "hypertape/ops/cpu/matmul.hpp"
#include "hypertape/ops/cpu/primitives.hpp"
#include "hypertape/ops/cpu/reduce.hpp"
#include "hypertape/ops/cpu/select.hpp"
#include "hypertape/ops/cpu/softmax.hpp"
#include "hypertape/ops/cpu/unary.hpp"
#include "hypertape/tape/error.hpp"

#if HYPERTAPE_HAS_CUDA
#include "hypertape/gpu/binary.hpp"
#include "hypertape/gpu/conv.hpp"
#include "hypertape/gpu/index.hpp"
#include "hypertape/gpu/layout.hpp"
#include "hypertape/gpu/matmul.hpp"
#include "hypertape/gpu/primitives.hpp"
#include "hypertape/gpu/reduce.hpp"
#include "hypertape/gpu/select.hpp"
#include "hypertape/gpu/softmax.hpp"
#include "hypertape/gpu/unary.hpp"
#endif

namespace hypertape::kernels {
namespace {

#if HYPERTAPE_HAS_CUDA
// Every backend entry point has one signature on both devices.
template <class Cpu, class Gpu>
constexpr bool same_signature(Cpu*, Gpu*) {
    return std::is_same_v<Cpu, Gpu>;
}
static_assert(same_signature(&cpu::fill, &gpu::fill));
static_assert(same_signature(&cpu::copy, &gpu::copy));
static_assert(same_signature(&cpu::convert, &gpu::convert));
static_assert(same_signature(&cpu::all_finite, &gpu::all_finite));
static_assert(same_signature(&cpu::flag_nonfinite, &gpu::flag_nonfinite));
static_assert(same_signature(&cpu::first_out_of_range, &gpu::first_out_of_range));
static_assert(same_signature(&cpu::unary, &gpu::unary));
static_assert(same_signature(&cpu::binary, &gpu::binary));
static_assert(same_signature(&cpu::where, &gpu::where));
static_assert(same_signature(&cpu::clamp, &gpu::clamp));
static_assert(same_signature(&cpu::sum_all, &gpu::sum_all));
static_assert(same_signature(&cpu::sum_axis, &gpu::sum_axis));
static_assert(same_signature(&cpu::broadcast_to, &gpu::broadcast_to));
static_assert(same_signature(&cpu::swap_axes, &gpu::swap_axes));
static_assert(same_signature(&cpu::copy_range, &gpu::copy_range));
static_assert(same_signature(&cpu::matmul, &gpu::matmul));
static_assert(same_signature(&cpu::im2col, &gpu::im2col));
static_assert(same_signature(&cpu::col2im, &gpu::col2im));
static_assert(same_signature(&cpu::max_pool2d_indices, &gpu::max_pool2d_indices));
static_assert(same_signature(&cpu::softmax, &gpu::softmax));
static_assert(same_signature(&cpu::log_softmax, &gpu::log_softmax));
static_assert(same_signature(&cpu::logsumexp, &gpu::logsumexp));
static_assert(same_signature(&cpu::cross_entropy, &gpu::cross_entropy));
static_assert(same_signature(&cpu::gather, &gpu::gather));
static_assert(same_signature(&cpu::scatter_add, &gpu::scatter_add));
static_assert(same_signature(&cpu::one_hot, &gpu::one_hot));

#define HT_DISPATCH(device, f, ...) \
    return (device).kind == Device::Kind::cuda ? gpu::f(__VA_ARGS__) : cpu::f(__VA_ARGS__)
#else
// Without the CUDA backend no tensor lives on a CUDA device: allocator_for refuses to make one.
#define HT_DISPATCH(device, f, ...) return cpu::f(__VA_ARGS__)
#endif

}  // namespace

void fill(Tensor& out, double value) { HT_DISPATCH(out.device(), fill, out, value); }

void copy(const Tensor& from, Tensor& to) {
    // A copy that touches a CUDA device, from or to it, is the CUDA backend's.
    HT_DISPATCH(from.device().kind == Device::Kind::cuda ? from.device() : to.device(), copy, from, to);
}

void convert(const Tensor& from, Tensor& to) { HT_DISPATCH(from.device(), convert, from, to); }
bool all_finite(const Tensor& x) { HT_DISPATCH(x.device(), all_finite, x); }
void flag_nonfinite(const Tensor& x, Tensor& first_bad, std::int64_t tag) {
    HT_DISPATCH(x.device(), flag_nonfinite, x, first_bad, tag);
}
std::int64_t first_out_of_range(const Tensor& indices, std::int64_t bound) {
    HT_DISPATCH(indices.device(), first_out_of_range, indices, bound);
}

Tensor unary(math::UnaryKind kind, const Tensor& x) { HT_DISPATCH(x.device(), unary, kind, x); }
Tensor binary(math::BinaryKind kind, const Tensor& a, const Tensor& b, const Shape& out) {
    HT_DISPATCH(a.device(), binary, kind, a, b, out);
}
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, const Shape& out) {
    HT_DISPATCH(a.device(), where, cond, a, b, out);
}
Tensor clamp(const Tensor& x, double lo, double hi) { HT_DISPATCH(x.device(), clamp, x, lo, hi); }

Tensor sum_all(const Tensor& x) { HT_DISPATCH(x.device(), sum_all, x); }
Tensor sum_axis(const Tensor& x, int axis) { HT_DISPATCH(x.device(), sum_axis, x, axis); }
Tensor sum_to(const Tensor& x, const Shape& shape) {
    // Sums over each axis the target lacks or holds at extent 1, with either backend's sum_axis.
    Tensor current = x;
    const int lead = x.rank() - shape.rank();
    for (int d = 0; d < x.rank(); ++d) {
        const std::int64_t target = d < lead ? 1 : shape[d - lead];
        if (target == 1 && x.shape()[d] != 1) current = sum_axis(current, d);
    }
    return current.shape() == shape ? current : current.reshaped(shape);
}
Tensor broadcast_to(const Tensor& x, const Shape& shape) { HT_DISPATCH(x.device(), broadcast_to, x, shape); }

Tensor swap_axes(const Tensor& x, int axis0, int axis1) { HT_DISPATCH(x.device(), swap_axes, x, axis0, axis1); }
void copy_range(const Tensor& src, std::int64_t src_at, Tensor& dst, std::int64_t dst_at, std::int64_t count,
                int axis) {
    HT_DISPATCH(dst.device(), copy_range, src, src_at, dst, dst_at, count, axis);
}

Tensor slice(const Tensor& x, int axis, std::int64_t start, std::int64_t stop) {
    Tensor out = Tensor::empty(x.shape().with_extent(axis, stop - start), x.dtype(), x.device());
    copy_range(x, start, out, 0, stop - start, axis);
    return out;
}

Tensor pad(const Tensor& x, int axis, std::int64_t before, std::int64_t after) {
    Shape::Dims dims = x.shape().dims();
    std::int64_t& extent = dims[static_cast<std::size_t>(axis)];
    if (__builtin_add_overflow(extent, before, &extent) || __builtin_add_overflow(extent, after, &extent)) {
        fail("pad: padding axis ", axis, " of x of shape ", x.shape().str(), " by ", before, " before and ", after,
             " after overflows int64");
    }
    Tensor out = Tensor::zeros(checked_shape("pad", dims), x.dtype(), x.device());
    copy_range(x, 0, out, before, x.shape()[axis], axis);
    return out;
}

Tensor concat(const std::vector<Tensor>& xs, int axis) {
    Shape::Dims dims = xs.front().shape().dims();
    std::int64_t& extent = dims[static_cast<std::size_t>(axis)];
    extent = 0;
    for (const Tensor& x : xs) {
        if (__builtin_add_overflow(extent, x.shape()[axis], &extent)) {
            fail("concat: the extents of ", xs.size(), " operands along axis ", axis, " overflow int64");
        }
    }
    Tensor out = Tensor::empty(checked_shape("concat", dims), xs.front().dtype(), xs.front().device());
    std::int64_t at = 0;
    for (const Tensor& x : xs) {
        copy_range(x, 0, out, at, x.shape()[axis], axis);
        at += x.shape()[axis];
    }
    return out;
}

Tensor matmul(const Tensor& a, bool transpose_a, const Tensor& b, bool transpose_b, const Shape& out) {
    // The empty cases, so the backends' plans never divide by an extent of 0.
    if (out.numel() == 0) return Tensor::empty(out, a.dtype(), a.device());
    if (a.numel() == 0) return Tensor::zeros(out, a.dtype(), a.device());  // an empty contraction (k = 0)
    HT_DISPATCH(a.device(), matmul, a, transpose_a, b, transpose_b, out);
}

Tensor im2col(const Tensor& x, const math::Window2d& window) { HT_DISPATCH(x.device(), im2col, x, window); }
Tensor col2im(const Tensor& columns, const math::Window2d& window) {
    HT_DISPATCH(columns.device(), col2im, columns, window);
}
Tensor max_pool2d_indices(const Tensor& x, const math::Window2d& window) {
    HT_DISPATCH(x.device(), max_pool2d_indices, x, window);
}

Tensor softmax(const Tensor& x, int axis) { HT_DISPATCH(x.device(), softmax, x, axis); }
Tensor log_softmax(const Tensor& x, int axis) { HT_DISPATCH(x.device(), log_softmax, x, axis); }
Tensor logsumexp(const Tensor& x, int axis) { HT_DISPATCH(x.device(), logsumexp, x, axis); }
Tensor cross_entropy(const Tensor& logits, const Tensor& labels, const Tensor& weights) {
    HT_DISPATCH(logits.device(), cross_entropy, logits, labels, weights);
}

Tensor gather(const Tensor& x, const Tensor& indices, int axis, const Shape& out) {
    HT_DISPATCH(x.device(), gather, x, indices, axis, out);
}
Tensor scatter_add(const Tensor& g, const Tensor& indices, int axis, const Shape& shape) {
    HT_DISPATCH(g.device(), scatter_add, g, indices, axis, shape);
}
Tensor one_hot(const Tensor& labels, std::int64_t classes, DType dtype) {
    HT_DISPATCH(labels.device(), one_hot, labels, classes, dtype);
}

}  // namespace hypertape::kernels
