#include "hypertape/experiments/kernel_ridge.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/matmul.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/ops/unary.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape::experiments {

// ---- Table 1's methods and outer loop ----

std::string Table1Method::name() const {
    if (kind == Kind::itd) return "ITD";
    return std::string(kind == Kind::fixed_point ? "FP" : "CG") + (reduced ? " k=kr" : " k=t");
}

int Table1Method::iterations(int t, int k_r) const {
    if (kind == Kind::itd) return 0;
    return reduced ? k_r : t;
}

Strategy Table1Method::strategy(int t, int k_r) const {
    const int k = iterations(t, k_r);
    switch (kind) {
        case Kind::itd:
            return Reverse{};
        case Kind::fixed_point:
            return Implicit::fixed_point(k);
        case Kind::conjugate_gradient:
            return Implicit::cg(k);
    }
    fail("Table1Method: unknown kind");
}

std::vector<Table1Method> table1_methods() {
    using K = Table1Method::Kind;
    return {{K::itd, false},
            {K::fixed_point, false},
            {K::conjugate_gradient, false},
            {K::fixed_point, true},
            {K::conjugate_gradient, true}};
}

namespace {

void check_loop(const Table1Loop& loop) {
    if (loop.inner_steps.empty()) fail("table1: inner_steps is empty; give at least one t");
    for (const int t : loop.inner_steps) {
        if (t < 1) fail("table1: inner step count t = ", t, " must be >= 1");
    }
    if (loop.k_r < 1) fail("table1: k_r = ", loop.k_r, " must be >= 1");
    if (loop.outer_steps < 1) fail("table1: outer_steps = ", loop.outer_steps, " must be >= 1");
    if (!(loop.outer_step_size > 0) || !std::isfinite(loop.outer_step_size)) {
        fail("table1: outer_step_size = ", loop.outer_step_size, " must be positive and finite");
    }
}

Table1Run run_method(const Problem& problem, const std::vector<Tensor>& lambda0, const Table1Method& method, int t,
                     const Table1Loop& loop, const Table1Evaluate& evaluate, const Progress& progress) {
    Table1Run run;
    run.method = method.name();
    run.t = t;
    run.k = method.iterations(t, loop.k_r);
    const std::string stage = run.method + ", t = " + std::to_string(t);

    OuterOptions options;
    options.iterations = loop.outer_steps;
    options.progress = false;
    options.callback = [&](const IterationInfo& info) {
        run.peak_bytes = std::max(run.peak_bytes, info.report.peak_bytes);
        run.hypergradient_seconds += info.report.forward_seconds + info.report.backward_seconds;
        run.step_evaluations += info.report.step_evaluations;
        run.hypergradient_norms.push_back(info.hypergradient_norm);
        progress(stage, info.iteration, loop.outer_steps);
    };
    const auto start = std::chrono::steady_clock::now();
    const OuterResult outer =
        optimize(problem, lambda0, method.strategy(t, loop.k_r), HyperSGD{loop.outer_step_size, false}, options);
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.outer_losses = outer.outer_losses;
    run.lambda = outer.lambdas;

    // The approximate inner solution w_t at the final lambda; Truncated{1}'s forward sweep is the
    // plain inner loop, and its one-step backward sweep is the cheapest gradient to go with it.
    const HypergradientResult last = hypergradient(problem, outer.lambdas, Truncated{1});
    run.objective = last.outer_loss;
    run.test = evaluate(last.final_state, outer.lambdas);
    return run;
}

// The k = t run of the same kind, for a k = k_r row when k_r = t.
const Table1Run& same_run_with_k_equal_t(const std::vector<Table1Run>& done, const Table1Method& method, int t) {
    const Table1Method full{method.kind, false};
    for (const Table1Run& r : done) {
        if (r.t == t && r.method == full.name()) return r;
    }
    fail("table1: no ", full.name(), " run at t = ", t, " to stand for ", method.name());
}

}  // namespace

std::vector<Table1Run> run_table1(const std::function<Problem(int t)>& problem_for, const std::vector<Tensor>& lambda0,
                                  const Table1Loop& loop, const Table1Evaluate& evaluate, const Progress& progress) {
    check_loop(loop);
    std::vector<Table1Run> runs;
    for (const int t : loop.inner_steps) {
        const Problem problem = problem_for(t);
        for (const Table1Method& method : table1_methods()) {
            if (method.reduced && loop.k_r == t) {
                Table1Run copy = same_run_with_k_equal_t(runs, method, t);
                copy.method = method.name();
                copy.copied = true;
                runs.push_back(std::move(copy));
                continue;
            }
            runs.push_back(run_method(problem, lambda0, method, t, loop, evaluate, progress));
        }
    }
    return runs;
}

// ---- Kernel ridge regression ----

KernelRidgeSettings KernelRidgeSettings::quick() {
    KernelRidgeSettings s;
    s.outer_steps = 60;
    return s;
}

namespace {

// Rows `rows` of X [n, p] (or of a vector y [n] as a column [k, 1]) as a float64 tensor.
Tensor take_rows(const Tensor& X, const std::vector<std::int64_t>& rows) {
    const std::int64_t p = X.shape().rank() == 2 ? X.shape()[1] : 1;
    const std::vector<double> all = X.to_vector();
    std::vector<double> out;
    out.reserve(rows.size() * static_cast<std::size_t>(p));
    for (const std::int64_t r : rows) {
        const auto first = all.begin() + r * p;
        out.insert(out.end(), first, first + p);
    }
    return Tensor::from_vector(out, {static_cast<std::int64_t>(rows.size()), p}, f64);
}

// eta = 2 / (L + mu) for the quadratic with Hessian K + ridge I: L = |K|_F + ridge, at least the
// largest eigenvalue, and mu = ridge, at most the smallest (K is positive semidefinite); a
// differentiable function of K and the ridge.
Var gradient_step_size(const Var& K, const Var& ridge) { return 2.0 / (sqrt(squared_norm(K)) + 2.0 * ridge); }

}  // namespace

