// Reverse and Truncated{K}: the whole loop on one tape; with a window only the newest K steps
// keep their records, so the sweep returns h_{T-K} (eq. 8) in O(MK) memory. w_0 = Xi_0(lambda)
// is recorded as a step of its own, as eq. (5) counts it: Truncated{T} drops its B_0 term and
// Truncated{K > T} equals Reverse.
//
// Counting w_0's step, T + 1 steps run and the window keeps the last K, so with K <= T the first
// T + 1 - K (w_0 and w_1 .. w_{T-K}) would be released before the sweep. They run on a Window{0}
// scratch tape instead, whose records go when each step ends, and the last K are recorded from
// w_{T-K} carried over to the tape as the sweep would have found it (carried_over). The recorded
// steps compute the same values with the same ops, so the hypergradient keeps its bits, with one
// step fewer on the tape at its peak.
#include <algorithm>

#include "hypertape/bilevel/run.hpp"
#include "hypertape/tape/grad.hpp"
#include "hypertape/tape/tape_state.hpp"

namespace hypertape::bilevel {

namespace {

// `state`, left on `scratch` by the unrecorded steps, as the sweep on `tape` would have found it
// after the window released those steps. A component that is one of scratch's lambda variables
// (w_0 = lambda itself, or a component a step passes through) stays lambda: the window never
// cuts a path through a variable. Any other Var on the scratch tape becomes a variable of its
// value, which ends the walk as the released result it stands for would. A constant stays one.
State carried_over(const State& state, const Tape& scratch, const Hyperparameters& scratch_lambda, Tape& tape,
                   const Hyperparameters& lambda) {
    using detail::VarAccess;
    State out;
    for (const Var& v : state) {
        if (!v.on_tape() || VarAccess::tape(v) != scratch.state()) {
            out.push_back(v);
            continue;
        }
        const auto same = [&v](const Var& l) { return VarAccess::node(l) == VarAccess::node(v); };
        const auto it = std::find_if(scratch_lambda.begin(), scratch_lambda.end(), same);
        if (it != scratch_lambda.end()) {
            out.push_back(lambda[static_cast<std::size_t>(it - scratch_lambda.begin())]);
            continue;
        }
        out.push_back(variable_like(tape, v));
    }
    return out;
}

}  // namespace

HypergradientResult run_reverse(Run& run, int window) {
    Tape tape{window > 0 ? Window{window} : Window::none()};
    const Hyperparameters lambda = run.variables(tape);
    // w_0's step and steps 0 .. first - 1 leave the window before the sweep: run them unrecorded.
    const int first = window > 0 ? run.steps() - window : -1;
    State state;
    if (first >= 0) {
        Tape scratch{Window{0}};
        const Hyperparameters scratch_lambda = run.variables(scratch);
        {
            auto step = scratch.step();
            state = run.initial_state(scratch, scratch_lambda);
        }
        for (int t = 0; t < first; ++t) {
            auto step = scratch.step();
            state = run.step(state, scratch_lambda, t);
        }
        state = carried_over(state, scratch, scratch_lambda, tape, lambda);
        run.memory().tape(scratch);
    } else {
        auto step = tape.step();
        state = run.initial_state(tape, lambda);
    }
    for (int t = std::max(first, 0); t < run.steps(); ++t) {
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
