// Inner solvers (one differentiable step each) against finite differences in every AD mode and
// on a strongly convex quadratic; matrix-free linear solvers against explicit matrices.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/solvers/inner.hpp>
#include <hypertape/solvers/linear.hpp>
#include <limits>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::max_relative_error;
using hypertape::testing::OpFn;
using hypertape::testing::randn;
using hypertape::testing::uniform;
using hypertape::testing::Vars;

namespace {

// A non-quadratic inner loss L(w) = sum(e^(w/10) w^2) + 1/2 |w - c|^2 and its analytic gradient.
Var target() { return randn({4}, 2); }

Var inner_loss(const Var& w) { return sum(exp(0.1 * w) * square(w)) + 0.5 * sum(square(w - target())); }

Var inner_gradient(const Var& w) { return exp(0.1 * w) * (0.1 * square(w) + 2.0 * w) + (w - target()); }

// Three steps of `solver` from the state `s` (t = t0, t0 + 1, t0 + 2); the state's entries joined.
template <class Solver>
Var steps(const Solver& solver, State s, const GradientFn& g, int t0 = 0) {
    for (int t = t0; t < t0 + 3; ++t) s = solver.step(s, g, t);
    return concat(s, 0);
}

// Reverse and forward mode of f against central differences, with every input a variable of a
// fresh tape, as tape_gradient needs: the VJP differentiates through the inner gradient's sweep
// (grad-of-grad), the tangents flow through it (forward-over-reverse).
void check_on_tape(const std::string& name, const OpFn& f, const std::vector<Tensor>& inputs) {
    INFO("solver " << name);
    const double e = 1e-6;
    const auto at = [&](const std::vector<Tensor>& xs) {
        Tape tape;
        Vars vars;
        for (const Tensor& x : xs) vars.push_back(tape.variable(x));
        return f(vars).value().to_vector();
    };
    const auto shifted = [&](std::size_t i, const std::vector<double>& direction, double step) {
        auto xs = inputs;
        auto v = xs[i].to_vector();
        for (std::size_t j = 0; j < v.size(); ++j) v[j] += step * direction[j];
        xs[i] = Tensor::from_vector(v, xs[i].shape(), f64);
        return xs;
    };
    const auto dot = [](const std::vector<double>& a, const std::vector<double>& b) {
        double s = 0;
        for (std::size_t j = 0; j < a.size(); ++j) s += a[j] * b[j];
        return s;
    };

    const auto y0_values = at(inputs);
    const Tensor y0 = Tensor::from_vector(y0_values, {static_cast<std::int64_t>(y0_values.size())}, f64);
    const auto u = randn(y0.shape(), 5).to_vector();
    Tape tape;
    Vars xs;
    for (const Tensor& x : inputs) xs.push_back(tape.variable(x));
    const Vars vjps = vjp(f(xs), Tensor::from_vector(u, y0.shape(), f64), xs);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        INFO("VJP with respect to input " << i);
        std::vector<double> fd(static_cast<std::size_t>(inputs[i].numel()));
        for (std::size_t j = 0; j < fd.size(); ++j) {
            std::vector<double> unit(fd.size(), 0.0);
            unit[j] = 1.0;
            fd[j] = (dot(u, at(shifted(i, unit, e))) - dot(u, at(shifted(i, unit, -e)))) / (2 * e);
        }
        CHECK(max_relative_error(vjps[i].value(), Tensor::from_vector(fd, inputs[i].shape(), f64)) < 1e-6);
    }

    for (std::size_t i = 0; i < inputs.size(); ++i) {
        INFO("JVP along input " << i);
        const Tensor direction = randn(inputs[i].shape(), 50 + i);
        Tape forward;
        Vars duals;
        for (std::size_t k = 0; k < inputs.size(); ++k) duals.push_back(forward.variable(inputs[k]));
        duals[i] = with_tangents(duals[i], direction.reshaped(inputs[i].shape().prepend(1)));
        const Var y = f(duals);
        REQUIRE(y.has_tangents());
        const auto plus = at(shifted(i, direction.to_vector(), e));
        const auto minus = at(shifted(i, direction.to_vector(), -e));
        std::vector<double> fd(plus.size());
        for (std::size_t j = 0; j < fd.size(); ++j) fd[j] = (plus[j] - minus[j]) / (2 * e);
        CHECK(max_relative_error(y.tangents().reshaped(y0.shape()), Tensor::from_vector(fd, y0.shape(), f64)) < 1e-6);
    }
}

