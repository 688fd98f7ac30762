#include "hypertape/ops/binary.hpp"

#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/record.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/tangent.hpp"
#include "hypertape/ops/unary.hpp"
#include "hypertape/ops/kernels.hpp"

namespace hypertape {
namespace {

using math::BinaryKind;

Tensor forward(const char* op, BinaryKind kind, const Var& a, const Var& b) {
    check_operands(op, a, b);
    const Shape out = broadcast_shapes(op, a.shape(), b.shape());
    return kernels::binary(kind, a.value(), b.value(), out);
}

}  // namespace

Var scalar_like(double value, const Var& x) { return Var(Tensor::scalar(value, x.dtype(), x.device())); }

Var add(const Var& a, const Var& b) {
    Tensor y = forward("add", BinaryKind::add, a, b);
    return record(
        {"add", {a, b}, {}}, y,
        [sa = a.shape(), sb = b.shape()](const Var& g, const VarList&, const NeedsGrad& needs) {
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
        [sa = a.shape(), sb = b.shape()](const Var& g, const VarList&, const NeedsGrad& needs) {
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
        {"mul", {a, b}, {needed_if_tracked(a, b), needed_if_tracked(b, a)}}, y,
        [sa = a.shape(), sb = b.shape()](const Var& g, const VarList& s, const NeedsGrad& needs) {
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
        {"div", {a, b}, {b}, /*save_output=*/true}, y,
        [sa = a.shape()](const Var& g, const VarList& s, const NeedsGrad& needs) {
            const Var& b = s[0];
            const Var& y = s[1];
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
        {"pow", {a, b}, {a, b}, /*save_output=*/true}, y,
        [](const Var& g, const VarList& s, const NeedsGrad& needs) {
            const Var& a = s[0];
            const Var& b = s[1];
            const Var& y = s[2];
            return Grads{needs[0] ? sum_to(g * b * pow(a, b - 1.0), a.shape()) : Var(),
                         needs[1] ? sum_to(g * y * log(a), b.shape()) : Var()};
        },
        [](const Tangents& t) {
            const int r = t.output().rank();
            const Var& a = t.primal(0);
            const Var& b = t.primal(1);
            return sum_terms(t, {t.has(0) ? lift(t[0], r) * (b * pow(a, b - 1.0)) : Var(),
                                 t.has(1) ? lift(t[1], r) * (t.output() * log(a)) : Var()});
        });
}

Var pow(const Var& a, double exponent) {
    check_floating("pow", "a", a);
    return pow(a, scalar_like(exponent, a));
}

Var greater(const Var& a, const Var& b) { return constant_result(forward("greater", BinaryKind::greater, a, b)); }

}  // namespace hypertape
