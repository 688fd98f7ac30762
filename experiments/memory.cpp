#include "hypertape/experiments/memory.hpp"

#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string_view>
#include <utility>

#include "hypertape/experiments/datasets.hpp"
#include "hypertape/experiments/hypercleaning.hpp"
#include "hypertape/experiments/toy.hpp"
#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/matmul.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/unary.hpp"
#include "hypertape/solvers/inner.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape::experiments {
namespace {

void check_at_least(const std::vector<int>& values, int least, const char* setting) {
    for (int v : values) {
        if (v < least) fail("run_memory_sweep: MemorySettings.", setting, " must hold values >= ", least, ", got ", v);
    }
}

void check_settings(const MemorySettings& s) {
    if (s.steps.empty()) fail("run_memory_sweep: MemorySettings.steps is empty; give at least one T");
    check_at_least(s.steps, 1, "steps");
    check_at_least(s.truncations, 1, "truncations");
    check_at_least(s.intervals, 0, "intervals");
    check_at_least(s.budgets, 1, "budgets");
    check_at_least(s.windows, 1, "windows");
    check_at_least(s.implicit_iterations, 1, "implicit_iterations");
    if (s.forward_limit < 0) fail("run_memory_sweep: MemorySettings.forward_limit must be >= 0, got ", s.forward_limit);
    if (!s.windows.empty() && s.budgets.empty()) {
        fail(
            "run_memory_sweep: MemorySettings.windows needs a snapshot budget for Checkpointed::binomial(s, K); "
            "MemorySettings.budgets is empty");
    }
}

SweepStrategy planned(std::string label, std::string family, Strategy strategy, int truncation = 0) {
    SweepStrategy s;
    s.label = std::move(label);
    s.family = std::move(family);
    s.strategy = strategy;
    s.truncation = truncation;
    return s;
}

// A row for strategy s at T, its numbers not yet set.
MemoryRun row_for(int steps, const SweepStrategy& s) {
    MemoryRun run;
    run.steps = steps;
    run.label = s.label;
    run.family = s.family;
    run.strategy = s.strategy;
    run.truncation = s.truncation;
    run.skipped = s.skipped;
    return run;
}

// "name(1, 2)", or "name{1}" with braces: the label as the C++ that builds the strategy reads.
std::string call(const std::string& name, const std::vector<int>& arguments, const char* brackets = "()") {
    std::string text = name + brackets[0];
    for (std::size_t i = 0; i < arguments.size(); ++i) text += (i ? ", " : "") + std::to_string(arguments[i]);
    return text + brackets[1];
}

SweepStrategy implicit_cg(int k) { return planned(call("Implicit::cg", {k}), "Implicit", Implicit::cg(k)); }
SweepStrategy implicit_cg_normal(int k) {
    return planned(call("Implicit::cg_normal", {k}), "Implicit", Implicit::cg_normal(k));
}

// Sums over all lambda tensors, in double: <a, b>, <a, a>, <b, b> and |a - b|^2.
struct Products {
    double ab = 0, aa = 0, bb = 0, difference = 0;
};

Products products(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
    Products p;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::vector<double> x = a[i].to_vector();
        const std::vector<double> y = b[i].to_vector();
        for (std::size_t j = 0; j < x.size(); ++j) {
            p.ab += x[j] * y[j];
            p.aa += x[j] * x[j];
            p.bb += y[j] * y[j];
            p.difference += (x[j] - y[j]) * (x[j] - y[j]);
        }
    }
    return p;
}

// sqrt(aa * bb) rather than sqrt(aa) sqrt(bb): for a == b it is exactly aa, so the reference's
// cosine is exactly 1.
void compare(MemoryRun& run, const std::vector<Tensor>& h, const std::vector<Tensor>& reference) {
    const Products p = products(h, reference);
    run.cosine = p.ab / std::sqrt(p.aa * p.bb);
    run.relative_error = std::sqrt(p.difference / p.bb);
}

