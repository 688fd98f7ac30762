#pragma once
// Hypergradient approximation on synthetic problems (Grazzi et al. 2020, Sec. 3.1, Fig. 1).
//
// Concept: four bilevel problems of type (2), each with a lower level whose solution w(lambda)
// and hypergradient grad f(lambda) are known to machine precision, and five approximations g of
// grad f as functions of the number t of lower-level iterations w_1..w_t (from w_0 = 0):
//   ITD          Reverse{} through the t iterations: the exact gradient of f_t(lambda) = E(w_t, lambda)
//   FP k = t     Implicit::fixed_point(t) at w_t (AID with the fixed-point method)
//   FP k = 10    Implicit::fixed_point(10) at w_t
//   CG k = t     Implicit::cg(t) at w_t (AID with conjugate gradient)
//   CG k = 10    Implicit::cg(10) at w_t
// The error |g(lambda) - grad f(lambda)| / |grad f(lambda)| is averaged over random lambdas.
//
// The problems (D = (X, y) training, D' = (X', y') validation, n = n' examples, p features):
//   LR   logistic regression, one l2 penalty per feature, lambda in R^p:
//          f = sum_{D'} psi(y' x'^T w),  w(lambda) = argmin sum_D psi(y x^T w) + 1/2 w^T diag(lambda) w,
//          psi(z) = log(1 + e^-z); labels y = sign(x^T w_true + noise).
//   KRR  kernel ridge regression, lambda = (beta, gamma in R^p), w in R^n:
//          f = 1/2 |y' - K'(gamma) w|^2,  w(lambda) = argmin 1/2 w^T (K(gamma) + beta I) w - w^T y,
//          K(gamma)_ij = exp(-sum_l gamma_l (x_il - x_jl)^2), K' between validation and training points.
//   BR   biased regularization, lambda in R^p (the bias), beta fixed:
//          f = 1/2 |X' w - y'|^2,  w(lambda) = argmin 1/2 |X w - y|^2 + beta/2 |w - lambda|^2.
//   HR   hyper-representation, lambda = H in R^{p x d}, beta fixed:
//          f = 1/2 |X' H w - y'|^2,  w(H) = argmin 1/2 |X H w - y|^2 + beta/2 |w|^2,
//          targets y = X H_true w_true + noise.
// Data: X, X' with i.i.d. N(0, 1/p) entries (rows of unit norm on average), w_true ~ N(0, I),
// noise 0.1 N(0, 1). Each lambda is drawn uniformly from the box of synthetic_ranges: LR
// [0.01, 0.1]^p; KRR beta in [0.01, 0.1], gamma in [0.1, 1]^p; BR [-1, 1]^p (beta = 0.05);
// HR [0, 1]^{p x d} (beta = 1).
//
// Lower-level solvers, as the paper's Sec. 3.1 says: LR takes gradient descent with the optimal
// step of case (a), alpha = 2 / (mu + L), mu = min_i lambda_i, L = |X|_2^2 / 4 + max_i lambda_i;
// KRR, BR and HR (quadratic) take the heavy-ball method with the optimal constants for the
// Hessian's extreme eigenvalues mu, L: alpha = 4 / (sqrt L + sqrt mu)^2, momentum
// ((sqrt L - sqrt mu) / (sqrt L + sqrt mu))^2. The constants are computed from lambda's value and
// enter the iteration as constants (not differentiated; their derivative terms vanish at the
// fixed point anyway). The fixed-point map Phi of AID:
//   FP   the solver's own step (gradient descent; heavy ball on the state (w, velocity), a
//        contraction in a norm of its own, case (b) of Sec. 2.1);
//   CG   the gradient step w - alpha grad l(w, lambda), alpha = 2 / (mu + L) (case (a)), whose
//        I - d_w Phi = alpha Hessian is symmetric as CG needs; on the heavy-ball state the velocity
//        is mapped to 0, so the system is block diagonal with the identity on the velocity.
//
// Implicit::cg(k) runs all k iterations; far past convergence (k = t = 1000 on LR) its recurrence
// residual underflows and p^T A p = 0 makes it throw. The iterate stopped changing long before,
// so the experiment then takes CG with k halved until it runs, provided its relative residual is
// below 1e-30 (otherwise the Error stands).
//
// Exact hypergradients: w(lambda) by Newton's method on the lower level (for KRR, BR and HR the
// closed form: one step from 0 plus refinement; for LR quadratic convergence to rounding), then
// grad f = grad_lambda E - d_lambda(grad_w l)^T H^{-1} grad_w E with the explicit Hessian H
// solved by LAPACK's Cholesky (dposv). The paper used RMAD through the closed forms and, for LR,
// CG with t = k = 2000.
//
// Grazzi et al.'s Appendix C.1 (data generation, sizes, lambda ranges) is missing from the text
// the project has; the sizes, data distributions, ranges and beta above and in SyntheticSizes
// and synthetic_ranges are this implementation's choices, made so that each problem's error
// reaches rounding level within the t range of the paper's Fig. 1 panel (LR 1000, KRR 200,
// BR 150, HR 500).
//
// Usage:
//   SyntheticSettings s = SyntheticSettings::quick();
//   SyntheticResult r = run_synthetic(s);
//   r.problems[0].curves[0].mean[i];   // mean relative ITD error on LR at t = r.problems[0].t[i]
//
//   SyntheticInstance lr = synthetic_instance(SyntheticProblem::logistic_regression, SyntheticSizes{});
//   std::mt19937_64 rng(0);
//   std::vector<Tensor> lambda = sample_synthetic_lambda(lr, rng);
//   std::vector<Tensor> exact = synthetic_exact_hypergradient(lr, lambda);
//   Problem p = synthetic_problem(lr, lambda, 100, SyntheticMap::solver_step);
//   hypergradient(p, lambda, Reverse{}).values;   // ITD with t = 100
//
// Errors (hypertape::Error naming the setting): no problems, a t < 1, lambdas < 1, k < 1, a size
// < 1, points < 2, an unknown problem name, lambda tensors of the wrong count, shape or dtype.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hypertape/bilevel/problem.hpp"
#include "hypertape/bilevel/strategy.hpp"
#include "hypertape/experiments/progress.hpp"

