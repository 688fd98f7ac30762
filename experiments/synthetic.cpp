#include "hypertape/experiments/synthetic.hpp"

#include <lapacke.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <limits>

#include "hypertape/bilevel/hypergradient.hpp"
#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/matmul.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/ops/unary.hpp"
#include "hypertape/tape/error.hpp"
#include "hypertape/tape/grad.hpp"
#include "hypertape/tape/tape.hpp"

namespace hypertape::experiments {
namespace {

using P = SyntheticProblem;

// ---- small dense linear algebra on float64 tensors (LAPACK) ----

std::vector<double> values(const Tensor& t) { return t.to_vector(); }

Tensor matrix_product(const Tensor& a, const Tensor& b, Trans flags = no_trans) {
    return matmul(Var(a), Var(b), flags).value();
}

// A + shift I, or A + diag(d) when d is given.
Tensor add_diagonal(const Tensor& A, double shift, const std::vector<double>& d = {}) {
    Tensor out = A.clone();
    const std::int64_t m = A.shape()[0];
    double* a = out.data<double>();
    for (std::int64_t i = 0; i < m; ++i) a[i * m + i] += d.empty() ? shift : d[static_cast<std::size_t>(i)];
    return out;
}

std::vector<double> symmetric_eigenvalues(const Tensor& A) {
    const auto m = static_cast<lapack_int>(A.shape()[0]);
    std::vector<double> a = values(A), w(static_cast<std::size_t>(m));
    if (LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', m, a.data(), m, w.data()) != 0) {
        fail("synthetic: LAPACK dsyev did not converge on a ", m, "x", m, " Hessian");
    }
    return w;  // ascending
}

// A^{-1} b for a symmetric positive definite A (Cholesky).
Tensor solve_spd(const Tensor& A, const Tensor& b) {
    const auto m = static_cast<lapack_int>(A.shape()[0]);
    std::vector<double> a = values(A), x = values(b);
    if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', m, 1, a.data(), m, x.data(), 1) != 0) {
        fail("synthetic: the ", m, "x", m, " Hessian is not positive definite (LAPACK dposv)");
    }
    return Tensor::from_vector(x, b.shape(), f64);
}

double norm(const Tensor& t) {
    double s = 0;
    for (double v : values(t)) s += v * v;
    return std::sqrt(s);
}

// ---- the differentiable pieces ----

// A x for a matrix A [m, n] and a vector x [n].
Var matvec(const Var& A, const Var& x) { return reshape(matmul(A, reshape(x, {x.numel(), 1})), {A.shape()[0]}); }

// K(gamma)_ij = exp(-sum_l gamma_l (a_il - b_jl)^2) for the rows of A [m, p] and B [n, p],
// expanded as a_i + b_j - 2 (A diag(gamma) B^T)_ij with a = A^2 gamma, b = B^2 gamma: one matrix
// product, where the squared differences [m * n, p] would cost p times the memory traffic.
Var gaussian_kernel(const Tensor& A, const Tensor& B, const Var& gamma) {
    const std::int64_t m = A.shape()[0], n = B.shape()[0], p = A.shape()[1];
    const Var a = reshape(matvec(square(Var(A)), gamma), {m, 1});
    const Var b = reshape(matvec(square(Var(B)), gamma), {1, n});
    const Var cross = matmul(Var(A) * reshape(gamma, {1, p}), Var(B), trans_b);
    return exp(-(a + b - 2.0 * cross));
}

Var half_squared_norm(const Var& x) { return 0.5 * squared_norm(x); }

// sum_i psi(y_i x_i^T w), psi(z) = log(1 + e^-z).
Var logistic_loss(const Tensor& X, const Tensor& y, const Var& w) { return sum(softplus(-(Var(y) * matvec(X, w)))); }

// ---- data ----

Tensor gaussian(const Shape& shape, double scale, std::mt19937_64& rng) {
    return (Var(Tensor::randn(shape, rng, f64)) * scale).value();
}

Tensor signs(const Tensor& x) {
    std::vector<double> v = values(x);
    for (double& e : v) e = e >= 0 ? 1.0 : -1.0;
    return Tensor::from_vector(v, x.shape(), f64);
}

// Targets X u + 0.1 noise for a [n, p] X and a [p] u.
Tensor linear_targets(const Tensor& X, const Tensor& u, std::mt19937_64& rng) {
    return (matvec(Var(X), Var(u)) + Var(gaussian({X.shape()[0]}, 0.1, rng))).value();
}

void check_sizes(const SyntheticSizes& s) {
    if (s.train < 1) fail("synthetic: sizes.train must be >= 1, got ", s.train);
    if (s.validation < 1) fail("synthetic: sizes.validation must be >= 1, got ", s.validation);
    if (s.features < 1) fail("synthetic: sizes.features must be >= 1, got ", s.features);
    if (s.hidden < 1) fail("synthetic: sizes.hidden must be >= 1, got ", s.hidden);
}

void check_lambda(const SyntheticInstance& instance, const std::vector<Tensor>& lambda) {
    if (lambda.size() != instance.lambda_shapes.size()) {
        fail("synthetic: ", synthetic_problem_name(instance.problem), " takes ", instance.lambda_shapes.size(),
             " lambda tensors, got ", lambda.size());
    }
    for (std::size_t i = 0; i < lambda.size(); ++i) {
        if (!lambda[i].defined() || lambda[i].shape() != instance.lambda_shapes[i] || lambda[i].dtype() != f64) {
            fail("synthetic: lambda[", i, "] of ", synthetic_problem_name(instance.problem), " must be float64 ",
                 instance.lambda_shapes[i].str());
        }
    }
}

std::vector<Var> constants(const std::vector<Tensor>& ts) { return std::vector<Var>(ts.begin(), ts.end()); }

// grad_w l(w, lambda) as a value.
Tensor inner_gradient(const SyntheticInstance& instance, const Tensor& w, const std::vector<Tensor>& lambda) {
    Tape tape;
    const Var wv = tape.variable(w);
    return grad(synthetic_inner_loss(instance, wv, Hyperparameters(constants(lambda))), wv).value();
}

}  // namespace

