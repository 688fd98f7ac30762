#pragma once
// The one entry point: the hypergradient of a Problem at lambda by a Strategy, with a report.
//
//   HypergradientResult r = hypergradient(problem, lambda, Truncated{5});
//   r.value;                    // d f / d lambda (h_{T-5} here), shape problem.lambda_shape
//   r.report.peak_bytes;        // tape + snapshots + tangents at once, from the exact byte counters
//
//   HypergradientResult q = hypergradient(problem, {log_gamma, weights}, Forward{});   // list form
//   q.values;                   // {d f / d log_gamma, d f / d weights}
//
// A single tensor is the list of one: problem.lambda_shapes (or {problem.lambda_shape} when it is
// empty) gives the expected shapes, and values[i] is the hypergradient for lambda[i]; `value` is
// values[0] when there is one tensor and undefined when there are several.
//
// Errors (hypertape::Error; Implicit::cg on a non-symmetric step throws its subclass
// NonSymmetricStepError): T <= 0, K <= 0, a checkpoint interval < 0 or snapshot count < 1,
// Implicit with k < 1 iterations or Implicit::cg on a non-symmetric step, lambda of the wrong
// count or shape, lambda not floating or of another dtype than the initial state (the message
// says "lambda" and both dtypes), a missing function, and NaN or Inf appearing in the state (the
// message names the step t where it first appeared).
#include <cstddef>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

#include "hypertape/bilevel/problem.hpp"
#include "hypertape/bilevel/strategy.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape {

// Memory: each byte count comes from the library's exact counters. The three components are the
// tapes' saved bytes, the state snapshots held (Checkpointed) and the forward-mode tangents of
// the state (Forward). peak_bytes is their largest sum at one moment: the three are tracked
// together, and at every point where the snapshots or the tangents change the tape's peak since
// the previous such point is added to the snapshots and tangents held meanwhile. It is at most
// the sum of the three component peaks, and equal to it when only one component is used.
struct Report {
    double forward_seconds = 0;           // up to and including the outer loss
    double backward_seconds = 0;          // everything after it
    long long step_evaluations = 0;       // evaluations of Xi_t, recomputations included
    std::size_t tape_peak_bytes = 0;      // the tapes' saved bytes at their peak
    std::size_t snapshot_peak_bytes = 0;  // state snapshots held at once, at their peak
    std::size_t tangent_peak_bytes = 0;   // forward-mode tangents of the state, at their peak
    std::size_t peak_bytes = 0;           // tape + snapshots + tangents at one moment, at the peak
    Device device = Device::cpu();        // where those bytes were: lambda's device
    // Implicit only: the iterations its linear solver ran and the final relative residual
    // |b - A v| / |b| of the system it solved (see Implicit in strategy.hpp); 0 and NaN otherwise.
    int implicit_iterations = 0;
    double implicit_relative_residual = std::numeric_limits<double>::quiet_NaN();
    // Implicit::cg only: the relative difference of <u, A v> and <A u, v> its symmetry check saw
    // (symmetry_defect in solvers/linear.hpp); NaN otherwise or when the check was skipped.
    double implicit_symmetry_defect = std::numeric_limits<double>::quiet_NaN();
};

// Implicit::cg's symmetry check failed: I - d_w Phi is not symmetric (a heavy-ball, Nesterov or
// Adam step). An Error like any other; catch it by this type to fall back to Implicit::cg_normal.
class NonSymmetricStepError : public Error {
public:
    using Error::Error;
};

struct HypergradientOptions {
    // Start from this state instead of Xi_0(lambda) (warm start across hyper-iterations); it is a
    // constant, so the B_0 term of eq. (5) vanishes.
    std::optional<std::vector<Tensor>> warm_start;
    // Called once with each state w_t of the inner loop, t = 0, 1, ..., T in order (recomputations
    // by checkpointing and Implicit's extra step are not reported again), as values: no records
    // are kept for it. It runs inside the forward sweep, so its cost counts in forward_seconds.
    // On a GPU the tensors live on the device; reading them (item, to_vector, to(cpu)) waits for
    // the device, which the inner loop otherwise never does.
    std::function<void(int t, const std::vector<Tensor>& state)> observer;
};

struct HypergradientResult {
    Tensor value;                     // d f / d lambda for a single lambda tensor; undefined for several
    double outer_loss = 0;            // f(w_T, lambda)
    std::vector<Tensor> final_state;  // w_T and the solver state
    Report report;
    std::vector<Tensor> values;  // d f / d lambda[i], one per lambda tensor (values[0] is value for one)
};

HypergradientResult hypergradient(const Problem& problem, const Tensor& lambda, const Strategy& strategy,
                                  const HypergradientOptions& options = {});
HypergradientResult hypergradient(const Problem& problem, const std::vector<Tensor>& lambda, const Strategy& strategy,
                                  const HypergradientOptions& options = {});

}  // namespace hypertape
