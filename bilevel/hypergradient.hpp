#pragma once
// The one entry point: the hypergradient of a Problem at lambda by a Strategy, with a report.
//
//   HypergradientResult r = hypergradient(problem, lambda, Truncated{5});
//   r.value;                    // d f / d lambda (h_{T-5} here), shape problem.lambda_shape
//   r.report.peak_bytes;        // tape + snapshots + tangents, from the exact byte counters
//
// Errors (hypertape::Error): T <= 0, K <= 0, a snapshot budget of 0, lambda of the wrong shape
// or dtype, a missing function, and NaN or Inf appearing in the state (the message names the
// step t where it first appeared).
#include "hypertape/bilevel/problem.hpp"
#include "hypertape/bilevel/strategy.hpp"

#include <optional>
#include <vector>

namespace hypertape {

struct Report {
    double forward_seconds = 0;      // up to and including the outer loss
    double backward_seconds = 0;     // everything after it
    long long step_evaluations = 0;  // evaluations of Xi_t, recomputations included
    std::size_t tape_peak_bytes = 0;      // the tapes' saved bytes at their peak
    std::size_t snapshot_peak_bytes = 0;  // state snapshots held at once, at their peak
    std::size_t tangent_peak_bytes = 0;   // forward-mode tangents of the state, at their peak
    std::size_t peak_bytes = 0;           // the sum of the three peaks
    Device device = Device::cpu();        // where those bytes were: lambda's device
};

struct HypergradientOptions {
    // Start from this state instead of Xi_0(lambda) (warm start across hyper-iterations); it is a
    // constant, so the B_0 term of eq. (5) vanishes.
    std::optional<std::vector<Tensor>> warm_start;
};

struct HypergradientResult {
    Tensor value;                    // d f / d lambda
    double outer_loss = 0;           // f(w_T, lambda)
    std::vector<Tensor> final_state; // w_T and the solver state
    Report report;
};

HypergradientResult hypergradient(const Problem& problem, const Tensor& lambda, const Strategy& strategy,
                                  const HypergradientOptions& options = {});

}  // namespace hypertape
