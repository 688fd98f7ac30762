// Shaban et al. Sec. 4.1, the toy problem: truncated hypergradients against their closed form,
// Prop. 3.1's bound, Lemma 3.2's sufficient descent on f and the biased convergence on f~.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/bilevel/hypergradient.hpp>
#include <hypertape/experiments/toy.hpp>

#include "support/error_matcher.hpp"

namespace ht = hypertape;
namespace ex = hypertape::experiments;

namespace {

using Point = std::array<double, 2>;

// The closed forms, written out here independently of experiments/toy.cpp: G = diag(1, 1/2),
// w_0 = (2, 2), A_t = I - gamma G, B_t = gamma G, B_0 = 0.
constexpr Point kG = {1, 0.5};

double power(const ex::ToySettings& s, int i, int n) { return std::pow(1 - s.step_size * kG[i], n); }

Point final_iterate(const ex::ToySettings& s, const Point& lambda) {
    Point w{};
    for (int i = 0; i < 2; ++i) w[i] = power(s, i, s.steps) * 2 + (1 - power(s, i, s.steps)) * lambda[i];
    return w;
}

// grad_w f(w) for f = |w|^2 + 10 |sin w|^2.
Point outer_gradient(const Point& w) {
    Point g{};
    for (int i = 0; i < 2; ++i) g[i] = 2 * w[i] + 20 * std::sin(w[i]) * std::cos(w[i]);
    return g;
}

// h_{T-K} = sum_{j<K} gamma G (I - gamma G)^j grad_w f(w_T), on f (grad_lambda f = 0).
Point truncated(const ex::ToySettings& s, const Point& lambda, int K) {
    const Point g = outer_gradient(final_iterate(s, lambda));
    Point h{};
    for (int i = 0; i < 2; ++i) {
        for (int j = 0; j < K; ++j) h[i] += s.step_size * kG[i] * power(s, i, j) * g[i];
    }
    return h;
}

double norm(const Point& p) { return std::hypot(p[0], p[1]); }
Point minus(const Point& a, const Point& b) { return {a[0] - b[0], a[1] - b[1]}; }

Point library_hypergradient(const ht::Problem& p, const Point& lambda, const ht::Strategy& strategy) {
    const std::vector<double> h =
        ht::hypergradient(p, ht::Tensor::from_vector({lambda[0], lambda[1]}, {2}, ht::f64), strategy).value.to_vector();
    return {h[0], h[1]};
}

const ex::ToyResult& tiny_result() {
    static const ex::ToyResult r = ex::run_toy(ex::ToySettings::tiny());
    return r;
}

const ex::ToyTrajectory& run_of(const ex::ToyResult& r, ex::ToyObjective objective, int K, bool full) {
    const ex::ToyTrajectory* found = nullptr;
    for (const ex::ToyTrajectory& run : r.runs) {
        if (run.objective == objective && run.full == full && (full || run.truncation == K)) found = &run;
    }
    INFO("K = " << K << (full ? " (full)" : ""));
    REQUIRE(found != nullptr);
    return *found;
}

}  // namespace

TEST_CASE("toy: h_{T-K} equals (I - (I - gamma G)^K) grad_w f(w_T) for every K, full included", "[experiments][toy]") {
    const ex::ToySettings s;  // the paper's T = 100, gamma = 0.1
    const ht::Problem p = ex::toy_problem(s, ex::ToyObjective::f);
    for (const Point lambda : {Point{1, 1}, Point{-0.7, 0.3}}) {
        for (int K : {1, 2, 7, 50, 99, 100}) {
            const Point closed = truncated(s, lambda, K);
            const Point h = library_hypergradient(p, lambda, ht::Truncated{K});
            CHECK(norm(minus(h, closed)) <= 1e-12 * norm(closed));
        }
        const Point closed_full = truncated(s, lambda, s.steps);
        CHECK(norm(minus(library_hypergradient(p, lambda, ht::Reverse{}), closed_full)) <= 1e-12 * norm(closed_full));
    }
}

