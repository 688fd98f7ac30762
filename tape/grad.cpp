#include "hypertape/tape/grad.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <unordered_map>
#include <unordered_set>

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

// Runs the reverse sweep from y; returns the adjoint of each requested node.
class Sweep {
public:
    Sweep(TapeState& tape, const std::unordered_set<NodeId>& requested) : tape_(tape), requested_(requested) {
        for (NodeId id : requested) floor_ = std::min(floor_, id);
    }

    std::unordered_map<NodeId, Var> run(const Var& y, Tensor seed, const std::vector<Var>& xs,
                                        const std::vector<Tensor>& accumulate) {
        const NodeId top = VarAccess::node(y);
        give(top, VarAccess::leaf(y), Var(std::move(seed)));
        for (std::size_t i = 0; i < accumulate.size(); ++i) {
            if (accumulate[i].defined()) give(VarAccess::node(xs[i]), VarAccess::leaf(xs[i]), Var(accumulate[i]));
        }
        auto& segments = tape_.segments();
        // Records appended while sweeping (create_graph) land past these bounds and are skipped.
        for (std::size_t s = segments.size(); s-- > 0 && pending_ > 0;) {
            auto& records = segments[s].records;
            for (std::size_t r = records.size(); r-- > 0 && pending_ > 0;) {
                Record& record = records[r];
                if (record.output > top) continue;
                if (record.output <= floor_) return std::move(adjoints_);
                auto it = adjoints_.find(record.output);
                if (it == adjoints_.end()) continue;
                // A requested result keeps its adjoint for the caller; others hand it on and drop it.
                const bool keep = requested_.count(record.output) > 0;
                Var g = keep ? it->second : std::move(it->second);
                if (!keep) adjoints_.erase(it);
                --pending_;
                propagate(record, g);
            }
        }
        return std::move(adjoints_);
    }

private:
    // Ids follow recording order, so a record only sends adjoints to older nodes: nothing older
    // than the oldest requested node can reach a requested one. Live results newer than it
    // propagate further; variables and released results only matter when asked for.
    bool wanted(const detail::InputRef& in) const {
        if (in.node == 0) return false;
        if (requested_.count(in.node) > 0) return true;
        return !in.leaf && in.node > floor_ && tape_.live(in.node, false);
    }

    void propagate(const Record& record, const Var& g) {
        NeedsGrad needs;
        bool any = false;
        for (const auto& in : record.inputs) {
            needs.push_back(wanted(in));
            any = any || needs.back();
        }
        if (!any) return;
        Grads grads = record.vjp(g, record.saved, needs);
        if (grads.size() != record.inputs.size()) {
            fail(record.op, ": internal error: the VJP returned ", grads.size(), " gradients for ",
                 record.inputs.size(), " operands");
        }
        for (std::size_t i = 0; i < grads.size(); ++i) {
            if (needs[i] && grads[i].defined()) give(record.inputs[i].node, record.inputs[i].leaf, grads[i]);
        }
    }

    void give(NodeId node, bool leaf, Var g) {
        auto [it, fresh] = adjoints_.try_emplace(node, std::move(g));
        if (!fresh) {
            it->second = it->second + g;
        } else if (!leaf && node > floor_ && tape_.live(node, false)) {
            ++pending_;
        }
    }

    TapeState& tape_;
    const std::unordered_set<NodeId>& requested_;
    std::unordered_map<NodeId, Var> adjoints_;
    std::size_t pending_ = 0;
    NodeId floor_ = std::numeric_limits<NodeId>::max();
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
        adjoints = Sweep(*tape, requested).run(y, std::move(seed), xs, options.accumulate);
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
