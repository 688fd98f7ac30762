// Reverse and Truncated{K}: the whole loop on one tape; with a window only the newest K steps
// keep their records, so the sweep returns h_{T-K} (eq. 8) in O(MK) memory. w_0 = Xi_0(lambda)
// is recorded as a step of its own, as eq. (5) counts it: Truncated{T} drops its B_0 term and
// Truncated{K > T} equals Reverse.
#include "hypertape/bilevel/run.hpp"
#include "hypertape/tape/grad.hpp"

namespace hypertape::bilevel {

HypergradientResult run_reverse(Run& run, int window) {
    Tape tape{window > 0 ? Window{window} : Window::none()};
    const Hyperparameters lambda = run.variables(tape);
    State state;
    {
        auto step = tape.step();
        state = run.initial_state(tape, lambda);
    }
    for (int t = 0; t < run.steps(); ++t) {
        auto step = tape.step();
        state = run.step(state, lambda, t);
    }
    const Var f = run.outer(state, lambda);
    run.forward_done();
    const double loss = f.item();
    Values final_state = values_of(state);
    std::vector<Tensor> h;
    for (const Var& g : gradients(f, lambda.list())) h.push_back(g.value());
    run.memory().tape(tape);
    return run.finish(std::move(h), loss, std::move(final_state));
}

}  // namespace hypertape::bilevel
