// The synthetic hypergradient-approximation experiment (Grazzi et al. Sec. 3.1) at tiny sizes:
// the exact hypergradients against finite differences, the errors' decrease with t, and the
// identities between the approximations.
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "hypertape/bilevel/hypergradient.hpp"
#include "hypertape/experiments/synthetic.hpp"
#include "hypertape/ops/binary.hpp"
#include "hypertape/tape/error.hpp"

using namespace hypertape;
using namespace hypertape::experiments;

namespace {

const std::vector<SyntheticProblem> all_problems = {
    SyntheticProblem::logistic_regression, SyntheticProblem::kernel_ridge_regression,
    SyntheticProblem::biased_regularization, SyntheticProblem::hyper_representation};

SyntheticInstance tiny_instance(SyntheticProblem problem) {
    return synthetic_instance(problem, SyntheticSettings::tiny().sizes, 3);
}

std::vector<Tensor> moved(const std::vector<Tensor>& lambda, const std::vector<Tensor>& direction, double h) {
    std::vector<Tensor> out;
    for (std::size_t i = 0; i < lambda.size(); ++i) out.push_back((Var(lambda[i]) + h * Var(direction[i])).value());
    return out;
}

double inner_product(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::vector<double> x = a[i].to_vector(), y = b[i].to_vector();
        for (std::size_t j = 0; j < x.size(); ++j) s += x[j] * y[j];
    }
    return s;
}

// f(lambda) with w from a long run of the lower-level solver itself (not the Newton solution).
double iterated_objective(const SyntheticInstance& in, const std::vector<Tensor>& lambda, int steps) {
    const Problem p = synthetic_problem(in, lambda, steps, SyntheticMap::solver_step);
    return hypergradient(p, lambda, Implicit::fixed_point(1)).outer_loss;
}

}  // namespace

TEST_CASE("synthetic: the exact hypergradient matches central differences of f with a converged solver",
          "[experiments]") {
    for (SyntheticProblem problem : all_problems) {
        INFO(synthetic_problem_name(problem));
        const SyntheticInstance in = tiny_instance(problem);
        std::mt19937_64 rng(11);
        const std::vector<Tensor> lambda = sample_synthetic_lambda(in, rng);
        const std::vector<Tensor> exact = synthetic_exact_hypergradient(in, lambda);

        // The solver's iterate converges to the Newton solution the exact hypergradient uses.
        const Problem p = synthetic_problem(in, lambda, 800, SyntheticMap::solver_step);
        const Tensor w_iterated = hypergradient(p, lambda, Implicit::fixed_point(1)).final_state[0];
        CHECK(synthetic_relative_error({w_iterated}, {synthetic_solution(in, lambda)}) < 1e-11);

        // Directional central differences along two random directions.
        for (int d = 0; d < 2; ++d) {
            std::vector<Tensor> u;
            for (const Tensor& l : lambda) u.push_back(Tensor::randn(l.shape(), rng, f64));
            const double h = 1e-6;
            const double fd = (iterated_objective(in, moved(lambda, u, h), 800) -
                               iterated_objective(in, moved(lambda, u, -h), 800)) /
                              (2 * h);
            const double analytic = inner_product(exact, u);
            CHECK(std::abs(fd - analytic) <= 1e-6 * std::max(1.0, std::abs(analytic)));
        }
    }
}

TEST_CASE("synthetic: ITD and CG k = t errors fall by orders of magnitude from small to large t", "[experiments]") {
    SyntheticSettings s = SyntheticSettings::tiny();
    const SyntheticResult r = run_synthetic(s);
    REQUIRE(r.problems.size() == 4);
    for (const SyntheticProblemResult& pr : r.problems) {
        INFO(synthetic_problem_name(pr.problem));
        REQUIRE(pr.t == std::vector<int>{2, 40, 200});
        REQUIRE(pr.curves.size() == 5);
        for (const SyntheticCurve& c : pr.curves) {
            INFO(c.method.name());
            REQUIRE(c.relative.size() == 3);
            const bool k_is_t = c.method.k == 0;
            if (!k_is_t) continue;
            // t = 2 leaves an error of order one; at t = 200 it is below 1e-6 (LR, the slowest, is near 1e-8).
            CHECK(c.mean[0] > 1e-3);
            CHECK(c.mean[2] < 1e-6);
            CHECK(c.max[2] < 1e-3 * c.min[0]);
        }
        // With k fixed at 10 the AID error stalls at a level set by k, above the k = t error.
        CHECK(pr.curves[2].mean[2] > 10 * pr.curves[1].mean[2]);
    }
}