// ---- names ----

std::string synthetic_problem_name(SyntheticProblem problem) {
    switch (problem) {
        case P::logistic_regression:
            return "LR";
        case P::kernel_ridge_regression:
            return "KRR";
        case P::biased_regularization:
            return "BR";
        case P::hyper_representation:
            return "HR";
    }
    return "?";
}

std::string synthetic_problem_title(SyntheticProblem problem) {
    switch (problem) {
        case P::logistic_regression:
            return "Logistic Regression";
        case P::kernel_ridge_regression:
            return "Kernel Ridge Regression";
        case P::biased_regularization:
            return "Biased Regularization";
        case P::hyper_representation:
            return "Hyper Representation";
    }
    return "?";
}

SyntheticProblem parse_synthetic_problem(const std::string& name) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    for (P p :
         {P::logistic_regression, P::kernel_ridge_regression, P::biased_regularization, P::hyper_representation}) {
        std::string n = synthetic_problem_name(p);
        std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return std::tolower(c); });
        if (n == lower) return p;
    }
    fail("synthetic: unknown problem '", name, "': use lr, krr, br or hr");
}

bool synthetic_uses_heavy_ball(SyntheticProblem problem) { return problem != P::logistic_regression; }

std::string SyntheticMethod::name() const {
    const std::string iterations = k == 0 ? "t" : std::to_string(k);
    switch (kind) {
        case Kind::itd:
            return "ITD";
        case Kind::fixed_point:
            return "FP k = " + iterations;
        case Kind::cg:
            return "CG k = " + iterations;
    }
    return "?";
}

std::vector<SyntheticMethod> synthetic_methods(int k) {
    using K = SyntheticMethod::Kind;
    return {{K::itd, 0}, {K::fixed_point, 0}, {K::fixed_point, k}, {K::cg, 0}, {K::cg, k}};
}

// ---- instances ----

SyntheticRanges synthetic_ranges(SyntheticProblem problem) {
    switch (problem) {
        case P::logistic_regression:
            return {{0.01}, {0.1}};
        case P::kernel_ridge_regression:
            return {{0.01, 0.1}, {0.1, 1.0}};  // beta, gamma
        case P::biased_regularization:
            return {{-1.0}, {1.0}};
        case P::hyper_representation:
            return {{0.0}, {1.0}};
    }
    return {};
}

