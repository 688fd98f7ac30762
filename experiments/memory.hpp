#pragma once
// Memory, time and accuracy of every hypergradient strategy against full reverse mode (RMD),
// swept over the number of inner steps T, on any bilevel Problem (`hypertape memory`).
//
// Concept: for each T in settings.steps the sweep computes the hypergradient at lambda by Reverse{}
// first (the reference), then by every strategy memory_strategies() lists: Truncated{K},
// Checkpointed::uniform(c) and ::binomial(s), checkpointing inside a window of the last K steps,
// Forward{} (only when lambda has at most settings.forward_limit entries: it carries one tangent
// direction per entry), and Implicit::cg(k) and ::fixed_point(k). Each run is a MemoryRun holding
// the library's Report exactly as hypergradient() returned it (seconds, step evaluations, tape /
// snapshot / tangent / total peak bytes from the exact byte counters; the sweep computes none of
// them itself), and the hypergradient's cosine and relative error |h - h_rev| / |h_rev| to
// Reverse's at the same T, over all lambda tensors together.
//
// Implicit::cg checks that the step is symmetric (a gradient-descent step) and throws otherwise;
// the sweep records that run as skipped with the library's message and runs
// Implicit::cg_normal(k) in its place. Forward beyond the limit is recorded as skipped too, so
// every planned strategy has a row.
//
// Usage with your own problem: a function from T to the Problem, and the lambda tensors:
//   MemorySettings s;
//   s.steps = {10, 100, 1000};
//   s.truncations = {1, 10};
//   MemorySweep sweep = run_memory_sweep(with_steps(my_problem), {my_lambda}, s);
//   for (const MemoryRun& r : sweep.runs)
//       std::cout << r.label << " T = " << r.steps << ": " << r.report.peak_bytes << " B, error "
//                 << r.relative_error << "\n";
// with_steps(p) gives p with p.steps = T; when more than the step count depends on T (a step-size
// schedule, say), pass your own [&](int T) { return make_problem(T); } instead. The built-in
// problems of the command line are SweepProblems (builtin_sweep_problem below):
//   SweepProblem q = builtin_sweep_problem(BuiltinProblem::quick());
//   MemorySweep sweep = run_memory_sweep(q.make, q.lambda, MemorySettings::quick());
//
// The progress callback hears ("T = 100", runs done, runs planned) after each run.
//
// Errors (hypertape::Error): an empty settings.steps or lambda, a T, K, window or iteration count
// below 1, an interval below 0 or a snapshot budget below 1, windows without any budget, a
// negative forward_limit (each naming the setting); make_problem(T) returning a problem of another
// T; an unknown built-in problem name; and anything hypergradient() throws for the problem (an
// Implicit::cg symmetry failure excepted, as above).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "hypertape/bilevel/hypergradient.hpp"
#include "hypertape/bilevel/problem.hpp"
#include "hypertape/bilevel/strategy.hpp"
#include "hypertape/experiments/progress.hpp"

namespace hypertape::experiments {

struct MemorySettings {
    std::vector<int> steps = {10, 30, 100, 300, 1000};  // the T values swept
    std::vector<int> truncations = {1, 5, 25};          // K of Truncated{K}
    std::vector<int> intervals = {0, 10, 100};          // Checkpointed::uniform(c); 0 is ceil(sqrt T)
    std::vector<int> budgets = {5, 10, 20};             // Checkpointed::binomial(s): snapshot slots
    std::vector<int> windows = {25};                    // Checkpointed::uniform(0, K) and ::binomial(budgets[0], K)
    std::int64_t forward_limit = 100;                   // Forward runs when lambda has <= this many entries
    std::vector<int> implicit_iterations = {10, 50};    // k of Implicit::cg(k) and ::fixed_point(k)