TEST_CASE("synthetic: FP k = t is the Neumann series and, on BR, ITD itself", "[experiments]") {
    for (SyntheticProblem problem : all_problems) {
        INFO(synthetic_problem_name(problem));
        const SyntheticInstance in = tiny_instance(problem);
        std::mt19937_64 rng(5);
        const std::vector<Tensor> lambda = sample_synthetic_lambda(in, rng);
        const Problem p = synthetic_problem(in, lambda, 15, SyntheticMap::solver_step);
        const std::vector<Tensor> fp = hypergradient(p, lambda, Implicit::fixed_point(15)).values;
        const std::vector<Tensor> neumann = hypergradient(p, lambda, Implicit::neumann(15)).values;
        CHECK(synthetic_relative_error(neumann, fp) < 1e-12);
        // BR's lower level is quadratic and d_lambda Phi does not depend on w: reverse mode
        // through t steps sums the same t terms (d_w Phi^T)^i grad_w E as the fixed point.
        if (problem == SyntheticProblem::biased_regularization) {
            CHECK(synthetic_relative_error(hypergradient(p, lambda, Reverse{}).values, fp) < 1e-10);
        }
    }
}

TEST_CASE("synthetic: the fresh-run approximation equals the experiment's warm-started one", "[experiments]") {
    SyntheticSettings s = SyntheticSettings::tiny();
    s.problems = {SyntheticProblem::hyper_representation};
    s.lambdas = 1;
    s.t = {7};
    const SyntheticResult r = run_synthetic(s);
    const SyntheticInstance in = synthetic_instance(SyntheticProblem::hyper_representation, s.sizes, s.seed);
    const std::vector<Tensor>& lambda = r.problems[0].lambdas.at(0);
    const std::vector<Tensor> exact = synthetic_exact_hypergradient(in, lambda);
    for (const SyntheticCurve& c : r.problems[0].curves) {
        INFO(c.method.name());
        CHECK(synthetic_relative_error(synthetic_approximation(in, lambda, c.method, 7), exact) ==
              Approx(c.relative[0][0]).epsilon(1e-9));
    }
}

TEST_CASE("synthetic: bad settings and names are errors naming them", "[experiments]") {
    SyntheticSettings s = SyntheticSettings::tiny();
    s.lambdas = 0;
    CHECK_THROWS_WITH(run_synthetic(s), Catch::Contains("lambdas"));
    s = SyntheticSettings::tiny();
    s.t = {0};
    CHECK_THROWS_WITH(run_synthetic(s), Catch::Contains("t must be >= 1"));
    s = SyntheticSettings::tiny();
    s.problems.clear();
    CHECK_THROWS_WITH(run_synthetic(s), Catch::Contains("problems"));
    s = SyntheticSettings::tiny();
    s.sizes.hidden = 0;
    CHECK_THROWS_WITH(run_synthetic(s), Catch::Contains("hidden"));
    CHECK_THROWS_WITH(parse_synthetic_problem("svm"), Catch::Contains("svm"));
    CHECK(parse_synthetic_problem("Krr") == SyntheticProblem::kernel_ridge_regression);
    const SyntheticInstance in = tiny_instance(SyntheticProblem::biased_regularization);
    CHECK_THROWS_WITH(synthetic_exact_hypergradient(in, {Tensor::zeros({2}, f64)}), Catch::Contains("lambda[0]"));
}
