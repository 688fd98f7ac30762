#include "hypertape/bilevel/run.hpp"

#include <algorithm>
#include <sstream>

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/kernels.hpp"
#include "hypertape/ops/layout.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape::bilevel {

Values values_of(const State& state) {
    Values out;
    for (const Var& v : state) out.push_back(v.value());
    return out;
}

Var variable_like(Tape& tape, const Var& v) {
    const Var leaf = tape.variable(v.value());
    return v.has_tangents() ? with_tangents(leaf, v.tangents()) : leaf;
}

State on_tape(Tape& tape, const State& state) {
    State out;
    for (const Var& v : state) out.push_back(v.on_tape() ? v : variable_like(tape, v));
    return out;
}

Var pairing(const State& state, const Values& adjoint) {
    Var total;
    for (std::size_t i = 0; i < state.size(); ++i) {
        Var term = sum(state[i] * Var(adjoint[i]));
        total = total.defined() ? total + term : term;
    }
    return total;
}

Var flatten(const State& parts) {
    std::vector<Var> flat;
    for (const Var& p : parts) flat.push_back(reshape(p, Shape{p.numel()}));
    return concat(flat, 0);
}

std::vector<Var> gradients(const Var& y, const std::vector<Var>& xs, const GradOptions& options) {
    if (y.on_tape()) return grad(y, xs, options);
    std::vector<Var> out;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const bool started = i < options.accumulate.size() && options.accumulate[i].defined();
        out.push_back(Var(started ? options.accumulate[i] : Tensor::zeros_like(xs[i].value())));
    }
    return out;
}

Values unflatten(const Tensor& flat, const Values& like) {
    Values out;
    std::int64_t offset = 0;
    for (const Tensor& p : like) {
        out.push_back(slice(Var(flat), 0, offset, offset + p.numel()).value().reshaped(p.shape()));
        offset += p.numel();
    }
    return out;
}

std::size_t bytes_of(const Values& values) {
    std::size_t total = 0;
    for (const Tensor& v : values) total += v.nbytes();
    return total;
}

std::string lambda_name(std::size_t i, std::size_t count) {
    if (count == 1) return "lambda";
    std::ostringstream name;
    name << "lambda[" << i << "]";
    return name.str();
}

void FiniteWatch::check(const Tensor& value, int t, std::size_t component) {
    if (component >= static_cast<std::size_t>(kComponents)) {
        fail("hypergradient: a state of more than ", kComponents, " components is not supported");
    }
    const std::int64_t tag = static_cast<std::int64_t>(t) * kComponents + static_cast<std::int64_t>(component);
    if (!first_bad_.defined() || first_bad_.device() != value.device()) {
        verify();  // a flag left on another device is read before it is replaced
        first_bad_ = Tensor::full(Shape{}, static_cast<double>(kNone), DType::i64, value.device());
    }
    kernels::flag_nonfinite(value, first_bad_, tag);
    if (value.device().kind == Device::Kind::cpu) verify();  // free on the host: fail at the bad step
}

void FiniteWatch::verify() {
    if (!first_bad_.defined()) return;
    // The flag stays for the next checks: nothing to allocate per step.
    const auto tag = static_cast<std::int64_t>(first_bad_.item());
    if (tag != kNone) report(tag);
}

void FiniteWatch::report(std::int64_t tag) {
    const std::int64_t t = tag / kComponents;
    fail("hypergradient: NaN or Inf appeared in state component ", tag % kComponents, " at step t = ", t,
         " (computing w_", t + 1, " from w_", t, ")");
}

void MemoryLedger::tape(Tape& tape) {
    const std::size_t peak = tape.stats().peak_bytes;
    tape_peak_ = std::max(tape_peak_, peak);
    peak_ = std::max(peak_, peak + snapshots_ + tangents_);
    tape.reset_peak();
}

void MemoryLedger::snapshots(std::size_t bytes) {
    snapshots_ = bytes;
    snapshot_peak_ = std::max(snapshot_peak_, bytes);
    peak_ = std::max(peak_, snapshots_ + tangents_);
}

void MemoryLedger::tangents(std::size_t bytes) {
    tangents_ = bytes;
    tangent_peak_ = std::max(tangent_peak_, bytes);
    peak_ = std::max(peak_, snapshots_ + tangents_);
}

void MemoryLedger::fill(Report& report) const {
    report.tape_peak_bytes = tape_peak_;
    report.snapshot_peak_bytes = snapshot_peak_;
    report.tangent_peak_bytes = tangent_peak_;
    report.peak_bytes = peak_;
}

Run::Run(const Problem& problem, const std::vector<Tensor>& lambda, const HypergradientOptions& options)
    : problem_(problem), lambda_(lambda), options_(options), start_(std::chrono::steady_clock::now()) {
    report_.device = lambda.front().device();
}

