// Every hypergradient strategy against an explicit formula (eqs. 5 and 8 of Shaban et al. on a
// linear dynamical system, the implicit-function gradient on a quadratic, Proposition 3.1 on the
// toy problem of Sec. 4.1) or against full reverse mode.
#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/bilevel/hypergradient.hpp>
#include <hypertape/bilevel/schedule.hpp>
#include <hypertape/solvers/inner.hpp>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::bitwise_equal;
using hypertape::testing::max_relative_error;
using hypertape::testing::randn;

namespace {

// w_{t+1} = P_t w_t + Q_t lambda,  w_0 = Q_0' lambda,  f = 1/2 |w_T - c|^2 + 1/2 |lambda|^2 / 4.
// Shaban et al.'s A_{t+1} = P_t^T, B_{t+1} = Q_t^T, B_0 = Q_0'^T.
struct LinearSystem {
    int M = 6, N = 4, T = 12;
    std::vector<Tensor> P, Q;
    Tensor Q0, c;

    LinearSystem() {
        for (int t = 0; t < T; ++t) {
            P.push_back((Var(randn({M, M}, 100 + t)) * 0.35).value());
            Q.push_back(randn({M, N}, 200 + t));
        }
        Q0 = randn({M, N}, 300);
        c = randn({M, 1}, 301);
    }

    Problem problem() const {
        Problem p;
        p.lambda_shape = {N, 1};
        p.steps = T;
        p.init = [this](const Var& lam) { return State{matmul(Var(Q0), lam)}; };
        p.step = [this](const State& s, const Var& lam, int t) {
            return State{matmul(Var(P[t]), s[0]) + matmul(Var(Q[t]), lam)};
        };
        p.outer = [this](const State& s, const Var& lam) {
            return 0.5 * sum(square(s[0] - Var(c))) + 0.125 * sum(square(lam));
        };
        return p;
    }

    // eq. (8): grad_lambda f + sum_{t = T-K+1}^{T} B_t A_{t+1} ... A_T grad_w f; K = T + 1 is eq. (5).
    Tensor explicit_hypergradient(const Tensor& lam, int K) const {
        Var w = matmul(Var(Q0), Var(lam));
        for (int t = 0; t < T; ++t) w = matmul(Var(P[t]), w) + matmul(Var(Q[t]), Var(lam));
        Var alpha = w - Var(c);   // grad_w f at w_T
        Var h = 0.25 * Var(lam);  // grad_lambda f
        for (int t = T; t >= 0 && t >= T - K + 1; --t) {
            const Tensor& B_source = t == 0 ? Q0 : Q[static_cast<std::size_t>(t - 1)];
            h = h + matmul(Var(B_source), alpha, trans_a);                                       // B_t alpha_t
            if (t > 0) alpha = matmul(Var(P[static_cast<std::size_t>(t - 1)]), alpha, trans_a);  // A_t alpha_t
        }
        return h.value();
    }
};

// T steps of gradient descent on 1/2 |w - lambda|^2 + 0.1 sum sin(w), w of 200 entries from 0,
// outer loss |w_T - target|^2: a problem whose memory profile is easy to state.
Problem smooth_descent(int T, const Tensor& target) {
    Problem p;
    p.lambda_shape = {200, 1};
    p.steps = T;
    p.init = [](const Var&) { return State{Var(Tensor::zeros({200, 1}, f64))}; };
    p.step = [](const State& s, const Var& lam, int t) {
        return GradientDescent{Var(Tensor::scalar(0.1, f64))}.step(
            s, tape_gradient([&](const Var& w) { return 0.5 * sum(square(w - lam)) + 0.1 * sum(sin(w)); }), t);
    };
    p.outer = [target](const State& s, const Var&) { return sum(square(s[0] - Var(target))); };
    return p;
}

double error(const Tensor& a, const Tensor& b) { return max_relative_error(a, b); }

// The linear system with lambda as a list: a = its first N - 1 entries, shape [N - 1, 1], and
// b = the last, a scalar (shape []). The same function of the same numbers as sys.problem().
Problem split_problem(const LinearSystem& sys) {
    const int N = sys.N;
    const auto apply = [N](const Tensor& Q, const Hyperparameters& lam) {
        return matmul(slice(Var(Q), 1, 0, N - 1), lam[0]) + slice(Var(Q), 1, N - 1, N) * lam[1];
    };
    Problem p;
    p.lambda_shapes = {{N - 1, 1}, {}};
    p.steps = sys.T;
    p.init = [&sys, apply](const Hyperparameters& lam) { return State{apply(sys.Q0, lam)}; };
    p.step = [&sys, apply](const State& s, const Hyperparameters& lam, int t) {
        return State{matmul(Var(sys.P[static_cast<std::size_t>(t)]), s[0]) +
                     apply(sys.Q[static_cast<std::size_t>(t)], lam)};
    };
    p.outer = [&sys](const State& s, const Hyperparameters& lam) {
        return 0.5 * sum(square(s[0] - Var(sys.c))) + 0.125 * (sum(square(lam[0])) + square(lam[1]));
    };
    return p;
}

// The packed [N, 1] hypergradient split like split_problem's lambda.
std::vector<Tensor> split(const Tensor& packed, int N) {
    return {slice(Var(packed), 0, 0, N - 1).value(), slice(Var(packed), 0, N - 1, N).value().reshaped(Shape{})};
}

// g(w, lambda) = 1/2 w^T H w - w^T C lambda, H diagonal from 1 to 50, f = 1/2 |w - target|^2:
// w* = H^-1 C lambda and d f = C^T H^-1 grad_w f(w*) (eq. 11). Steps: gradient descent with
// gamma = 1/50, or heavy ball / Nesterov with momentum 0.5, on the analytic gradient.
struct Quadratic {
    enum class Solver { gradient_descent, heavy_ball, nesterov };
    static constexpr int M = 20, N = 3;
    static constexpr double gamma = 1.0 / 50.0;
    Tensor Hdiag, C, target;

