// Checkpointed: a forward sweep without tape that keeps state snapshots, then a backward sweep
// that replays segments on a tape, by a schedule (bilevel/schedule.hpp). The adjoint of the state
// is carried between segments; the hypergradient accumulates over them. With a window K only the
// last K steps are reversed (h_{T-K} in O(M sqrt K) memory).
#include <map>

#include "hypertape/bilevel/run.hpp"
#include "hypertape/bilevel/schedule.hpp"
#include "hypertape/ops/binary.hpp"
#include "hypertape/tape/error.hpp"
#include "hypertape/tape/grad.hpp"

namespace hypertape::bilevel {
namespace {

// What the backward sweep carries from one reversed segment to the one before it: the segments
// [from, to) are reversed from the last (to = T) down, each ending where the previous one began,
// and after reversing [at, T) this holds the adjoint of w_at and the hypergradient of those steps.
struct Carried {
    int at;                             // the first step reversed so far (T before the first segment)
    Values state_adjoint;               // d f / d w_at (none before the first segment)
    std::vector<Tensor> hypergradient;  // one per lambda tensor (none before the first segment)
};

// Executes schedule actions over steps [offset, T), holding the snapshots and what the backward
// sweep carries. Schedule steps are counted from the window's start: absolute(s) = offset + s.
class Executor {
public:
    Executor(Run& run, int offset, Values start)
        : run_(run), offset_(offset), current_(std::move(start)), carried_{run.steps(), {}, {}} {}

    void execute(const Action& a) {
        switch (a.kind) {
            case Action::Kind::snapshot:
                slots_[a.slot] = current_;
                note_slots();
                break;
            case Action::Kind::advance:
                current_ = run_.advance(std::move(current_), absolute(a.from), absolute(a.to));
                break;
            case Action::Kind::restore:
                current_ = slots_.at(a.slot);
                break;
            case Action::Kind::free:
                slots_.erase(a.slot);
                note_slots();
                break;
            case Action::Kind::reverse:
                reverse(absolute(a.from), absolute(a.to));
                break;
        }
    }

    // The B_0 term: w_0 = Xi_0(lambda) seeded with the adjoint of w_0 (zero for a warm start).
    void reverse_initial_state() {
        if (carried_.at != 0) fail("hypergradient: internal error: w_0 reversed at step ", carried_.at);
        Tape tape;
        const Hyperparameters lambda = run_.variables(tape);
        const std::vector<Var> g =
            grad_accumulating(pairing(run_.initial_state(tape, lambda), carried_.state_adjoint), lambda.list());
        run_.memory().tape(tape);
        carried_.hypergradient.clear();
        for (const Var& v : g) carried_.hypergradient.push_back(v.value());
    }

    std::vector<Tensor> take_hypergradient() { return std::move(carried_.hypergradient); }
    double outer_loss() const { return loss_; }
    Values take_final_state() { return std::move(final_state_); }

private:
    // Steps [from, to) on a fresh tape from the current state; the last segment ends in f.
    void reverse(int from, int to) {
        if (to != carried_.at || from >= to) {
            fail("hypergradient: internal error: the checkpoint schedule reverses steps [", from, ", ", to,
                 ") after reaching step ", carried_.at);
        }
        Tape tape;
        const Hyperparameters lambda = run_.variables(tape);
        const State start = on_tape(tape, constants(current_));
        State state = start;
        for (int t = from; t < to; ++t) state = run_.step(state, lambda, t);
        Var y;
        if (to == run_.steps()) {
            y = run_.outer(state, lambda);
            loss_ = y.item();
            final_state_ = values_of(state);
            run_.forward_done();
        } else {
            y = pairing(state, carried_.state_adjoint);
        }
        std::vector<Var> inputs(start.begin(), start.end());
        inputs.insert(inputs.end(), lambda.begin(), lambda.end());
        const std::vector<Var> g = grad_accumulating(y, inputs);
        run_.memory().tape(tape);
        carried_.at = from;
        carried_.state_adjoint.clear();
        for (std::size_t i = 0; i < start.size(); ++i) carried_.state_adjoint.push_back(g[i].value());
        carried_.hypergradient.clear();
        for (std::size_t i = start.size(); i < g.size(); ++i) carried_.hypergradient.push_back(g[i].value());
    }

    // d y / d inputs with the hypergradients so far as the starting adjoints of lambda's tensors
    // (the last inputs), so that the sum over segments is added in one sweep's order: the same
    // bits as Reverse. Before the first segment there are none.
    std::vector<Var> grad_accumulating(const Var& y, const std::vector<Var>& inputs) {
        GradOptions options;
        options.accumulate.resize(inputs.size());
        const std::vector<Tensor>& h = carried_.hypergradient;
        const std::size_t first = inputs.size() - h.size();
        for (std::size_t i = 0; i < h.size(); ++i) options.accumulate[first + i] = h[i];
        return gradients(y, inputs, options);
    }

    int absolute(int schedule_step) const { return offset_ + schedule_step; }

    static State constants(const Values& values) { return State(values.begin(), values.end()); }

    void note_slots() {
        std::size_t bytes = 0;
        for (const auto& [slot, state] : slots_) bytes += bytes_of(state);
        run_.memory().snapshots(bytes);
    }

    Run& run_;
    int offset_;
    Values current_;
    std::map<int, Values> slots_;
    Carried carried_;
    double loss_ = 0;
    Values final_state_;
};

}  // namespace

HypergradientResult run_checkpointed(Run& run, const Checkpointed& strategy) {
    const int T = run.steps();
    // As for Truncated{K}, eq. (8): K <= T reverses the last K steps without the B_0 term.
    const bool full = strategy.window == 0 || strategy.window > T;
    const int window = full ? T : strategy.window;
    const int offset = T - window;
    const Values start = run.advance(run.initial_values(), 0, offset);
    const Schedule schedule = strategy.schedule == Checkpointed::Schedule::uniform
                                  ? uniform_schedule(window, strategy.interval)
                                  : binomial_schedule(window, strategy.snapshots);
    Executor executor(run, offset, start);
    for (const Action& a : schedule) executor.execute(a);

    if (full) executor.reverse_initial_state();
    std::vector<Tensor> h = executor.take_hypergradient();
    const double loss = executor.outer_loss();
    return run.finish(std::move(h), loss, executor.take_final_state());
}

}  // namespace hypertape::bilevel
