#include "hypertape/ops/select.hpp"

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/kernels.hpp"
#include "hypertape/ops/record.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/tangent.hpp"

namespace hypertape {
namespace {

// The operands of maximum and minimum, checked before greater and where see them so that errors
// name the op the caller used.
void check_pair(const char* op, const Var& a, const Var& b) {
    check_operands(op, a, b);
    broadcast_shapes(op, a.shape(), b.shape());
}

}  // namespace

Var where(const Var& cond, const Var& a, const Var& b) {
    check_operands("where", a, b);
    check_floating("where", "cond", cond);
    if (cond.dtype() != a.dtype() || cond.device() != a.device()) {
        fail("where: cond is ", name_of(cond.dtype()), " ", cond.shape().str(), " on ", cond.device().name(),
             " but a is ", name_of(a.dtype()), " ", a.shape().str(), " on ", a.device().name(),
             "; they must share dtype and device");
    }
    const Shape out = broadcast_shapes("where", broadcast_shapes("where", cond.shape(), a.shape()), b.shape());
    const Var mask = detach(cond);
    return record(
        {.name = "where", .operands = {a, b}, .saved = {mask}}, kernels::where(mask.value(), a.value(), b.value(), out),
        [sa = a.shape(), sb = b.shape()](const Var& g, const Saved& s, const NeedsGrad& needs) {
            const Var& c = s[0];
            const Var zero = scalar_like(0.0, g);
            return Grads{needs[0] ? sum_to(where(c, g, zero), sa) : Var(),
                         needs[1] ? sum_to(where(c, zero, g), sb) : Var()};
        },
        [&mask](const Tangents& t) {
            const int r = t.output().rank();
            const Var zero = scalar_like(0.0, t.output());
            return sum_terms(t, {t.has(0) ? where(mask, lift(t[0], r), zero) : Var(),
                                 t.has(1) ? where(mask, zero, lift(t[1], r)) : Var()});
        });
}

Var clamp(const Var& x, double lo, double hi) {
    check_floating("clamp", "x", x);
    if (!(lo <= hi)) fail("clamp: bounds lo = ", lo, " and hi = ", hi, " for x ", x.shape().str(), " need lo <= hi");
    // 1 where lo < x < hi: the derivative, a constant mask.
    const auto inside = [lo, hi](const Var& v) {
        return greater(v, scalar_like(lo, v)) * greater(scalar_like(hi, v), v);
    };
    return record(
        {.name = "clamp", .operands = {x}, .saved = {x}}, kernels::clamp(x.value(), lo, hi),
        [inside](const Var& g, const Saved& s, const NeedsGrad&) { return Grads{g * inside(s[0])}; },
        [inside](const Tangents& t) { return t[0] * inside(t.primal(0)); });
}

Var maximum(const Var& a, const Var& b) {
    check_pair("maximum", a, b);
    return where(greater(a, b), a, b);
}

Var minimum(const Var& a, const Var& b) {
    check_pair("minimum", a, b);
    return where(greater(b, a), a, b);
}

}  // namespace hypertape
