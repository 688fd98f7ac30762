// Differentiates one expression, and one user-defined op written the documented way (kernels and
// record() from the installed headers, as in ops/record.hpp), and exits 0 when both gradients are
// right.
#include <cmath>
#include <cstdio>
#include <hypertape/hypertape.hpp>
#include <hypertape/ops/kernels.hpp>
#include <hypertape/ops/record.hpp>

namespace ht = hypertape;

// exp as a user would write it: the forward kernel, a VJP and a JVP.
ht::Var user_exp(const ht::Var& x) {
    ht::Tensor y = ht::kernels::unary(ht::math::UnaryKind::exp, x.value());
    return ht::record(
        {.name = "user_exp", .operands = {x}, .save_output = true}, y,
        [](const ht::Var& g, const ht::Saved& s, const ht::NeedsGrad&) { return ht::Grads{g * s.output()}; },
        [](const ht::Tangents& t) { return t[0] * t.output(); });
}

int main() {
    ht::Tape tape;
    const ht::Var x = tape.variable(ht::Tensor::from_vector({1, 2, 3}, {3}, ht::f64));
    const auto g = ht::grad(ht::sum(ht::square(x)), x).value().to_vector();
    const bool square_ok = g == std::vector<double>{2, 4, 6};

    const auto e = ht::grad(ht::sum(user_exp(x)), x).value().to_vector();
    const bool exp_ok = e == std::vector<double>{std::exp(1.0), std::exp(2.0), std::exp(3.0)};

    std::printf("consumer: gradient %s, user op gradient %s\n", square_ok ? "correct" : "WRONG",
                exp_ok ? "correct" : "WRONG");
    return square_ok && exp_ok ? 0 : 1;
}
