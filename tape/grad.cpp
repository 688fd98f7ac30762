#include "hypertape/tape/grad.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/checks.hpp"
#include "hypertape/tape/error.hpp"
#include "hypertape/tape/tape_state.hpp"

namespace hypertape {

using detail::Grads;
using detail::NeedsGrad;
using detail::Record;
using detail::TapeState;
using detail::VarAccess;

namespace {

// The sweep starts at y's record: it must still be there.
void check_output_live(const Var& y, const TapeState& tape) {
    if (!tape.live(VarAccess::node(y), VarAccess::leaf(y))) {
        fail("grad: backward through a released record: the output (", describe(y), ") was recorded in ",
             y.step() >= 0 ? "step " + std::to_string(y.step()) : std::string("a segment outside any step"),
             ", whose records have been released (by the tape's window or an earlier sweep)");
    }
}

Tensor make_seed(const Var& y, const Tensor& seed) {
    if (!seed.defined()) {
        if (y.numel() != 1) {
            fail("grad: the output has shape ", y.shape().str(),
                 "; a non-scalar output needs a seed (GradOptions::seed or vjp)");
        }
        return Tensor::ones(y.shape(), y.dtype(), y.device());
    }
    if (seed.shape() != y.shape() || seed.dtype() != y.dtype() || seed.device() != y.device()) {
        fail("grad: the seed is ", name_of(seed.dtype()), " ", seed.shape().str(), " on ", seed.device().name(),
             " but the output is ", name_of(y.dtype()), " ", y.shape().str(), " on ", y.device().name());
    }
    if (!seed.all_finite()) fail("grad: the seed of shape ", seed.shape().str(), " contains NaN or Inf");
    return seed;
}

void check_accumulate(const std::vector<Var>& xs, const std::vector<Tensor>& accumulate) {
    if (accumulate.empty()) return;
    if (accumulate.size() != xs.size()) {
        fail("grad: ", accumulate.size(), " starting adjoints (GradOptions::accumulate) for ", xs.size(), " inputs");
    }
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const Tensor& a = accumulate[i];
        if (!a.defined()) continue;
        if (a.shape() != xs[i].shape() || a.dtype() != xs[i].dtype() || a.device() != xs[i].device()) {
            fail("grad: the starting adjoint of input #", i, " is ", name_of(a.dtype()), " ", a.shape().str(),
                 " but the input is ", describe(xs[i]));
        }
        // Starting adjoints are seeds too, checked as make_seed checks the output's.
        if (!a.all_finite()) {
            fail("grad: the starting adjoint of input #", i, " (GradOptions::accumulate) of shape ", a.shape().str(),
                 " contains NaN or Inf");
        }
    }
}

// ----- The walk and its id-ordering invariants ------------------------------------------------
//
// Node ids number values in recording order (TapeState::append checks that every operand of a
// record is older than its result), and each segment holds its records in that order. So:
//   (1) a record sends adjoints only to nodes older than its own result: walking the records from
//       the newest down, a result is handed on only after every record that used it, when its
//       adjoint is complete;
//   (2) below the oldest requested node nothing can send an adjoint to a requested one: the walk
//       ends at the first record whose result is at or below it (WalkBounds::ends_walk);
//   (3) walking the same records from the oldest up, a result is seen after all its operands, so
//       one forward pass over (floor, top] finds every result that depends on a requested node: a
//       requested operand, or an operand found before (PathMarks). Only those results' adjoints
//       can reach a requested node; the walk skips the records of all others, and no VJP
//       computes (or, with create_graph, records) a gradient for an operand off those paths;
//   (4) an adjoint will still be handed on by a record further down the walk exactly when its node
//       is a result (not a variable), newer than the floor, not released and marked by (3)
//       (Adjoints::awaits_record); once no adjoint does, the walk ends early.
// Pruning by (3) leaves every requested gradient's bits alone: an unmarked node's record has no
// requested or marked operand, so its adjoint could only ever have flowed to unmarked,
// unrequested nodes; the marked ones get the same contributions, added in the same order.
// Each rule is a named predicate below; the walk checks (1)'s ordering as it goes.

// The ids a sweep walks over: the results in (floor, top].
class WalkBounds {
public:
    WalkBounds(NodeId top, const std::unordered_set<NodeId>& requested) : top_(top) {
        for (NodeId id : requested) floor_ = std::min(floor_, id);
    }