std::string Run::describe_lambda() const {
    std::ostringstream out;
    for (std::size_t i = 0; i < lambda_.size(); ++i) {
        out << (i ? ", " : "") << lambda_name(i, lambda_.size()) << " " << name_of(lambda_[i].dtype()) << " "
            << lambda_[i].shape().str();
    }
    return out.str();
}

Hyperparameters Run::variables(Tape& tape) const {
    std::vector<Var> vars;
    for (const Tensor& l : lambda_) vars.push_back(tape.variable(l));
    return Hyperparameters(std::move(vars));
}

State Run::initial_state(Tape& tape, const Hyperparameters& lambda) {
    State s;
    if (options_.warm_start) {
        for (const Tensor& t : *options_.warm_start) s.push_back(Var(t));
    } else {
        try {
            s = problem_.init(lambda);
        } catch (const Error& e) {
            // The state's dtype is unknown until init returns: name lambda's, the op names the other.
            fail("hypergradient: problem.init(lambda) failed, with ", describe_lambda(), ": ", e.what());
        }
    }
    if (s.empty()) fail("hypergradient: the initial state is empty");
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!s[i].defined()) fail("hypergradient: component ", i, " of the initial state is undefined");
        if (!s[i].value().all_finite())
            fail("hypergradient: the initial state (component ", i, ") contains NaN or Inf");
    }
    // Without a differentiable cast, a lambda of another dtype would fail inside the step.
    for (std::size_t i = 0; i < lambda_.size(); ++i) {
        if (lambda_[i].dtype() != s[0].dtype()) {
            fail("hypergradient: ", lambda_name(i, lambda_.size()), " is ", name_of(lambda_[i].dtype()),
                 " but the initial state (component 0, w_0) is ", name_of(s[0].dtype()),
                 "; give lambda the state's dtype");
        }
    }
    State out = on_tape(tape, s);
    observe(0, out);
    return out;
}

State Run::step(const State& state, const Hyperparameters& lambda, int t) {
    State next = problem_.step(state, lambda, t);
    ++report_.step_evaluations;
    if (next.size() != state.size()) {
        fail("hypergradient: step ", t, " returned ", next.size(), " state components for ", state.size());
    }
    for (std::size_t i = 0; i < next.size(); ++i) {
        if (!next[i].defined() || next[i].shape() != state[i].shape()) {
            fail("hypergradient: step ", t, " changed the shape of state component ", i, " from ",
                 state[i].shape().str(), " to ", next[i].defined() ? next[i].shape().str() : "(undefined)");
        }
        finite_.check(next[i].value(), t, i);
    }
    if (t + 1 <= steps()) observe(t + 1, next);
    return next;
}

void Run::observe(int t, const State& state) {
    if (t <= observed_) return;
    observed_ = t;
    if (options_.observer) options_.observer(t, values_of(state));
}

Var Run::outer(const State& state, const Hyperparameters& lambda) {
    finite_.verify();
    const Var f = problem_.outer(state, lambda);
    if (!f.defined() || f.numel() != 1) {
        fail("hypergradient: the outer loss must be a scalar, got ", f.defined() ? f.shape().str() : "(undefined)");
    }
    if (!f.value().all_finite()) fail("hypergradient: the outer loss is NaN or Inf");
    return f;
}

Values Run::advance(Values state, int from, int to) {
    Tape scratch{Window{0}};
    const Hyperparameters lambda = variables(scratch);
    for (int t = from; t < to; ++t) {
        auto scope = scratch.step();
        State in;
        for (const Tensor& v : state) in.push_back(scratch.variable(v));
        state = values_of(step(in, lambda, t));
    }
    memory_.tape(scratch);
    return state;
}

Values Run::initial_values() {
    Tape scratch{Window{0}};
    const Values out = values_of(initial_state(scratch, variables(scratch)));
    memory_.tape(scratch);
    return out;
}

void Run::note_implicit(int iterations, double relative_residual, double symmetry_defect) {
    report_.implicit_iterations = iterations;
    report_.implicit_relative_residual = relative_residual;
    report_.implicit_symmetry_defect = symmetry_defect;
}

void Run::forward_done() {
    forward_end_ = std::chrono::steady_clock::now();
    forward_ended_ = true;
}

HypergradientResult Run::finish(std::vector<Tensor> values, double outer_loss, Values final_state) {
    const auto end = std::chrono::steady_clock::now();
    const auto forward_end = forward_ended_ ? forward_end_ : end;
    report_.forward_seconds = std::chrono::duration<double>(forward_end - start_).count();
    report_.backward_seconds = std::chrono::duration<double>(end - forward_end).count();
    memory_.fill(report_);
    finite_.verify();
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!values[i].all_finite()) {
            fail("hypergradient: the hypergradient for ", lambda_name(i, values.size()), " contains NaN or Inf");
        }
    }
    HypergradientResult result;
    if (values.size() == 1) result.value = values.front();
    result.values = std::move(values);
    result.outer_loss = outer_loss;
    result.final_state = std::move(final_state);
    result.report = report_;
    return result;
}

}  // namespace hypertape::bilevel