TEST_CASE("toy: on f~ the truncated hypergradient adds grad_lambda f~ = 10 (lambda - (1, 0))", "[experiments][toy]") {
    const ex::ToySettings s;
    const ht::Problem p = ex::toy_problem(s, ex::ToyObjective::f_tilde);
    const Point lambda{0.4, -0.2};
    for (int K : {1, 10, 100}) {
        Point closed = truncated(s, lambda, K);
        closed[0] += 10 * (lambda[0] - 1);
        closed[1] += 10 * lambda[1];
        CHECK(norm(minus(library_hypergradient(p, lambda, ht::Truncated{K}), closed)) <= 1e-12 * norm(closed));
    }
}

TEST_CASE("toy: Fig. 1's errors lie under the Prop. 3.1 bound for every K and vanish at K = T", "[experiments][toy]") {
    const ex::ToyResult& r = tiny_result();
    const ex::ToySettings& s = r.settings;
    REQUIRE(r.errors.size() == static_cast<std::size_t>(s.steps));
    // eq. (10) with alpha = 1/2, M_B = gamma, computed here rather than read from the result.
    const double gradient_norm = norm(outer_gradient(final_iterate(s, s.error_point)));
    CHECK(r.outer_gradient_norm == Approx(gradient_norm).epsilon(1e-12));
    const double rate = 1 - s.step_size / 2;
    for (const ex::ToyTruncationError& e : r.errors) {
        const double bound = std::pow(rate, e.truncation) / (s.step_size / 2) * gradient_norm * s.step_size;
        INFO("K = " << e.truncation);
        CHECK(e.bound == Approx(bound).epsilon(1e-12));
        CHECK(e.error <= bound);
        CHECK(e.closed_form_deviation <= 1e-12);
        if (e.truncation > 1) CHECK(e.error < r.errors[e.truncation - 2].error);
    }
    CHECK(r.errors.back().error <= 1e-12 * gradient_norm);
    // The slowest mode decays by 1 - gamma alpha per step; the faster one makes the mean factor smaller.
    CHECK(r.error_rate < r.bound_rate);
    CHECK(r.error_rate > 0.8 * r.bound_rate);
}

TEST_CASE("toy: eta_0 makes every run's first update 0.6 long (footnote 4)", "[experiments][toy]") {
    const ex::ToyResult& r = tiny_result();
    REQUIRE(r.runs.size() == 2 * (r.settings.truncations.size() + 1));
    for (const ex::ToyTrajectory& run : r.runs) {
        REQUIRE(run.lambdas.size() == static_cast<std::size_t>(r.settings.iterations) + 1);
        CHECK(norm(minus(run.lambdas[1], run.lambdas[0])) == Approx(0.6).epsilon(1e-12));
    }
}

TEST_CASE("toy: on f every K converges to lambda* and Fig. 2's ratio stays positive", "[experiments][toy]") {
    const ex::ToyResult& r = tiny_result();
    const Point w = final_iterate(r.settings, r.optimum);
    CHECK(norm(w) <= 1e-12);  // f(lambda*) = 0: w_T = 0 exactly there
    for (const ex::ToyTrajectory& run : r.runs) {
        if (run.objective != ex::ToyObjective::f) continue;
        INFO("K = " << run.truncation);
        CHECK(run.distance.back() < 1e-2 * run.distance.front());
        CHECK(run.loss.back() < 1e-4 * run.loss.front());
    }
    REQUIRE(r.ratios.objective == ex::ToyObjective::f);
    for (std::size_t k = 0; k < r.ratios.truncations.size(); ++k) {
        INFO("K = " << r.ratios.truncations[k]);
        for (double ratio : r.ratios.ratio[k]) {
            if (!std::isnan(ratio)) CHECK(ratio > 0);
        }
    }
}