    Quadratic() {
        std::vector<double> h(M);
        for (int i = 0; i < M; ++i) h[static_cast<std::size_t>(i)] = 1.0 + 49.0 * i / (M - 1);
        Hdiag = Tensor::from_vector(h, {M, 1}, f64);
        C = randn({M, N}, 430);
        target = randn({M, 1}, 431);
    }

    Problem problem(Solver solver, int T = 2000) const {
        Problem p;
        p.lambda_shape = {N, 1};
        p.steps = T;
        const Var gamma_v(Tensor::scalar(gamma, f64)), mu(Tensor::scalar(0.5, f64));
        p.init = [solver](const Var&) {
            const Var w0(Tensor::zeros({M, 1}, f64));
            return solver == Solver::gradient_descent ? State{w0} : HeavyBall{Var(), Var()}.start(w0);
        };
        p.step = [this, solver, gamma_v, mu](const State& s, const Var& lam, int t) {
            const GradientFn g = [&](const Var& w) { return Var(Hdiag) * w - matmul(Var(C), lam); };
            switch (solver) {
                case Solver::heavy_ball:
                    return HeavyBall{gamma_v, mu}.step(s, g, t);
                case Solver::nesterov:
                    return Nesterov{gamma_v, mu}.step(s, g, t);
                default:
                    return GradientDescent{gamma_v}.step(s, g, t);
            }
        };
        p.outer = [this](const State& s, const Var&) { return 0.5 * sum(square(s[0] - Var(target))); };
        return p;
    }

    Tensor exact(const Tensor& lam) const {
        const Var w_star = matmul(Var(C), Var(lam)) / Var(Hdiag);
        return matmul(Var(C), (w_star - Var(target)) / Var(Hdiag), trans_a).value();
    }
};

}  // namespace

TEST_CASE("on a linear system every exact strategy equals eq. (5)", "[bilevel]") {
    const LinearSystem sys;
    const Problem p = sys.problem();
    const Tensor lam = randn({sys.N, 1}, 400);
    const Tensor exact = sys.explicit_hypergradient(lam, sys.T + 1);

    CHECK(error(hypergradient(p, lam, Reverse{}).value, exact) < 1e-10);
    CHECK(error(hypergradient(p, lam, Checkpointed::uniform()).value, exact) < 1e-10);
    CHECK(error(hypergradient(p, lam, Checkpointed::uniform(5)).value, exact) < 1e-10);
    for (int s : {1, 2, 5}) {
        INFO("binomial with " << s << " snapshots");
        CHECK(error(hypergradient(p, lam, Checkpointed::binomial(s)).value, exact) < 1e-10);
    }
    CHECK(error(hypergradient(p, lam, Forward{}).value, exact) < 1e-10);
    CHECK(error(hypergradient(p, lam, Truncated{sys.T + 1}).value, exact) < 1e-10);
}

TEST_CASE("on a linear system Truncated{K} equals eq. (8)", "[bilevel]") {
    const LinearSystem sys;
    const Problem p = sys.problem();
    const Tensor lam = randn({sys.N, 1}, 401);
    for (int K : {1, 3, sys.T}) {
        INFO("K = " << K);
        const Tensor expected = sys.explicit_hypergradient(lam, K);
        CHECK(error(hypergradient(p, lam, Truncated{K}).value, expected) < 1e-10);
        CHECK(error(hypergradient(p, lam, Checkpointed::uniform(0, K)).value, expected) < 1e-10);
        CHECK(error(hypergradient(p, lam, Checkpointed::binomial(2, K)).value, expected) < 1e-10);
    }
}

TEST_CASE("checkpointing reproduces reverse mode on a nonlinear unrolled solver", "[bilevel]") {
    // Gradient descent with a differentiable step size exp(lambda[0]) on a non-quadratic loss.
    const Tensor X = randn({8, 5}, 410);
    const Tensor y = randn({8, 1}, 411);
    Problem p;
    p.lambda_shape = {6};
    p.steps = 40;
    p.init = [](const Var&) { return State{Var(Tensor::zeros({5, 1}, f64))}; };
    p.step = [&](const State& s, const Var& lam, int t) {
        const Var gamma = exp(slice(lam, 0, 0, 1)) * 0.05;
        const Var reg = reshape(exp(slice(lam, 0, 1, 6)), {5, 1});
        const GradientDescent gd{gamma};
        return gd.step(s, tape_gradient([&](const Var& w) {
                           return mean(square(matmul(Var(X), w) - Var(y))) + sum(reg * square(w)) +
                                  0.1 * sum(log(1.0 + square(w)));
                       }),
                       t);
    };
    p.outer = [&](const State& s, const Var&) { return mean(square(matmul(Var(X), s[0]) - Var(y) * 0.5)); };
    const Tensor lam = (Var(randn({6}, 412)) * 0.3).value();

    const HypergradientResult reverse = hypergradient(p, lam, Reverse{});
    // Checkpointing replays the same operations in the same order: the same bits.
    for (const Strategy& s : std::vector<Strategy>{Checkpointed::uniform(), Checkpointed::uniform(7),
                                                   Checkpointed::binomial(1), Checkpointed::binomial(3)}) {
        CHECK(bitwise_equal(hypergradient(p, lam, s).value, reverse.value));
    }
    CHECK(error(hypergradient(p, lam, Forward{}).value, reverse.value) < 1e-12);
    CHECK(bitwise_equal(hypergradient(p, lam, Truncated{9}).value,
                        hypergradient(p, lam, Checkpointed::uniform(3, 9)).value));
    // Finite differences of f through the whole loop.
    const auto f = [&](const Tensor& at) { return hypergradient(p, at, Reverse{}).outer_loss; };
    CHECK(error(reverse.value, hypertape::testing::finite_difference_gradient(f, lam)) < 1e-7);
}

