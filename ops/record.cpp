#include "hypertape/ops/record.hpp"

namespace hypertape::detail {

std::shared_ptr<TapeState> recording_tape(const char* op, const VarList& operands) {
    // A released operand still counts: it is an input (a constant) to the later sweeps, and one
    // may ask for the gradient with respect to it, as an inner solver does with its iterate.
    std::shared_ptr<TapeState> tape;
    for (const Var& v : operands) {
        if (!v.on_tape()) continue;
        auto t = VarAccess::tape(v);
        if (!t) continue;  // its tape is gone: a constant now
        if (tape && tape != t) fail(op, ": operands are recorded on two different tapes");
        tape = t;
    }
    if (!tape || !tape->recording()) return nullptr;
    return tape;
}

std::int64_t tangent_batch(const char* op, const VarList& operands) {
    std::int64_t n = 0;
    for (const Var& v : operands) {
        const std::int64_t k = v.tangent_count();
        if (k == 0) continue;
        if (n != 0 && k != n) fail(op, ": operands carry ", n, " and ", k, " tangent directions");
        n = k;
    }
    return n;
}

Tangents tangent_args(std::int64_t n, const VarList& operands, const Tensor& value) {
    VarList tangents;
    VarList primals;
    for (const Var& v : operands) {
        tangents.push_back(v.has_tangents() ? Var(v.tangents()) : Var());
        primals.push_back(Var(v.value()));
    }
    return Tangents(n, std::move(tangents), std::move(primals), Var(value));
}

void check_tangent(const char* op, const Var& tangent, const Shape& batch, const Tensor& value) {
    if (!tangent.defined() || tangent.shape() != batch || tangent.dtype() != value.dtype()) {
        fail(op, ": internal error: the JVP rule returned tangents of shape ",
             tangent.defined() ? tangent.shape().str() : "(undefined)", " for an output of shape ", value.shape().str(),
             " and ", batch[0], " directions");
    }
}

Var finish(OpDef def, Tensor value, VjpFn vjp, Tensor tangent, const std::shared_ptr<TapeState>& tape) {
    if (!tape) {
        Var out(std::move(value));
        if (tangent.defined()) VarAccess::set_tangent(out, std::move(tangent));
        return out;
    }
    Record r;
    r.op = def.name;
    for (const Var& v : def.operands) {
        const bool on_this_tape = v.on_tape() && VarAccess::tape(v) == tape;
        r.inputs.push_back({on_this_tape ? VarAccess::node(v) : 0, on_this_tape && VarAccess::leaf(v)});
    }
    r.saved = Saved(def.name, def.saved);  // remembers the listed tensors' versions now
    r.vjp = std::move(vjp);
    return tape->append(std::move(r), std::move(value), std::move(tangent), def.save_output, tape);
}

}  // namespace hypertape::detail