std::string number(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return text;
}

// Runs s unless it is skipped; *result receives hypergradient()'s answer.
MemoryRun run_one(const Problem& problem, const std::vector<Tensor>& lambda, const SweepStrategy& s,
                  HypergradientResult* result) {
    MemoryRun run = row_for(problem.steps, s);
    if (!run.skipped.empty()) return run;
    *result = hypergradient(problem, lambda, s.strategy);
    run.report = result->report;
    run.outer_loss = result->outer_loss;
    return run;
}

std::int64_t entries(const std::vector<Tensor>& lambda) {
    std::int64_t n = 0;
    for (const Tensor& l : lambda) n += l.numel();
    return n;
}

}  // namespace

MemorySettings MemorySettings::quick() {
    MemorySettings s;
    s.steps = {10, 30, 100, 300};
    s.truncations = {1, 5, 25};
    s.intervals = {0, 30};
    s.budgets = {4, 16};
    s.windows = {25};
    s.implicit_iterations = {20};
    return s;
}

std::vector<SweepStrategy> memory_strategies(const MemorySettings& settings, std::int64_t lambda_entries) {
    std::vector<SweepStrategy> list;
    for (int K : settings.truncations)
        list.push_back(planned(call("Truncated", {K}, "{}"), "Truncated", Truncated{K}, K));
    for (int c : settings.intervals) {
        const std::string label = c == 0 ? "Checkpointed::uniform()" : call("Checkpointed::uniform", {c});
        list.push_back(planned(label, "Checkpointed", Checkpointed::uniform(c)));
    }
    for (int s : settings.budgets) {
        list.push_back(planned(call("Checkpointed::binomial", {s}), "Checkpointed", Checkpointed::binomial(s)));
    }
    for (int K : settings.windows) {
        list.push_back(planned(call("Checkpointed::uniform", {0, K}), "Windowed", Checkpointed::uniform(0, K), K));
        const int s = settings.budgets.front();
        list.push_back(planned(call("Checkpointed::binomial", {s, K}), "Windowed", Checkpointed::binomial(s, K), K));
    }
    SweepStrategy forward = planned("Forward", "Forward", Forward{});
    if (lambda_entries > settings.forward_limit) {
        forward.skipped = "lambda has " + std::to_string(lambda_entries) + " entries, over the forward limit of " +
                          std::to_string(settings.forward_limit) + " (Forward carries one tangent per entry)";
    }
    list.push_back(forward);
    for (int k : settings.implicit_iterations) {
        list.push_back(implicit_cg(k));
        list.push_back(planned(call("Implicit::fixed_point", {k}), "Implicit", Implicit::fixed_point(k)));
    }
    return list;
}

namespace {

// Strategy s at the problem's T, compared with Reverse's hypergradient; Implicit::cg's symmetry
// failure becomes a skipped row followed by Implicit::cg_normal with the same k.
void run_strategy(const Problem& problem, const std::vector<Tensor>& lambda, const SweepStrategy& s,
                  const std::vector<Tensor>& reference, std::vector<MemoryRun>& runs) {
    HypergradientResult r;
    try {
        MemoryRun run = run_one(problem, lambda, s, &r);
        if (run.skipped.empty()) compare(run, r.values, reference);
        runs.push_back(std::move(run));
    } catch (const NonSymmetricStepError& e) {  // any other Error is the problem's and propagates
        MemoryRun skipped = row_for(problem.steps, s);
        skipped.skipped = e.what();
        runs.push_back(std::move(skipped));
        MemoryRun normal = run_one(problem, lambda, implicit_cg_normal(std::get<Implicit>(s.strategy).iterations), &r);
        compare(normal, r.values, reference);
        runs.push_back(std::move(normal));
    }
}

}  // namespace

