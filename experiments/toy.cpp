#include "hypertape/experiments/toy.hpp"

#include <chrono>
#include <cmath>
#include <utility>

#include "hypertape/bilevel/hypergradient.hpp"
#include "hypertape/bilevel/outer.hpp"
#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/unary.hpp"
#include "hypertape/solvers/inner.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape::experiments {
namespace {

using Point = std::array<double, 2>;

// The paper's constants: G = diag(1, 1/2), w_0 = (2, 2), f~'s anchor (1, 0) and weight 5.
constexpr Point kCurvature = {1, 0.5};
constexpr Point kInitialIterate = {2, 2};
constexpr Point kAnchor = {1, 0};
constexpr double kAnchorWeight = 5;
constexpr double kStrongConvexity = 0.5;  // alpha: the smallest entry of G
// |d^2 f~ / d lambda_i^2| <= (2 + 20) + 2 * 5: f's curvature in w times (1 - c_i)^2 <= 1, plus the anchor's.
constexpr double kTildeSmoothness = 32;
constexpr double kOptimumTolerance = 1e-12;
constexpr int kOptimumMaxIterations = 100000;

Tensor to_tensor(const Point& p) { return Tensor::from_vector({p[0], p[1]}, {2}, f64); }

Point to_point(const Tensor& t) {
    const std::vector<double> v = t.to_vector();
    return {v[0], v[1]};
}

double norm(const Point& p) { return std::hypot(p[0], p[1]); }
double dot(const Point& a, const Point& b) { return a[0] * b[0] + a[1] * b[1]; }
Point minus(const Point& a, const Point& b) { return {a[0] - b[0], a[1] - b[1]}; }

void check_truncations(const std::vector<int>& ks, int steps, const char* setting) {
    for (int k : ks) {
        if (k < 1 || k > steps)
            fail("run_toy: ToySettings.", setting, " must hold K in 1..steps (", steps, "), got ", k);
    }
}

void check_finite(const Point& p, const char* setting) {
    if (!std::isfinite(p[0]) || !std::isfinite(p[1])) fail("run_toy: ToySettings.", setting, " must be finite");
}

void check_settings(const ToySettings& s) {
    if (s.steps < 1) fail("run_toy: ToySettings.steps must be >= 1, got ", s.steps);
    if (!(s.step_size > 0 && s.step_size <= 1)) {
        fail("run_toy: ToySettings.step_size must lie in (0, 1] (gamma <= 1/beta, beta = 1), got ", s.step_size);
    }
    check_truncations(s.truncations, s.steps, "truncations");
    check_truncations(s.ratio_truncations, s.steps, "ratio_truncations");
    if (s.iterations < 1) fail("run_toy: ToySettings.iterations must be >= 1, got ", s.iterations);
    if (!(s.first_update_norm > 0 && std::isfinite(s.first_update_norm))) {
        fail("run_toy: ToySettings.first_update_norm must be positive and finite, got ", s.first_update_norm);
    }
    check_finite(s.start, "start");
    check_finite(s.error_point, "error_point");
}

// Entry i of (I - gamma G)^n, the diagonal factor of A_{t+1} ... A_{t+n}.
double contraction(const ToySettings& s, int i, int n) { return std::pow(1 - s.step_size * kCurvature[i], n); }

// w_T = C w_0 + (I - C) lambda with C = (I - gamma G)^T.
Point closed_form_final_iterate(const ToySettings& s, const Point& lambda) {
    Point w{};
    for (int i = 0; i < 2; ++i) {
        const double c = contraction(s, i, s.steps);
        w[i] = c * kInitialIterate[i] + (1 - c) * lambda[i];
    }
    return w;
}

// grad_w f = 2 w + 20 sin(w) cos(w) = 2 w + 10 sin(2 w).
Point outer_gradient(const Point& w) {
    return {2 * w[0] + 10 * std::sin(2 * w[0]), 2 * w[1] + 10 * std::sin(2 * w[1])};
}

// h_{T-K} on f: sum_{j<K} gamma G (I - gamma G)^j grad_w f = (I - (I - gamma G)^K) grad_w f(w_T).
Point closed_form_truncated(const ToySettings& s, const Point& lambda, int K) {
    const Point g = outer_gradient(closed_form_final_iterate(s, lambda));
    return {(1 - contraction(s, 0, K)) * g[0], (1 - contraction(s, 1, K)) * g[1]};
}

// f's minimiser: w_T = 0, i.e. lambda_i = -c_i w0_i / (1 - c_i).
Point closed_form_optimum(const ToySettings& s) {
    Point p{};
    for (int i = 0; i < 2; ++i) {
        const double c = contraction(s, i, s.steps);
        p[i] = -c * kInitialIterate[i] / (1 - c);
    }
    return p;
}

Strategy strategy_for(int K, bool full) { return full ? Strategy{Reverse{}} : Strategy{Truncated{K}}; }

Point hypergradient_at(const Problem& p, const Point& lambda, const Strategy& strategy) {
    return to_point(hypergradient(p, to_tensor(lambda), strategy).value);
}

// Fig. 1: every K at error_point, against the full hypergradient and eq. (10).
void measure_errors(const ToySettings& s, ToyResult& r, const Progress& progress) {
    const Problem p = toy_problem(s, ToyObjective::f);
    const HypergradientResult full = hypergradient(p, to_tensor(s.error_point), Reverse{});
    const Point d = to_point(full.value);
    r.outer_gradient_norm = norm(outer_gradient(to_point(full.final_state[0])));
    r.bound_rate = 1 - s.step_size * kStrongConvexity;
    const double m_b = s.step_size * kCurvature[0];  // |gamma G|
    for (int K = 1; K <= s.steps; ++K) {
        const Point h = hypergradient_at(p, s.error_point, Truncated{K});
        const Point closed = closed_form_truncated(s, s.error_point, K);
        ToyTruncationError e;
        e.truncation = K;
        e.error = norm(minus(h, d));
        e.bound = std::pow(r.bound_rate, K) / (s.step_size * kStrongConvexity) * r.outer_gradient_norm * m_b;
        e.closed_form_deviation = norm(minus(h, closed)) / norm(closed);
        r.max_closed_form_deviation = std::max(r.max_closed_form_deviation, e.closed_form_deviation);
        r.errors.push_back(e);
        progress("Fig. 1: K = 1..T", K, s.steps);
    }
    const int last = s.steps / 2;  // the (1 - A^{T-K}) factor speeds the decay up near K = T
    r.error_rate = last >= 2 ? std::pow(r.errors[last - 1].error / r.errors[0].error, 1.0 / (last - 1)) : NAN;
}

// f~'s minimiser: gradient descent with full hypergradients and step 1/L from `start`.
void find_tilde_optimum(const ToySettings& s, ToyResult& r, const Progress& progress) {
    const Problem p = toy_problem(s, ToyObjective::f_tilde);
    Point lambda = s.start;
    for (int i = 0; i < kOptimumMaxIterations; ++i) {
        const HypergradientResult h = hypergradient(p, to_tensor(lambda), Reverse{});
        const Point d = to_point(h.value);
        r.optimum_tilde = lambda;
        r.minimum_tilde = h.outer_loss;
        r.optimum_tilde_residual = norm(d);
        if (r.optimum_tilde_residual <= kOptimumTolerance) break;
        lambda = {lambda[0] - d[0] / kTildeSmoothness, lambda[1] - d[1] / kTildeSmoothness};
    }
    progress("f~'s minimiser", 1, 1);
}

std::string stage_name(ToyObjective objective, int K, bool full) {
    return to_string(objective) + (full ? ", full RMD" : ", K = " + std::to_string(K));
}

// One HyperSGD run from start with eta_0 set by footnote 4, then each iterate's objective and
// full hypergradient.
ToyTrajectory run_trajectory(const ToySettings& s, ToyObjective objective, int K, bool full, const Point& optimum,
                             const Progress& progress) {
    const Problem p = toy_problem(s, objective);
    const Strategy strategy = strategy_for(K, full);
    const std::string stage = stage_name(objective, K, full);
    const double first = norm(hypergradient_at(p, s.start, strategy));
    if (first == 0) fail("run_toy: the hypergradient of ", stage, " is 0 at ToySettings.start; no eta_0 moves it");

    ToyTrajectory run;
    run.objective = objective;
    run.truncation = full ? s.steps : K;
    run.full = full;
    run.initial_learning_rate = s.first_update_norm / first;
    run.lambdas.push_back(s.start);
    OuterOptions o;
    o.iterations = s.iterations;
    o.progress = false;
    o.callback = [&](const IterationInfo& info) {
        run.lambdas.push_back(to_point(info.lambda));
        progress(stage, info.iteration, 2LL * s.iterations);
    };
    optimize(p, to_tensor(s.start), strategy, HyperSGD{run.initial_learning_rate, true}, o);

    for (std::size_t tau = 0; tau < run.lambdas.size(); ++tau) {
        const HypergradientResult d = hypergradient(p, to_tensor(run.lambdas[tau]), Reverse{});
        run.loss.push_back(d.outer_loss);
        run.gradients.push_back(to_point(d.value));
        run.distance.push_back(norm(minus(run.lambdas[tau], optimum)));
        progress(stage, s.iterations + static_cast<long long>(tau), 2LL * s.iterations);
    }
    return run;
}

// Fig. 2: h_{T-K}^T d / |d|^2 along a 1-RMD trajectory, whose iterates carry d already.
ToyRatios measure_ratios(const ToySettings& s, const ToyTrajectory& one_rmd, const Progress& progress) {
    const Problem p = toy_problem(s, one_rmd.objective);
    ToyRatios r;
    r.objective = one_rmd.objective;
    r.truncations = s.ratio_truncations;
    r.lambdas = one_rmd.lambdas;
    const std::string stage = "Fig. 2 on " + to_string(one_rmd.objective);
    const long long total = static_cast<long long>(r.truncations.size() * r.lambdas.size());
    long long done = 0;
    for (int K : r.truncations) {
        std::vector<double> ratio;
        for (std::size_t tau = 0; tau < r.lambdas.size(); ++tau) {
            const Point& d = one_rmd.gradients[tau];
            const double dd = dot(d, d);
            ratio.push_back(dd == 0 ? NAN : dot(hypergradient_at(p, r.lambdas[tau], Truncated{K}), d) / dd);
            progress(stage, ++done, total);
        }
        r.ratio.push_back(std::move(ratio));
    }
    return r;
}

// The runs of one objective: one per K, then full RMD.
void run_objective(const ToySettings& s, ToyObjective objective, const Point& optimum, ToyResult& r,
                   const Progress& progress) {
    for (int K : s.truncations) r.runs.push_back(run_trajectory(s, objective, K, false, optimum, progress));
    r.runs.push_back(run_trajectory(s, objective, s.steps, true, optimum, progress));
}

// The 1-RMD run of an objective, from r.runs when settings.truncations holds 1.
ToyTrajectory one_rmd_run(const ToySettings& s, ToyObjective objective, const Point& optimum, const ToyResult& r,
                          const Progress& progress) {
    for (const ToyTrajectory& run : r.runs) {
        if (run.objective == objective && !run.full && run.truncation == 1) return run;
    }
    return run_trajectory(s, objective, 1, false, optimum, progress);
}

}  // namespace

