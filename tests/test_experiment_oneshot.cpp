// One-shot meta-learning (Shaban et al. Sec. 4.3) at a tiny size: task sampling, the network's
// sizes, the hypergradient's split into the features' bilevel part and the chain rule into theta
// (against finite differences of the whole pipeline in float64), truncation against full RMD,
// rho = 0, and an end-to-end run.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/bilevel/hypergradient.hpp>
#include <hypertape/experiments/oneshot.hpp>
#include <hypertape/ops/binary.hpp>
#include <hypertape/ops/softmax.hpp>
#include <hypertape/ops/unary.hpp>
#include <hypertape/tape/error.hpp>
#include <hypertape/tape/grad.hpp>
#include <hypertape/tape/tape.hpp>
#include <random>
#include <set>

#include "support/gradcheck.hpp"

namespace ht = hypertape;
namespace ex = hypertape::experiments;

namespace {

// Loaded once: the first 1000 training and 500 test images.
const ht::experiments::FashionMnist& small_data() {
    static const ex::FashionMnist data = ex::load_fashion_mnist(ex::default_fashion_mnist_dir(), 1000, 500);
    return data;
}

const ex::OneshotPool& train_pool() {
    static const ex::OneshotPool pool = ex::oneshot_pool(small_data().train);
    return pool;
}

const ex::OneshotPool& test_pool() {
    static const ex::OneshotPool pool = ex::oneshot_pool(small_data().test);
    return pool;
}

double max_abs(const ht::Tensor& t) {
    double m = 0;
    for (double x : t.to_vector()) m = std::max(m, std::abs(x));
    return m;
}

double relative_difference(const std::vector<double>& a, const std::vector<double>& b) {
    return ex::relative_error(a, b);
}

// A tiny float64 task on random 16x16 images: 3 ways, 2 queries per class.
ex::OneshotTask random_task() {
    ex::OneshotTask task;
    task.X_S = ht::testing::randn({3, 1, 16, 16}, 901);
    task.X_Q = ht::testing::randn({6, 1, 16, 16}, 902);
    task.y_S = ht::Tensor::indices({0, 1, 2});
    task.y_Q = ht::Tensor::indices({0, 0, 1, 1, 2, 2});
    return task;
}

const ex::OneshotLayout kTiny{1, 2, 16, 3};  // 2 filters, 16x16 images, 3 ways

// The same parameters with the one named part replaced.
ex::OneshotParameters with_part(ex::OneshotParameters p, int part, const ht::Tensor& value) {
    ht::Tensor* parts[] = {&p.theta, &p.c, &p.nu, &p.log_gamma};
    *parts[part] = value;
    return p;
}

ht::Tensor part_of(const ex::OneshotParameters& p, int part) {
    const ht::Tensor parts[] = {p.theta, p.c, p.nu, p.log_gamma};
    return parts[part];
}

}  // namespace

TEST_CASE("oneshot tasks: distinct classes, 1 + queries images each, labels a permutation", "[experiments][oneshot]") {
    std::mt19937_64 rng(5);
    std::set<std::vector<std::int64_t>> orders;
    for (int draw = 0; draw < 20; ++draw) {
        const ex::OneshotTask task = ex::sample_oneshot_task(train_pool(), 5, 15, rng);
        REQUIRE(task.classes.size() == 5);
        CHECK(std::set<std::int64_t>(task.classes.begin(), task.classes.end()).size() == 5);
        for (std::int64_t c : task.classes) CHECK((c >= 0 && c < 10));
        orders.insert(task.classes);
        REQUIRE(task.X_S.shape() == ht::Shape{5, 1, 28, 28});
        REQUIRE(task.X_Q.shape() == ht::Shape{75, 1, 28, 28});
        CHECK(task.y_S.to_vector() == std::vector<double>{0, 1, 2, 3, 4});
        const std::vector<double> yq = task.y_Q.to_vector();
        for (int label = 0; label < 5; ++label) CHECK(std::count(yq.begin(), yq.end(), label) == 15);
        // Every image is of the class its label stands for, and none is drawn twice.
        std::set<std::int64_t> rows;
        for (std::size_t i = 0; i < 5; ++i) {
            CHECK(train_pool().images.labels[static_cast<std::size_t>(task.rows_S[i])] == task.classes[i]);
            rows.insert(task.rows_S[i]);
        }
        for (std::size_t i = 0; i < 75; ++i) {
            CHECK(train_pool().images.labels[static_cast<std::size_t>(task.rows_Q[i])] ==
                  task.classes[static_cast<std::size_t>(yq[i])]);
            rows.insert(task.rows_Q[i]);
        }
        CHECK(rows.size() == 80);
    }
    // The labels are permuted: the classes do not come in one order (20 draws of 5 of 10 classes).
    CHECK(orders.size() > 15);
}