namespace hypertape::experiments {

enum class SyntheticProblem {
    logistic_regression,
    kernel_ridge_regression,
    biased_regularization,
    hyper_representation
};

// "LR", "KRR", "BR", "HR".
std::string synthetic_problem_name(SyntheticProblem problem);
// "lr", "krr", "br", "hr" (any case); throws hypertape::Error for anything else.
SyntheticProblem parse_synthetic_problem(const std::string& name);
// The paper's Fig. 1 panel title: "Logistic Regression", ...
std::string synthetic_problem_title(SyntheticProblem problem);

// This implementation's sizes (the paper's Appendix C.1 is missing from the project's copy).
struct SyntheticSizes {
    std::int64_t train = 100;       // n_e
    std::int64_t validation = 100;  // n'_e
    std::int64_t features = 100;    // p
    std::int64_t hidden = 50;       // d, the width of HR's representation H [p, d]
};

// A problem's data and fixed constants (float64).
struct SyntheticInstance {
    SyntheticProblem problem = SyntheticProblem::logistic_regression;
    SyntheticSizes sizes;
    Tensor X, y;                        // [n, p], [n]
    Tensor X_validation, y_validation;  // [n', p], [n']
    double beta = 0;                    // BR, HR: the fixed regularization
    double data_norm_squared = 0;       // |X|_2^2 (LR's smoothness constant is |X|_2^2 / 4 + max lambda)
    std::vector<Shape> lambda_shapes;   // LR, BR: {[p]}; KRR: {[], [p]} (beta, gamma); HR: {[p, d]}
    Shape w_shape;                      // LR, BR: [p]; KRR: [n]; HR: [d]
};

// Draws the data of `problem` from `seed`.
SyntheticInstance synthetic_instance(SyntheticProblem problem, const SyntheticSizes& sizes, std::uint64_t seed = 0);

// The box lambda is drawn from, per lambda tensor: every entry of tensor i in [lo[i], hi[i]].
struct SyntheticRanges {
    std::vector<double> lo, hi;
};
SyntheticRanges synthetic_ranges(SyntheticProblem problem);
std::vector<Tensor> sample_synthetic_lambda(const SyntheticInstance& instance, std::mt19937_64& rng);

// The lower-level objective l(w, lambda) and the upper-level E(w, lambda), differentiable.
Var synthetic_inner_loss(const SyntheticInstance& instance, const Var& w, const Hyperparameters& lambda);
Var synthetic_outer_loss(const SyntheticInstance& instance, const Var& w, const Hyperparameters& lambda);

// The Hessian d^2 l / dw^2 at (w, lambda), [m, m] with m = w's element count.
Tensor synthetic_hessian(const SyntheticInstance& instance, const Tensor& w, const std::vector<Tensor>& lambda);

// The strong-convexity and smoothness constants the step sizes are computed from, and the
// contraction rates they give.
struct SyntheticCurvature {
    double mu = 0, L = 0;
    double gradient_rate() const;    // (L - mu) / (L + mu): gradient descent with alpha = 2 / (mu + L)
    double heavy_ball_rate() const;  // (sqrt L - sqrt mu) / (sqrt L + sqrt mu): its asymptotic rate
};
SyntheticCurvature synthetic_curvature(const SyntheticInstance& instance, const std::vector<Tensor>& lambda);
// True for KRR, BR and HR (heavy ball), false for LR (gradient descent).
bool synthetic_uses_heavy_ball(SyntheticProblem problem);

// w(lambda) to machine precision (Newton's method), f(lambda) = E(w(lambda), lambda), and grad f.
Tensor synthetic_solution(const SyntheticInstance& instance, const std::vector<Tensor>& lambda);
double synthetic_objective(const SyntheticInstance& instance, const std::vector<Tensor>& lambda);
std::vector<Tensor> synthetic_exact_hypergradient(const SyntheticInstance& instance, const std::vector<Tensor>& lambda);

// Which map the Problem's extra step (t == steps, the Phi of Implicit strategies) is.
enum class SyntheticMap {
    solver_step,   // the lower-level solver's own step (AID-FP)
    gradient_step  // w - alpha grad l with the velocity mapped to 0 (AID-CG: symmetric)
};

// The bilevel Problem at lambda's value (the step constants come from synthetic_curvature):
// list-form lambda_shapes, state {w} (gradient descent) or {w, velocity} (heavy ball) from 0,
// `steps` iterations. It refers to `instance`, which must outlive it.
Problem synthetic_problem(const SyntheticInstance& instance, const std::vector<Tensor>& lambda, int steps,
                          SyntheticMap map);

// One approximation method of Fig. 1.
struct SyntheticMethod {
    enum class Kind { itd, fixed_point, cg };
    Kind kind = Kind::itd;
    int k = 0;  // fixed_point and cg: iterations; 0 means k = t

