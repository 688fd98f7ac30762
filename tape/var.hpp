#pragma once
// Var: a tensor value together with its place on a tape and, in forward mode, its tangents.
//
// Concept: a Var is one of
//   - a constant: plain data, never differentiated (a Tensor converts to one implicitly);
//   - a variable: a leaf made by Tape::variable, differentiable for the tape's whole life;
//   - a result: the output of a recorded op. Once the window releases the step that recorded it,
//     it behaves as a constant: backward sweeps stop there (K-step truncation).
// Every non-constant Var knows its tape; ops on Vars of two different tapes throw. A Var does not
// keep its tape alive: once the tape is destroyed its Vars behave as constants.
//
// Forward mode: a Var may carry a batch of n tangents, a tensor of shape [n, shape...]. Every op
// propagates them (its JVP rule), so one forward pass yields J V for n directions V at once:
//   Var x = with_tangents(Tensor::randn({3}, rng, f64), Tensor::randn({2, 3}, rng, f64));
//   Var y = exp(x);            // y.tangent() has shape [2, 3]: exp(x) * V[k] for k = 0, 1
// The batch axis comes on top of the value's, so only values of rank 0 to 4 carry tangents: an op
// whose result has rank 5 throws, naming the op, when its operands carry tangents.
#include <cstdint>
#include <memory>

#include "hypertape/tape/tensor.hpp"

namespace hypertape {

namespace detail {
class TapeState;
struct VarAccess;
}  // namespace detail

using NodeId = std::uint64_t;

class Var {
public:
    // An undefined Var; ops reject it.
    Var() = default;
    // A constant.
    Var(Tensor value);  // NOLINT(google-explicit-constructor): constants mix into ops freely

    bool defined() const { return value_.defined(); }
    const Tensor& value() const { return value_; }
    const Shape& shape() const { return value_.shape(); }
    int rank() const { return value_.rank(); }
    std::int64_t numel() const { return value_.numel(); }
    DType dtype() const { return value_.dtype(); }
    Device device() const { return value_.device(); }
    double item() const { return value_.item(); }

    // True for variables and recorded results (released or not); false for constants.
    bool on_tape() const { return node_ != 0; }
    bool is_variable() const { return leaf_; }
    // The step that recorded this result (-1 outside any step, and for variables and constants).
    std::int64_t step() const { return step_; }

    bool has_tangents() const { return tangent_.defined(); }
    // The [n, shape...] tangent batch; undefined when has_tangents() is false.
    const Tensor& tangents() const { return tangent_; }
    std::int64_t tangent_count() const { return tangent_.defined() ? tangent_.shape()[0] : 0; }

private:
    friend struct detail::VarAccess;

    Tensor value_;
    Tensor tangent_;
    std::weak_ptr<detail::TapeState> tape_;
    NodeId node_ = 0;
    bool leaf_ = false;
    std::int64_t step_ = -1;
};

// The same value as a constant: no tape, no tangents.
Var detach(const Var& x);

// The same value (and tape place) carrying the tangent batch `directions` of shape [n, x.shape...].
Var with_tangents(const Var& x, const Tensor& directions);

}  // namespace hypertape
