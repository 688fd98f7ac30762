// Equilibrium models (Grazzi et al. Sec. 3.2): the spectral projection, the agreement of ITD, FP
// and CG-normal on a contractive model, and the outer loop, at tiny sizes on Fashion-MNIST.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "hypertape/bilevel/hypergradient.hpp"
#include "hypertape/experiments/equilibrium.hpp"
#include "hypertape/tape/error.hpp"

namespace ht = hypertape;
namespace ex = hypertape::experiments;

namespace {

ht::Tensor random_matrix(std::int64_t rows, std::int64_t cols, double scale, std::uint64_t seed, ht::DType dtype) {
    std::mt19937_64 rng(seed);
    std::vector<double> v = ht::Tensor::randn({rows, cols}, rng, ht::f64).to_vector();
    for (double& x : v) x *= scale;
    return ht::Tensor::from_vector(v, {rows, cols}, dtype);
}

double relative_difference(const std::vector<ht::Tensor>& a, const std::vector<ht::Tensor>& b) {
    double diff = 0, norm = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::vector<double> x = a[i].to_vector(), y = b[i].to_vector();
        for (std::size_t j = 0; j < x.size(); ++j) {
            diff += (x[j] - y[j]) * (x[j] - y[j]);
            norm += y[j] * y[j];
        }
    }
    return std::sqrt(diff / norm);
}

// The tiny data, read once for the whole file.
const ex::EquilibriumData& tiny_data() {
    static const ex::EquilibriumData data = ex::equilibrium_data(ex::EquilibriumSettings::tiny());
    return data;
}

}  // namespace

TEST_CASE("projection clips the singular values to [0, 1 - eps]", "[experiments][equilibrium]") {
    SECTION("a diagonal matrix: only the singular values above the bound change") {
        const ht::Tensor A = ht::Tensor::from_vector({3, 0, 0, 0, -0.5, 0, 0, 0, 0.2}, {3, 3}, ht::f64);
        const std::vector<double> P = ex::project_singular_values(A, 0.99).to_vector();
        const std::vector<double> expected = {0.99, 0, 0, 0, -0.5, 0, 0, 0, 0.2};
        for (std::size_t i = 0; i < P.size(); ++i) CHECK(P[i] == Approx(expected[i]).margin(1e-12));
    }
    SECTION("a random rectangular matrix ends inside the ball, float32 and float64") {
        for (ht::DType dtype : {ht::f64, ht::f32}) {
            const ht::Tensor A = random_matrix(7, 5, 2.0, 1, dtype);
            REQUIRE(ex::spectral_norm(A) > 2);
            const ht::Tensor P = ex::project_singular_values(A, 0.9);
            CHECK(P.dtype() == dtype);
            CHECK(P.shape() == A.shape());
            CHECK(ex::spectral_norm(P) <= 0.9 * (1 + (dtype == ht::f64 ? 1e-12 : 1e-6)));
            CHECK(ex::spectral_norm(P) >= 0.9 * (1 - (dtype == ht::f64 ? 1e-12 : 1e-6)));
        }
    }
    SECTION("a matrix already inside is returned unchanged") {
        const ht::Tensor A = random_matrix(6, 6, 0.05, 2, ht::f64);
        REQUIRE(ex::spectral_norm(A) < 0.9);
        const ht::Tensor P = ex::project_singular_values(A, 0.9);
        CHECK(P.storage() == A.storage());
        CHECK(P.to_vector() == A.to_vector());
    }
    SECTION("bad operands throw") {
        CHECK_THROWS_AS(ex::project_singular_values(ht::Tensor::zeros({3}, ht::f64), 0.5), ht::Error);
        CHECK_THROWS_AS(ex::project_singular_values(ht::Tensor::zeros({2, 2}, ht::f64), -1), ht::Error);
    }
}

TEST_CASE("with a contractive A, ITD, FP and CG-normal agree on the hypergradient", "[experiments][equilibrium]") {
    ex::EquilibriumSettings s = ex::EquilibriumSettings::tiny();
    s.t = 400;  // |A| <= 0.99 and tanh' <= 1: w_t and every solver converge geometrically
    s.k = 400;
    const ex::EquilibriumData& data = tiny_data();
    const ht::Problem problem = ex::equilibrium_problem(data, s);
    std::vector<ht::Tensor> lambda = ex::equilibrium_init(s, 3);
    // A contraction close to the bound, as after projected outer steps, so the test is not easy.
    lambda[0] = ex::project_singular_values(random_matrix(s.hidden, s.hidden, 1.0, 4, ht::f64), 1 - s.epsilon);
    REQUIRE(ex::spectral_norm(lambda[0]) <= 1 - s.epsilon + 1e-12);

    const auto itd = ht::hypergradient(problem, lambda, ex::equilibrium_strategy(ex::EquilibriumMethod::itd, s));
    const auto fp = ht::hypergradient(problem, lambda, ex::equilibrium_strategy(ex::EquilibriumMethod::fixed_point, s));
    const auto cg = ht::hypergradient(problem, lambda, ex::equilibrium_strategy(ex::EquilibriumMethod::cg_normal, s));
    REQUIRE(itd.values.size() == 5);
    CHECK(relative_difference(fp.values, itd.values) < 1e-6);
    CHECK(relative_difference(cg.values, itd.values) < 1e-6);
    CHECK(fp.outer_loss == Approx(itd.outer_loss).epsilon(1e-12));

    // One FP iteration is far from it: the agreement above is not vacuous.
    s.k = 1;
    const auto rough =
        ht::hypergradient(problem, lambda, ex::equilibrium_strategy(ex::EquilibriumMethod::fixed_point, s));
    CHECK(relative_difference(rough.values, itd.values) > 1e-3);
}