TEST_CASE("Forward and Reverse agree on step size and momentum hypergradients", "[bilevel]") {
    const Tensor H = (Var(Tensor::from_vector({2, 0.5, 0, 0.5, 1, 0.2, 0, 0.2, 3}, {3, 3}, f64))).value();
    const Tensor b = randn({3, 1}, 420);
    const auto quadratic = [&](const Var& w) { return 0.5 * sum(w * matmul(Var(H), w)) - sum(w * Var(b)); };
    Problem p;
    p.lambda_shape = {2};
    p.steps = 25;
    p.init = [](const Var&) { return State{Var(Tensor::ones({3, 1}, f64))}; };
    p.outer = [](const State& s, const Var&) { return sum(square(s[0] - 1.0)); };
    const Tensor lam = Tensor::from_vector({0.2, 0.5}, {2}, f64);

    SECTION("gradient descent, d f / d gamma") {
        p.step = [&](const State& s, const Var& lam, int t) {
            return GradientDescent{slice(lam, 0, 0, 1)}.step(s, tape_gradient(quadratic), t);
        };
        const Tensor reverse = hypergradient(p, lam, Reverse{}).value;
        CHECK(reverse.to_vector()[0] != 0.0);
        CHECK(error(hypergradient(p, lam, Forward{}).value, reverse) < 1e-12);
    }
    SECTION("heavy ball, d f / d gamma and d f / d mu") {
        p.init = [](const Var&) { return HeavyBall{Var(), Var()}.start(Var(Tensor::ones({3, 1}, f64))); };
        p.step = [&](const State& s, const Var& lam, int t) {
            return HeavyBall{slice(lam, 0, 0, 1), slice(lam, 0, 1, 2)}.step(s, tape_gradient(quadratic), t);
        };
        const Tensor reverse = hypergradient(p, lam, Reverse{}).value;
        CHECK(reverse.to_vector()[1] != 0.0);
        CHECK(error(hypergradient(p, lam, Forward{}).value, reverse) < 1e-12);
        CHECK(error(hypergradient(p, lam, Checkpointed::binomial(2)).value, reverse) < 1e-12);
    }
    SECTION("Nesterov and Adam carry their state through every strategy") {
        p.init = [](const Var&) { return Adam{Var()}.start(Var(Tensor::ones({3, 1}, f64))); };
        p.step = [&](const State& s, const Var& lam, int t) {
            return Adam{slice(lam, 0, 0, 1) * 0.1}.step(s, tape_gradient(quadratic), t);
        };
        const Tensor adam = hypergradient(p, lam, Reverse{}).value;
        CHECK(adam.to_vector()[0] != 0.0);
        CHECK(error(hypergradient(p, lam, Forward{}).value, adam) < 1e-12);
        CHECK(bitwise_equal(hypergradient(p, lam, Checkpointed::uniform()).value, adam));

        p.init = [](const Var&) { return Nesterov{Var(), Var()}.start(Var(Tensor::ones({3, 1}, f64))); };
        p.step = [&](const State& s, const Var& lam, int t) {
            return Nesterov{slice(lam, 0, 0, 1), slice(lam, 0, 1, 2)}.step(s, tape_gradient(quadratic), t);
        };
        const Tensor nesterov = hypergradient(p, lam, Reverse{}).value;
        CHECK(error(hypergradient(p, lam, Forward{}).value, nesterov) < 1e-12);
        CHECK(bitwise_equal(hypergradient(p, lam, Checkpointed::binomial(3)).value, nesterov));
    }
}

TEST_CASE("Implicit CG and fixed point approach the implicit-function gradient, CG faster", "[bilevel][implicit]") {
    // g(w, lambda) = 1/2 w^T H w - w^T C lambda with H diagonal (condition number 50); w* = H^-1 C lambda.
    const int M = 20, N = 3;
    std::vector<double> h(M);
    for (int i = 0; i < M; ++i) h[static_cast<std::size_t>(i)] = 1.0 + 49.0 * i / (M - 1);
    const Tensor Hdiag = Tensor::from_vector(h, {M, 1}, f64);
    const Tensor C = randn({M, N}, 430);
    const Tensor target = randn({M, 1}, 431);
    const double gamma = 1.0 / 50.0;
    Problem p;
    p.lambda_shape = {N, 1};
    p.steps = 2000;
    p.init = [&](const Var&) { return State{Var(Tensor::zeros({M, 1}, f64))}; };
    p.step = [&](const State& s, const Var& lam, int) {  // an analytic inner gradient: H w - C lambda
        return State{s[0] - gamma * (Var(Hdiag) * s[0] - matmul(Var(C), lam))};
    };
    p.outer = [&](const State& s, const Var&) { return 0.5 * sum(square(s[0] - Var(target))); };
    const Tensor lam = randn({N, 1}, 432);

    // eq. (11): d f = C^T H^-1 grad_w f(w*).
    const Var w_star = matmul(Var(C), Var(lam)) / Var(Hdiag);
    const Tensor exact = matmul(Var(C), (w_star - Var(target)) / Var(Hdiag), trans_a).value();

    double previous_cg = INFINITY, previous_fp = INFINITY;
    for (int k : {2, 5, 10, 20}) {
        INFO("k = " << k);
        const double cg = error(hypergradient(p, lam, Implicit::cg(k)).value, exact);
        const double fp = error(hypergradient(p, lam, Implicit::fixed_point(k)).value, exact);
        CHECK(cg < previous_cg);
        CHECK(fp < previous_fp);
        CHECK(cg < fp);
        previous_cg = cg;
        previous_fp = fp;
    }
    CHECK(previous_cg < 1e-8);
    CHECK(error(hypergradient(p, lam, Implicit::neumann(600)).value, exact) < 1e-4);  // error ~ (1 - 1/50)^600
    CHECK(error(hypergradient(p, lam, Implicit::cg_normal(40)).value, exact) < 1e-6);
}