MemorySweep run_memory_sweep(const std::function<Problem(int steps)>& make_problem, const std::vector<Tensor>& lambda,
                             const MemorySettings& settings, const Progress& progress) {
    check_settings(settings);
    if (lambda.empty()) fail("run_memory_sweep: lambda is empty; give the hyperparameter tensors");
    if (!make_problem) fail("run_memory_sweep: make_problem is empty");
    MemorySweep sweep;
    sweep.lambda_entries = entries(lambda);
    const std::vector<SweepStrategy> strategies = memory_strategies(settings, sweep.lambda_entries);
    const long long total = std::ssize(settings.steps) * (1 + std::ssize(strategies));

    long long done = 0;
    for (int T : settings.steps) {
        const std::string stage = "T = " + std::to_string(T);
        progress(stage, done, total);
        const Problem problem = make_problem(T);
        if (problem.steps != T) {
            fail("run_memory_sweep: make_problem(", T, ") returned a problem with ", problem.steps, " steps");
        }
        HypergradientResult full;
        MemoryRun first = run_one(problem, lambda, planned("Reverse", "Reverse", Reverse{}), &full);
        const std::vector<Tensor> reference = std::move(full.values);
        compare(first, reference, reference);
        sweep.runs.push_back(std::move(first));
        sweep.state_bytes = 0;
        for (const Tensor& component : full.final_state) sweep.state_bytes += component.nbytes();
        progress(stage, ++done, total);
        for (const SweepStrategy& s : strategies) {
            run_strategy(problem, lambda, s, reference, sweep.runs);
            progress(stage, ++done, total);
        }
    }
    return sweep;
}

std::function<Problem(int steps)> with_steps(Problem problem) {
    return [problem = std::move(problem)](int steps) {
        Problem p = problem;
        p.steps = steps;
        return p;
    };
}

// ---- built-in problems ----