// v -> M v for a matrix M and a vector v (M^T v with trans_a).
LinearOperator times(const Tensor& M, Trans flags = no_trans) {
    return [M, flags](const Tensor& v) {
        const Tensor y = matmul(Var(M), Var(v.reshaped({v.numel(), 1})), flags).value();
        return y.reshaped({y.numel()});
    };
}

Tensor identity(std::int64_t n) {
    std::vector<double> v(static_cast<std::size_t>(n * n), 0.0);
    for (std::int64_t i = 0; i < n; ++i) v[static_cast<std::size_t>(i * n + i)] = 1.0;
    return Tensor::from_vector(v, {n, n}, f64);
}

// A symmetric positive definite M M^T / n + shift I.
Tensor spd(std::int64_t n, double shift, std::uint64_t seed) {
    const Var M = randn({n, n}, seed);
    return (matmul(M, M, trans_b) / static_cast<double>(n) + shift * Var(identity(n))).value();
}

double distance(const Tensor& a, const Tensor& b) { return std::sqrt(sum(square(Var(a) - Var(b))).item()); }

// The largest row sum of |M|: a bound on the largest eigenvalue (Gershgorin) and on |M|_inf.
double max_row_sum(const Tensor& M) {
    const auto sums = sum(abs(Var(M)), 1).value().to_vector();
    return *std::max_element(sums.begin(), sums.end());
}

}  // namespace

TEST_CASE("tape_gradient is the differentiable gradient of the loss", "[solvers][inner]") {
    Tape tape;
    const Var w = tape.variable(randn({4}, 3));
    const Var g = tape_gradient(inner_loss)(w);
    CHECK(g.on_tape());
    CHECK(max_relative_error(g.value(), inner_gradient(w).value()) < 1e-14);
}

TEST_CASE("each inner solver's steps differentiate correctly in every mode", "[solvers][inner]") {
    const Tensor w = randn({4}, 10);
    const Tensor v = randn({4}, 11);
    const Tensor gamma = uniform({1}, 0.05, 0.2, 12);
    const Tensor mu = uniform({1}, 0.3, 0.9, 13);
    const GradientFn g = inner_gradient;
    check_op("GradientDescent", [&](const Vars& x) { return steps(GradientDescent{x[1]}, {x[0]}, g); }, {w, gamma});
    check_op("HeavyBall",
             [&](const Vars& x) {
                 return steps(HeavyBall{x[2], x[3]}, {x[0], x[1]}, g);
             },
             {w, v, gamma, mu});
    check_op("Nesterov",
             [&](const Vars& x) {
                 return steps(Nesterov{x[2], x[3]}, {x[0], x[1]}, g);
             },
             {w, v, gamma, mu});
    // Adam's second moment stays positive, where sqrt is smooth; t0 = 0 and 5 test both bias corrections.
    const Tensor second = uniform({4}, 0.5, 1.0, 14);
    for (int t0 : {0, 5}) {
        INFO("t0 = " << t0);
        check_op("Adam",
                 [&](const Vars& x) {
                     return steps(Adam{x[3]}, {x[0], x[1], x[2]}, g, t0);
                 },
                 {w, v, second, gamma});
    }
}