TEST_CASE("oneshot tasks from a pool carry that pool's pixels", "[experiments][oneshot]") {
    std::mt19937_64 rng(6);
    const ex::OneshotTask task = ex::sample_oneshot_task(test_pool(), 5, 3, rng);
    const std::vector<double> pixels = task.X_Q.to_vector();
    const std::vector<double> pool = test_pool().images.X.to_vector();
    for (std::size_t i = 0; i < task.rows_Q.size(); ++i) {
        const auto row = static_cast<std::size_t>(task.rows_Q[i]);
        CHECK(std::equal(pixels.begin() + static_cast<std::ptrdiff_t>(i * 784),
                         pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * 784),
                         pool.begin() + static_cast<std::ptrdiff_t>(row * 784)));
    }
    CHECK_THROWS_AS(ex::sample_oneshot_task(test_pool(), 11, 1, rng), ht::Error);
    CHECK_THROWS_AS(ex::sample_oneshot_task(test_pool(), 5, 0, rng), ht::Error);
}

TEST_CASE("oneshot network: the paper's sizes at 28x28 and 64 filters", "[experiments][oneshot]") {
    const ex::OneshotLayout paper{1, 64, 28, 5};
    CHECK(paper.feature_size() == 7);
    CHECK(paper.final_size() == 1);
    // Each block: conv weights and bias, batch-norm scale and shift.
    CHECK(paper.theta_size() == (64 * 9 + 3 * 64) + (64 * 64 * 9 + 3 * 64));
    CHECK(paper.w_size() == 2 * (64 * 64 * 9 + 3 * 64) + 5 * 64 + 5);
    const std::int64_t hyper = paper.theta_size() + paper.w_size() + 3 + 1;
    CHECK((hyper > 105000 && hyper < 115000));                  // "about 110k"
    CHECK((paper.w_size() > 70000 && paper.w_size() < 80000));  // "about 75k"

    const ex::OneshotParameters p = ex::oneshot_initial_parameters(paper, ht::f32, 0);
    std::mt19937_64 rng(7);
    const ex::OneshotTask task = ex::sample_oneshot_task(train_pool(), 5, 2, rng);
    const ht::Var phi = ex::oneshot_blocks12(ht::Var(task.X_S), ht::Var(p.theta), paper);
    CHECK(phi.shape() == ht::Shape{5, 64, 7, 7});
    CHECK(ex::oneshot_head(phi, ht::Var(p.c), paper).shape() == ht::Shape{5, 5});
}

TEST_CASE("oneshot network: a block is conv, max-pool, batch norm with the layout's eps, relu",
          "[experiments][oneshot]") {
    std::mt19937_64 rng(11);
    const ex::OneshotTask task = ex::sample_oneshot_task(train_pool(), 5, 1, rng);
    for (double eps : {1e-5, 0.1}) {
        ex::OneshotLayout layout{1, 2, 28, 5};
        layout.batch_norm_eps = eps;
        const ex::OneshotParameters p = ex::oneshot_initial_parameters(layout, ht::f32, 3);
        // theta holds block 1 then block 2, each weight [F, in, 3, 3], bias, scale, shift.
        std::int64_t at = 0;
        const auto take = [&](const ht::Shape& shape) {
            const ht::Var part = ht::reshape(ht::slice(ht::Var(p.theta), 0, at, at + shape.numel()), shape);
            at += shape.numel();
            return part;
        };
        ht::Var h(task.X_S);
        for (std::int64_t in : {std::int64_t{1}, std::int64_t{2}}) {
            const ht::Var w = take({2, in, 3, 3});
            const ht::Var b = take({2});
            const ht::Var scale = take({2});
            const ht::Var shift = take({2});
            h = ht::relu(ht::batch_norm(ht::max_pool2d(ht::conv2d(h, w, b, 1, 1), 2), scale, shift, eps));
        }
        const ht::Var phi = ex::oneshot_blocks12(ht::Var(task.X_S), ht::Var(p.theta), layout);
        CHECK(phi.value().to_vector() == h.value().to_vector());
    }
    ex::OneshotLayout bad{1, 2, 28, 5};
    bad.batch_norm_eps = 0;
    CHECK_THROWS_AS(ex::oneshot_initial_parameters(bad, ht::f32, 0), ht::Error);
}