TEST_CASE("on Shaban et al.'s toy problem the truncation error obeys Proposition 3.1", "[bilevel][truncation]") {
    // Sec. 4.1: g = 1/2 (w - lambda)^T G (w - lambda), G = diag(1, 1/2), T = 100 steps of gradient
    // descent with gamma = 0.1 from w_0 = (2, 2); f = |w|^2 + 10 |sin w|^2; alpha = 1/2, M_B = gamma.
    const Tensor G = Tensor::from_vector({1.0, 0.5}, {2}, f64);
    const double gamma = 0.1, alpha = 0.5;
    Problem p;
    p.lambda_shape = {2};
    p.steps = 100;
    p.init = [](const Var&) { return State{Var(Tensor::from_vector({2, 2}, {2}, f64))}; };
    p.step = [&](const State& s, const Var& lam, int t) {
        return GradientDescent{Var(Tensor::scalar(gamma, f64))}.step(
            s, tape_gradient([&](const Var& w) { return 0.5 * sum(square(w - lam) * Var(G)); }), t);
    };
    p.outer = [](const State& s, const Var&) { return sum(square(s[0])) + 10.0 * sum(square(sin(s[0]))); };
    const Tensor lam = Tensor::from_vector({1, 1}, {2}, f64);

    const HypergradientResult full = hypergradient(p, lam, Reverse{});
    const Var w_T(full.final_state[0]);
    const double grad_w_norm = std::sqrt(sum(square(2.0 * w_T + 20.0 * sin(w_T) * cos(w_T))).item());
    for (int K = 1; K <= p.steps; ++K) {
        const Tensor h = hypergradient(p, lam, Truncated{K}).value;
        const double err = std::sqrt(sum(square(Var(h) - Var(full.value))).item());
        const double bound = std::pow(1 - gamma * alpha, K) / (gamma * alpha) * grad_w_norm * gamma;
        INFO("K = " << K << " error " << err << " bound " << bound);
        CHECK(err <= bound);
    }
}

TEST_CASE("memory: flat under truncation, sqrt under checkpointing, no trajectory in forward mode",
          "[bilevel][memory]") {
    const Tensor target = randn({200, 1}, 440);
    const auto make = [&](int T) { return smooth_descent(T, target); };
    const Tensor lam = randn({200, 1}, 441);
    CHECK(hypergradient(make(1000), lam, Truncated{5}).report.peak_bytes ==
          hypergradient(make(100), lam, Truncated{5}).report.peak_bytes);

    const Report reverse = hypergradient(make(400), lam, Reverse{}).report;
    const Report uniform = hypergradient(make(400), lam, Checkpointed::uniform()).report;
    CHECK(uniform.peak_bytes * 5 < reverse.peak_bytes);
    CHECK(uniform.snapshot_peak_bytes == 20 * 200 * 8);  // ceil(sqrt 400) = 20 snapshots of w
    CHECK(reverse.step_evaluations == 400);
    CHECK(uniform.step_evaluations == 400 + 380);  // one replay, less the last segment's advance

    const Report forward_short = hypergradient(make(10), lam, Forward{}).report;
    const Report forward_long = hypergradient(make(100), lam, Forward{}).report;
    CHECK(forward_long.tape_peak_bytes == forward_short.tape_peak_bytes);
    CHECK(forward_long.tangent_peak_bytes == 200 * 200 * 8);  // Z_t: N x M
}

TEST_CASE("the binomial schedule makes the revolve-optimal number of step evaluations", "[bilevel][memory]") {
    const LinearSystem sys;
    const Tensor lam = randn({sys.N, 1}, 450);
    for (int s : {1, 2, 3, 5}) {
        const Report r = hypergradient(sys.problem(), lam, Checkpointed::binomial(s)).report;
        CHECK(r.step_evaluations == revolve_optimal_advances(sys.T, s) + sys.T);
    }
}

TEST_CASE("warm start begins from the given state", "[bilevel]") {
    const LinearSystem sys;
    const Problem p = sys.problem();
    const Tensor lam = randn({sys.N, 1}, 460);
    HypergradientOptions warm;
    warm.warm_start = std::vector<Tensor>{hypergradient(p, lam, Reverse{}).final_state};
    const Tensor reverse = hypergradient(p, lam, Reverse{}, warm).value;
    // A warm start is a constant: the B_0 term is gone, exactly as Truncated{T} drops it.
    CHECK(error(hypergradient(p, lam, Checkpointed::uniform(), warm).value, reverse) < 1e-10);
    CHECK(error(hypergradient(p, lam, Forward{}, warm).value, reverse) < 1e-10);
}

