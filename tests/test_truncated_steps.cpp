// Truncated{K} runs the steps that leave the window before the sweep without records
// (bilevel/reverse.cpp): the hypergradient keeps the bits of the whole loop recorded on a
// Window{K} tape, with no more tape bytes at the peak.
#include <catch2/catch.hpp>
#include <hypertape/bilevel/hypergradient.hpp>
#include <hypertape/solvers/inner.hpp>

#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::bitwise_equal;
using hypertape::testing::randn;

namespace {

constexpr int kSteps = 8;

// Heavy-ball descent on 1/2 sum(exp(lambda / 10) (w - lambda)^2) + 1/10 sum(sin w) from
// w_0 = lambda / 2 (so that w_0's own step, B_0, counts), state {w, velocity}; outer loss
// |w_T - target|^2 + |lambda|^2 / 100.
Problem heavy_ball(const Tensor& target) {
    Problem p;
    p.lambda_shape = {30};
    p.steps = kSteps;
    const HeavyBall solver{Var(Tensor::scalar(0.2, f64)), Var(Tensor::scalar(0.5, f64))};
    p.init = [solver](const Var& lam) { return solver.start(0.5 * lam); };
    p.step = [solver](const State& s, const Var& lam, int t) {
        const auto inner = [&](const Var& w) {
            return 0.5 * sum(exp(0.1 * lam) * square(w - lam)) + 0.1 * sum(sin(w));
        };
        return solver.step(s, tape_gradient(inner), t);
    };
    p.outer = [target](const State& s, const Var& lam) {
        return sum(square(s[0] - Var(target))) + 0.01 * sum(square(lam));
    };
    return p;
}

// w_0 = lambda itself, and a second state component that carries lambda through every step
// unchanged: the window releases no record on the paths through them, so every K keeps them.
Problem lambda_in_state() {
    Problem p;
    p.lambda_shape = {30};
    p.steps = kSteps;
    p.init = [](const Var& lam) { return State{lam, lam}; };
    p.step = [](const State& s, const Var&, int) {
        const Var& w = s[0];
        const Var inner = 0.5 * sum(exp(0.1 * s[1]) * square(w - 1.0)) + 0.1 * sum(sin(w));
        return State{w - 0.2 * grad(inner, w, create_graph), s[1]};
    };
    p.outer = [](const State& s, const Var&) { return sum(square(s[0] - 2.0)); };
    return p;
}

struct Recorded {
    Tensor hypergradient;
    std::size_t tape_peak_bytes = 0;
};

// What run_reverse did before: every step, w_0's included, recorded on one Window{K} tape.
Recorded whole_loop_on_window(const Problem& p, const Tensor& lam0, int K) {
    Tape tape{Window{K}};
    const Var lam = tape.variable(lam0);
    State state;
    {
        auto step = tape.step();
        state = p.init(lam);
        for (Var& v : state) {
            if (!v.on_tape()) v = tape.variable(v.value());
        }
    }
    for (int t = 0; t < p.steps; ++t) {
        auto step = tape.step();
        state = p.step(state, lam, t);
    }
    const Var f = p.outer(state, lam);
    Recorded out;
    out.hypergradient = grad(f, lam).value();
    out.tape_peak_bytes = tape.stats().peak_bytes;
    return out;
}

}  // namespace

TEST_CASE("Truncated{K} keeps the bits of the whole loop on a Window{K} tape with no more tape bytes",
          "[bilevel][truncation][memory]") {
    const Problem p = heavy_ball(randn({30}, 11));
    const Tensor lam0 = (randn({30}, 12) * 0.5).value();
    for (int K : {1, 3, kSteps - 1, kSteps, kSteps + 1, kSteps + 5}) {
        INFO("K = " << K << ", T = " << kSteps);
        const HypergradientResult r = hypergradient(p, lam0, Truncated{K});
        const Recorded expected = whole_loop_on_window(p, lam0, K);
        CHECK(bitwise_equal(r.value, expected.hypergradient));
        CHECK(r.report.step_evaluations == kSteps);
        CHECK(r.report.tape_peak_bytes <= expected.tape_peak_bytes);
        // Below K = T the window held K + 1 full steps while a step was open; now it holds K.
        if (K < kSteps) CHECK(r.report.tape_peak_bytes < expected.tape_peak_bytes);
    }
}

TEST_CASE("Truncated{K} keeps the paths through lambda in the state, as the window does", "[bilevel][truncation]") {
    const Problem p = lambda_in_state();
    const Tensor lam0 = (randn({30}, 17) * 0.5).value();
    for (int K : {1, 3, kSteps, kSteps + 1}) {
        INFO("K = " << K << ", T = " << kSteps);
        CHECK(
            bitwise_equal(hypergradient(p, lam0, Truncated{K}).value, whole_loop_on_window(p, lam0, K).hypergradient));
    }
}

TEST_CASE("Truncated{K} from a warm start keeps the bits of the whole loop", "[bilevel][truncation]") {
    Problem p = heavy_ball(randn({30}, 13));
    const Tensor lam0 = (randn({30}, 14) * 0.5).value();
    const std::vector<Tensor> warm = {randn({30}, 15), (randn({30}, 16) * 0.1).value()};  // {w, velocity}
    HypergradientOptions options;
    options.warm_start = warm;
    const HypergradientResult r = hypergradient(p, lam0, Truncated{3}, options);
    p.init = [warm](const Var&) { return State{Var(warm[0]), Var(warm[1])}; };
    CHECK(bitwise_equal(r.value, whole_loop_on_window(p, lam0, 3).hypergradient));
}