TEST_CASE("steps through tape_gradient differentiate correctly (grad-of-grad, forward-over-reverse)",
          "[solvers][inner]") {
    const Tensor w = randn({4}, 20);
    const Tensor v = randn({4}, 21);
    const Tensor gamma = uniform({1}, 0.05, 0.2, 22);
    const Tensor mu = uniform({1}, 0.3, 0.9, 23);
    const GradientFn g = tape_gradient(inner_loss);
    check_on_tape("GradientDescent", [&](const Vars& x) { return steps(GradientDescent{x[1]}, {x[0]}, g); },
                  {w, gamma});
    check_on_tape("HeavyBall",
                  [&](const Vars& x) {
                      return steps(HeavyBall{x[2], x[3]}, {x[0], x[1]}, g);
                  },
                  {w, v, gamma, mu});
    check_on_tape("Nesterov",
                  [&](const Vars& x) {
                      return steps(Nesterov{x[2], x[3]}, {x[0], x[1]}, g);
                  },
                  {w, v, gamma, mu});
    // From Adam's own start (zero moments): the step differentiates as a function of (w0, gamma).
    check_on_tape("Adam", [&](const Vars& x) { return steps(Adam{x[1]}, Adam{x[1]}.start(x[0]), g); }, {w, gamma});
}

TEST_CASE("the inner solvers converge on a strongly convex quadratic", "[solvers][inner]") {
    // g(w) = 1/2 w^T A w - b^T w with A = D + E, D = diag(2..7), |E| row sums <= 1: spectrum in [1, 8].
    const std::int64_t n = 6;
    std::vector<double> a(static_cast<std::size_t>(n * n));
    const auto r = uniform({n, n}, -0.1, 0.1, 30).to_vector();
    for (std::int64_t i = 0; i < n; ++i) {
        for (std::int64_t j = 0; j < n; ++j) {
            const auto ij = static_cast<std::size_t>(i * n + j), ji = static_cast<std::size_t>(j * n + i);
            a[ij] = i == j ? 2.0 + static_cast<double>(i) : r[ij] + r[ji];
        }
    }
    const Tensor A = Tensor::from_vector(a, {n, n}, f64);
    const double L = max_row_sum(A);
    const Tensor w_star = randn({n, 1}, 31);
    const Tensor b = matmul(Var(A), Var(w_star)).value();
    const GradientFn g = [&](const Var& w) { return matmul(Var(A), w) - Var(b); };
    const Var w0 = Tensor::zeros({n, 1}, f64);
    const auto s = [](double x) { return Var(Tensor::scalar(x, f64)); };
    const auto run = [&](const auto& solver, int T) {
        State state = solver.start(w0);
        for (int t = 0; t < T; ++t) state = solver.step(state, g, t);
        return distance(state[0].value(), w_star);
    };
    CHECK(run(GradientDescent{s(1 / L)}, 400) < 1e-10);
    CHECK(run(HeavyBall{s(1 / L), s(0.5)}, 200) < 1e-10);
    CHECK(run(Nesterov{s(1 / L), s(0.5)}, 200) < 1e-10);
    CHECK(run(Adam{s(0.01)}, 1000) < 1e-6);
}

TEST_CASE("CG solves an SPD n x n system to 1e-10 in at most n iterations", "[solvers][linear]") {
    const std::int64_t n = 12;
    const Tensor A = spd(n, 0.5, 40);
    const Tensor b = randn({n}, 41);
    const LinearSolution s = conjugate_gradient(times(A), b, 100, 1e-10);
    CHECK(s.iterations <= n);
    CHECK(s.residual_norm <= 1e-10);
    CHECK(distance(times(A)(s.x), b) < 1e-9);

    // Tolerance 0 runs every iteration; a start at the solution runs none.
    const LinearSolution all = conjugate_gradient(times(A), b, 2 * n);
    CHECK(all.iterations == 2 * n);
    CHECK(distance(times(A)(all.x), b) < 1e-9);
    CHECK(conjugate_gradient(times(A), b, 100, 1e-8, s.x).iterations == 0);
    // A zero right-hand side is solved exactly at once, without dividing 0 by 0.
    const LinearSolution zero = conjugate_gradient(times(A), Tensor::zeros({n}, f64), 5);
    CHECK(zero.iterations == 0);
    CHECK(zero.residual_norm == 0.0);
    // Far past convergence the residual underflows and p^T A p reaches 0: CG stops there, converged,
    // instead of calling A indefinite.
    const LinearSolution far = conjugate_gradient(times(A), b, 5000);
    CHECK(far.iterations < 5000);
    CHECK(far.residual_norm <= 0x1p-52 * vector_norm(b));
    CHECK(distance(times(A)(far.x), b) < 1e-9);
}

