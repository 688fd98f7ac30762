// Grazzi et al. Table 1's two problems at tiny sizes: hypergradients against finite differences
// and against each other, the outer loop decreasing the objective for every method, and errors.
#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/experiments/data_optimization.hpp>
#include <hypertape/experiments/kernel_ridge.hpp>
#include <hypertape/hypertape.hpp>
#include <vector>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using namespace hypertape::experiments;
using hypertape::testing::finite_difference_gradient;
using hypertape::testing::randn;

namespace {

// |a - b| / |b| over all elements.
double relative_error(const Tensor& a, const Tensor& b) {
    const std::vector<double> x = a.to_vector(), y = b.to_vector();
    double diff = 0, norm = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        diff += (x[i] - y[i]) * (x[i] - y[i]);
        norm += y[i] * y[i];
    }
    return std::sqrt(diff / norm);
}

// 24 examples with 3 features and a smooth target: an 8 / 8 / 8 split.
KernelRidgeData tiny_regression() {
    const Tensor X = randn({24, 3}, 11);
    const std::vector<double> x = X.to_vector();
    std::vector<double> y(24);
    for (std::size_t i = 0; i < 24; ++i) y[i] = std::sin(x[3 * i]) + 0.5 * x[3 * i + 1] * x[3 * i + 2];
    return kernel_ridge_data({X, Tensor::from_vector(y, {24}, f64)}, 3);
}

std::vector<Tensor> krr_lambda() {
    return {Tensor::scalar(-0.3, f64), Tensor::from_vector({-1.0, -0.5, -1.5}, {3}, f64)};
}

// f(w(beta, gamma)) with w solved exactly (CG to rounding) on constants.
double krr_exact_objective(const KernelRidgeData& d, double log_beta, const Tensor& log_gamma) {
    const Tensor K = rbf_kernel(d.X_train, d.X_train, log_gamma).value();
    const double ridge = std::exp(log_beta);
    const LinearOperator A = [&](const Tensor& v) { return (matmul(K, v) + ridge * Var(v)).value(); };
    const Tensor w = conjugate_gradient(A, d.y_train, 200, 1e-15).x;
    const Var residual = d.y_validation - matmul(rbf_kernel(d.X_validation, d.X_train, log_gamma), w);
    return 0.5 * squared_norm(residual).value().item();
}

// Training images X [40, 6] of the 10 classes and points X' [10, 6], float64.
struct TinyImages {
    Tensor X = randn({40, 6}, 21);
    Tensor y;
    Tensor points = (0.3 * Var(randn({10, 6}, 22))).value();
    TinyImages() {
        std::vector<std::int64_t> labels(40);
        for (std::size_t i = 0; i < 40; ++i) labels[i] = static_cast<std::int64_t>(i % 10);
        y = Tensor::indices(labels);
    }
};

double forward_objective(const Problem& p, const std::vector<Tensor>& lambda) {
    return hypergradient(p, lambda, Truncated{1}).outer_loss;
}

}  // namespace

TEST_CASE("kernel ridge: the rbf kernel is exp(-sum_d exp(gamma_d) (a_d - b_d)^2)", "[experiments][table1]") {
    const Tensor A = randn({3, 2}, 1), B = randn({4, 2}, 2);
    const Tensor g = Tensor::from_vector({0.2, -0.7}, {2}, f64);
    const std::vector<double> K = rbf_kernel(A, B, g).value().to_vector();
    const std::vector<double> a = A.to_vector(), b = B.to_vector();
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t j = 0; j < 4; ++j) {
            double d = 0;
            for (std::size_t k = 0; k < 2; ++k) {
                const double scale = std::exp(k == 0 ? 0.2 : -0.7);
                d += scale * (a[2 * i + k] - b[2 * j + k]) * (a[2 * i + k] - b[2 * j + k]);
            }
            CHECK(K[4 * i + j] == Approx(std::exp(-d)).epsilon(1e-12));
        }
    }
    CHECK_ERROR(rbf_kernel(A, B, Tensor::zeros({3}, f64)), Catch::Contains("rbf_kernel") && Catch::Contains("[3]"));
}

TEST_CASE("kernel ridge: the three-way split keeps every example once", "[experiments][table1]") {
    const KernelRidgeData d = tiny_regression();
    CHECK(d.X_train.shape() == Shape{8, 3});
    CHECK(d.y_validation.shape() == Shape{8, 1});
    CHECK(d.X_test.shape() == Shape{8, 3});
    double total = 0;
    for (const Tensor* y : {&d.y_train, &d.y_validation, &d.y_test}) {
        for (const double v : y->to_vector()) total += v;
    }
    const Tensor X = randn({24, 3}, 11);
    double expected = 0;
    const std::vector<double> x = X.to_vector();
    for (std::size_t i = 0; i < 24; ++i) expected += std::sin(x[3 * i]) + 0.5 * x[3 * i + 1] * x[3 * i + 2];
    CHECK(total == Approx(expected).epsilon(1e-12));
}