TEST_CASE("a few projected outer steps decrease the training objective", "[experiments][equilibrium]") {
    ex::EquilibriumSettings s = ex::EquilibriumSettings::tiny();
    s.iterations = 6;
    s.variants = {ex::parse_equilibrium_variant("itd"), ex::parse_equilibrium_variant("fp"),
                  ex::parse_equilibrium_variant("cg")};
    const ex::EquilibriumResult r = ex::run_equilibrium(s);
    REQUIRE(r.curves.size() == 3);
    CHECK(r.train_images == 30);
    CHECK(r.test_images == 50);
    for (const ex::EquilibriumCurve& c : r.curves) {
        INFO(c.variant.name());
        REQUIRE(c.diverged_at[0] == -1);
        CHECK(c.objective[0].back() < 0.8 * c.objective[0].front());
        for (double a : c.spectral_norm[0]) CHECK(a <= 1 - s.epsilon + 1e-9);
        for (double g : c.hypergradient_norm[0]) CHECK(g > 0);
        CHECK(c.final_test_accuracy[0] >= 0);
        CHECK(c.final_test_accuracy[0] <= 1);
        CHECK(c.peak_bytes > 0);
    }
    // t = k = 20 on a contraction: the three methods' curves nearly coincide (Fig. 2's finding).
    for (std::size_t tau = 0; tau < r.curves[0].objective[0].size(); ++tau) {
        CHECK(r.curves[1].objective[0][tau] == Approx(r.curves[0].objective[0][tau]).epsilon(1e-3));
        CHECK(r.curves[2].objective[0][tau] == Approx(r.curves[0].objective[0][tau]).epsilon(1e-3));
    }
}

TEST_CASE("a run that diverges ends its curves there and says why", "[experiments][equilibrium]") {
    ex::EquilibriumSettings s = ex::EquilibriumSettings::tiny();
    s.iterations = 5;
    s.dtype = ht::f32;
    s.learning_rate = 1e38;  // float32 overflows at 3.4e38: lambda becomes Inf in the first updates
    s.variants = {ex::parse_equilibrium_variant("fp*"), ex::parse_equilibrium_variant("itd")};
    const ex::EquilibriumResult r = ex::run_equilibrium(s);
    for (const ex::EquilibriumCurve& c : r.curves) {
        INFO(c.variant.name());
        const int tau = c.diverged_at.at(0);
        REQUIRE(tau >= 1);
        REQUIRE(tau < s.iterations);
        CHECK_FALSE(c.divergence[0].empty());
        CHECK(std::isfinite(c.objective[0][0]));
        for (int i = tau; i < s.iterations; ++i) CHECK(std::isnan(c.objective[0][static_cast<std::size_t>(i)]));
        CHECK(std::isnan(c.final_test_accuracy[0]));
    }
}

TEST_CASE("test accuracy of a classifier that always answers one class", "[experiments][equilibrium]") {
    const ex::EquilibriumSettings s = ex::EquilibriumSettings::tiny();
    const ex::EquilibriumData& data = tiny_data();
    std::vector<ht::Tensor> lambda = ex::equilibrium_init(s, 0);
    lambda[3] = ht::Tensor::zeros({10, s.hidden}, ht::f64);
    std::vector<double> bias(10, 0.0);
    bias[7] = 1;
    lambda[4] = ht::Tensor::from_vector(bias, {10}, ht::f64);
    const std::vector<double> labels = data.y_test.to_vector();
    const double sevens = static_cast<double>(std::count(labels.begin(), labels.end(), 7.0));
    CHECK(ex::equilibrium_accuracy(lambda, data.X_test, data.y_test, s.t) == Approx(sevens / labels.size()));
}

TEST_CASE("variant names and bad settings", "[experiments][equilibrium]") {
    const ex::EquilibriumVariant v = ex::parse_equilibrium_variant("FP*");
    CHECK(v.method == ex::EquilibriumMethod::fixed_point);
    CHECK_FALSE(v.projected);
    CHECK(v.name() == "FP*");
    CHECK(ex::parse_equilibrium_variant("cg").name() == "CG");
    CHECK_THROWS_AS(ex::parse_equilibrium_variant("neumann"), ht::Error);

    ex::EquilibriumSettings s = ex::EquilibriumSettings::tiny();
    s.images = 15;
    CHECK_THROWS_WITH(ex::run_equilibrium(s), Catch::Contains("images"));
    s = ex::EquilibriumSettings::tiny();
    s.epsilon = 0;
    CHECK_THROWS_WITH(ex::run_equilibrium(s), Catch::Contains("epsilon"));
    s = ex::EquilibriumSettings::tiny();
    s.variants.clear();
    CHECK_THROWS_WITH(ex::run_equilibrium(s), Catch::Contains("variants"));
    s = ex::EquilibriumSettings::tiny();
    s.sweep_learning_rates = {0.1, -1};
    CHECK_THROWS_WITH(ex::run_equilibrium(s), Catch::Contains("sweep_learning_rates"));
}