TEST_CASE("CG on the normal equations solves non-symmetric and rectangular systems", "[solvers][linear]") {
    const std::int64_t n = 10;
    const Tensor A = (2.0 * Var(identity(n)) + 0.3 * Var(randn({n, n}, 50))).value();
    const Tensor x_true = randn({n}, 51);
    const Tensor b = times(A)(x_true);
    const LinearSolution s = conjugate_gradient_normal(times(A), times(A, trans_a), b, 100, 1e-11);
    CHECK(s.residual_norm <= 1e-11);
    CHECK(distance(times(A)(s.x), b) < 1e-10);
    CHECK(distance(s.x, x_true) < 1e-9);

    // A consistent overdetermined [15, 8] system: x has the shape of A^T b, not of b.
    const Tensor R = randn({15, 8}, 52);
    const Tensor y_true = randn({8}, 53);
    const LinearSolution r = conjugate_gradient_normal(times(R), times(R, trans_a), times(R)(y_true), 100, 1e-11);
    REQUIRE(r.x.shape() == Shape{8});
    CHECK(distance(r.x, y_true) < 1e-9);
    // From a given start.
    CHECK(distance(conjugate_gradient_normal(times(R), times(R, trans_a), times(R)(y_true), 100, 1e-11, r.x).x,
                   y_true) < 1e-9);
}

TEST_CASE("fixed point and Neumann series solve (I - J) x = b for a contraction, term by term alike",
          "[solvers][linear]") {
    const std::int64_t n = 8;
    const Tensor R = uniform({n, n}, -1, 1, 60);
    const Tensor J = (Var(R) * (0.5 / max_row_sum(R))).value();  // |J|_inf = 0.5
    const Tensor b = randn({n}, 61);
    const auto residual = [&](const Tensor& x) { return distance(b, (Var(x) - Var(times(J)(x))).value()); };

    const LinearSolution fp = fixed_point(times(J), b, 60);
    CHECK(fp.iterations == 60);
    CHECK(residual(fp.x) < 1e-12);
    const LinearSolution ns = neumann(times(J), b, 60);
    CHECK(residual(ns.x) < 1e-12);
    // neumann(k) and fixed_point(k) from 0 are the same k terms sum_{i<k} J^i b, each applying J
    // k - 1 times (plus once for the residual).
    for (int k = 1; k <= 6; ++k) {
        INFO("k = " << k);
        int series_calls = 0, iterated_calls = 0;
        const auto counted = [&](int& calls) {
            return [count = &calls, op = times(J)](const Tensor& v) {
                ++*count;
                return op(v);
            };
        };
        const LinearSolution series = neumann(counted(series_calls), b, k);
        const LinearSolution iterated = fixed_point(counted(iterated_calls), b, k);
        CHECK(series.iterations == k);
        CHECK(iterated.iterations == k);
        CHECK(series_calls == k);
        CHECK(iterated_calls == k);
        CHECK(max_relative_error(series.x, iterated.x) < 1e-14);
        CHECK(max_relative_error(neumann(times(J), b, k + 1).x, fixed_point(times(J), b, k, b).x) <
              1e-14);  // x0 = b is one step on
        CHECK(series.residual_norm == Approx(residual(series.x)).epsilon(1e-10));
        CHECK(iterated.residual_norm == Approx(residual(iterated.x)).epsilon(1e-10));
    }
    // No terms: x = 0, and the residual is |b|.
    const LinearSolution none = neumann(times(J), b, 0);
    CHECK(distance(none.x, Tensor::zeros({n}, f64)) == 0.0);
    CHECK(none.residual_norm == Approx(distance(b, Tensor::zeros({n}, f64))));
}