TEST_CASE("bad bilevel input throws a clear Error", "[bilevel][errors]") {
    const LinearSystem sys;
    Problem p = sys.problem();
    const Tensor lam = randn({sys.N, 1}, 470);
    using Catch::Contains;
    CHECK_ERROR(hypergradient(p, lam, Truncated{0}), Contains("K >= 1"));
    CHECK_ERROR(hypergradient(p, lam, Truncated{-2}), Contains("K = -2"));
    CHECK_ERROR(hypergradient(p, lam, Checkpointed::binomial(0)), Contains("snapshots >= 1"));
    CHECK_ERROR(hypergradient(p, randn({sys.N}, 1), Reverse{}), Contains("lambda has shape [4]"));
    CHECK_ERROR(hypergradient(p, lam, Implicit::cg(-1)), Contains("iterations"));
    Problem no_steps = p;
    no_steps.steps = 0;
    CHECK_ERROR(hypergradient(no_steps, lam, Reverse{}), Contains("T must be positive"));

    Problem vector_loss = p;
    vector_loss.outer = [](const State& s, const Var&) { return s[0]; };
    CHECK_ERROR(hypergradient(vector_loss, lam, Reverse{}), Contains("outer loss must be a scalar"));
    Problem growing = p;
    growing.step = [](const State& s, const Var&, int) { return State{s[0], s[0]}; };
    CHECK_ERROR(hypergradient(growing, lam, Forward{}), Contains("step 0 returned 2 state components for 1"));
    Problem missing = p;
    missing.outer = nullptr;
    CHECK_ERROR(hypergradient(missing, lam, Reverse{}), Contains("init, step and outer"));

    Problem exploding = p;
    exploding.step = [](const State& s, const Var&, int t) {
        return State{t == 7 ? s[0] / Var(Tensor::zeros({1}, f64)) : s[0] * 1.0};
    };
    for (const Strategy& s : std::vector<Strategy>{Reverse{}, Truncated{3}, Checkpointed::uniform(),
                                                   Checkpointed::binomial(2), Forward{}, Implicit::cg(3)}) {
        CHECK_ERROR(hypergradient(exploding, lam, s), Contains("NaN or Inf") && Contains("step t = 7"));
    }
}

TEST_CASE("several lambda tensors: every strategy returns one hypergradient per tensor", "[bilevel][lambdas]") {
    const LinearSystem sys;
    const Problem p = split_problem(sys);
    const Tensor packed = randn({sys.N, 1}, 480);
    const std::vector<Tensor> lam = split(packed, sys.N);
    REQUIRE(lam[1].shape() == Shape{});

    const auto check = [&](const Strategy& s, int K, const char* name) {
        INFO(name << ", K = " << K);
        const std::vector<Tensor> expected = split(sys.explicit_hypergradient(packed, K), sys.N);
        const HypergradientResult r = hypergradient(p, lam, s);
        REQUIRE(r.values.size() == 2);
        CHECK_FALSE(r.value.defined());  // undefined when there are several tensors
        CHECK(r.values[0].shape() == lam[0].shape());
        CHECK(r.values[1].shape() == Shape{});
        CHECK(error(r.values[0], expected[0]) < 1e-10);
        CHECK(error(r.values[1], expected[1]) < 1e-10);
    };
    const int all = sys.T + 1;
    check(Reverse{}, all, "Reverse");
    check(Truncated{all}, all, "Truncated{T + 1}");
    check(Checkpointed::uniform(), all, "Checkpointed::uniform()");
    check(Checkpointed::uniform(5), all, "Checkpointed::uniform(5)");
    check(Checkpointed::binomial(2), all, "Checkpointed::binomial(2)");
    check(Forward{}, all, "Forward");
    for (int K : {1, 3}) {
        check(Truncated{K}, K, "Truncated{K}");
        check(Checkpointed::uniform(0, K), K, "Checkpointed::uniform(0, K)");
        check(Checkpointed::binomial(2, K), K, "Checkpointed::binomial(2, K)");
    }

    // Checkpointing replays the same sums per tensor: the same bits as Reverse.
    const HypergradientResult reverse = hypergradient(p, lam, Reverse{});
    for (const Strategy& s : std::vector<Strategy>{Checkpointed::uniform(4), Checkpointed::binomial(3)}) {
        const HypergradientResult c = hypergradient(p, lam, s);
        CHECK(bitwise_equal(c.values[0], reverse.values[0]));
        CHECK(bitwise_equal(c.values[1], reverse.values[1]));
    }
    // Forward's N = 4 directions span both tensors: Z_t is [4, M, 1].
    CHECK(hypergradient(p, lam, Forward{}).report.tangent_peak_bytes == 4 * 6 * 8);

    // The single-tensor form is the list of one: value and values[0] are the same hypergradient.
    const Problem single = sys.problem();
    const HypergradientResult one = hypergradient(single, packed, Reverse{});
    REQUIRE(one.values.size() == 1);
    CHECK(bitwise_equal(one.value, one.values[0]));
    CHECK(bitwise_equal(hypergradient(single, std::vector<Tensor>{packed}, Reverse{}).value, one.value));
    CHECK(error(one.value, sys.explicit_hypergradient(packed, all)) < 1e-10);
}