    std::string name() const;  // "ITD", "FP k = t", "FP k = 10", "CG k = t", "CG k = 10"
};
// The five curves of Fig. 1 with the fixed k given.
std::vector<SyntheticMethod> synthetic_methods(int k = 10);

// g(lambda) of `method` with t lower-level iterations (a fresh run from w_0 = 0).
std::vector<Tensor> synthetic_approximation(const SyntheticInstance& instance, const std::vector<Tensor>& lambda,
                                            const SyntheticMethod& method, int t);

// |a - b| / |b| over all tensors of the lists, and |a - b|.
double synthetic_relative_error(const std::vector<Tensor>& approximation, const std::vector<Tensor>& exact);
double synthetic_absolute_error(const std::vector<Tensor>& approximation, const std::vector<Tensor>& exact);

// The t values of a problem's default grid: `points` values 1, m, 2m, ..., the paper's largest t
// of the panel (LR 1000, KRR 200, BR 150, HR 500), m = largest / (points - 1).
std::vector<int> synthetic_default_t(SyntheticProblem problem, int points);

struct SyntheticSettings {
    std::vector<SyntheticProblem> problems = {
        SyntheticProblem::logistic_regression, SyntheticProblem::kernel_ridge_regression,
        SyntheticProblem::biased_regularization, SyntheticProblem::hyper_representation};
    std::vector<int> t;  // lower-level iterations for every problem; empty: synthetic_default_t
    int points = 21;     // the default grid's size
    int lambdas = 20;    // random lambdas per problem (the paper's 20)
    int k = 10;          // the fixed k of "FP k = 10" and "CG k = 10"
    SyntheticSizes sizes;
    std::uint64_t seed = 0;  // data and lambdas

    // The same sizes and grids, 5 lambdas instead of 20: about half a minute on 2 cores (the
    // default takes about 2 to 4 minutes).
    static SyntheticSettings quick();
    // n = n' = 12, p = 6, d = 3, 3 lambdas, t in {2, 40, 200}: for tests (about a second).
    static SyntheticSettings tiny();
};

// One method's errors on one problem: [lambda][i] at t[i], and their mean and standard deviation
// over the lambdas (relative errors; absolute ones |g - grad f| alongside).
struct SyntheticCurve {
    SyntheticMethod method;
    std::vector<std::vector<double>> relative;
    std::vector<std::vector<double>> absolute;
    std::vector<double> mean, stddev, min, max;  // of the relative errors, per t
    std::vector<double> absolute_mean, absolute_stddev;
};

struct SyntheticProblemResult {
    SyntheticProblem problem = SyntheticProblem::logistic_regression;
    std::vector<int> t;
    std::vector<SyntheticCurve> curves;        // synthetic_methods(settings.k), in order
    std::vector<std::vector<Tensor>> lambdas;  // the lambdas drawn, in the order of the curves' rows
    double gradient_rate = 0;                  // mean over lambdas of SyntheticCurvature::gradient_rate
    double heavy_ball_rate = 0;                // and of heavy_ball_rate
    double exact_norm = 0;                     // mean |grad f(lambda)|
    double seconds = 0;                        // wall time of this problem
};

struct SyntheticResult {
    std::vector<SyntheticProblemResult> problems;  // settings.problems, in order
};

SyntheticResult run_synthetic(const SyntheticSettings& settings, const Progress& progress = {});

}  // namespace hypertape::experiments