TEST_CASE("oneshot: the initial rho sets softplus(nu) and is checked", "[experiments][oneshot]") {
    const ex::OneshotParameters p = ex::oneshot_initial_parameters(kTiny, ht::f64, 0, 0.05, 5.0);
    for (double nu : p.nu.to_vector()) CHECK(std::log1p(std::exp(nu)) == Approx(5.0).epsilon(1e-12));
    CHECK(ex::oneshot_initial_parameters(kTiny, ht::f64, 0).nu.to_vector() == std::vector<double>(3, 0.0));
    CHECK_THROWS_AS(ex::oneshot_initial_parameters(kTiny, ht::f64, 0, 0.05, 0.0), ht::Error);
    CHECK_THROWS_AS(ex::oneshot_initial_parameters(kTiny, ht::f64, 0, 0.05, -1.0), ht::Error);
}

TEST_CASE("oneshot hypergradient: the chain rule into theta equals finite differences of the whole pipeline",
          "[experiments][oneshot]") {
    const ex::OneshotTask task = random_task();
    const ex::OneshotModel model{3, true};
    ex::OneshotParameters p = ex::oneshot_initial_parameters(kTiny, ht::f64, 3, 0.1);
    p.nu = ht::Tensor::from_vector({0.3, -0.2, 0.5}, {3}, ht::f64);

    const ex::OneshotGradient g = ex::oneshot_hypergradient(task, p, kTiny, model, ht::Reverse{});
    const ex::OneshotEvaluation e = ex::oneshot_evaluate(task, p, kTiny, model);
    CHECK(std::abs(g.outer_loss - e.outer_loss) < 1e-12);
    CHECK(g.accuracy == e.accuracy);

    for (int part = 0; part < 4; ++part) {
        INFO("part " << part << " (theta, c, nu, log_gamma)");
        const auto f = [&](const ht::Tensor& x) {
            return ex::oneshot_evaluate(task, with_part(p, part, x), kTiny, model).outer_loss;
        };
        const ht::Tensor fd = ht::testing::finite_difference_gradient(f, part_of(p, part), 1e-5);
        const std::vector<double> exact = part_of(g.grad, part).to_vector();
        CHECK(max_abs(fd) > 0);
        CHECK(relative_difference(exact, fd.to_vector()) < 1e-6);
    }
}

