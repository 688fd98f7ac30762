#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "hypertape/experiments/memory.hpp"
#include "hypertape/hypertape.hpp"

namespace ht = hypertape;
namespace ex = hypertape::experiments;

namespace {

// Ridge regression on 30 x 6 synthetic rows, float64: N = 6 hyperparameters, cheap at any T.
ex::SweepProblem small_quadratic() {
    ex::BuiltinProblem c;
    c.name = "quadratic";
    c.train = 30;
    c.validation = 20;
    c.features = 6;
    return ex::builtin_sweep_problem(c);
}

// A few of each family, at T = 4 and 40.
ex::MemorySettings small_settings() {
    ex::MemorySettings s;
    s.steps = {4, 40};
    s.truncations = {1, 3};
    s.intervals = {0, 5};
    s.budgets = {2, 4};
    s.windows = {3};
    s.implicit_iterations = {5};
    return s;
}

const ex::MemoryRun& row(const ex::MemorySweep& sweep, int T, const std::string& label) {
    for (const ex::MemoryRun& r : sweep.runs) {
        if (r.steps == T && r.label == label) return r;
    }
    FAIL("no row " << label << " at T = " << T);
    throw;
}

// 0.5 |A w - b|^2 + 0.5 sum exp(lambda) w^2 on w [3], stepped by heavy-ball, whose I - d_w Phi is
// not symmetric (its state couples w with a velocity).
ht::Problem heavy_ball_problem() {
    std::mt19937_64 rng(3);
    const ht::Tensor A = ht::Tensor::randn({5, 3}, rng, ht::f64);
    const ht::Tensor b = ht::Tensor::randn({5, 1}, rng, ht::f64);
    const ht::HeavyBall solver{ht::Var(ht::Tensor::scalar(0.05, ht::f64)), ht::Var(ht::Tensor::scalar(0.8, ht::f64))};
    ht::Problem p;
    p.lambda_shape = {3, 1};
    p.steps = 1;
    p.init = [solver](const ht::Var&) { return solver.start(ht::Var(ht::Tensor::zeros({3, 1}, ht::f64))); };
    p.step = [=](const ht::State& s, const ht::Var& lam, int t) {
        const auto inner = [&](const ht::Var& w) {
            return 0.5 * ht::sum(ht::square(ht::matmul(A, w) - b)) + 0.5 * ht::sum(ht::exp(lam) * ht::square(w));
        };
        return solver.step(s, ht::tape_gradient(inner), t);
    };
    p.outer = [](const ht::State& s, const ht::Var&) { return ht::sum(ht::square(s[0])); };
    return p;
}

}  // namespace

TEST_CASE("memory sweep: byte figures are hypergradient()'s Report, exactly", "[experiments][memory]") {
    const ex::SweepProblem q = small_quadratic();
    const ex::MemorySettings s = small_settings();
    const ex::MemorySweep sweep = ex::run_memory_sweep(q.make, q.lambda, s);
    REQUIRE(sweep.lambda_entries == 6);
    REQUIRE(sweep.state_bytes == 6 * sizeof(double));
    // every planned strategy has its row, Reverse first
    REQUIRE(sweep.runs.size() == s.steps.size() * (1 + ex::memory_strategies(s, sweep.lambda_entries).size()));
    CHECK(sweep.runs.front().label == "Reverse");

    for (const ex::MemoryRun& r : sweep.runs) {
        INFO(r.label << " at T = " << r.steps);
        REQUIRE(r.skipped.empty());
        const ht::Report direct = ht::hypergradient(q.make(r.steps), q.lambda, r.strategy).report;
        CHECK(r.report.tape_peak_bytes == direct.tape_peak_bytes);
        CHECK(r.report.snapshot_peak_bytes == direct.snapshot_peak_bytes);
        CHECK(r.report.tangent_peak_bytes == direct.tangent_peak_bytes);
        CHECK(r.report.peak_bytes == direct.peak_bytes);
        CHECK(r.report.step_evaluations == direct.step_evaluations);
        CHECK(r.report.peak_bytes > 0);
    }
}

