#pragma once
// What every strategy shares: validated inputs, the initial state, plain (untaped) advancing,
// finiteness checks naming the step, and the report's counters. Internal to bilevel/.
#include <chrono>
#include <string>

#include "hypertape/bilevel/hypergradient.hpp"
#include "hypertape/tape/grad.hpp"
#include "hypertape/tape/tape.hpp"

namespace hypertape::bilevel {

using Values = std::vector<Tensor>;

Values values_of(const State& state);
// A variable of `tape` holding v's value, with v's tangents.
Var variable_like(Tape& tape, const Var& v);
// Components not on `tape` become its variables (keeping their tangents); others pass through.
State on_tape(Tape& tape, const State& state);
// sum_i <state_i, adjoint_i>: a scalar whose gradient seeds the state with `adjoint`.
Var pairing(const State& state, const Values& adjoint);
// The state flattened into one vector (differentiably: recorded when on a tape), and back.
Var flatten(const State& parts);
Values unflatten(const Tensor& flat, const Values& like);
// grad(y, xs, options), also when y is a constant (it depends on nothing recorded, e.g. an outer
// loss that ignores lambda): every gradient is then zero, plus its starting adjoint.
std::vector<Var> gradients(const Var& y, const std::vector<Var>& xs, const GradOptions& options = {});
std::size_t bytes_of(const Values& values);
// "lambda" when there is one lambda tensor, "lambda[i]" when there are several.
std::string lambda_name(std::size_t i, std::size_t count);

// Finds NaN and Inf in the states, naming the step where they first appear. A host state is
// checked at once. A device state only leaves the step in a flag on the device, which verify()
// reads once, after the inner loop, so an inner step never waits for the device.
class FiniteWatch {
public:
    // `value` is state component `component` as step t computed it.
    void check(const Tensor& value, int t, std::size_t component);
    // Throws for the first flagged step, if any.
    void verify();

private:
    static constexpr std::int64_t kNone = std::int64_t{1} << 62;
    static constexpr std::int64_t kComponents = 1 << 16;  // the tag is t * kComponents + component
    [[noreturn]] static void report(std::int64_t tag);

    Tensor first_bad_;  // int64 scalar on the state's device: the smallest tag flagged, or kNone
};

// The report's byte counts. The snapshots and tangents held are known at every change; the
// tapes' bytes change with every op, so each tape's peak is read (and reset) at the points where
// the other two change or the tape is done, and added to what they held meanwhile.
class MemoryLedger {
public:
    // Closes a phase of `tape`: its peak since the last call (or since it was made) was reached
    // while the current snapshots and tangents were held. Call it before those change while the
    // tape lives, and when its work is done.
    void tape(Tape& tape);
    void snapshots(std::size_t bytes);
    void tangents(std::size_t bytes);
    void fill(Report& report) const;

private:
    std::size_t snapshots_ = 0, tangents_ = 0;
    std::size_t tape_peak_ = 0, snapshot_peak_ = 0, tangent_peak_ = 0, peak_ = 0;
};

class Run {
public:
    Run(const Problem& problem, const std::vector<Tensor>& lambda, const HypergradientOptions& options);

    const Problem& problem() const { return problem_; }
    const std::vector<Tensor>& lambda() const { return lambda_; }
    int steps() const { return problem_.steps; }

    // lambda's tensors as variables of `tape`, in order.
    Hyperparameters variables(Tape& tape) const;
    // w_0: the warm start or Xi_0(lambda), on `tape`; lambda's dtypes checked against it.
    State initial_state(Tape& tape, const Hyperparameters& lambda);
    // One step Xi_{t+1}, counted and checked for NaN and Inf (on a device: when the loop is done).
    // The observer sees w_{t+1} the first time it is computed (t + 1 <= T).
    State step(const State& state, const Hyperparameters& lambda, int t);
    // f(w_T, lambda), checked to be a finite scalar after the steps' own checks.
    Var outer(const State& state, const Hyperparameters& lambda);
    // Steps [from, to) from `state` without keeping records (a Window{0} scratch tape).
    Values advance(Values state, int from, int to);
    // w_0 computed and returned as values (no records kept).
    Values initial_values();

    MemoryLedger& memory() { return memory_; }
    void note_implicit(int iterations, double relative_residual, double symmetry_defect);
    void forward_done();
    HypergradientResult finish(std::vector<Tensor> values, double outer_loss, Values final_state);

private:
    void observe(int t, const State& state);
    std::string describe_lambda() const;

    const Problem& problem_;
    const std::vector<Tensor>& lambda_;
    const HypergradientOptions& options_;
    Report report_;
    MemoryLedger memory_;
    FiniteWatch finite_;
    int observed_ = -1;  // the last t whose w_t the observer saw
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point forward_end_;
    bool forward_ended_ = false;
};

HypergradientResult run_reverse(Run& run, int window);
HypergradientResult run_checkpointed(Run& run, const Checkpointed& strategy);
HypergradientResult run_forward(Run& run);
HypergradientResult run_implicit(Run& run, const Implicit& strategy);

}  // namespace hypertape::bilevel