TEST_CASE("oneshot hypergradient: Truncated{1} is one step back, Truncated{T} is full RMD", "[experiments][oneshot]") {
    const ex::OneshotTask task = random_task();
    constexpr int T = 4;
    const ex::OneshotModel model{T, true};
    const ex::OneshotParameters p = ex::oneshot_initial_parameters(kTiny, ht::f64, 4, 0.1);
    const std::vector<double> full = ex::flatten(ex::oneshot_hypergradient(task, p, kTiny, model, ht::Reverse{}).grad);
    // w_0 = c is read by the first step: T steps back cover every dependence on lambda.
    CHECK(ht::testing::bitwise_equal(
        ht::Tensor::from_vector(ex::flatten(ex::oneshot_hypergradient(task, p, kTiny, model, ht::Truncated{T}).grad),
                                {static_cast<std::int64_t>(full.size())}, ht::f64),
        ht::Tensor::from_vector(full, {static_cast<std::int64_t>(full.size())}, ht::f64)));
    CHECK(relative_difference(ex::flatten(ex::oneshot_hypergradient(task, p, kTiny, model, ht::Truncated{T + 1}).grad),
                              full) < 1e-14);
    const std::vector<double> one =
        ex::flatten(ex::oneshot_hypergradient(task, p, kTiny, model, ht::Truncated{1}).grad);
    CHECK(relative_difference(one, full) > 1e-3);

    // Truncated{1} by hand: w_{T-1} as a constant, the last step and f on a tape of their own.
    const ht::Tensor phi_S = ex::oneshot_blocks12(ht::Var(task.X_S), ht::Var(p.theta), kTiny).value();
    const ht::Tensor phi_Q = ex::oneshot_blocks12(ht::Var(task.X_Q), ht::Var(p.theta), kTiny).value();
    const ht::Problem shorter =
        ex::oneshot_problem(task.y_S, task.y_Q, kTiny, {T - 1, true}, phi_S.shape(), phi_Q.shape());
    const ht::Tensor w_before =
        ht::hypergradient(shorter, {phi_S, phi_Q, p.c, p.nu, p.log_gamma}, ht::Reverse{}).final_state[0];
    ht::Tape tape;
    const ht::Var theta = tape.variable(p.theta), c = tape.variable(p.c), nu = tape.variable(p.nu),
                  log_gamma = tape.variable(p.log_gamma);
    const ht::Hyperparameters lambda(std::vector<ht::Var>{ex::oneshot_blocks12(ht::Var(task.X_S), theta, kTiny),
                                                          ex::oneshot_blocks12(ht::Var(task.X_Q), theta, kTiny), c, nu,
                                                          log_gamma});
    const ht::Problem problem = ex::oneshot_problem(task.y_S, task.y_Q, kTiny, model, phi_S.shape(), phi_Q.shape());
    const ht::State last = problem.step(ht::State{tape.variable(w_before)}, lambda, T - 1);
    std::vector<double> by_hand;
    for (const ht::Var& g : ht::grad(problem.outer(last, lambda), {theta, c, nu, log_gamma})) {
        const std::vector<double> v = g.value().to_vector();
        by_hand.insert(by_hand.end(), v.begin(), v.end());
    }
    CHECK(relative_difference(one, by_hand) < 1e-12);
}

TEST_CASE("oneshot: rho = 0 leaves the regulariser out exactly", "[experiments][oneshot]") {
    const ex::OneshotParameters p = ex::oneshot_initial_parameters(kTiny, ht::f64, 5, 0.1);
    const ht::Tensor w = (ht::Var(p.c) + ht::Var(ht::testing::randn({kTiny.w_size()}, 903))).value();
    CHECK(ex::oneshot_regularizer(ht::Var(w), ht::Var(p.c), ht::Var(p.nu), kTiny, false).item() == 0.0);
    CHECK(ex::oneshot_regularizer(ht::Var(p.c), ht::Var(p.c), ht::Var(p.nu), kTiny, true).item() == 0.0);
    // With rho: sum_j softplus(nu_j) |w_j - c_j|^2 over the layers' ranges.
    const std::vector<std::int64_t> layers = kTiny.w_layers();
    REQUIRE(layers.size() == 4);
    const std::vector<double> wv = w.to_vector(), cv = p.c.to_vector();
    double expected = 0;
    for (std::size_t j = 0; j < 3; ++j) {
        double squares = 0;
        for (auto i = static_cast<std::size_t>(layers[j]); i < static_cast<std::size_t>(layers[j + 1]); ++i) {
            squares += (wv[i] - cv[i]) * (wv[i] - cv[i]);
        }
        expected += std::log(2.0) * squares;  // nu = 0: softplus(0) = log 2
    }
    CHECK(std::abs(ex::oneshot_regularizer(ht::Var(w), ht::Var(p.c), ht::Var(p.nu), kTiny, true).item() - expected) <
          1e-12 * expected);

    const ex::OneshotGradient g = ex::oneshot_hypergradient(random_task(), p, kTiny, {3, false}, ht::Reverse{});
    CHECK(g.grad.nu.to_vector() == std::vector<double>{0, 0, 0});
    const ex::OneshotGradient r = ex::oneshot_hypergradient(random_task(), p, kTiny, {3, true}, ht::Reverse{});
    CHECK(max_abs(r.grad.nu) > 0);
}