TEST_CASE("several lambda tensors through implicit differentiation", "[bilevel][lambdas][implicit]") {
    // The quadratic's C lambda as C_a a + C_b b, a = lambda[0:2], b = lambda[2:3].
    const Quadratic q;
    const Problem single = q.problem(Quadratic::Solver::gradient_descent);
    Problem p = single;
    p.lambda_shapes = {{2, 1}, {1, 1}};
    p.init = [](const Hyperparameters&) { return State{Var(Tensor::zeros({Quadratic::M, 1}, f64))}; };
    p.outer = [&](const State& s, const Hyperparameters&) { return 0.5 * sum(square(s[0] - Var(q.target))); };
    const Var Ca = slice(Var(q.C), 1, 0, 2), Cb = slice(Var(q.C), 1, 2, 3);
    p.step = [&](const State& s, const Hyperparameters& lam, int t) {
        const GradientFn g = [&](const Var& w) { return Var(q.Hdiag) * w - matmul(Ca, lam[0]) - matmul(Cb, lam[1]); };
        return GradientDescent{Var(Tensor::scalar(Quadratic::gamma, f64))}.step(s, g, t);
    };
    const Tensor packed = randn({Quadratic::N, 1}, 481);
    const std::vector<Tensor> lam = {slice(Var(packed), 0, 0, 2).value(), slice(Var(packed), 0, 2, 3).value()};
    const Tensor exact = q.exact(packed);
    for (const Strategy& s : std::vector<Strategy>{Implicit::cg(20), Implicit::cg_normal(40)}) {
        const HypergradientResult r = hypergradient(p, lam, s);
        REQUIRE(r.values.size() == 2);
        CHECK(error(r.values[0], slice(Var(exact), 0, 0, 2).value()) < 1e-6);
        CHECK(error(r.values[1], slice(Var(exact), 0, 2, 3).value()) < 1e-6);
    }
}

TEST_CASE("Implicit reports its iterations and relative residual; fixed_point(k) and neumann(k) agree",
          "[bilevel][implicit]") {
    const Quadratic q;
    const Problem p = q.problem(Quadratic::Solver::gradient_descent);
    const Tensor lam = randn({Quadratic::N, 1}, 432);

    double previous = INFINITY;
    for (int k : {2, 5, 10, 20}) {
        INFO("k = " << k);
        const Report r = hypergradient(p, lam, Implicit::cg(k)).report;
        CHECK(r.implicit_iterations == k);
        CHECK(r.implicit_relative_residual < previous);
        CHECK(r.implicit_symmetry_defect < 1e-12);  // gradient descent: I - d_w Phi = gamma H
        previous = r.implicit_relative_residual;
    }
    CHECK(previous < 1e-10);

    // The k-term series: with J^T = I - gamma H diagonal and b = grad_w f(w_T) = w_T - target, the
    // residual is |J^k b| / |b|, from the explicit formula.
    for (int k : {1, 2, 50}) {
        INFO("k = " << k);
        const HypergradientResult fp = hypergradient(p, lam, Implicit::fixed_point(k));
        const HypergradientResult ns = hypergradient(p, lam, Implicit::neumann(k));
        CHECK(error(fp.value, ns.value) < 1e-12);
        CHECK(fp.report.implicit_iterations == k);
        CHECK(ns.report.implicit_iterations == k);
        CHECK(fp.report.step_evaluations == ns.report.step_evaluations);
        const Var b = Var(fp.final_state[0]) - Var(q.target);
        const Var Jk_b = pow(1.0 - Quadratic::gamma * Var(q.Hdiag), static_cast<double>(k)) * b;
        const double expected = std::sqrt(sum(square(Jk_b)).item() / sum(square(b)).item());
        CHECK(fp.report.implicit_relative_residual == Approx(expected).epsilon(1e-8));
        CHECK(ns.report.implicit_relative_residual == Approx(expected).epsilon(1e-8));
        CHECK(std::isnan(fp.report.implicit_symmetry_defect));  // only CG checks symmetry
    }
    // k = 1 is the first term alone: v = grad_w f, so h = C^T v (grad_lambda Phi^T v, gamma C^T v... ):
    // d_lambda Phi^T v = gamma C^T v for Phi = w - gamma (H w - C lambda).
    const HypergradientResult one = hypergradient(p, lam, Implicit::neumann(1));
    const Var v = Var(one.final_state[0]) - Var(q.target);
    CHECK(error(one.value, (Quadratic::gamma * matmul(Var(q.C), v, trans_a)).value()) < 1e-12);

    // Other strategies leave the implicit fields empty.
    const Report reverse = hypergradient(q.problem(Quadratic::Solver::gradient_descent, 20), lam, Reverse{}).report;
    CHECK(reverse.implicit_iterations == 0);
    CHECK(std::isnan(reverse.implicit_relative_residual));
    CHECK(std::isnan(reverse.implicit_symmetry_defect));

    // k = 0 is an Error for every method.
    using Catch::Contains;
    for (const Implicit& s :
         {Implicit::cg(0), Implicit::fixed_point(0), Implicit::neumann(0), Implicit::cg_normal(0)}) {
        CHECK_ERROR(hypergradient(p, lam, s), Contains("k >= 1"));
    }
}