TEST_CASE("memory sweep: Truncated is flat in T, Reverse grows, checkpointing is exact", "[experiments][memory]") {
    const ex::SweepProblem q = small_quadratic();
    const ex::MemorySweep sweep = ex::run_memory_sweep(q.make, q.lambda, small_settings());

    for (const std::string label : {"Truncated{1}", "Truncated{3}"}) {
        INFO(label);
        CHECK(row(sweep, 40, label).report.tape_peak_bytes == row(sweep, 4, label).report.tape_peak_bytes);
        CHECK(row(sweep, 40, label).report.peak_bytes == row(sweep, 4, label).report.peak_bytes);
    }
    // T = 40 holds ten times the steps of T = 4, plus the same outer loss and w_0
    CHECK(row(sweep, 40, "Reverse").report.tape_peak_bytes > 5 * row(sweep, 4, "Reverse").report.tape_peak_bytes);
    CHECK(row(sweep, 40, "Reverse").report.peak_bytes > row(sweep, 40, "Truncated{3}").report.peak_bytes);

    for (int T : {4, 40}) {
        const ex::MemoryRun& reverse = row(sweep, T, "Reverse");
        CHECK(reverse.cosine == 1.0);
        CHECK(reverse.relative_error == 0.0);
        for (const std::string label : {"Checkpointed::uniform()", "Checkpointed::uniform(5)",
                                        "Checkpointed::binomial(2)", "Checkpointed::binomial(4)", "Forward"}) {
            INFO(label << " at T = " << T);
            CHECK(row(sweep, T, label).relative_error < 1e-12);
            CHECK(row(sweep, T, label).cosine == Approx(1.0).epsilon(1e-12));
        }
    }
    // the bias shrinks as K grows, and the window's checkpointing computes the same h_{T-K}
    CHECK(row(sweep, 40, "Truncated{3}").relative_error < row(sweep, 40, "Truncated{1}").relative_error);
    CHECK(row(sweep, 40, "Truncated{1}").relative_error > 1e-3);
    CHECK(row(sweep, 40, "Checkpointed::uniform(0, 3)").relative_error ==
          Approx(row(sweep, 40, "Truncated{3}").relative_error).epsilon(1e-9));
    // one tangent of the state per hyperparameter, whatever T
    CHECK(row(sweep, 40, "Forward").report.tangent_peak_bytes == 6 * sweep.state_bytes);
    CHECK(row(sweep, 4, "Forward").report.tangent_peak_bytes == 6 * sweep.state_bytes);
    CHECK(row(sweep, 40, "Checkpointed::uniform()").report.snapshot_peak_bytes > 0);
}

TEST_CASE("memory sweep: Forward beyond the limit and cg on a non-symmetric step are skipped with the reason",
          "[experiments][memory]") {
    ex::MemorySettings s;
    s.steps = {5};
    s.truncations = {};
    s.intervals = {};
    s.budgets = {};
    s.windows = {};
    s.implicit_iterations = {3};
    s.forward_limit = 2;  // lambda has 3 entries

    const ht::Tensor lambda = ht::Tensor::zeros({3, 1}, ht::f64);
    const ex::MemorySweep sweep = ex::run_memory_sweep(ex::with_steps(heavy_ball_problem()), {lambda}, s);
    CHECK_THAT(row(sweep, 5, "Forward").skipped, Catch::Contains("3 entries"));
    CHECK(std::isnan(row(sweep, 5, "Forward").relative_error));
    CHECK_THAT(row(sweep, 5, "Implicit::cg(3)").skipped, Catch::Contains("cg_normal"));
    const ex::MemoryRun& normal = row(sweep, 5, "Implicit::cg_normal(3)");
    CHECK(normal.skipped.empty());
    CHECK(normal.report.implicit_iterations == 3);
    CHECK(std::isfinite(normal.relative_error));
    CHECK(row(sweep, 5, "Implicit::fixed_point(3)").skipped.empty());
}

TEST_CASE("memory sweep: bad settings name the setting", "[experiments][memory]") {
    const ex::SweepProblem q = small_quadratic();
    const auto fails_naming = [&](ex::MemorySettings s, const std::string& setting) {
        INFO(setting);
        CHECK_THROWS_WITH(ex::run_memory_sweep(q.make, q.lambda, s), Catch::Contains(setting));
    };
    ex::MemorySettings s = small_settings();
    s.steps = {};
    fails_naming(s, "steps");
    s = small_settings();
    s.truncations = {0};
    fails_naming(s, "truncations");
    s = small_settings();
    s.intervals = {-1};
    fails_naming(s, "intervals");
    s = small_settings();
    s.budgets = {0};
    fails_naming(s, "budgets");
    s = small_settings();
    s.implicit_iterations = {0};
    fails_naming(s, "implicit_iterations");
    s = small_settings();
    s.forward_limit = -1;
    fails_naming(s, "forward_limit");
    CHECK_THROWS_WITH(ex::run_memory_sweep(q.make, {}, small_settings()), Catch::Contains("lambda"));

    ex::BuiltinProblem unknown;
    unknown.name = "nonsense";
    CHECK_THROWS_AS(ex::builtin_sweep_problem(unknown), ht::Error);
}

TEST_CASE("memory sweep: the built-in toy problem runs every strategy", "[experiments][memory]") {
    ex::BuiltinProblem c;
    c.name = "toy";
    const ex::SweepProblem q = ex::builtin_sweep_problem(c);
    ex::MemorySettings s = small_settings();
    s.steps = {10};
    s.truncations = {10};
    const ex::MemorySweep sweep = ex::run_memory_sweep(q.make, q.lambda, s);
    CHECK(sweep.lambda_entries == 2);
    // w_0 does not depend on lambda (B_0 = 0), so K = T back-propagates every term of eq. (5)
    CHECK(row(sweep, 10, "Truncated{10}").relative_error == 0.0);
    CHECK(row(sweep, 10, "Forward").relative_error < 1e-12);
    for (const ex::MemoryRun& r : sweep.runs) CHECK(r.skipped.empty());
}