TEST_CASE("oneshot: decay_rate fits exp(-rate K)", "[experiments][oneshot]") {
    std::vector<int> K{1, 2, 5, 10};
    std::vector<double> e;
    for (int k : K) e.push_back(3 * std::exp(-0.25 * k));
    CHECK(std::abs(ex::decay_rate(K, e) - 0.25) < 1e-12);
    CHECK(std::abs(ex::decay_rate(K, {1, 1, 1, 1})) < 1e-12);
    CHECK(std::isnan(ex::decay_rate({1}, {0.5})));
    CHECK(std::abs(ex::cosine({1, 2}, {2, 4}) - 1) < 1e-15);
}

TEST_CASE("oneshot: a tiny end-to-end run gives finite numbers for every method", "[experiments][oneshot]") {
    const ex::OneshotSettings s = ex::OneshotSettings::tiny();
    REQUIRE(s.truncations == std::vector<int>{1, 2, 3, 5});
    REQUIRE(s.steps == 5);
    const ex::OneshotResult r = ex::run_oneshot(s, train_pool(), test_pool());
    REQUIRE(r.runs.size() == 4);
    for (const ex::OneshotRun& run : r.runs) {
        INFO("K = " << run.K);
        CHECK(run.full == (run.K == 5));
        CHECK((run.test_accuracy >= 0 && run.test_accuracy <= 1));
        CHECK((run.test_ci95 >= 0 && std::isfinite(run.test_ci95)));
        CHECK(std::isfinite(run.test_loss));
        CHECK(run.seconds_per_iteration > 0);
        CHECK(run.peak_bytes > 0);
        CHECK(run.feature_tape_bytes > 0);
        CHECK(run.validation_losses.size() == static_cast<std::size_t>(s.hyper_iterations));
        for (double f : run.validation_losses) CHECK(std::isfinite(f));
        CHECK(run.eval_iterations == std::vector<int>{0, 2, 3});
        CHECK(run.eval_accuracies.size() == 3);
        if (run.full) {
            CHECK(run.cosines.empty());
        } else {
            CHECK(run.cosine_iterations == std::vector<int>{1, 2, 3});
            for (double c : run.cosines) CHECK((std::isfinite(c) && c >= -1 - 1e-6 && c <= 1 + 1e-6));
        }
        CHECK(std::isfinite(run.step_size));
        CHECK(run.rho.size() == 3);
    }
    // Memory grows with K: 1-RMD holds one step, full RMD all five.
    CHECK(r.runs.front().peak_bytes < r.runs.back().peak_bytes);
    const ex::OneshotErrorCurve& c = r.error_curve;
    REQUIRE(c.K == std::vector<int>{1, 2, 5});
    CHECK(c.regularized.back() < 1e-6);  // K = T: full RMD, in float32
    CHECK(c.unregularized.back() < 1e-6);
    CHECK(c.regularized.front() > 0);
    CHECK(std::isfinite(c.rate_regularized));
    CHECK(std::isfinite(c.rate_unregularized));
}

TEST_CASE("oneshot: settings are checked", "[experiments][oneshot]") {
    ex::OneshotSettings s = ex::OneshotSettings::tiny();
    s.truncations = {};
    CHECK_THROWS_AS(ex::check_oneshot_settings(s), ht::Error);
    s = ex::OneshotSettings::tiny();
    s.test_tasks = 1;
    CHECK_THROWS_AS(ex::check_oneshot_settings(s), ht::Error);
    s = ex::OneshotSettings::tiny();
    s.meta_learning_rate = 0;
    CHECK_THROWS_AS(ex::check_oneshot_settings(s), ht::Error);
    s = ex::OneshotSettings::tiny();
    s.initial_rho = 0;
    CHECK_THROWS_AS(ex::check_oneshot_settings(s), ht::Error);
    s = ex::OneshotSettings::tiny();
    s.batch_norm_eps = -1;
    CHECK_THROWS_AS(ex::check_oneshot_settings(s), ht::Error);
    CHECK_THROWS_AS(ex::oneshot_initial_parameters({1, 4, 8, 5}, ht::f32, 0), ht::Error);  // image < 16
}