namespace {

struct RidgeData {
    Tensor X, y, X_validation, y_validation;  // float64: [n, p], [n, 1]
};

// y = X w* + noise with standard normal X, w* and noise of standard deviation 0.5.
RidgeData ridge_data(const BuiltinProblem& c) {
    std::mt19937_64 rng(c.seed);
    const Tensor teacher = Tensor::randn({c.features, 1}, rng, f64);
    const auto sample = [&](std::int64_t n, Tensor& X, Tensor& y) {
        X = Tensor::randn({n, c.features}, rng, f64);
        y = (matmul(X, teacher) + 0.5 * Var(Tensor::randn({n, 1}, rng, f64))).value();
    };
    RidgeData d;
    sample(c.train, d.X, d.y);
    sample(c.validation, d.X_validation, d.y_validation);
    return d;
}

// X^T X / n has eigenvalues between about (1 -+ sqrt(p / n))^2 (0.61 and 1.5 for 1000 x 50), so
// 0.2 is stable with room for exp(lambda) = 0.1, and the contraction 1 - 0.2 (0.61 + 0.1) = 0.86
// per step leaves a truncation bias that decays visibly over K = 1 ... 25.
constexpr double kRidgeStepSize = 0.2;
constexpr double kRidgeRegularization = 0.1;

SweepProblem quadratic_sweep_problem(const BuiltinProblem& c) {
    if (c.train < 1 || c.validation < 1 || c.features < 1) {
        fail("builtin_sweep_problem: quadratic needs train, validation and features >= 1, got ", c.train, ", ",
             c.validation, ", ", c.features);
    }
    const auto data = std::make_shared<const RidgeData>(ridge_data(c));
    const double gamma = c.step_size > 0 ? c.step_size : kRidgeStepSize;
    Problem p;
    p.lambda_shape = {c.features, 1};
    p.init = [features = c.features](const Var&) { return State{Var(Tensor::zeros({features, 1}, f64))}; };
    p.step = [data, gamma](const State& s, const Var& lam, int t) {
        const auto inner = [&](const Var& W) {
            return 0.5 * mean(square(matmul(data->X, W) - data->y)) + 0.5 * sum(exp(lam) * square(W));
        };
        return GradientDescent{Var(Tensor::scalar(gamma, f64))}.step(s, tape_gradient(inner), t);
    };
    p.outer = [data](const State& s, const Var&) {
        return 0.5 * mean(square(matmul(data->X_validation, s[0]) - data->y_validation));
    };
    SweepProblem q;
    q.description = "quadratic: ridge regression, W [" + std::to_string(c.features) + ", 1] float64, " +
                    std::to_string(c.train) + " training and " + std::to_string(c.validation) +
                    " validation rows, gradient descent with step " + number(gamma) +
                    ", per-feature L2 strengths exp(lambda) = 0.1";
    q.make = with_steps(std::move(p));
    q.lambda = {Tensor::full({c.features, 1}, std::log(kRidgeRegularization), f64)};
    return q;
}

// The largest stable power-of-2 step size below 1 over 100 steps with every weight 1, as
// run_hypercleaning picks it (probe_step_sizes).
double probed_step_size(const HypercleaningData& data) {
    HypercleaningModel model;
    model.steps = 100;
    const std::vector<StepSizeTrial> trials = probe_step_sizes(data, model);
    if (!trials.back().stable) {
        fail("builtin_sweep_problem: hypercleaning has no stable step size down to ", trials.back().step_size);
    }
    return trials.back().step_size;
}

SweepProblem hypercleaning_sweep_problem(const BuiltinProblem& c) {
    HypercleaningSplit split;
    split.train = c.train;
    split.validation = c.validation;
    split.test = 10;  // the sweep needs no test images; 0 would keep all the rest
    split.seed = c.seed;
    const std::string dir = c.data_dir.empty() ? default_fashion_mnist_dir() : c.data_dir;
    const auto data = std::make_shared<const HypercleaningData>(hypercleaning_data(dir, split));
    HypercleaningModel model;
    model.step_size = c.step_size > 0 ? c.step_size : probed_step_size(*data);
    SweepProblem q;
    q.description = "hypercleaning: W [10, 785] float32 on " + std::to_string(c.train) +
                    " Fashion-MNIST training images (labels corrupted with probability 1/2) and " +
                    std::to_string(c.validation) + " clean validation images, gradient descent on the summed loss " +
                    "with step " + number(model.step_size) +
                    (c.step_size > 0 ? "" : " (probed: the largest stable power of 2)") +
                    "; lambda = 0, one weight logit per training image";
    q.make = [data, model](int steps) {
        HypercleaningModel m = model;
        m.steps = steps;
        return hypercleaning_problem(*data, m);
    };
    q.lambda = {Tensor::zeros({c.train}, f32)};
    return q;
}

SweepProblem toy_sweep_problem(const BuiltinProblem& c) {
    ToySettings toy;
    if (c.step_size > 0) toy.step_size = c.step_size;
    SweepProblem q;
    q.description = "toy: Shaban et al. Sec. 4.1, w and lambda in R^2 float64, gradient descent with step " +
                    number(toy.step_size) + ", outer loss f, lambda = (1, 1)";
    q.make = with_steps(toy_problem(toy, ToyObjective::f));
    q.lambda = {Tensor::from_vector({1, 1}, {2}, f64)};
    return q;
}

}  // namespace

BuiltinProblem BuiltinProblem::quick() {
    BuiltinProblem c;
    c.train = 500;
    c.validation = 500;
    return c;
}

SweepProblem builtin_sweep_problem(const BuiltinProblem& choice) {
    if (choice.name == "hypercleaning") return hypercleaning_sweep_problem(choice);
    if (choice.name == "quadratic") return quadratic_sweep_problem(choice);
    if (choice.name == "toy") return toy_sweep_problem(choice);
    fail("builtin_sweep_problem: unknown problem '", choice.name, "' (hypercleaning, quadratic or toy)");
}

}  // namespace hypertape::experiments