    // T = 10, 30, 100, 300 and fewer strategies: about a minute on 2 cores with BuiltinProblem::quick().
    static MemorySettings quick();
};

// One strategy of the sweep and the label its rows carry.
struct SweepStrategy {
    std::string label;   // as the C++ that builds it reads: "Truncated{5}", "Checkpointed::binomial(10, 25)"
    std::string family;  // "Reverse", "Truncated", "Checkpointed", "Windowed", "Forward", "Implicit"
    Strategy strategy;
    int truncation = 0;   // K: Truncated{K}'s, or the checkpointing window; 0 when all T steps count
    std::string skipped;  // not empty: why it is not run (Forward beyond the limit)
};

// The strategies swept after Reverse at every T, in order, for lambda with lambda_entries entries
// in all. A K, interval or window beyond T is well defined (all T steps are reversed), so the list
// does not depend on T.
std::vector<SweepStrategy> memory_strategies(const MemorySettings& settings, std::int64_t lambda_entries);

struct MemoryRun {
    int steps = 0;        // T
    std::string label;    // SweepStrategy::label ("Reverse" for the reference)
    std::string family;   // SweepStrategy::family
    Strategy strategy;    // what ran (or was skipped)
    int truncation = 0;   // SweepStrategy::truncation
    std::string skipped;  // not empty: the run did not happen, and why; the numbers below are unset
    Report report;        // exactly as hypergradient() returned it
    double outer_loss = std::numeric_limits<double>::quiet_NaN();
    double cosine = std::numeric_limits<double>::quiet_NaN();          // <h, h_rev> / (|h| |h_rev|)
    double relative_error = std::numeric_limits<double>::quiet_NaN();  // |h - h_rev| / |h_rev|

    double seconds() const { return report.forward_seconds + report.backward_seconds; }
};

struct MemorySweep {
    std::int64_t lambda_entries = 0;  // N: the entries of all lambda tensors together
    std::size_t state_bytes = 0;      // the bytes of one state w_T (all its components): M times the dtype's size
    std::vector<MemoryRun> runs;      // for each T in settings.steps: Reverse, then memory_strategies' order
};

// make_problem(T) must return a problem with T steps.
MemorySweep run_memory_sweep(const std::function<Problem(int steps)>& make_problem, const std::vector<Tensor>& lambda,
                             const MemorySettings& settings, const Progress& progress = {});

// The problem with its steps set to T, for run_memory_sweep.
std::function<Problem(int steps)> with_steps(Problem problem);

// A problem ready for the sweep: the Problem for each T and the lambda to differentiate at.
struct SweepProblem {
    std::string description;  // one line for reports: the problem, its sizes, dtype and solver
    std::function<Problem(int steps)> make;
    std::vector<Tensor> lambda;
};

// The built-in problems of `hypertape memory --problem NAME`:
//   "hypercleaning"  hypercleaning_problem (experiments/hypercleaning.hpp) on Fashion-MNIST, float32:
//                    `train` corrupted training images, `validation` clean ones; lambda = 0 [train]
//   "quadratic"      float64 ridge regression on synthetic data: W [features, 1] trained by gradient
//                    descent on 1/(2n) |X W - y|^2 + 1/2 sum_j exp(lambda_j) W_j^2, outer loss the
//                    validation error 1/(2n) |X_val W - y_val|^2; lambda = log 0.1 [features, 1].
//                    Cheap, and its lambda is small enough for Forward.
//   "toy"            toy_problem (experiments/toy.hpp), Shaban et al. Sec. 4.1's two-dimensional
//                    problem with outer loss f, float64, lambda = (1, 1): memory figures of a
//                    2-entry state, for checking the scaling laws at almost no cost.
// The hypercleaning step size, when not given, is the largest stable power of 2 below 1 over 100
// steps with every weight 1 (probe_step_sizes, as run_hypercleaning picks it).
struct BuiltinProblem {
    std::string name = "hypercleaning";  // "hypercleaning", "quadratic" or "toy"
    std::int64_t train = 1000;           // training examples (images, or rows of X); not for toy
    std::int64_t validation = 1000;      // validation examples; not for toy
    std::int64_t features = 50;          // quadratic only: columns of X (and lambda's entries)
    double step_size = 0;                // the inner step size; 0: the problem's default
    std::string data_dir;                // hypercleaning only: Fashion-MNIST's folder (empty: the default)
    std::uint64_t seed = 0;              // the data's draw (hypercleaning, quadratic)

    // Hypercleaning on 500 training and 500 validation images.
    static BuiltinProblem quick();
};

SweepProblem builtin_sweep_problem(const BuiltinProblem& choice);

}  // namespace hypertape::experiments