    // Newer than the sweep's output: made after it, or by this sweep itself (create_graph). Such
    // a record cannot reach the output; skip it.
    bool after_output(NodeId result) const { return result > top_; }
    // At or below the oldest requested node: this record and every older one send adjoints only
    // to nodes older than every requested node (rule 2), so the walk is done.
    bool ends_walk(NodeId result) const { return result <= floor_; }
    // Newer than the oldest requested node: an adjoint here may still reach a requested one.
    bool above_floor(NodeId node) const { return node > floor_; }
    NodeId floor() const { return floor_; }
    NodeId top() const { return top_; }

private:
    NodeId top_;
    NodeId floor_ = std::numeric_limits<NodeId>::max();  // no inputs: nothing to walk
};

// Rule 3: the nodes that depend on a requested node (requested nodes included). Variables and
// results draw their ids from one counter, so the live results in (floor, top] are dense enough for
// one bit per id, from the first of them up to top; a node outside that range depends on a
// requested node only by being one (older nodes are variables, released results or below the
// floor; newer ones are not walked).
class PathMarks {
public:
    PathMarks(const std::deque<detail::Segment>& segments, const WalkBounds& bounds,
              const std::unordered_set<NodeId>& requested)
        : requested_(requested) {
        // Back past the segments that start above the floor: the first record above it is in the
        // last segment starting at or below it, or in the first segment.
        std::size_t first = segments.size();
        while (first > 0 &&
               (segments[first - 1].records.empty() || !bounds.ends_walk(segments[first - 1].records.front().output))) {
            --first;
        }
        if (first > 0) --first;
        for (std::size_t s = first; s < segments.size(); ++s) {
            const auto& records = segments[s].records;
            auto it = std::upper_bound(records.begin(), records.end(), bounds.floor(),
                                       [](NodeId floor, const Record& r) { return floor < r.output; });
            for (; it != records.end(); ++it) {
                if (bounds.after_output(it->output)) return;
                if (bits_.empty()) cover(it->output, bounds.top());
                const bool depends = std::any_of(it->inputs.begin(), it->inputs.end(),
                                                 [this](const detail::InputRef& in) { return marked(in.node); });
                if (depends) bits_[it->output - base_] = true;
            }
        }
    }

    bool marked(NodeId node) const {
        if (node >= base_ && node - base_ < bits_.size()) return bits_[node - base_];
        return requested_.count(node) > 0;
    }

private:
    // One bit for each id in [base, top], set for the requested ones among them.
    void cover(NodeId base, NodeId top) {
        base_ = base;
        bits_.assign(top - base + 1, false);
        for (NodeId id : requested_) {
            if (id >= base && id <= top) bits_[id - base] = true;
        }
    }

    const std::unordered_set<NodeId>& requested_;
    NodeId base_ = 0;
    std::vector<bool> bits_;  // empty: no live result in (floor, top]
};

// The adjoints the walk holds, and how many of them a record further down will hand on.
class Adjoints {
public:
    Adjoints(const TapeState& tape, const WalkBounds& bounds, const PathMarks& marks,
             const std::unordered_set<NodeId>& requested)
        : tape_(tape), bounds_(bounds), marks_(marks), requested_(requested) {}

    // Rule 4: `node`'s adjoint is handed on by its record, which the walk has yet to reach.
    bool awaits_record(NodeId node, bool leaf) const {
        return !leaf && bounds_.above_floor(node) && tape_.live(node, false) && marks_.marked(node);
    }
    // An operand's gradient is worth computing: it is requested, or its record will hand it on
    // towards a requested node.
    bool wanted(const detail::InputRef& in) const {
        if (in.node == 0) return false;  // a constant
        return requested_.count(in.node) > 0 || awaits_record(in.node, in.leaf);
    }
    bool none_awaiting() const { return awaiting_ == 0; }

    // Adds g to node's adjoint (the first contribution is taken as is, so sums keep their order).
    void add(NodeId node, bool leaf, Var g) {
        auto [it, fresh] = adjoints_.try_emplace(node, std::move(g));
        if (!fresh) {
            it->second = it->second + g;
        } else if (awaits_record(node, leaf)) {
            ++awaiting_;
        }
    }

    // The complete adjoint of `record`'s result, to hand on to its operands (rule 1), or nothing
    // when none reached it. A requested result keeps its adjoint for the caller; any other
    // result's adjoint is handed over and forgotten.
    std::optional<Var> take(const Record& record) {
        auto it = adjoints_.find(record.output);
        if (it == adjoints_.end()) return std::nullopt;
        // The record's result is above the floor, live and marked (the walk takes no other), so
        // add() counted it.
        if (awaiting_ == 0) fail(record.op, ": internal error: an adjoint the sweep did not count as awaiting");
        --awaiting_;
        if (requested_.count(record.output) > 0) return it->second;
        Var g = std::move(it->second);
        adjoints_.erase(it);
        return g;
    }

    std::unordered_map<NodeId, Var> release() { return std::move(adjoints_); }

private:
    const TapeState& tape_;
    const WalkBounds& bounds_;
    const PathMarks& marks_;
    const std::unordered_set<NodeId>& requested_;
    std::unordered_map<NodeId, Var> adjoints_;
    std::size_t awaiting_ = 0;  // adjoints for which awaits_record holds
};

// Runs the reverse sweep from y; returns the adjoint of each requested node.
class Sweep {
public:
    Sweep(TapeState& tape, const Var& y, const std::unordered_set<NodeId>& requested)
        : tape_(tape),
          bounds_(VarAccess::node(y), requested),
          marks_(tape.segments(), bounds_, requested),
          adjoints_(tape, bounds_, marks_, requested) {}