SyntheticInstance synthetic_instance(SyntheticProblem problem, const SyntheticSizes& sizes, std::uint64_t seed) {
    check_sizes(sizes);
    SyntheticInstance in;
    in.problem = problem;
    in.sizes = sizes;
    const std::int64_t n = sizes.train, nv = sizes.validation, p = sizes.features, d = sizes.hidden;
    std::mt19937_64 rng(seed * 4 + static_cast<std::uint64_t>(problem));
    const double scale = 1.0 / std::sqrt(static_cast<double>(p));  // rows of unit norm on average
    in.X = gaussian({n, p}, scale, rng);
    in.X_validation = gaussian({nv, p}, scale, rng);
    in.data_norm_squared = symmetric_eigenvalues(matrix_product(in.X, in.X, trans_a)).back();
    switch (problem) {
        case P::logistic_regression: {
            const Tensor w_true = gaussian({p}, 1.0, rng);
            in.y = signs(linear_targets(in.X, w_true, rng));
            in.y_validation = signs(linear_targets(in.X_validation, w_true, rng));
            in.lambda_shapes = {{p}};
            in.w_shape = {p};
            break;
        }
        case P::kernel_ridge_regression: {
            const Tensor w_true = gaussian({p}, 1.0, rng);
            in.y = linear_targets(in.X, w_true, rng);
            in.y_validation = linear_targets(in.X_validation, w_true, rng);
            in.lambda_shapes = {{}, {p}};
            in.w_shape = {n};
            break;
        }
        case P::biased_regularization: {
            const Tensor w_true = gaussian({p}, 1.0, rng);
            in.y = linear_targets(in.X, w_true, rng);
            in.y_validation = linear_targets(in.X_validation, w_true, rng);
            in.beta = 0.05;
            in.lambda_shapes = {{p}};
            in.w_shape = {p};
            break;
        }
        case P::hyper_representation: {
            const Tensor H_true = gaussian({p, d}, 1.0, rng);
            const Tensor u =
                matvec(Var(H_true), Var(gaussian({d}, 1.0 / std::sqrt(static_cast<double>(d)), rng))).value();
            in.y = linear_targets(in.X, u, rng);
            in.y_validation = linear_targets(in.X_validation, u, rng);
            in.beta = 1.0;
            in.lambda_shapes = {{p, d}};
            in.w_shape = {d};
            break;
        }
    }
    return in;
}

std::vector<Tensor> sample_synthetic_lambda(const SyntheticInstance& instance, std::mt19937_64& rng) {
    const SyntheticRanges r = synthetic_ranges(instance.problem);
    std::vector<Tensor> lambda;
    for (std::size_t i = 0; i < instance.lambda_shapes.size(); ++i) {
        lambda.push_back(Tensor::uniform(instance.lambda_shapes[i], r.lo[i], r.hi[i], rng, f64));
    }
    return lambda;
}

// ---- objectives ----

Var synthetic_inner_loss(const SyntheticInstance& in, const Var& w, const Hyperparameters& lambda) {
    switch (in.problem) {
        case P::logistic_regression:
            return logistic_loss(in.X, in.y, w) + 0.5 * sum(lambda[0] * square(w));
        case P::kernel_ridge_regression: {
            const Var K = gaussian_kernel(in.X, in.X, lambda[1]);
            return 0.5 * dot(w, matvec(K, w)) + 0.5 * lambda[0] * squared_norm(w) - dot(w, Var(in.y));
        }
        case P::biased_regularization:
            return half_squared_norm(matvec(in.X, w) - in.y) + 0.5 * in.beta * squared_norm(w - lambda[0]);
        case P::hyper_representation:
            return half_squared_norm(matvec(matmul(in.X, lambda[0]), w) - in.y) + 0.5 * in.beta * squared_norm(w);
    }
    fail("synthetic: unknown problem");
}