ToySettings ToySettings::quick() {
    ToySettings s;
    s.iterations = 300;
    return s;
}

ToySettings ToySettings::tiny() {
    ToySettings s;
    s.steps = 30;
    s.truncations = {1, 5, 25};
    s.ratio_truncations = {1, 5, 25};
    s.iterations = 150;
    return s;
}

std::string to_string(ToyObjective objective) { return objective == ToyObjective::f ? "f" : "f~"; }

Problem toy_problem(const ToySettings& settings, ToyObjective objective) {
    const Tensor curvature = to_tensor(kCurvature);
    const Tensor w0 = to_tensor(kInitialIterate);
    const Tensor anchor = to_tensor(kAnchor);
    const double gamma = settings.step_size;
    Problem p;
    p.lambda_shape = {2};
    p.steps = settings.steps;
    p.init = [w0](const Var&) { return State{Var(w0.clone())}; };
    p.step = [curvature, gamma](const State& s, const Var& lam, int t) {
        const auto inner = [&](const Var& w) { return 0.5 * sum(Var(curvature) * square(w - lam)); };
        return GradientDescent{Var(Tensor::scalar(gamma, f64))}.step(s, tape_gradient(inner), t);
    };
    p.outer = [objective, anchor](const State& s, const Var& lam) {
        const Var& w = s[0];
        Var f = sum(square(w)) + 10 * sum(square(sin(w)));
        if (objective == ToyObjective::f_tilde) f = f + kAnchorWeight * sum(square(lam - Var(anchor)));
        return f;
    };
    return p;
}

ToyResult run_toy(const ToySettings& settings, const Progress& progress) {
    check_settings(settings);
    const auto started = std::chrono::steady_clock::now();
    ToyResult r;
    r.settings = settings;
    measure_errors(settings, r, progress);
    r.optimum = closed_form_optimum(settings);
    find_tilde_optimum(settings, r, progress);
    run_objective(settings, ToyObjective::f, r.optimum, r, progress);
    run_objective(settings, ToyObjective::f_tilde, r.optimum_tilde, r, progress);
    r.ratios = measure_ratios(settings, one_rmd_run(settings, ToyObjective::f, r.optimum, r, progress), progress);
    r.ratios_tilde =
        measure_ratios(settings, one_rmd_run(settings, ToyObjective::f_tilde, r.optimum_tilde, r, progress), progress);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return r;
}

}  // namespace hypertape::experiments
