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

double error(const Tensor& a, const Tensor& b) { return max_relative_error(a, b); }

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
    const auto make = [&](int T) {
        Problem p;
        p.lambda_shape = {200, 1};
        p.steps = T;
        p.init = [](const Var&) { return State{Var(Tensor::zeros({200, 1}, f64))}; };
        p.step = [](const State& s, const Var& lam, int t) {
            return GradientDescent{Var(Tensor::scalar(0.1, f64))}.step(
                s, tape_gradient([&](const Var& w) { return 0.5 * sum(square(w - lam)) + 0.1 * sum(sin(w)); }), t);
        };
        p.outer = [&](const State& s, const Var&) { return sum(square(s[0] - Var(target))); };
        return p;
    };
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
    CHECK_ERROR(hypergradient(p, lam, Checkpointed::binomial(0)), Contains("snapshot budget"));
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