TEST_CASE("symmetry_defect tells symmetric operators from non-symmetric ones", "[solvers][linear]") {
    const std::int64_t n = 30;
    const Tensor S = spd(n, 0.5, 80);
    CHECK(symmetry_defect(times(S), randn({n}, 81)) < 1e-12);
    CHECK(symmetry_defect(times(identity(n)), randn({n}, 81)) < 1e-12);
    // The zero operator is symmetric: 0 = 0.
    CHECK(symmetry_defect([](const Tensor& v) { return Tensor::zeros_like(v); }, randn({n}, 82)) == 0.0);
    // S plus a skew-symmetric part of a tenth of its size, and a heavy-ball-like block operator.
    const Tensor R = randn({n, n}, 83);
    const Tensor skew = (0.1 * max_row_sum(S) / max_row_sum(R) * (Var(R) - transpose(Var(R), 0, 1))).value();
    CHECK(symmetry_defect(times((Var(S) + Var(skew)).value()), randn({n}, 84)) > 1e-3);
    const Tensor block =
        concat({concat({Var(S), Var(identity(n))}, 1), concat({-1.0 * Var(S), Var(identity(n))}, 1)}, 0).value();
    CHECK(symmetry_defect(times(block), randn({2 * n}, 85)) > 0.1);
    // Float32 rounding stays far below the float32 tolerance of Implicit::cg (1e-3).
    const LinearOperator S32 = [&](const Tensor& v) { return times(S)(v.to(f64)).to(f32); };
    CHECK(symmetry_defect(S32, randn({n}, 86).to(f32)) < 1e-5);
    // The pair is drawn from the seed: the same seed, the same value.
    CHECK(symmetry_defect(times(block), randn({2 * n}, 85), 7) == symmetry_defect(times(block), randn({2 * n}, 85), 7));
}

TEST_CASE("CG beats fixed-point iteration on an ill-conditioned SPD system", "[solvers][linear]") {
    // A = M M^T / n + 0.01 I, condition number in the hundreds; the fixed point is Richardson's
    // x <- (I - A / L) x + b / L, whose solution is that of A x = b. Both are measured by their
    // distance to the solution.
    const std::int64_t n = 40;
    const Tensor A = spd(n, 0.01, 70);
    const Tensor x_star = randn({n}, 71);
    const Tensor b = times(A)(x_star);
    const double L = max_row_sum(A);
    const Tensor J = (Var(identity(n)) - Var(A) / L).value();
    for (int k : {10, 20, 40}) {
        const double cg = distance(conjugate_gradient(times(A), b, k).x, x_star);
        const double fp = distance(fixed_point(times(J), (Var(b) / L).value(), k).x, x_star);
        INFO("k = " << k << ": CG error " << cg << ", fixed-point error " << fp);
        CHECK(cg < 0.5 * fp);
    }
}