Var synthetic_outer_loss(const SyntheticInstance& in, const Var& w, const Hyperparameters& lambda) {
    switch (in.problem) {
        case P::logistic_regression:
            return logistic_loss(in.X_validation, in.y_validation, w);
        case P::kernel_ridge_regression: {
            const Var K = gaussian_kernel(in.X_validation, in.X, lambda[1]);
            return half_squared_norm(Var(in.y_validation) - matvec(K, w));
        }
        case P::biased_regularization:
            return half_squared_norm(matvec(in.X_validation, w) - in.y_validation);
        case P::hyper_representation:
            return half_squared_norm(matvec(matmul(in.X_validation, lambda[0]), w) - in.y_validation);
    }
    fail("synthetic: unknown problem");
}

Tensor synthetic_hessian(const SyntheticInstance& in, const Tensor& w, const std::vector<Tensor>& lambda) {
    check_lambda(in, lambda);
    switch (in.problem) {
        case P::logistic_regression: {
            // X^T diag(s) X + diag(lambda), s_i = psi''(z_i) = sigma(z_i) (1 - sigma(z_i)), z = y * X w
            const Tensor z = (Var(in.y) * matvec(in.X, w)).value();
            const Tensor s = (sigmoid(z) * sigmoid(-Var(z))).value();
            const Tensor SX = (reshape(Var(s), {s.numel(), 1}) * Var(in.X)).value();
            return add_diagonal(matrix_product(in.X, SX, trans_a), 0, values(lambda[0]));
        }
        case P::kernel_ridge_regression:
            return add_diagonal(gaussian_kernel(in.X, in.X, lambda[1]).value(), lambda[0].item());
        case P::biased_regularization:
            return add_diagonal(matrix_product(in.X, in.X, trans_a), in.beta);
        case P::hyper_representation: {
            const Tensor Z = matrix_product(in.X, lambda[0]);
            return add_diagonal(matrix_product(Z, Z, trans_a), in.beta);
        }
    }
    fail("synthetic: unknown problem");
}

double SyntheticCurvature::gradient_rate() const { return (L - mu) / (L + mu); }

double SyntheticCurvature::heavy_ball_rate() const {
    return (std::sqrt(L) - std::sqrt(mu)) / (std::sqrt(L) + std::sqrt(mu));
}

SyntheticCurvature synthetic_curvature(const SyntheticInstance& in, const std::vector<Tensor>& lambda) {
    check_lambda(in, lambda);
    if (in.problem == P::logistic_regression) {
        // Case (a) of Sec. 2.1: global bounds, since the Hessian changes with w (psi'' <= 1/4).
        const std::vector<double> l = values(lambda[0]);
        return {*std::min_element(l.begin(), l.end()),
                in.data_norm_squared / 4 + *std::max_element(l.begin(), l.end())};
    }
    // A quadratic lower level: the Hessian's extreme eigenvalues.
    const std::vector<double> e = symmetric_eigenvalues(synthetic_hessian(in, Tensor::zeros(in.w_shape, f64), lambda));
    return {e.front(), e.back()};
}

Tensor synthetic_solution(const SyntheticInstance& in, const std::vector<Tensor>& lambda) {
    check_lambda(in, lambda);
    // Damped Newton on the gradient norm: each accepted step decreases |grad l|; it stops where
    // rounding allows no further decrease. A quadratic lower level is solved by the first step.
    Tensor w = Tensor::zeros(in.w_shape, f64);
    Tensor g = inner_gradient(in, w, lambda);
    double g_norm = norm(g);
    for (int iteration = 0; iteration < 100 && g_norm > 0; ++iteration) {
        const Tensor direction = solve_spd(synthetic_hessian(in, w, lambda), g);
        bool improved = false;
        for (double step = 1; step > 1e-10 && !improved; step /= 2) {
            const Tensor candidate = (Var(w) - step * Var(direction)).value();
            const Tensor candidate_g = inner_gradient(in, candidate, lambda);
            const double candidate_norm = norm(candidate_g);
            if (candidate_norm < g_norm) {
                w = candidate, g = candidate_g, g_norm = candidate_norm;
                improved = true;
            }
        }
        if (!improved) break;
    }
    return w;
}

