#include "hypertape/ops/unary.hpp"

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/kernels.hpp"
#include "hypertape/ops/record.hpp"
#include "hypertape/ops/tangent.hpp"

namespace hypertape {
namespace {

using math::UnaryKind;

// dy/dx of a unary op from x and y, written with differentiable ops so grad-of-grad works.
using Derivative = Var (*)(const Var& x, const Var& y);

// What the derivative reads: the record saves only that.
enum Reads { reads_x = 1, reads_y = 2 };

struct UnaryRule {
    const char* name;
    UnaryKind kind;
    int reads;
    Derivative derivative;
};

// One row per op (see the table in unary.hpp).
constexpr UnaryRule kExp{"exp", UnaryKind::exp, reads_y, [](const Var&, const Var& y) { return y; }};
constexpr UnaryRule kLog{"log", UnaryKind::log, reads_x, [](const Var& x, const Var&) { return 1.0 / x; }};
constexpr UnaryRule kLog1p{"log1p", UnaryKind::log1p, reads_x,
                           [](const Var& x, const Var&) { return 1.0 / (1.0 + x); }};
constexpr UnaryRule kSigmoid{"sigmoid", UnaryKind::sigmoid, reads_y,
                             [](const Var&, const Var& y) { return y * (1.0 - y); }};
constexpr UnaryRule kLogSigmoid{"log_sigmoid", UnaryKind::log_sigmoid, reads_x,
                                [](const Var& x, const Var&) { return sigmoid(-x); }};
constexpr UnaryRule kSoftplus{"softplus", UnaryKind::softplus, reads_x,
                              [](const Var& x, const Var&) { return sigmoid(x); }};
constexpr UnaryRule kTanh{"tanh", UnaryKind::tanh, reads_y, [](const Var&, const Var& y) { return 1.0 - square(y); }};
constexpr UnaryRule kSin{"sin", UnaryKind::sin, reads_x, [](const Var& x, const Var&) { return cos(x); }};
constexpr UnaryRule kCos{"cos", UnaryKind::cos, reads_x, [](const Var& x, const Var&) { return -sin(x); }};
constexpr UnaryRule kRelu{"relu", UnaryKind::relu, reads_x, [](const Var& x, const Var&) { return step(x); }};
constexpr UnaryRule kSquare{"square", UnaryKind::square, reads_x, [](const Var& x, const Var&) { return 2.0 * x; }};
constexpr UnaryRule kSqrt{"sqrt", UnaryKind::sqrt, reads_y, [](const Var&, const Var& y) { return 0.5 / y; }};
constexpr UnaryRule kAbs{"abs", UnaryKind::abs, reads_x, [](const Var& x, const Var&) { return sign(x); }};

Var apply(const UnaryRule& rule, const Var& x) {
    check_floating(rule.name, "x", x);
    Tensor y = kernels::unary(rule.kind, x.value());
    const bool saves_x = (rule.reads & reads_x) != 0;
    const bool saves_y = (rule.reads & reads_y) != 0;
    return record(
        {.name = rule.name, .operands = {x}, .saved = saves_x ? VarList{x} : VarList{}, .save_output = saves_y}, y,
        [d = rule.derivative, saves_x, saves_y](const Var& g, const Saved& s, const NeedsGrad&) {
            return Grads{g * d(saves_x ? s[0] : Var(), saves_y ? s.output() : Var())};
        },
        [d = rule.derivative](const Tangents& t) { return sum_terms(t, {t[0] * d(t.primal(0), t.output())}); });
}

Var mask(const char* name, UnaryKind kind, const Var& x) {
    check_floating(name, "x", x);
    return constant_result(kernels::unary(kind, x.value()));
}

}  // namespace

Var neg(const Var& x) {
    check_floating("neg", "x", x);
    return record(
        {"neg", {x}, {}}, kernels::unary(UnaryKind::neg, x.value()),
        [](const Var& g, const Saved&, const NeedsGrad&) { return Grads{-g}; },
        [](const Tangents& t) { return -t[0]; });
}
Var exp(const Var& x) { return apply(kExp, x); }
Var log(const Var& x) { return apply(kLog, x); }
Var log1p(const Var& x) { return apply(kLog1p, x); }
Var sigmoid(const Var& x) { return apply(kSigmoid, x); }
Var log_sigmoid(const Var& x) { return apply(kLogSigmoid, x); }
Var softplus(const Var& x) { return apply(kSoftplus, x); }
Var tanh(const Var& x) { return apply(kTanh, x); }
Var sin(const Var& x) { return apply(kSin, x); }
Var cos(const Var& x) { return apply(kCos, x); }
Var relu(const Var& x) { return apply(kRelu, x); }
Var square(const Var& x) { return apply(kSquare, x); }
Var sqrt(const Var& x) { return apply(kSqrt, x); }
Var abs(const Var& x) { return apply(kAbs, x); }
Var sign(const Var& x) { return mask("sign", UnaryKind::sign, x); }
Var step(const Var& x) { return mask("step", UnaryKind::step, x); }

}  // namespace hypertape