TEST_CASE("vjp_operator and jvp_operator are J^T v and J v", "[solvers][linear]") {
    // y = tanh(W x) * e^(x_{0..2} / 5), x in R^4, y in R^3:
    // dy_i/dx_j = (1 - tanh^2(Wx)_i) W_ij e_i + tanh(Wx)_i e_i / 5 [i == j].
    const Tensor W = randn({3, 4}, 80);
    const Tensor x0 = randn({4}, 81);
    const auto f = [&](const Var& x) {
        return tanh(reshape(matmul(Var(W), reshape(x, {4, 1})), {3})) * exp(0.2 * slice(x, 0, 0, 3));
    };
    const auto th = tanh(Var(times(W)(x0))).value().to_vector();
    const auto w = W.to_vector();
    const auto x = x0.to_vector();
    std::vector<double> jacobian(12);
    for (std::size_t i = 0; i < 3; ++i) {
        const double e = std::exp(0.2 * x[i]);
        for (std::size_t j = 0; j < 4; ++j) {
            jacobian[i * 4 + j] = (1 - th[i] * th[i]) * w[i * 4 + j] * e + (i == j ? th[i] * e * 0.2 : 0.0);
        }
    }
    const Tensor Jm = Tensor::from_vector(jacobian, {3, 4}, f64);

    Tape tape;
    const Var xv = tape.variable(x0);
    const LinearOperator JT = vjp_operator(f(xv), xv);
    const Tensor u = randn({3}, 82);
    CHECK(max_relative_error(JT(u), times(Jm, trans_a)(u)) < 1e-14);
    CHECK(max_relative_error(JT(u), times(Jm, trans_a)(u)) < 1e-14);  // the records are kept for another sweep
    CHECK(tape.stats().records > 0);

    const Tensor v = randn({4}, 83);
    CHECK(max_relative_error(jvp_operator(f, x0)(v), times(Jm)(v)) < 1e-14);
    // A function that does not depend on x has a zero Jacobian.
    CHECK(jvp_operator([](const Var&) { return Var(Tensor::ones({2}, f64)); }, x0)(v).to_vector() ==
          std::vector<double>{0, 0});
}

TEST_CASE("jvp_operator of a tape gradient is the Hessian, which CG inverts", "[solvers][linear]") {
    // L(w) = 1/2 w^T A w + sum(e^(w/10)): H = A + diag(e^(w/10) / 100).
    const std::int64_t n = 6;
    const Tensor A = spd(n, 1.0, 90);
    const Tensor w0 = randn({n}, 91);
    const auto loss = [&](const Var& w) {
        return 0.5 * dot(w, reshape(matmul(Var(A), reshape(w, {n, 1})), {n})) + sum(exp(0.1 * w));
    };
    const LinearOperator H = jvp_operator(tape_gradient(loss), w0);
    const Var diag = exp(0.1 * Var(w0)) * 0.01;
    const auto explicit_H = [&](const Tensor& v) { return (Var(times(A)(v)) + diag * Var(v)).value(); };
    const Tensor v = randn({n}, 92);
    CHECK(max_relative_error(H(v), explicit_H(v)) < 1e-13);
    const Tensor b = randn({n}, 93);
    const LinearSolution s = conjugate_gradient(H, b, 50, 1e-12);
    CHECK(distance(explicit_H(s.x), b) < 1e-11);
}