TEST_CASE("toy: on f~ truncation converges to a biased point that moves to the optimum as K grows",
          "[experiments][toy]") {
    const ex::ToyResult& r = tiny_result();
    const ex::ToySettings& s = r.settings;
    // The optimum found numerically is stationary: (1 - c) grad_w f(w_T) + 10 (lambda - (1, 0)) = 0.
    const Point g = outer_gradient(final_iterate(s, r.optimum_tilde));
    CHECK(std::abs((1 - power(s, 0, s.steps)) * g[0] + 10 * (r.optimum_tilde[0] - 1)) <= 1e-9);
    CHECK(std::abs((1 - power(s, 1, s.steps)) * g[1] + 10 * r.optimum_tilde[1]) <= 1e-9);

    const ex::ToyTrajectory& one = run_of(r, ex::ToyObjective::f_tilde, 1, false);
    const ex::ToyTrajectory& five = run_of(r, ex::ToyObjective::f_tilde, 5, false);
    const ex::ToyTrajectory& twenty_five = run_of(r, ex::ToyObjective::f_tilde, 25, false);
    const ex::ToyTrajectory& full = run_of(r, ex::ToyObjective::f_tilde, 0, true);
    // 1-RMD settles where h_{T-1} = 10 (lambda - (1, 0)) + gamma G grad_w f(w_T) vanishes while d f~ does not.
    const Point end = one.lambdas.back();
    const Point g_end = outer_gradient(final_iterate(s, end));
    const double h_end =
        std::hypot(10 * (end[0] - 1) + s.step_size * g_end[0], 10 * end[1] + s.step_size * 0.5 * g_end[1]);
    CHECK(h_end < 1e-2 * norm(one.gradients.back()));
    CHECK(norm(one.gradients.back()) > 1);
    CHECK(one.distance.back() > 0.3);
    CHECK(one.distance.back() > five.distance.back());
    CHECK(five.distance.back() > twenty_five.distance.back());
    CHECK(full.distance.back() < 1e-3);
    CHECK(full.loss.back() == Approx(r.minimum_tilde).epsilon(1e-6));
    // Lemma 3.2 does not hold for f~: along the 1-RMD trajectory h_{T-1} turns away from d f~.
    REQUIRE(r.ratios_tilde.objective == ex::ToyObjective::f_tilde);
    REQUIRE(r.ratios_tilde.truncations.front() == 1);
    double smallest = 1;
    for (double ratio : r.ratios_tilde.ratio.front()) smallest = std::min(smallest, ratio);
    CHECK(smallest < 0);
}

TEST_CASE("toy: bad settings are Errors naming the setting", "[experiments][toy]") {
    auto with = [](auto change) {
        ex::ToySettings s = ex::ToySettings::tiny();
        change(s);
        return s;
    };
    CHECK_ERROR(ex::run_toy(with([](ex::ToySettings& s) { s.steps = 0; })), Catch::Contains("steps"));
    CHECK_ERROR(ex::run_toy(with([](ex::ToySettings& s) { s.step_size = 1.5; })), Catch::Contains("step_size"));
    CHECK_ERROR(ex::run_toy(with([](ex::ToySettings& s) { s.truncations = {31}; })), Catch::Contains("truncations"));
    CHECK_ERROR(ex::run_toy(with([](ex::ToySettings& s) { s.ratio_truncations = {0}; })),
                Catch::Contains("ratio_truncations"));
    CHECK_ERROR(ex::run_toy(with([](ex::ToySettings& s) { s.iterations = 0; })), Catch::Contains("iterations"));
    CHECK_ERROR(ex::run_toy(with([](ex::ToySettings& s) { s.first_update_norm = -1; })),
                Catch::Contains("first_update_norm"));
    CHECK_ERROR(ex::run_toy(with([](ex::ToySettings& s) { s.start = {NAN, 0}; })), Catch::Contains("start"));
}
