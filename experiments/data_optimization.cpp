#include "hypertape/experiments/data_optimization.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/matmul.hpp"
#include "hypertape/ops/softmax.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape::experiments {

DataOptimizationSettings DataOptimizationSettings::quick() {
    DataOptimizationSettings s;
    s.outer_steps = 200;
    s.train = 5000;
    return s;
}

namespace {

// eta = 2 / (L + mu) for the inner loss CE(X' W^T, y') + beta / (2 c p) |W|^2: L = |X'|_F^2 / (2c) +
// mu, at least sigma_max(X')^2 / (2c) + mu (the softmax cross-entropy's Hessian in the logits is
// at most 1/2), and mu = beta / (c p); a differentiable function of the points X' [c, p].
Var gradient_step_size(const Var& points, double strong_convexity) {
    const double classes = static_cast<double>(points.value().shape()[0]);
    return 2.0 / (squared_norm(points) / (2 * classes) + 2 * strong_convexity);
}

}  // namespace

Problem data_optimization_problem(const Tensor& X, const Tensor& y, std::int64_t classes, int steps,
                                  double regularization) {
    if (!(regularization > 0) || !std::isfinite(regularization)) {
        fail("data_optimization_problem: regularization = ", regularization, " must be positive and finite");
    }
    if (X.shape().rank() != 2) fail("data_optimization_problem: X ", X.shape().str(), " must be [n, p]");
    const std::int64_t pixels = X.shape()[1];
    const DType dtype = X.dtype();
    std::vector<std::int64_t> labels(static_cast<std::size_t>(classes));
    std::iota(labels.begin(), labels.end(), 0);
    const Tensor point_labels = Tensor::indices(labels);

    Problem p;
    p.lambda_shape = {classes, pixels};
    p.steps = steps;
    p.init = [=](const Var&) { return State{Var(Tensor::zeros({classes, pixels}, dtype))}; };
    const double strong_convexity = regularization / static_cast<double>(classes * pixels);
    p.step = [=](const State& s, const Var& points, int t) {
        const Var eta = gradient_step_size(points, strong_convexity);
        const auto inner = [&](const Var& W) {
            return cross_entropy(matmul(points, W, trans_b), point_labels) + (0.5 * strong_convexity) * squared_norm(W);
        };
        return GradientDescent{eta}.step(s, tape_gradient(inner), t);
    };
    p.outer = [&X, &y](const State& s, const Var&) { return cross_entropy(matmul(X, s[0], trans_b), y); };
    return p;
}

Tensor one_image_per_class(const LabelledImages& images, std::int64_t classes, std::uint64_t seed) {
    std::vector<std::vector<std::int64_t>> of_class(static_cast<std::size_t>(classes));
    for (std::int64_t i = 0; i < images.size(); ++i) {
        const std::int64_t c = images.labels[static_cast<std::size_t>(i)];
        if (c >= 0 && c < classes) of_class[static_cast<std::size_t>(c)].push_back(i);
    }
    std::mt19937_64 rng(seed);
    std::vector<std::int64_t> rows;
    for (std::int64_t c = 0; c < classes; ++c) {
        const auto& candidates = of_class[static_cast<std::size_t>(c)];
        if (candidates.empty()) fail("one_image_per_class: the ", images.size(), " images hold no image of class ", c);
        std::uniform_int_distribution<std::size_t> pick(0, candidates.size() - 1);
        rows.push_back(candidates[pick(rng)]);
    }
    return take(images, rows).X;
}

double classification_accuracy(const Tensor& X, const std::vector<std::int64_t>& labels, const Tensor& W) {
    const std::vector<double> logits = matmul(X, W, trans_b).value().to_vector();
    const std::size_t classes = static_cast<std::size_t>(W.shape()[0]);
    double right = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const auto row = logits.begin() + static_cast<std::ptrdiff_t>(i * classes);
        const auto best = std::max_element(row, row + static_cast<std::ptrdiff_t>(classes)) - row;
        right += best == labels[i] ? 1 : 0;
    }
    return 100 * right / static_cast<double>(labels.size());
}

DataOptimizationResult run_data_optimization(const DataOptimizationSettings& settings, const Progress& progress) {
    if (settings.train < 0) fail("data optimization: train = ", settings.train, " must be >= 0 (0: all)");
    if (settings.test < 0) fail("data optimization: test = ", settings.test, " must be >= 0 (0: all)");
    if (!(settings.initial_scale > 0) || !std::isfinite(settings.initial_scale)) {
        fail("data optimization: initial_scale = ", settings.initial_scale, " must be positive and finite");
    }
    constexpr std::int64_t classes = 10;
    const FashionMnist data = load_fashion_mnist(
        settings.data_dir.empty() ? default_fashion_mnist_dir() : settings.data_dir, settings.train, settings.test);
    const Tensor X = data.train.X;
    const Tensor y = data.train.y();
    const Var images = one_image_per_class(data.train, classes, settings.seed);
    const std::vector<Tensor> lambda0{(settings.initial_scale * images).value()};
    const auto problem_for = [&](int t) {
        return data_optimization_problem(X, y, classes, t, settings.regularization);
    };
    const auto test_scores = [&](const std::vector<Tensor>& state, const std::vector<Tensor>&) {
        return Table1Scores{classification_accuracy(data.test.X, data.test.labels, state.at(0))};
    };
    const Table1Loop loop{settings.inner_steps, settings.k_reduced, settings.outer_steps, settings.outer_step_size};

    const Progress named{[&](const std::string& stage, long long done, long long total) {
        progress("data optimization: " + stage, done, total);
    }};
    DataOptimizationResult result;
    result.runs = run_table1(problem_for, lambda0, loop, test_scores, named);
    result.train = data.train.size();
    result.test = data.test.size();
    const HypergradientResult initial = hypergradient(problem_for(loop.inner_steps.front()), lambda0, Truncated{1});
    result.initial_objective = initial.outer_loss;
    result.initial_test_accuracy = test_scores(initial.final_state, lambda0).accuracy;
    return result;
}

}  // namespace hypertape::experiments
