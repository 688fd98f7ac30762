#include "hypertape/ops/binary.hpp"

#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/kernels.hpp"
#include "hypertape/ops/record.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/select.hpp"
#include "hypertape/ops/tangent.hpp"
#include "hypertape/ops/unary.hpp"

namespace hypertape {
namespace {

using math::BinaryKind;

Tensor forward(const char* op, BinaryKind kind, const Var& a, const Var& b) {
    check_operands(op, a, b);
    const Shape out = broadcast_shapes(op, a.shape(), b.shape());
    return kernels::binary(kind, a.value(), b.value(), out);
}

// pow's partial derivatives, with PyTorch's values where the plain formulas give NaN or -inf at
// a = 0 (its pow_backward_self and pow_backward_exponent):
//   d/da = b a^(b-1), but 0 where b == 0 (a^0 is 1 for every a, 0 included)
//   d/db = y log(a),  but 0 where a == 0 and b >= 0 (y is 0 or 1 there; 0 log 0 is taken as 0)
// where(c, p, q) takes p where c != 0, NaN included, so a NaN operand still gives NaN. Written with
// differentiable ops, so grad-of-grad works (at a = 0 second derivatives may be NaN, as in PyTorch).
Var pow_grad_a(const Var& a, const Var& b) { return where(b, b * pow(a, b - 1.0), scalar_like(0.0, a)); }

Var pow_grad_b(const Var& a, const Var& b, const Var& y) {
    const Var y_log_a = y * log(a);
    // Where a == 0: y log(a) is -inf for b < 0 (kept, as PyTorch does); 0 * y is 0 for b >= 0 and
    // NaN for a NaN b.
    return where(a, y_log_a, where(greater(scalar_like(0.0, b), b), y_log_a, 0.0 * y));
}

}  // namespace

Var scalar_like(double value, const Var& x) { return Var(Tensor::scalar(value, x.dtype(), x.device())); }

Var add(const Var& a, const Var& b) {
    Tensor y = forward("add", BinaryKind::add, a, b);
    return record(
        {"add", {a, b}, {}}, y,
        [sa = a.shape(), sb = b.shape()](const Var& g, const Saved&, const NeedsGrad& needs) {
            return Grads{needs[0] ? sum_to(g, sa) : Var(), needs[1] ? sum_to(g, sb) : Var()};
        },
        [](const Tangents& t) {
            const int r = t.output().rank();
            return sum_terms(t, {t.has(0) ? lift(t[0], r) : Var(), t.has(1) ? lift(t[1], r) : Var()});
        });
}

Var sub(const Var& a, const Var& b) {
    Tensor y = forward("sub", BinaryKind::sub, a, b);
    return record(
        {"sub", {a, b}, {}}, y,
        [sa = a.shape(), sb = b.shape()](const Var& g, const Saved&, const NeedsGrad& needs) {
            return Grads{needs[0] ? sum_to(g, sa) : Var(), needs[1] ? sum_to(-g, sb) : Var()};
        },
        [](const Tangents& t) {
            const int r = t.output().rank();
            return sum_terms(t, {t.has(0) ? lift(t[0], r) : Var(), t.has(1) ? -lift(t[1], r) : Var()});
        });
}

Var mul(const Var& a, const Var& b) {
    Tensor y = forward("mul", BinaryKind::mul, a, b);
    return record(
        {.name = "mul", .operands = {a, b}, .saved = {needed_if_tracked(a, b), needed_if_tracked(b, a)}}, y,
        [sa = a.shape(), sb = b.shape()](const Var& g, const Saved& s, const NeedsGrad& needs) {
            // s[1] (b) is saved when a is on a tape, which needs[0] implies; s[0] (a) likewise.
            return Grads{needs[0] ? sum_to(g * s[1], sa) : Var(), needs[1] ? sum_to(g * s[0], sb) : Var()};
        },
        [](const Tangents& t) {
            const int r = t.output().rank();
            return sum_terms(
                t, {t.has(0) ? lift(t[0], r) * t.primal(1) : Var(), t.has(1) ? lift(t[1], r) * t.primal(0) : Var()});
        });
}

Var div(const Var& a, const Var& b) {
    Tensor y = forward("div", BinaryKind::div, a, b);
    return record(
        {.name = "div", .operands = {a, b}, .saved = {b}, .save_output = true}, y,
        [sa = a.shape()](const Var& g, const Saved& s, const NeedsGrad& needs) {
            const Var& b = s[0];
            const Var& y = s.output();
            return Grads{needs[0] ? sum_to(g / b, sa) : Var(), needs[1] ? sum_to(-(g * y) / b, b.shape()) : Var()};
        },
        [](const Tangents& t) {
            const int r = t.output().rank();
            const Var& b = t.primal(1);
            return sum_terms(
                t, {t.has(0) ? lift(t[0], r) / b : Var(), t.has(1) ? -(lift(t[1], r) * (t.output() / b)) : Var()});
        });
}

Var pow(const Var& a, const Var& b) {
    Tensor y = forward("pow", BinaryKind::pow, a, b);
    return record(
        {.name = "pow", .operands = {a, b}, .saved = {a, b}, .save_output = true}, y,
        [](const Var& g, const Saved& s, const NeedsGrad& needs) {
            const Var& a = s[0];
            const Var& b = s[1];
            const Var& y = s.output();
            return Grads{needs[0] ? sum_to(g * pow_grad_a(a, b), a.shape()) : Var(),
                         needs[1] ? sum_to(g * pow_grad_b(a, b, y), b.shape()) : Var()};
        },
        [](const Tangents& t) {
            const int r = t.output().rank();
            const Var& a = t.primal(0);
            const Var& b = t.primal(1);
            return sum_terms(t, {t.has(0) ? lift(t[0], r) * pow_grad_a(a, b) : Var(),
                                 t.has(1) ? lift(t[1], r) * pow_grad_b(a, b, t.output()) : Var()});
        });
}

Var pow(const Var& a, double exponent) {
    check_floating("pow", "a", a);
    return pow(a, scalar_like(exponent, a));
}

Var greater(const Var& a, const Var& b) { return constant_result(forward("greater", BinaryKind::greater, a, b)); }

}  // namespace hypertape
