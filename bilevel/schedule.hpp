#pragma once
// Checkpoint schedules as data: a pure function of (T, interval) or (T, snapshots) lists the actions an executor runs
// (bilevel/checkpointed.cpp), so schedules are tested without any AD.
//
// Concept: an unrolled loop has states w_0 ... w_T; step t maps w_t to w_{t+1}. The executor
// holds a current state (initially w_0) and snapshot slots:
//   snapshot{slot, from = t}   copy the current state (w_t) into the slot
//   advance{from, to}          run steps [from, to) without a tape; `to` <= T - 1
//   reverse{from, to}          run steps [from, to) on a tape and backpropagate through them; the
//                              reverses cover [0, T) backwards (the first ends at T)
//   restore{slot, from = t}    the current state becomes the slot's w_t
//   free{slot}                 the slot's memory goes back
//
// Example, binomial_schedule(4, 2), as (kind from to slot):
//   snapshot 0 - 0, advance 0 1, snapshot 1 - 1, advance 1 3, reverse 3 4, restore 1 - 1,
//   advance 1 2, reverse 2 3, restore 1 - 1, reverse 1 2, free 1 - 1, restore 0 - 0, reverse 0 1
// 4 advanced steps = revolve_optimal_advances(4, 2); a tape never holds more than one step.
#include <vector>

namespace hypertape {

struct Action {
    enum class Kind { snapshot, advance, restore, reverse, free };
    Kind kind;
    int from = 0;
    int to = 0;
    int slot = -1;
};

using Schedule = std::vector<Action>;

// Snapshots every `interval` steps (interval <= 0: ceil(sqrt(steps))), one advance to the start of
// the last segment, then each segment reversed on a tape from its snapshot: O(T/interval)
// snapshots and a tape of `interval` steps.
Schedule uniform_schedule(int steps, int interval);
// Revolve: the fewest advanced steps with `snapshots` slots (the one holding w_0 included); each
// reverse covers one step, so the tape never holds more than one step.
Schedule binomial_schedule(int steps, int snapshots);

struct ScheduleCost {
    long long advanced_steps = 0;  // steps run by advances (recomputations without tape)
    long long reversed_steps = 0;  // steps run by reverses (T for a valid schedule)
    int max_live_slots = 0;        // most slots holding a state at once
    int max_reverse_span = 0;      // the longest reverse, in steps
};

// Runs the schedule's bookkeeping; throws hypertape::Error naming the first invalid action.
ScheduleCost simulate(const Schedule& schedule, int steps);

// Griewank's optimum: r*T - beta(s + 1, r - 1) with r the least integer such that
// beta(s, r) = C(s + r, s) >= T.
long long revolve_optimal_advances(int steps, int snapshots);

}  // namespace hypertape