TEST_CASE("linear solvers reject bad shapes, counts and NaN, naming the solver and the iteration",
          "[solvers][linear][errors]") {
    const Tensor A = spd(4, 1.0, 100);
    const Tensor b = randn({4}, 101);
    const LinearOperator wrong = [](const Tensor&) { return Tensor::zeros({3}, f64); };
    CHECK_ERROR(conjugate_gradient(wrong, b, 5),
                Catch::Contains("conjugate_gradient") && Catch::Contains("[3]") && Catch::Contains("[4]"));
    CHECK_ERROR(fixed_point(times(A), b, 5, Tensor::zeros({5}, f64)),
                Catch::Contains("fixed_point") && Catch::Contains("x0") && Catch::Contains("[5]"));
    CHECK_ERROR(conjugate_gradient([](const Tensor& v) { return v.to(f32); }, b, 5),
                Catch::Contains("A(v) is float32 [4] on cpu but b is float64 [4] on cpu"));
    CHECK_ERROR(conjugate_gradient(times(A), b, -1),
                Catch::Contains("conjugate_gradient") && Catch::Contains("max_iterations = -1"));
    CHECK_ERROR(conjugate_gradient_normal(times(A), times(A), b, -2), Catch::Contains("conjugate_gradient_normal"));
    CHECK_ERROR(fixed_point(times(A), b, -1), Catch::Contains("fixed_point"));
    CHECK_ERROR(neumann(times(A), b, -1), Catch::Contains("neumann") && Catch::Contains("terms"));
    CHECK_ERROR(conjugate_gradient(times(A), Tensor(), 5), Catch::Contains("b is undefined"));
    CHECK_ERROR(conjugate_gradient(times(A), Tensor::indices({1, 2}), 5), Catch::Contains("int64"));
    CHECK_ERROR(conjugate_gradient(times(A), b, 5, -1.0), Catch::Contains("tolerance"));
    CHECK_ERROR(conjugate_gradient(times((-1.0 * Var(A)).value()), b, 5),
                Catch::Contains("not positive") && Catch::Contains("iteration 1"));

    // An operator that returns NaN on its third application.
    const auto nan_on_third = [&](const Tensor& M) {
        return [M, calls = 0](const Tensor& v) mutable {
            const Tensor y = times(M)(v);
            return ++calls == 3 ? (Var(y) * std::numeric_limits<double>::quiet_NaN()).value() : y;
        };
    };
    CHECK_ERROR(conjugate_gradient(nan_on_third(A), b, 10),
                Catch::Contains("conjugate_gradient") && Catch::Contains("NaN") && Catch::Contains("iteration 3"));
    // From x0 = 0 the first fixed-point iteration applies no J: the third application is iteration 4.
    CHECK_ERROR(fixed_point(nan_on_third((0.1 * Var(A)).value()), b, 10),
                Catch::Contains("fixed_point") && Catch::Contains("iteration 4"));
    CHECK_ERROR(neumann(nan_on_third((0.1 * Var(A)).value()), b, 3),
                Catch::Contains("neumann") && Catch::Contains("residual"));
    // An iterate that overflows while every operator result is finite: x2 = x1 + b = 2b.
    const Tensor huge = Tensor::full({4}, 1e308, f64);
    CHECK_ERROR(fixed_point(times(identity(4)), huge, 3),
                Catch::Contains("the iterate") && Catch::Contains("iteration 2"));

    Tape tape;
    const Var x = tape.variable(b);
    CHECK_ERROR(vjp_operator(Var(b), x), Catch::Contains("vjp_operator") && Catch::Contains("constant"));
    CHECK_ERROR(vjp_operator(x * 2.0, x)(Tensor::zeros({3}, f64)), Catch::Contains("vjp_operator"));
    CHECK_ERROR(jvp_operator([](const Var& v) { return v; }, b)(Tensor::zeros({3}, f64)),
                Catch::Contains("jvp_operator") && Catch::Contains("[3]"));
}

TEST_CASE("inner solvers reject malformed states and hyperparameters, naming the solver", "[solvers][inner][errors]") {
    const Var w = randn({4}, 110);
    const Var gamma = Tensor::scalar(0.1, f64);
    const GradientFn g = inner_gradient;
    CHECK_ERROR((HeavyBall{gamma, gamma}.step({w}, g, 0)), Catch::Contains("HeavyBall") && Catch::Contains("{w, v}"));
    CHECK_ERROR(GradientDescent{}.step({w}, g, 0),
                Catch::Contains("GradientDescent") && Catch::Contains("step_size is undefined"));
    CHECK_ERROR((Nesterov{gamma, Tensor::scalar(0.5, f32)}.step(Nesterov{}.start(w), g, 0)),
                Catch::Contains("Nesterov") && Catch::Contains("momentum is float32"));
    CHECK_ERROR(GradientDescent{Tensor::zeros({4, 1}, f64)}.step({w}, g, 0),
                Catch::Contains("GradientDescent") && Catch::Contains("[4, 1]"));
    CHECK_ERROR(GradientDescent{gamma}.step(
                    {w}, [](const Var&) { return Var(Tensor::zeros({3}, f64)); }, 0),
                Catch::Contains("GradientDescent") && Catch::Contains("[3]") && Catch::Contains("[4]"));
    CHECK_ERROR(Adam{gamma}.step(Adam{}.start(w), g, -1), Catch::Contains("Adam") && Catch::Contains("t = -1"));
    CHECK_ERROR(GradientDescent{gamma}.step({w}, tape_gradient(inner_loss), 0),
                Catch::Contains("tape_gradient") && Catch::Contains("not on a tape"));
}
