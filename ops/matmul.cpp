#include "hypertape/ops/matmul.hpp"

#include <algorithm>
#include <string>

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/kernels.hpp"
#include "hypertape/ops/record.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/tangent.hpp"
#include "hypertape/ops/unary.hpp"

namespace hypertape {
namespace {

std::string described(const Shape& s, bool transposed) { return s.str() + (transposed ? " (transposed)" : ""); }

// The shape of op(a) op(b): the broadcast batch axes, then [m, n]. Throws naming both shapes, or
// the result's when it would exceed kMaxNumel elements.
Shape product_shape(const Shape& a, const Shape& b, Trans t) {
    if (a.rank() < 2 || b.rank() < 2) {
        fail("matmul: operands of shape ", a.str(), " and ", b.str(), " must have rank 2 or more (dot takes vectors)");
    }
    const std::int64_t m = a[t.a ? a.rank() - 1 : a.rank() - 2];
    const std::int64_t ka = a[t.a ? a.rank() - 2 : a.rank() - 1];
    const std::int64_t kb = b[t.b ? b.rank() - 1 : b.rank() - 2];
    const std::int64_t n = b[t.b ? b.rank() - 2 : b.rank() - 1];
    if (ka != kb) {
        fail("matmul: inner dimensions differ: a ", described(a, t.a), " has ", ka, " columns but b ",
             described(b, t.b), " has ", kb, " rows");
    }
    const int rank = std::max(a.rank(), b.rank());
    Shape::Dims dims;
    for (int d = 0; d < rank - 2; ++d) {
        const int da = a.rank() - rank + d;
        const int db = b.rank() - rank + d;
        const std::int64_t ea = da >= 0 ? a[da] : 1;
        const std::int64_t eb = db >= 0 ? b[db] : 1;
        if (ea != eb && ea != 1 && eb != 1) {
            fail("matmul: the batch axes of a ", a.str(), " and b ", b.str(), " do not broadcast");
        }
        dims.push_back(ea == 1 ? eb : ea);
    }
    dims.push_back(m);
    dims.push_back(n);
    return checked_shape("matmul", dims);
}

}  // namespace

Var matmul(const Var& a, const Var& b, Trans t) {
    check_operands("matmul", a, b);
    const Shape out = product_shape(a.shape(), b.shape(), t);
    Tensor y = kernels::matmul(a.value(), t.a, b.value(), t.b, out);
    return record(
        {.name = "matmul", .operands = {a, b}, .saved = {needed_if_tracked(a, b), needed_if_tracked(b, a)}}, y,
        [t, sa = a.shape(), sb = b.shape()](const Var& g, const Saved& s, const NeedsGrad& needs) {
            // For C = op(A) op(B): d op(A) = g op(B)^T and d op(B) = op(A)^T g, transposed back.
            // s[1] (b) is saved when a is on a tape, which needs[0] implies; s[0] (a) likewise.
            Grads grads{Var(), Var()};
            if (needs[0]) {
                const Var& b = s[1];
                grads[0] = sum_to(t.a ? matmul(b, g, Trans{t.b, true}) : matmul(g, b, Trans{false, !t.b}), sa);
            }
            if (needs[1]) {
                const Var& a = s[0];
                grads[1] = sum_to(t.b ? matmul(g, a, Trans{true, t.a}) : matmul(a, g, Trans{!t.a, false}), sb);
            }
            return grads;
        },
        [t](const Tangents& tg) {
            const int r = tg.output().rank();
            return sum_terms(tg, {tg.has(0) ? matmul(lift(tg[0], r), tg.primal(1), t) : Var(),
                                  tg.has(1) ? matmul(tg.primal(0), lift(tg[1], r), t) : Var()});
        });
}

Var dot(const Var& a, const Var& b) {
    check_operands("dot", a, b);
    if (a.rank() != 1 || a.shape() != b.shape()) {
        fail("dot: operands of shape ", a.shape().str(), " and ", b.shape().str(), " are not vectors of one length");
    }
    return sum(a * b);
}

Var squared_norm(const Var& x) {
    check_floating("squared_norm", "x", x);
    return sum(square(x));
}

}  // namespace hypertape