double synthetic_objective(const SyntheticInstance& in, const std::vector<Tensor>& lambda) {
    const Tensor w = synthetic_solution(in, lambda);
    return synthetic_outer_loss(in, Var(w), Hyperparameters(constants(lambda))).item();
}

std::vector<Tensor> synthetic_exact_hypergradient(const SyntheticInstance& in, const std::vector<Tensor>& lambda) {
    const Tensor w_star = synthetic_solution(in, lambda);
    // grad f = grad_lambda E - d_lambda(grad_w l)^T v,  H v = grad_w E  (implicit function theorem)
    std::vector<Var> outer_inputs;
    Tape outer_tape;
    const Var w = outer_tape.variable(w_star);
    outer_inputs.push_back(w);
    for (const Tensor& l : lambda) outer_inputs.push_back(outer_tape.variable(l));
    const Hyperparameters outer_lambda(std::vector<Var>(outer_inputs.begin() + 1, outer_inputs.end()));
    const std::vector<Var> dE = grad(synthetic_outer_loss(in, w, outer_lambda), outer_inputs);
    const Tensor v = solve_spd(synthetic_hessian(in, w_star, lambda), dE[0].value());

    Tape inner_tape;
    const Var w_inner = inner_tape.variable(w_star);
    std::vector<Var> lambda_vars;
    for (const Tensor& l : lambda) lambda_vars.push_back(inner_tape.variable(l));
    const Var gradient_w = grad(synthetic_inner_loss(in, w_inner, Hyperparameters(lambda_vars)), w_inner, create_graph);
    const std::vector<Var> mixed = grad(sum(gradient_w * Var(v)), lambda_vars);

    std::vector<Tensor> h;
    for (std::size_t i = 0; i < lambda.size(); ++i) h.push_back((dE[i + 1] - mixed[i]).value());
    return h;
}

// ---- the bilevel problem and the approximations ----

Problem synthetic_problem(const SyntheticInstance& in, const std::vector<Tensor>& lambda, int steps, SyntheticMap map) {
    if (steps < 1) fail("synthetic: t must be >= 1, got ", steps);
    const SyntheticCurvature c = synthetic_curvature(in, lambda);
    const double gradient_step = 2 / (c.mu + c.L);
    const double root = c.heavy_ball_rate();
    const double ball_step = 4 / std::pow(std::sqrt(c.L) + std::sqrt(c.mu), 2);
    const bool heavy_ball = synthetic_uses_heavy_ball(in.problem);
    const SyntheticInstance* instance = &in;

    Problem p;
    p.lambda_shapes = in.lambda_shapes;
    p.steps = steps;
    p.init = [instance, heavy_ball](const Hyperparameters&) {
        const Var w0(Tensor::zeros(instance->w_shape, f64));
        return heavy_ball ? State{w0, Var(Tensor::zeros(instance->w_shape, f64))} : State{w0};
    };
    p.step = [=](const State& s, const Hyperparameters& lam, int t) {
        const GradientFn g = tape_gradient([&](const Var& w) { return synthetic_inner_loss(*instance, w, lam); });
        const Var gamma(Tensor::scalar(gradient_step, f64));
        if (!heavy_ball) return GradientDescent{gamma}.step(s, g, t);
        if (t == steps && map == SyntheticMap::gradient_step) {
            return State{s[0] - gradient_step * g(s[0]), Var(Tensor::zeros_like(s[1].value()))};
        }
        return HeavyBall{Var(Tensor::scalar(ball_step, f64)), Var(Tensor::scalar(root * root, f64))}.step(s, g, t);
    };
    p.outer = [instance](const State& s, const Hyperparameters& lam) {
        return synthetic_outer_loss(*instance, s[0], lam);
    };
    return p;
}

namespace {

SyntheticMap map_of(const SyntheticMethod& method) {
    return method.kind == SyntheticMethod::Kind::cg ? SyntheticMap::gradient_step : SyntheticMap::solver_step;
}

Strategy strategy_of(const SyntheticMethod& method, int t) {
    const int k = method.k == 0 ? t : method.k;
    switch (method.kind) {
        case SyntheticMethod::Kind::itd:
            return Reverse{};
        case SyntheticMethod::Kind::fixed_point:
            return Implicit::fixed_point(k);
        case SyntheticMethod::Kind::cg:
            return Implicit::cg(k);
    }
    return Reverse{};
}

void check_method(const SyntheticMethod& method) {
    if (method.k < 0) fail("synthetic: a method's k must be >= 1 (or 0 for k = t), got ", method.k);
}

}  // namespace