TEST_CASE("kernel ridge: ITD at t steps matches finite differences of f(w_t)", "[experiments][table1]") {
    // The step size is a function of beta and gamma, so this checks that ITD follows it too.
    const KernelRidgeData d = tiny_regression();
    const Problem p = kernel_ridge_problem(d, 6);
    const std::vector<Tensor> lam = krr_lambda();
    const HypergradientResult r = hypergradient(p, lam, Reverse{});
    const Tensor fd_beta = finite_difference_gradient(
        [&](const Tensor& b) {
            return forward_objective(p, {b, lam[1]});
        },
        lam[0]);
    const Tensor fd_gamma = finite_difference_gradient(
        [&](const Tensor& g) {
            return forward_objective(p, {lam[0], g});
        },
        lam[1]);
    CHECK(relative_error(r.values[0], fd_beta) < 1e-6);
    CHECK(relative_error(r.values[1], fd_gamma) < 1e-6);
}

TEST_CASE("kernel ridge: CG with large k equals ITD through a converged inner loop and the exact hypergradient",
          "[experiments][table1]") {
    const KernelRidgeData d = tiny_regression();
    const Problem p = kernel_ridge_problem(d, 300);
    const std::vector<Tensor> lam = krr_lambda();
    const Tensor fd_beta =
        finite_difference_gradient([&](const Tensor& b) { return krr_exact_objective(d, b.item(), lam[1]); }, lam[0]);
    const Tensor fd_gamma =
        finite_difference_gradient([&](const Tensor& g) { return krr_exact_objective(d, lam[0].item(), g); }, lam[1]);

    const HypergradientResult itd = hypergradient(p, lam, Reverse{});
    const HypergradientResult cg = hypergradient(p, lam, Implicit::cg(30));
    const HypergradientResult fp = hypergradient(p, lam, Implicit::fixed_point(300));
    for (const HypergradientResult* r : {&itd, &cg, &fp}) {
        CHECK(relative_error(r->values[0], fd_beta) < 1e-6);
        CHECK(relative_error(r->values[1], fd_gamma) < 1e-6);
    }
    CHECK(relative_error(cg.values[1], itd.values[1]) < 1e-8);
    // Few iterations leave a visible error, so the comparison above can fail.
    CHECK(relative_error(hypergradient(p, lam, Implicit::fixed_point(2)).values[1], fd_gamma) > 1e-3);
}

TEST_CASE("data optimization: ITD at t steps matches finite differences of f(W_t)", "[experiments][table1]") {
    const TinyImages data;
    const Problem p = data_optimization_problem(data.X, data.y, 10, 4, 6.0);
    const HypergradientResult r = hypergradient(p, data.points, Reverse{});
    const Tensor fd =
        finite_difference_gradient([&](const Tensor& x) { return forward_objective(p, {x}); }, data.points);
    CHECK(relative_error(r.value, fd) < 1e-6);
}

TEST_CASE("data optimization: CG with large k equals ITD through a converged inner loop", "[experiments][table1]") {
    const TinyImages data;
    const Problem p = data_optimization_problem(data.X, data.y, 10, 300, 6.0);
    const Tensor itd = hypergradient(p, data.points, Reverse{}).value;
    CHECK(relative_error(hypergradient(p, data.points, Implicit::cg(60)).value, itd) < 1e-6);
    CHECK(relative_error(hypergradient(p, data.points, Implicit::fixed_point(300)).value, itd) < 1e-6);
    // Truncating the inner loop changes the hypergradient, so the comparison above can fail.
    const Problem short_loop = data_optimization_problem(data.X, data.y, 10, 3, 6.0);
    CHECK(relative_error(hypergradient(short_loop, data.points, Reverse{}).value, itd) > 1e-3);
}

TEST_CASE("table 1: a few outer steps decrease the outer objective for every method", "[experiments][table1]") {
    const Table1Loop loop{{6}, 2, 3, 0.05};
    const auto decreased = [](const std::vector<Table1Run>& runs) {
        REQUIRE(runs.size() == 5);
        for (const Table1Run& r : runs) {
            INFO(r.method);
            REQUIRE(r.outer_losses.size() == 3);
            CHECK(r.objective < r.outer_losses.front());
            CHECK(r.peak_bytes > 0);
            CHECK(r.step_evaluations >= 3 * 6);
        }
    };
    SECTION("kernel ridge") {
        const KernelRidgeData d = tiny_regression();
        decreased(run_table1([&](int t) { return kernel_ridge_problem(d, t); }, krr_lambda(), loop,
                             [&](const std::vector<Tensor>& s, const std::vector<Tensor>& lam) {
                                 return kernel_ridge_scores(d, s[0], lam);
                             }));
    }
    SECTION("data optimization") {
        const TinyImages data;
        decreased(run_table1([&](int t) { return data_optimization_problem(data.X, data.y, 10, t, 6.0); },
                             {data.points}, Table1Loop{{6}, 2, 3, 1.0},
                             [](const std::vector<Tensor>&, const std::vector<Tensor>&) { return Table1Scores{}; }));
    }
}