    std::unordered_map<NodeId, Var> run(const Var& y, Tensor seed, const std::vector<Var>& xs,
                                        const std::vector<Tensor>& accumulate) {
        adjoints_.add(VarAccess::node(y), VarAccess::leaf(y), Var(std::move(seed)));
        for (std::size_t i = 0; i < accumulate.size(); ++i) {
            if (accumulate[i].defined())
                adjoints_.add(VarAccess::node(xs[i]), VarAccess::leaf(xs[i]), Var(accumulate[i]));
        }
        auto& segments = tape_.segments();
        // Newest record first. Records appended while sweeping (create_graph) land past the sizes
        // taken here (and after the output), so the walk never sees them.
        NodeId previous = std::numeric_limits<NodeId>::max();
        for (std::size_t s = segments.size(); s-- > 0 && !adjoints_.none_awaiting();) {
            auto& records = segments[s].records;
            for (std::size_t r = records.size(); r-- > 0 && !adjoints_.none_awaiting();) {
                const Record& record = records[r];
                if (record.output >= previous) {
                    fail(record.op, ": internal error: the tape's records are out of id order (", record.output,
                         " after ", previous, ")");
                }
                previous = record.output;
                if (bounds_.after_output(record.output)) continue;
                if (bounds_.ends_walk(record.output)) return adjoints_.release();
                if (!marks_.marked(record.output)) continue;  // rule 3: its adjoint reaches no requested node
                if (std::optional<Var> g = adjoints_.take(record)) propagate(record, *g);
            }
        }
        return adjoints_.release();
    }

private:
    void propagate(const Record& record, const Var& g) {
        NeedsGrad needs;
        bool any = false;
        for (const auto& in : record.inputs) {
            needs.push_back(adjoints_.wanted(in));
            any = any || needs.back();
        }
        if (!any) return;
        record.saved.check_unmodified(record.inputs);
        Grads grads = record.vjp(g, record.saved, needs);
        if (grads.size() != record.inputs.size()) {
            // A user op's VJP can get this wrong: one entry per operand, undefined for no gradient.
            fail(record.op, ": the VJP returned ", grads.size(), " gradients for ", record.inputs.size(),
                 " operands (one entry per operand, undefined for none)");
        }
        for (std::size_t i = 0; i < grads.size(); ++i) {
            if (needs[i] && grads[i].defined()) adjoints_.add(record.inputs[i].node, record.inputs[i].leaf, grads[i]);
        }
    }

    TapeState& tape_;
    WalkBounds bounds_;
    PathMarks marks_;
    Adjoints adjoints_;
};

}  // namespace

std::vector<Var> grad(const Var& y, const std::vector<Var>& xs, const GradOptions& options) {
    if (!y.defined()) fail("grad: the output is undefined");
    auto tape = VarAccess::tape(y);
    if (!y.on_tape() || !tape) {
        fail("grad: the output (", describe(y), ") is a constant, not a result recorded on a live tape");
    }
    // PyTorch returns a gradient that silently does not require grad here; a constant where the
    // caller asked for a differentiable result would truncate a hypergradient without a sign.
    if (options.create_graph && !tape->recording()) {
        fail("grad: create_graph inside a no-record scope (Tape::no_record) cannot record the sweep");
    }
    check_output_live(y, *tape);
    std::unordered_set<NodeId> requested;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const Var& x = xs[i];
        const std::string what = "input #" + std::to_string(i);
        if (!x.defined()) fail("grad: ", what, " is undefined");
        if (!x.on_tape())
            fail("grad: ", what, " (", describe(x), ") is a constant, not on the tape; make it with Tape::variable");
        if (VarAccess::tape(x) != tape)
            fail("grad: ", what, " (", describe(x), ") is on a different tape than the output");
        requested.insert(VarAccess::node(x));
    }
    check_accumulate(xs, options.accumulate);
    Tensor seed = make_seed(y, options.seed);

    std::unordered_map<NodeId, Var> adjoints;
    {
        std::optional<NoRecordScope> plain;
        if (!options.create_graph) plain.emplace(tape);
        adjoints = Sweep(*tape, y, requested).run(y, std::move(seed), xs, options.accumulate);
    }
    std::vector<Var> out;
    out.reserve(xs.size());
    for (const Var& x : xs) {
        auto it = adjoints.find(VarAccess::node(x));
        out.push_back(it != adjoints.end() ? it->second : Var(Tensor::zeros_like(x.value())));
    }
    if (!options.create_graph && !options.retain_records) tape->release_all();
    return out;
}

std::vector<Var> grad(const Var& y, const std::vector<Var>& xs, CreateGraph) {
    GradOptions options;
    options.create_graph = true;
    return grad(y, xs, options);
}

Var grad(const Var& y, const Var& x, const GradOptions& options) { return grad(y, std::vector<Var>{x}, options)[0]; }

Var grad(const Var& y, const Var& x, CreateGraph) { return grad(y, std::vector<Var>{x}, create_graph)[0]; }

std::vector<Var> vjp(const Var& y, const Tensor& u, const std::vector<Var>& xs, GradOptions options) {
    if (!u.defined()) fail("vjp: the seed u is undefined");
    options.seed = u;
    return grad(y, xs, options);
}

}  // namespace hypertape