std::vector<Tensor> synthetic_approximation(const SyntheticInstance& in, const std::vector<Tensor>& lambda,
                                            const SyntheticMethod& method, int t) {
    check_method(method);
    return hypergradient(synthetic_problem(in, lambda, t, map_of(method)), lambda, strategy_of(method, t)).values;
}

double synthetic_absolute_error(const std::vector<Tensor>& approximation, const std::vector<Tensor>& exact) {
    if (approximation.size() != exact.size())
        fail("synthetic: error of ", approximation.size(), " vs ", exact.size(), " tensors");
    double s = 0;
    for (std::size_t i = 0; i < exact.size(); ++i) {
        const double d = norm((Var(approximation[i]) - Var(exact[i])).value());
        s += d * d;
    }
    return std::sqrt(s);
}

double synthetic_relative_error(const std::vector<Tensor>& approximation, const std::vector<Tensor>& exact) {
    double s = 0;
    for (const Tensor& e : exact) s += std::pow(norm(e), 2);
    return synthetic_absolute_error(approximation, exact) / std::sqrt(s);
}

std::vector<int> synthetic_default_t(SyntheticProblem problem, int points) {
    if (points < 2) fail("synthetic: points must be >= 2, got ", points);
    int largest = 0;
    switch (problem) {
        case P::logistic_regression:
            largest = 1000;
            break;
        case P::kernel_ridge_regression:
            largest = 200;
            break;
        case P::biased_regularization:
            largest = 150;
            break;
        case P::hyper_representation:
            largest = 500;
            break;
    }
    std::vector<int> t = {1};
    for (int i = 1; i < points; ++i) {
        const int next = static_cast<int>(std::lround(static_cast<double>(largest) * i / (points - 1)));
        if (next > t.back()) t.push_back(next);
    }
    return t;
}

SyntheticSettings SyntheticSettings::quick() {
    SyntheticSettings s;
    s.lambdas = 5;
    return s;
}

SyntheticSettings SyntheticSettings::tiny() {
    SyntheticSettings s;
    s.sizes = {12, 12, 6, 3};
    s.lambdas = 3;
    s.t = {2, 40, 200};
    return s;
}

