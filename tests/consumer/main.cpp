// Differentiates one expression, and one user-defined op written the documented way (kernels and
// record() from the installed headers, as in ops/record.hpp), computes one hypergradient of the
// installed experiments library's toy problem, and exits 0 when all three are right.
#include <cmath>
#include <cstdio>
#include <hypertape/experiments/toy.hpp>
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

    // Shaban et al.'s toy problem at lambda = (1, 1): h_{T-1} = gamma G grad f(w_T) with
    // w_T = C w_0 + (I - C) lambda, C = (I - gamma G)^T, grad f(w) = 2 w + 20 sin(w) cos(w).
    const ht::experiments::ToySettings toy;
    const ht::Tensor lambda = ht::Tensor::from_vector({1, 1}, {2}, ht::f64);
    const auto h =
        ht::hypergradient(ht::experiments::toy_problem(toy, ht::experiments::ToyObjective::f), lambda, ht::Truncated{1})
            .value.to_vector();
    bool toy_ok = h.size() == 2;
    for (std::size_t i = 0; i < 2 && toy_ok; ++i) {
        const double G = i == 0 ? 1.0 : 0.5;
        const double C = std::pow(1 - toy.step_size * G, toy.steps);
        const double w = C * 2 + (1 - C) * 1;
        const double expected = toy.step_size * G * (2 * w + 20 * std::sin(w) * std::cos(w));
        toy_ok = std::abs(h[i] - expected) <= 1e-12 * std::abs(expected);
    }

    std::printf("consumer: gradient %s, user op gradient %s, experiments library %s\n", square_ok ? "correct" : "WRONG",
                exp_ok ? "correct" : "WRONG", toy_ok ? "correct" : "WRONG");
    return square_ok && exp_ok && toy_ok ? 0 : 1;
}