TEST_CASE("Implicit::cg on a non-symmetric step throws and suggests cg_normal", "[bilevel][implicit]") {
    const Quadratic q;
    const Tensor lam = randn({Quadratic::N, 1}, 433);
    const Tensor exact = q.exact(lam);
    for (const auto solver : {Quadratic::Solver::heavy_ball, Quadratic::Solver::nesterov}) {
        const Problem p = q.problem(solver);
        CHECK_ERROR(hypergradient(p, lam, Implicit::cg(10)),
                    Catch::Contains("symmetric") && Catch::Contains("cg_normal"));
        CHECK_THROWS_AS(hypergradient(p, lam, Implicit::cg(10)), NonSymmetricStepError);  // a type to catch
        // The momentum methods have the same fixed point: the methods for non-symmetric steps
        // reach the implicit-function gradient.
        const HypergradientResult normal = hypergradient(p, lam, Implicit::cg_normal(100));
        INFO("cg_normal error " << error(normal.value, exact) << " residual "
                                << normal.report.implicit_relative_residual);
        CHECK(error(normal.value, exact) < 1e-6);
        CHECK(normal.report.implicit_iterations <= 100);
        CHECK(normal.report.implicit_relative_residual < 1e-8);
        CHECK(error(hypergradient(p, lam, Implicit::fixed_point(800)).value, exact) < 1e-6);
        // An infinite tolerance skips the check (and CG's answer is then wrong).
        const HypergradientResult unchecked = hypergradient(p, lam, Implicit::cg(10, INFINITY));
        CHECK(std::isnan(unchecked.report.implicit_symmetry_defect));
    }
    // Gradient descent in float32 passes the check at its float32 tolerance.
    Problem f32_problem;
    f32_problem.lambda_shape = {Quadratic::N, 1};
    f32_problem.steps = 500;
    const Tensor H32 = q.Hdiag.to(f32), C32 = q.C.to(f32), target32 = q.target.to(f32);
    f32_problem.init = [](const Var&) { return State{Var(Tensor::zeros({Quadratic::M, 1}, f32))}; };
    f32_problem.step = [&](const State& s, const Var& l, int t) {
        return GradientDescent{Var(Tensor::scalar(Quadratic::gamma, f32))}.step(
            s,
            tape_gradient([&](const Var& w) { return 0.5 * sum(Var(H32) * square(w)) - sum(w * matmul(Var(C32), l)); }),
            t);
    };
    f32_problem.outer = [&](const State& s, const Var&) { return 0.5 * sum(square(s[0] - Var(target32))); };
    const HypergradientResult r = hypergradient(f32_problem, lam.to(f32), Implicit::cg(20));
    INFO("float32 defect " << r.report.implicit_symmetry_defect << " residual " << r.report.implicit_relative_residual);
    CHECK(r.report.implicit_symmetry_defect < 1e-4);
    CHECK(error(r.value.to(f64), exact) < 1e-3);
}

TEST_CASE("float32 lambda on a float64 problem is an Error naming lambda and both dtypes", "[bilevel][errors]") {
    using Catch::Contains;
    // init ignores lambda: the check after it names both dtypes.
    const Quadratic q;
    const Problem p = q.problem(Quadratic::Solver::gradient_descent, 10);
    const Tensor lam32 = randn({Quadratic::N, 1}, 490).to(f32);
    for (const Strategy& s : std::vector<Strategy>{Reverse{}, Truncated{2}, Checkpointed::uniform(),
                                                   Checkpointed::binomial(2), Forward{}, Implicit::cg(2)}) {
        CHECK_ERROR(hypergradient(p, lam32, s),
                    Contains("lambda is float32") && Contains("initial state") && Contains("float64"));
    }
    // init uses lambda: its op error comes with lambda's dtype.
    const LinearSystem sys;
    CHECK_ERROR(hypergradient(sys.problem(), randn({sys.N, 1}, 491).to(f32), Reverse{}),
                Contains("problem.init(lambda)") && Contains("lambda float32") && Contains("float64"));
    // In a list the tensor is named by its index.
    const Problem split = split_problem(sys);
    CHECK_ERROR(hypergradient(split, {randn({sys.N - 1, 1}, 492), Tensor::scalar(1.0, f32)}, Reverse{}),
                Contains("lambda[1] float32"));
    HypergradientOptions warm;
    warm.warm_start = std::vector<Tensor>{Tensor::zeros({sys.M, 1}, f64)};
    CHECK_ERROR(hypergradient(split, {randn({sys.N - 1, 1}, 492), Tensor::scalar(1.0, f32)}, Forward{}, warm),
                Contains("lambda[1] is float32") && Contains("float64"));
}

TEST_CASE("several lambda tensors: bad counts, shapes and uses throw a clear Error", "[bilevel][lambdas][errors]") {
    using Catch::Contains;
    const LinearSystem sys;
    const Problem split = split_problem(sys);
    const Tensor a = randn({sys.N - 1, 1}, 493);
    const Tensor b = Tensor::scalar(0.5, f64);
    CHECK_ERROR(hypergradient(split, a, Reverse{}), Contains("1 lambda tensors given but the problem expects 2"));
    CHECK_ERROR(hypergradient(split, {a, randn({1}, 1)}, Reverse{}), Contains("lambda[1] has shape [1]"));
    CHECK_ERROR(hypergradient(split, {a, b, b}, Reverse{}), Contains("3 lambda tensors"));
    CHECK_ERROR(hypergradient(split, {a, Tensor::scalar(NAN, f64)}, Reverse{}), Contains("lambda[1] contains NaN"));
    CHECK_ERROR(hypergradient(sys.problem(), {a, b}, Reverse{}), Contains("lambda_shapes"));
    // A function written for one tensor, given two.
    Problem as_one = split;
    as_one.outer = [](const State& s, const Var&) { return sum(s[0]); };
    CHECK_ERROR(hypergradient(as_one, {a, b}, Reverse{}), Contains("2 lambda tensors") && Contains("lam[i]"));
    CHECK_ERROR(Hyperparameters(Var(b))[1], Contains("lambda[1]"));
}

TEST_CASE("Checkpointed names its interval and its snapshots apart", "[bilevel][checkpointed]") {
    CHECK(Checkpointed::uniform(7).interval == 7);
    CHECK(Checkpointed::uniform(7).snapshots == 0);
    CHECK(Checkpointed::binomial(3, 5).snapshots == 3);
    CHECK(Checkpointed::binomial(3, 5).interval == 0);
    CHECK(Checkpointed::binomial(3, 5).window == 5);
    const LinearSystem sys;
    const Tensor lam = randn({sys.N, 1}, 494);
    using Catch::Contains;
    Checkpointed mixed = Checkpointed::binomial(3);
    mixed.interval = 4;
    CHECK_ERROR(hypergradient(sys.problem(), lam, mixed), Contains("interval = 4") && Contains("binomial"));
    mixed = Checkpointed::uniform(4);
    mixed.snapshots = 3;
    CHECK_ERROR(hypergradient(sys.problem(), lam, mixed), Contains("snapshots = 3") && Contains("uniform"));
    CHECK_ERROR(hypergradient(sys.problem(), lam, Checkpointed::uniform(-1)), Contains("interval must be >= 0"));
}