namespace {

void check_settings(const SyntheticSettings& s) {
    if (s.problems.empty()) fail("synthetic: problems is empty: name at least one of lr, krr, br, hr");
    for (int t : s.t) {
        if (t < 1) fail("synthetic: every t must be >= 1, got ", t);
    }
    if (s.t.empty() && s.points < 2) fail("synthetic: points must be >= 2, got ", s.points);
    if (s.lambdas < 1) fail("synthetic: lambdas must be >= 1, got ", s.lambdas);
    if (s.k < 1) fail("synthetic: k must be >= 1, got ", s.k);
    check_sizes(s.sizes);
}

// The states w_{t-1} (values) for every t of the grid, from one run of the solver to the largest t.
std::vector<std::vector<Tensor>> states_before(const SyntheticInstance& in, const std::vector<Tensor>& lambda,
                                               const std::vector<int>& t) {
    const int largest = *std::max_element(t.begin(), t.end());
    std::vector<std::vector<Tensor>> all(static_cast<std::size_t>(largest));
    HypergradientOptions options;
    options.observer = [&](int i, const std::vector<Tensor>& state) {
        if (i < largest) all[static_cast<std::size_t>(i)] = state;
    };
    hypergradient(synthetic_problem(in, lambda, largest, SyntheticMap::solver_step), lambda, Implicit::fixed_point(1),
                  options);
    std::vector<std::vector<Tensor>> out;
    for (int ti : t) out.push_back(all[static_cast<std::size_t>(ti - 1)]);
    return out;
}

// AID at w_t: one solver step from w_{t-1} (a constant warm start), then the implicit solve.
std::vector<Tensor> implicit_at(const SyntheticInstance& in, const std::vector<Tensor>& lambda,
                                const SyntheticMethod& method, int t, const std::vector<Tensor>& before) {
    HypergradientOptions options;
    options.warm_start = before;
    return hypergradient(synthetic_problem(in, lambda, 1, map_of(method)), lambda, strategy_of(method, t), options)
        .values;
}

void summarize(SyntheticCurve& c) {
    const std::size_t m = c.relative.front().size(), n = c.relative.size();
    for (std::size_t i = 0; i < m; ++i) {
        double s = 0, s2 = 0, as = 0, as2 = 0, lo = std::numeric_limits<double>::infinity(), hi = 0;
        for (std::size_t l = 0; l < n; ++l) {
            const double e = c.relative[l][i], a = c.absolute[l][i];
            s += e, s2 += e * e, as += a, as2 += a * a;
            lo = std::min(lo, e), hi = std::max(hi, e);
        }
        const double mean = s / n, amean = as / n;
        c.mean.push_back(mean);
        c.stddev.push_back(std::sqrt(std::max(0.0, s2 / n - mean * mean)));
        c.absolute_mean.push_back(amean);
        c.absolute_stddev.push_back(std::sqrt(std::max(0.0, as2 / n - amean * amean)));
        c.min.push_back(lo);
        c.max.push_back(hi);
    }
}

SyntheticProblemResult run_problem(SyntheticProblem problem, const SyntheticSettings& s, const Progress& progress) {
    const auto start = std::chrono::steady_clock::now();
    SyntheticProblemResult r;
    r.problem = problem;
    r.t = s.t.empty() ? synthetic_default_t(problem, s.points) : s.t;
    std::sort(r.t.begin(), r.t.end());
    r.t.erase(std::unique(r.t.begin(), r.t.end()), r.t.end());
    const SyntheticInstance in = synthetic_instance(problem, s.sizes, s.seed);
    for (const SyntheticMethod& m : synthetic_methods(s.k)) {
        SyntheticCurve c;
        c.method = m;
        r.curves.push_back(std::move(c));
    }

    std::mt19937_64 rng(s.seed * 7919 + 17 + static_cast<std::uint64_t>(problem));
    const std::string stage = synthetic_problem_name(problem);
    for (int l = 0; l < s.lambdas; ++l) {
        progress(stage, l, s.lambdas);
        const std::vector<Tensor> lambda = sample_synthetic_lambda(in, rng);
        r.lambdas.push_back(lambda);
        const std::vector<Tensor> exact = synthetic_exact_hypergradient(in, lambda);
        const SyntheticCurvature c = synthetic_curvature(in, lambda);
        r.gradient_rate += c.gradient_rate() / s.lambdas;
        r.heavy_ball_rate += c.heavy_ball_rate() / s.lambdas;
        double exact_sq = 0;
        for (const Tensor& e : exact) exact_sq += std::pow(norm(e), 2);
        r.exact_norm += std::sqrt(exact_sq) / s.lambdas;

        const std::vector<std::vector<Tensor>> before = states_before(in, lambda, r.t);
        for (SyntheticCurve& curve : r.curves) {
            std::vector<double> rel, abs;
            for (std::size_t i = 0; i < r.t.size(); ++i) {
                const std::vector<Tensor> g = curve.method.kind == SyntheticMethod::Kind::itd
                                                  ? synthetic_approximation(in, lambda, curve.method, r.t[i])
                                                  : implicit_at(in, lambda, curve.method, r.t[i], before[i]);
                rel.push_back(synthetic_relative_error(g, exact));
                abs.push_back(synthetic_absolute_error(g, exact));
            }
            curve.relative.push_back(std::move(rel));
            curve.absolute.push_back(std::move(abs));
        }
    }
    progress(stage, s.lambdas, s.lambdas);
    for (SyntheticCurve& curve : r.curves) summarize(curve);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

}  // namespace

SyntheticResult run_synthetic(const SyntheticSettings& settings, const Progress& progress) {
    check_settings(settings);
    SyntheticResult result;
    for (SyntheticProblem problem : settings.problems)
        result.problems.push_back(run_problem(problem, settings, progress));
    return result;
}

}  // namespace hypertape::experiments
