#pragma once
// Reverse sweeps over a tape.
//
// grad(y, x) returns dy/dx for a scalar y; grad(y, {x1, x2, ...}) returns every input's gradient
// from one sweep, adjoints accumulating wherever a value was used more than once. A non-scalar y
// needs a seed u and yields the vector-Jacobian products u^T dy/dx_i (vjp). Inputs that y does
// not depend on get zeros.
//
// A sweep computes only what was asked for: it walks only the records on a path from a requested
// input to y, and asks each VJP only for the operands on such a path. A branch that y depends on
// but no requested input feeds (sigmoid(lambda) in grad(loss(w, lambda), w)) runs no VJP and,
// with create_graph, records nothing. The requested gradients have the bits of a sweep that walked
// everything: what reaches them is computed by the same VJPs and added in the same order.
//
// Records: a sweep consumes the tape (all its records are released afterwards, as in a training
// step) unless `retain_records` is set. `create_graph` records the sweep itself, so that its
// results are Vars on the tape that can be differentiated again (gradient-descent steps inside an
// unrolled loop, Hessian-vector products); it implies retain_records. Inside a no-record scope
// (Tape::no_record) there is nothing to record it on, so create_graph throws there.
//
//   Var g = grad(loss(w, lam), w, create_graph);      // differentiable gradient
//   w = w - 0.1 * g;
//   Tensor h = grad(outer(w), lam).value();
#include <vector>

#include "hypertape/tape/var.hpp"

namespace hypertape {

struct GradOptions {
    Tensor seed;                  // u for a vector-Jacobian product; required for a non-scalar output
    bool create_graph = false;    // record the sweep so it can be differentiated again
    bool retain_records = false;  // keep the records for another sweep (implied by create_graph)
    // Starting adjoints, one per input (undefined: none): the result is accumulate[i] plus the
    // sweep's contributions, added in the order one sweep over the whole computation would add
    // them. Chained sweeps over consecutive parts of a computation (checkpointing) then give the
    // same bits as one sweep. Like seeds, they must be finite: NaN or Inf throws, naming the input.
    std::vector<Tensor> accumulate;
};

struct CreateGraph {};
inline constexpr CreateGraph create_graph{};

std::vector<Var> grad(const Var& y, const std::vector<Var>& xs, const GradOptions& options = {});
std::vector<Var> grad(const Var& y, const std::vector<Var>& xs, CreateGraph);
Var grad(const Var& y, const Var& x, const GradOptions& options = {});
Var grad(const Var& y, const Var& x, CreateGraph);

// u^T (dy/dx_i) for every x_i.
std::vector<Var> vjp(const Var& y, const Tensor& u, const std::vector<Var>& xs, GradOptions options = {});

}  // namespace hypertape
