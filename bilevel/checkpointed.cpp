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

// Executes schedule actions over steps [offset, T), holding the snapshots and the adjoints.
class Executor {
public:
    Executor(Run& run, int offset, Values start) : run_(run), offset_(offset), current_(std::move(start)) {}

    void execute(const Action& a) {
        switch (a.kind) {
            case Action::Kind::snapshot:
                slots_[a.slot] = current_;
                note_slots();
                break;
            case Action::Kind::advance:
                current_ = run_.advance(std::move(current_), offset_ + a.from, offset_ + a.to);
                break;
            case Action::Kind::restore:
                current_ = slots_.at(a.slot);
                break;
            case Action::Kind::free:
                slots_.erase(a.slot);
                note_slots();
                break;
            case Action::Kind::reverse:
                reverse(offset_ + a.from, offset_ + a.to);
                break;
        }
    }

    // The B_0 term: w_0 = Xi_0(lambda) seeded with the adjoint of w_0 (zero for a warm start).
    void reverse_initial_state() {
        Tape tape;
        const Hyperparameters lambda = run_.variables(tape);
        const std::vector<Var> g =
            grad_accumulating(pairing(run_.initial_state(tape, lambda), adjoint_), lambda.list());
        run_.memory().tape(tape);
        h_.clear();
        for (const Var& v : g) h_.push_back(v.value());
    }

    std::vector<Tensor> take_hypergradient() { return std::move(h_); }
    double outer_loss() const { return loss_; }
    Values take_final_state() { return std::move(final_state_); }

private:
    // Steps [from, to) on a fresh tape from the current state; the last segment ends in f.
    void reverse(int from, int to) {
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
            y = pairing(state, adjoint_);
        }
        std::vector<Var> inputs(start.begin(), start.end());
        inputs.insert(inputs.end(), lambda.begin(), lambda.end());
        const std::vector<Var> g = grad_accumulating(y, inputs);
        run_.memory().tape(tape);
        adjoint_.clear();
        for (std::size_t i = 0; i < start.size(); ++i) adjoint_.push_back(g[i].value());
        h_.clear();
        for (std::size_t i = start.size(); i < g.size(); ++i) h_.push_back(g[i].value());
    }

    // d y / d inputs with the hypergradients so far as the starting adjoints of lambda's tensors
    // (the last inputs), so that the sum over segments is added in one sweep's order: the same
    // bits as Reverse. Before the first segment there are none.
    std::vector<Var> grad_accumulating(const Var& y, const std::vector<Var>& inputs) {
        GradOptions options;
        options.accumulate.resize(inputs.size());
        const std::size_t first = inputs.size() - h_.size();
        for (std::size_t i = 0; i < h_.size(); ++i) options.accumulate[first + i] = h_[i];
        return gradients(y, inputs, options);
    }

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
    Values adjoint_;
    std::vector<Tensor> h_;  // the hypergradient so far, one per lambda tensor (none before the first)
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
