#pragma once
// How an op joins the tape: record() takes the forward value an op computed, appends one record
// (the operands' nodes, the tensors its VJP needs, the VJP), and propagates forward-mode tangents
// through the op's JVP. Every op in ops/ ends with it; user-defined ops can too, with the installed
// headers <hypertape/ops/record.hpp> and <hypertape/ops/kernels.hpp>:
//
//   Var exp(const Var& x) {
//       Tensor y = kernels::unary(math::UnaryKind::exp, x.value());   // ops/kernels.hpp
//       return record({.name = "exp", .operands = {x}, .save_output = true}, y,
//           [](const Var& g, const Saved& s, const NeedsGrad&) { return Grads{g * s.output()}; },
//           [](const Tangents& t) { return t[0] * t.output(); });
//   }
//
// VJP rules are written with differentiable ops, so the create_graph sweep records them and
// grad-of-grad works. A VJP returns one entry per operand (undefined: no gradient) and must only
// capture non-tensor parameters: every tensor it reads is saved, which is what the tape's byte
// ledger counts. It reads them by name (Saved, tape/tape_state.hpp): `s[i]` is the i-th Var of
// OpDef::saved and `s.output()` the op's own result (OpDef::save_output); reading one the op did not
// save throws. A saved tensor written after recording (a mutable Tensor::data<T>()) makes the
// sweep throw, naming the op and the slot. JVP rules get constant Vars (no tape, no tangents) and
// return the output tangent batch, shape [n, output shape...].
#include <optional>
#include <span>
#include <utility>

#include "hypertape/tape/error.hpp"
#include "hypertape/tape/tape_state.hpp"

namespace hypertape {

using detail::Grads;
using detail::NeedsGrad;
using detail::Saved;
using detail::VarList;
using detail::VjpFn;

struct OpDef {
    const char* name;
    VarList operands;          // the differentiable operands, in the order the VJP answers
    VarList saved{};           // what the VJP reads besides the result: Saved's s[0], s[1], ...
    bool save_output = false;  // the VJP reads the op's own result: Saved's s.output()
};

// The tangents of an op's operands, as constants of shape [n, operand shape...].
class Tangents {
public:
    Tangents(std::int64_t n, VarList tangents, VarList primals, Var output)
        : n_(n), tangents_(std::move(tangents)), primals_(std::move(primals)), output_(std::move(output)) {}

    std::int64_t n() const { return n_; }
    bool has(std::size_t i) const { return tangents_[i].defined(); }
    // Undefined where operand i carries no tangent (a zero tangent).
    const Var& operator[](std::size_t i) const { return tangents_[i]; }
    const Var& primal(std::size_t i) const { return primals_[i]; }
    const Var& output() const { return output_; }

private:
    std::int64_t n_;
    VarList tangents_;
    VarList primals_;
    Var output_;
};

namespace detail {

// The tape the result goes on, or null when nothing is to be recorded (no operand on a
// recording tape). Throws when operands come from two different tapes.
std::shared_ptr<TapeState> recording_tape(const char* op, const VarList& operands);
// The common tangent batch size of the operands (0 when none has tangents).
std::int64_t tangent_batch(const char* op, const VarList& operands);
Tangents tangent_args(std::int64_t n, const VarList& operands, const Tensor& value);
void check_tangent(const char* op, const Var& tangent, const Shape& batch, const Tensor& value);
Var finish(OpDef def, Tensor value, VjpFn vjp, Tensor tangent, const std::shared_ptr<TapeState>& tape);

}  // namespace detail

template <class Vjp, class Jvp>
Var record(OpDef def, Tensor value, Vjp&& vjp, Jvp&& jvp) {
    auto tape = detail::recording_tape(def.name, def.operands);
    Tensor tangent;
    if (const std::int64_t n = detail::tangent_batch(def.name, def.operands); n > 0) {
        const Shape batch = tangent_batch_shape(def.name, n, value.shape());  // room for the batch axis
        Var t = jvp(detail::tangent_args(n, def.operands, value));
        detail::check_tangent(def.name, t, batch, value);
        tangent = t.value();
    }
    return detail::finish(std::move(def), std::move(value), tape ? VjpFn(std::forward<Vjp>(vjp)) : VjpFn(),
                          std::move(tangent), tape);
}

// `v` when `other` is on a tape, else undefined: an empty slot in OpDef::saved, which keeps its
// place (s[i] stays s[i]). A product's VJP to one operand reads the other, so an operand is saved
// only when the other one may want a gradient: a constant data batch multiplied by the weights is
// never saved for the weights' sake. The VJP reads the slot only when `needs` asks for `other`'s
// gradient (which implies `other` is on a tape); s.has(i) tells otherwise.
inline Var needed_if_tracked(const Var& v, const Var& other) { return other.on_tape() ? v : Var(); }

// A result that is never differentiated (one_hot, comparisons): a constant.
inline Var constant_result(Tensor value) { return Var(std::move(value)); }

}  // namespace hypertape
