#include "hypertape/bilevel/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "hypertape/tape/error.hpp"

namespace hypertape {
namespace {

// C(s + r, s), exact while it fits a long long and saturated above (only the search for r can get
// there, and it stops at the first value >= steps).
long long beta(long long s, long long r) {
    if (r < 0) return 0;
    __int128 value = 1;
    for (long long i = 1; i <= std::min(s, r); ++i) {
        value = value * (std::max(s, r) + i) / i;
        if (value > std::numeric_limits<long long>::max()) return std::numeric_limits<long long>::max();
    }
    return static_cast<long long>(value);
}

// More slots than steps never help, so the budget is capped at the step count.
long long optimal(int steps, int snapshots) {
    const long long s = std::min(snapshots, steps);
    long long r = 0;
    while (beta(s, r) < steps) ++r;
    return r * steps - beta(s + 1, r - 1);
}

class BinomialBuilder {
public:
    Schedule build(int steps, int snapshots) {
        emit({Action::Kind::snapshot, 0, 0, 0});
        slot_of_[0] = 0;
        reverse_range(0, steps, std::min(snapshots, steps));
        emit({Action::Kind::free, 0, 0, 0});
        return std::move(schedule_);
    }

private:
    // Reverses steps [a, b) with w_a in a slot and `slots` slots in use from here on (w_a's included).
    void reverse_range(int a, int b, int slots) {
        const int length = b - a;
        if (slots == 1 || length == 1) {
            for (int t = b - 1; t >= a; --t) {
                go_to(a);
                if (t > a) advance(a, t);
                emit({Action::Kind::reverse, t, t + 1});
                current_ = -1;
            }
            return;
        }
        // The cost m + F(length - m, slots - 1) + F(m, slots) is convex in m (F is piecewise linear
        // in the length with growing slopes), so the first m whose forward difference is >= 0
        // minimises it: a binary search instead of a scan.
        const auto cost = [&](int m) { return m + optimal(length - m, slots - 1) + optimal(m, slots); };
        int lo = 1, hi = length - 1;
        while (lo < hi) {
            const int mid = lo + (hi - lo) / 2;
            if (cost(mid + 1) < cost(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        const int best = lo;
        const int split = a + best;
        go_to(a);
        advance(a, split);
        const int slot = static_cast<int>(slot_of_.size());
        emit({Action::Kind::snapshot, split, 0, slot});
        slot_of_[split] = slot;
        reverse_range(split, b, slots - 1);
        emit({Action::Kind::free, split, 0, slot});
        slot_of_.erase(split);
        reverse_range(a, split, slots);
    }

    void go_to(int t) {
        if (current_ != t) emit({Action::Kind::restore, t, 0, slot_of_.at(t)});
        current_ = t;
    }

    void advance(int from, int to) {
        emit({Action::Kind::advance, from, to});
        current_ = to;
    }

    void emit(const Action& a) { schedule_.push_back(a); }

    Schedule schedule_;
    std::map<int, int> slot_of_;  // step index -> slot
    int current_ = 0;
};

const char* name_of(Action::Kind kind) {
    switch (kind) {
        case Action::Kind::snapshot:
            return "snapshot";
        case Action::Kind::advance:
            return "advance";
        case Action::Kind::restore:
            return "restore";
        case Action::Kind::reverse:
            return "reverse";
        case Action::Kind::free:
            return "free";
    }
    return "?";
}

std::string state_name(int t) { return t < 0 ? std::string("undefined (after a reverse)") : "w_" + std::to_string(t); }

}  // namespace

Schedule uniform_schedule(int steps, int interval) {
    if (steps <= 0) fail("uniform_schedule: steps must be positive, got ", steps);
    int every = interval;
    if (every <= 0) every = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(steps))));
    const int segments = 1 + (steps - 1) / every;
    const auto start = [&](int k) { return static_cast<int>(std::min<long long>(1LL * k * every, steps)); };
    Schedule s;
    s.push_back({Action::Kind::snapshot, 0, 0, 0});
    for (int k = 1; k < segments; ++k) {
        s.push_back({Action::Kind::advance, start(k - 1), start(k)});
        s.push_back({Action::Kind::snapshot, start(k), 0, k});
    }
    for (int k = segments - 1; k >= 0; --k) {
        if (k < segments - 1) s.push_back({Action::Kind::restore, start(k), 0, k});
        s.push_back({Action::Kind::reverse, start(k), start(k + 1)});
        s.push_back({Action::Kind::free, start(k), 0, k});
    }
    return s;
}

Schedule binomial_schedule(int steps, int snapshots) {
    if (steps <= 0) fail("binomial_schedule: steps must be positive, got ", steps);
    if (snapshots <= 0) fail("binomial_schedule: the snapshot budget must be >= 1, got ", snapshots);
    return BinomialBuilder().build(steps, snapshots);
}

long long revolve_optimal_advances(int steps, int snapshots) {
    if (steps <= 0) fail("revolve_optimal_advances: steps must be positive, got ", steps);
    if (snapshots <= 0) fail("revolve_optimal_advances: the snapshot budget must be >= 1, got ", snapshots);
    return optimal(steps, snapshots);
}

ScheduleCost simulate(const Schedule& schedule, int steps) {
    if (steps <= 0) fail("simulate: steps must be positive, got ", steps);
    ScheduleCost cost;
    std::map<int, int> slots;  // slot -> step index of its state
    int current = 0;           // -1: undefined (after a reverse)
    int unreversed = steps;    // the reverses have covered [unreversed, T)
    for (std::size_t i = 0; i < schedule.size(); ++i) {
        const Action& a = schedule[i];
        const auto bad = [&](const auto&... why) {
            fail("simulate: action ", i, " (", name_of(a.kind), " from ", a.from, " to ", a.to, " slot ", a.slot,
                 "): ", why...);
        };
        switch (a.kind) {
            case Action::Kind::snapshot:
                if (current != a.from) bad("the current state is ", state_name(current));
                if (a.slot < 0 || slots.count(a.slot)) bad("the slot is negative or already holds a state");
                slots[a.slot] = a.from;
                cost.max_live_slots = std::max(cost.max_live_slots, static_cast<int>(slots.size()));
                break;
            case Action::Kind::advance:
                if (current != a.from) bad("the current state is ", state_name(current));
                if (a.to <= a.from || a.to > steps - 1) bad("advances must move forward and end before step ", steps);
                cost.advanced_steps += a.to - a.from;
                current = a.to;
                break;
            case Action::Kind::restore: {
                const auto it = slots.find(a.slot);
                if (it == slots.end() || it->second != a.from) bad("the slot does not hold w_", a.from);
                current = a.from;
                break;
            }
            case Action::Kind::free:
                if (slots.erase(a.slot) == 0) bad("the slot is empty");
                break;
            case Action::Kind::reverse:
                if (current != a.from) bad("the current state is ", state_name(current));
                if (a.to != unreversed || a.from >= a.to) bad("the next reverse must end at step ", unreversed);
                cost.reversed_steps += a.to - a.from;
                cost.max_reverse_span = std::max(cost.max_reverse_span, a.to - a.from);
                unreversed = a.from;
                current = -1;
                break;
        }
    }
    if (unreversed != 0) fail("simulate: the schedule leaves steps [0, ", unreversed, ") unreversed");
    return cost;
}

}  // namespace hypertape