TEST_CASE("table 1: rows in the paper's order; k = k_r repeats k = t when k_r = t", "[experiments][table1]") {
    std::vector<std::string> names;
    for (const Table1Method& m : table1_methods()) names.push_back(m.name());
    CHECK(names == std::vector<std::string>{"ITD", "FP k=t", "CG k=t", "FP k=kr", "CG k=kr"});
    CHECK(table1_methods()[3].iterations(100, 10) == 10);
    CHECK(table1_methods()[2].iterations(100, 10) == 100);

    const KernelRidgeData d = tiny_regression();
    const auto none = [](const std::vector<Tensor>&, const std::vector<Tensor>&) { return Table1Scores{}; };
    const std::vector<Table1Run> runs =
        run_table1([&](int t) { return kernel_ridge_problem(d, t); }, krr_lambda(), Table1Loop{{4}, 4, 2, 0.05}, none);
    REQUIRE(runs.size() == 5);
    CHECK(runs[3].copied);
    CHECK(runs[3].method == "FP k=kr");
    CHECK(runs[3].objective == runs[1].objective);
    CHECK(runs[4].objective == runs[2].objective);
    CHECK_FALSE(runs[1].copied);
}

TEST_CASE("table 1 on the real data sets: the outer objective decreases", "[experiments][table1]") {
    SECTION("diabetes") {
        KernelRidgeSettings s;
        s.inner_steps = {5};
        s.k_reduced = 2;
        s.outer_steps = 2;
        const KernelRidgeResult r = run_kernel_ridge(s);
        CHECK(r.train == 147);
        CHECK(r.test == 148);
        CHECK(r.features == 10);
        for (const Table1Run& run : r.runs) {
            CHECK(run.objective < run.outer_losses.front());
            CHECK(run.test.accuracy > 50);
        }
    }
    SECTION("Fashion-MNIST") {
        DataOptimizationSettings s;
        s.inner_steps = {2};
        s.k_reduced = 1;
        s.outer_steps = 2;
        s.train = 200;
        s.test = 100;
        const DataOptimizationResult r = run_data_optimization(s);
        CHECK(r.train == 200);
        for (const Table1Run& run : r.runs) {
            CHECK(run.objective < run.outer_losses.front());
            CHECK(run.outer_losses.front() == Approx(r.initial_objective));
        }
    }
}

TEST_CASE("classification accuracy counts the largest logit at the label", "[experiments][table1]") {
    const Tensor X = Tensor::from_vector({1, 0, 0, 1, 1, 0}, {3, 2}, f64);
    const Tensor W = Tensor::from_vector({1, 0, 0, 1}, {2, 2}, f64);
    CHECK(classification_accuracy(X, {0, 1, 1}, W) == Approx(200.0 / 3));
}

TEST_CASE("table 1: bad settings name the setting", "[experiments][table1][errors]") {
    const KernelRidgeData d = tiny_regression();
    const auto problem_for = [&](int t) { return kernel_ridge_problem(d, t); };
    const auto none = [](const std::vector<Tensor>&, const std::vector<Tensor>&) { return Table1Scores{}; };
    CHECK_ERROR(run_table1(problem_for, krr_lambda(), Table1Loop{{}, 2, 3, 0.1}, none), Catch::Contains("inner_steps"));
    CHECK_ERROR(run_table1(problem_for, krr_lambda(), Table1Loop{{0}, 2, 3, 0.1}, none), Catch::Contains("t = 0"));
    CHECK_ERROR(run_table1(problem_for, krr_lambda(), Table1Loop{{5}, 0, 3, 0.1}, none), Catch::Contains("k_r"));
    CHECK_ERROR(run_table1(problem_for, krr_lambda(), Table1Loop{{5}, 2, 0, 0.1}, none),
                Catch::Contains("outer_steps"));
    CHECK_ERROR(run_table1(problem_for, krr_lambda(), Table1Loop{{5}, 2, 3, -1}, none),
                Catch::Contains("outer_step_size"));
    const TinyImages data;
    CHECK_ERROR(data_optimization_problem(data.X, data.y, 10, 5, 0), Catch::Contains("regularization"));
    DataOptimizationSettings s;
    s.initial_scale = 0;
    CHECK_ERROR(run_data_optimization(s), Catch::Contains("initial_scale"));
    s = DataOptimizationSettings{};
    s.train = -1;
    CHECK_ERROR(run_data_optimization(s), Catch::Contains("train"));
    CHECK_ERROR(kernel_ridge_data({Tensor::zeros({2, 3}, f64), Tensor::zeros({2}, f64)}, 0), Catch::Contains("split"));
}