KernelRidgeData kernel_ridge_data(const Regression& data, std::uint64_t seed) {
    const std::int64_t n = data.X.shape()[0];
    if (n < 3) fail("kernel_ridge_data: ", n, " examples cannot be split in three");
    std::vector<std::int64_t> order(static_cast<std::size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 rng(seed);
    std::shuffle(order.begin(), order.end(), rng);
    const auto part = [&](std::int64_t first, std::int64_t last) {
        return std::vector<std::int64_t>(order.begin() + first, order.begin() + last);
    };
    const std::int64_t third = n / 3;
    const auto train = part(0, third), validation = part(third, 2 * third), test = part(2 * third, n);
    return {take_rows(data.X, train),      take_rows(data.y, train), take_rows(data.X, validation),
            take_rows(data.y, validation), take_rows(data.X, test),  take_rows(data.y, test)};
}

Var rbf_kernel(const Var& A, const Var& B, const Var& log_gamma) {
    const Shape& a = A.value().shape();
    const Shape& b = B.value().shape();
    const Shape& g = log_gamma.value().shape();
    if (a.rank() != 2 || b.rank() != 2 || g.rank() != 1 || a[1] != b[1] || a[1] != g[0]) {
        fail("rbf_kernel: A ", a.str(), ", B ", b.str(), " and log_gamma ", g.str(), " must be [n, p], [m, p] and [p]");
    }
    const Var scale = exp(0.5 * log_gamma);  // sqrt(exp(gamma)): the distance in scaled coordinates
    const Var sa = A * scale;
    const Var sb = B * scale;
    const Var a2 = sum(square(sa), 1, true);                // [n, 1]
    const Var b2 = reshape(sum(square(sb), 1), {1, b[0]});  // [1, m]
    return exp(2.0 * matmul(sa, sb, trans_b) - a2 - b2);
}

Problem kernel_ridge_problem(const KernelRidgeData& data, int steps) {
    Problem p;
    p.lambda_shapes = {{}, {data.X_train.shape()[1]}};
    p.steps = steps;
    const std::int64_t n = data.X_train.shape()[0];
    p.init = [n](const Hyperparameters&) { return State{Var(Tensor::zeros({n, 1}, f64))}; };
    p.step = [&data](const State& s, const Hyperparameters& lam, int t) {
        const Var K = rbf_kernel(data.X_train, data.X_train, lam[1]);
        const Var ridge = exp(lam[0]);
        const Var eta = gradient_step_size(K, ridge);
        // The inner gradient (K + ridge I) w - y, written out: cheaper than a tape gradient.
        const GradientFn gradient = [&](const Var& w) { return matmul(K, w) + ridge * w - data.y_train; };
        return GradientDescent{eta}.step(s, gradient, t);
    };
    p.outer = [&data](const State& s, const Hyperparameters& lam) {
        const Var K_validation = rbf_kernel(data.X_validation, data.X_train, lam[1]);
        return 0.5 * squared_norm(data.y_validation - matmul(K_validation, s[0]));
    };
    return p;
}

Table1Scores kernel_ridge_scores(const KernelRidgeData& data, const Tensor& w, const std::vector<Tensor>& lambda) {
    const Tensor prediction = matmul(rbf_kernel(data.X_test, data.X_train, lambda.at(1)), w).value();
    const std::vector<double> yhat = prediction.to_vector();
    const std::vector<double> y = data.y_test.to_vector();
    const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
    double right = 0, residual = 0, total = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
        right += (yhat[i] > 0) == (y[i] > 0) ? 1 : 0;
        residual += (y[i] - yhat[i]) * (y[i] - yhat[i]);
        total += (y[i] - mean) * (y[i] - mean);
    }
    return {100 * right / static_cast<double>(y.size()), 1 - residual / total};
}

KernelRidgeResult run_kernel_ridge(const KernelRidgeSettings& settings, const Progress& progress) {
    const Regression diabetes = load_diabetes(settings.data_dir.empty() ? default_diabetes_dir() : settings.data_dir);
    const KernelRidgeData data = kernel_ridge_data(diabetes, settings.seed);
    const std::int64_t p = data.X_train.shape()[1];
    const std::vector<Tensor> lambda0{Tensor::scalar(settings.initial_log_beta, f64),
                                      Tensor::full({p}, settings.initial_log_gamma, f64)};
    const Table1Loop loop{settings.inner_steps, settings.k_reduced, settings.outer_steps, settings.outer_step_size};

    const Progress named{[&](const std::string& stage, long long done, long long total) {
        progress("kernel ridge: " + stage, done, total);
    }};
    KernelRidgeResult result;
    result.runs = run_table1([&](int t) { return kernel_ridge_problem(data, t); }, lambda0, loop,
                             [&](const std::vector<Tensor>& state, const std::vector<Tensor>& lambda) {
                                 return kernel_ridge_scores(data, state.at(0), lambda);
                             },
                             named);
    result.train = data.X_train.shape()[0];
    result.validation = data.X_validation.shape()[0];
    result.test = data.X_test.shape()[0];
    result.features = p;
    return result;
}

}  // namespace hypertape::experiments