TEST_CASE("peak_bytes is the simultaneous peak of tape, snapshots and tangents", "[bilevel][memory]") {
    const Tensor target = randn({200, 1}, 495);
    const auto make = [&](int T) { return smooth_descent(T, target); };
    const Tensor lam = randn({200, 1}, 496);
    const std::size_t state_bytes = 200 * 8;

    // One component: the peak is its peak.
    const Report reverse = hypergradient(make(50), lam, Reverse{}).report;
    CHECK(reverse.peak_bytes == reverse.tape_peak_bytes);
    CHECK(reverse.snapshot_peak_bytes == 0);

    // T = 401, a snapshot every 20 steps: 21 snapshots while the last segment (one step) is
    // reversed, 20 while the full segments before it are. So the largest tape (20 steps) never
    // meets the 21st snapshot: the simultaneous peak is one state below the sum of the peaks.
    const Report uniform = hypergradient(make(401), lam, Checkpointed::uniform(20)).report;
    CHECK(uniform.snapshot_peak_bytes == 21 * state_bytes);
    CHECK(uniform.peak_bytes == uniform.tape_peak_bytes + uniform.snapshot_peak_bytes - state_bytes);

    const Report binomial = hypergradient(make(60), lam, Checkpointed::binomial(4)).report;
    CHECK(binomial.peak_bytes >= std::max(binomial.tape_peak_bytes, binomial.snapshot_peak_bytes));
    CHECK(binomial.peak_bytes <= binomial.tape_peak_bytes + binomial.snapshot_peak_bytes);
    CHECK(binomial.snapshot_peak_bytes == 4 * state_bytes);

    // Forward holds Z_t during every step after the first: tape and tangents peak together.
    const Report forward = hypergradient(make(10), lam, Forward{}).report;
    CHECK(forward.tangent_peak_bytes == 200 * state_bytes);
    CHECK(forward.peak_bytes == forward.tape_peak_bytes + forward.tangent_peak_bytes);
}

TEST_CASE("the observer sees w_0 ... w_T once each, in order, in every strategy", "[bilevel][observer]") {
    const LinearSystem sys;
    const Problem p = sys.problem();
    const Tensor lam = randn({sys.N, 1}, 497);
    // The trajectory by hand.
    std::vector<Tensor> expected{matmul(Var(sys.Q0), Var(lam)).value()};
    for (int t = 0; t < sys.T; ++t) {
        expected.push_back((matmul(Var(sys.P[static_cast<std::size_t>(t)]), Var(expected.back())) +
                            matmul(Var(sys.Q[static_cast<std::size_t>(t)]), Var(lam)))
                               .value());
    }
    for (const Strategy& s : std::vector<Strategy>{Reverse{}, Truncated{3}, Checkpointed::uniform(),
                                                   Checkpointed::binomial(2), Checkpointed::uniform(2, 5), Forward{}}) {
        INFO("strategy " << s.index());
        std::vector<int> seen;
        std::vector<Tensor> states;
        HypergradientOptions o;
        o.observer = [&](int t, const std::vector<Tensor>& state) {
            seen.push_back(t);
            REQUIRE(state.size() == 1);
            states.push_back(state[0]);
        };
        const HypergradientResult r = hypergradient(p, lam, s, o);
        REQUIRE(seen.size() == static_cast<std::size_t>(sys.T + 1));
        for (int t = 0; t <= sys.T; ++t) {
            CHECK(seen[static_cast<std::size_t>(t)] == t);
            CHECK(error(states[static_cast<std::size_t>(t)], expected[static_cast<std::size_t>(t)]) < 1e-12);
        }
        CHECK(bitwise_equal(states.back(), r.final_state[0]));
        // Observing keeps no records and changes nothing.
        const HypergradientResult unobserved = hypergradient(p, lam, s);
        CHECK(bitwise_equal(r.value, unobserved.value));
        CHECK(r.report.peak_bytes == unobserved.report.peak_bytes);
        CHECK(r.report.step_evaluations == unobserved.report.step_evaluations);
    }
    // A warm start is w_0.
    HypergradientOptions warm;
    warm.warm_start = std::vector<Tensor>{expected[3]};
    std::vector<int> seen;
    warm.observer = [&](int t, const std::vector<Tensor>& state) {
        if (t == 0) CHECK(bitwise_equal(state[0], expected[3]));
        seen.push_back(t);
    };
    hypergradient(p, lam, Truncated{2}, warm);
    CHECK(seen.size() == static_cast<std::size_t>(sys.T + 1));

    // Implicit's extra step at w_T (Phi) is not an inner step: T + 1 states still.
    const Quadratic q;
    std::vector<int> implicit_seen;
    HypergradientOptions o;
    o.observer = [&](int t, const std::vector<Tensor>&) { implicit_seen.push_back(t); };
    hypergradient(q.problem(Quadratic::Solver::gradient_descent, 30), randn({Quadratic::N, 1}, 498), Implicit::cg(3),
                  o);
    REQUIRE(implicit_seen.size() == 31);
    CHECK(implicit_seen.back() == 30);
}
