#include "hypertape/experiments/hypercleaning.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>
#include <utility>

#include "hypertape/bilevel/hypergradient.hpp"
#include "hypertape/bilevel/outer.hpp"
#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/index.hpp"
#include "hypertape/ops/layout.hpp"
#include "hypertape/ops/matmul.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/ops/softmax.hpp"
#include "hypertape/ops/unary.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape::experiments {
namespace {

constexpr std::int64_t kClasses = 10;

void check_split(const HypercleaningSplit& split) {
    if (split.train <= 0 || split.train % 10 != 0) {
        fail("hypercleaning: train = ", split.train, " must be a positive multiple of 10 (class-balanced)");
    }
    if (split.validation <= 0 || split.validation % 10 != 0) {
        fail("hypercleaning: validation = ", split.validation, " must be a positive multiple of 10 (class-balanced)");
    }
    if (split.test < 0) fail("hypercleaning: test = ", split.test, " must be >= 0 (0: all the rest)");
    if (split.pool < 0) fail("hypercleaning: pool = ", split.pool, " must be >= 0 (0: all 70000 images)");
    if (!(split.corruption >= 0 && split.corruption <= 1)) {
        fail("hypercleaning: corruption = ", split.corruption, " must lie in [0, 1]");
    }
}

void check_model(const HypercleaningModel& model) {
    if (model.steps < 1) fail("hypercleaning: steps = ", model.steps, " must be >= 1");
    if (!(model.step_size >= 0) || !std::isfinite(model.step_size)) {
        fail("hypercleaning: step_size = ", model.step_size, " must be finite and >= 0");
    }
    if (!(model.regularization >= 0) || !std::isfinite(model.regularization)) {
        fail("hypercleaning: regularization = ", model.regularization, " must be finite and >= 0");
    }
}

// Fashion-MNIST's training and test images as one pool, as Franceschi et al. pool MNIST's (or the
// first `limit` training images alone).
LabelledImages pooled_images(const std::string& dir, std::int64_t limit) {
    if (limit > 0) return load_fashion_mnist(dir, limit, 1).train;
    FashionMnist d = load_fashion_mnist(dir);
    LabelledImages pool;
    pool.X = concat({Var(d.train.X), Var(d.test.X)}, 0).value();
    pool.labels = std::move(d.train.labels);
    pool.labels.insert(pool.labels.end(), d.test.labels.begin(), d.test.labels.end());
    return pool;
}

// Each label redrawn uniformly with probability `probability`; the flags say which were redrawn
// and which now differ from the truth.
void corrupt_labels(std::vector<std::int64_t>& labels, double probability, std::mt19937_64& rng,
                    std::vector<bool>& replaced, std::vector<bool>& corrupted) {
    std::bernoulli_distribution redraw(probability);
    std::uniform_int_distribution<std::int64_t> any_label(0, kClasses - 1);
    replaced.assign(labels.size(), false);
    corrupted.assign(labels.size(), false);
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (!redraw(rng)) continue;
        const std::int64_t drawn = any_label(rng);
        replaced[i] = true;
        corrupted[i] = drawn != labels[i];
        labels[i] = drawn;
    }
}

// The fraction of rows whose largest logit is at their label.
double accuracy(const Tensor& X, const Tensor& y, const Tensor& W) {
    const std::vector<double> logits = matmul(Var(X), Var(W), trans_b).value().to_vector();
    const std::vector<double> labels = y.to_vector();
    std::size_t right = 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const auto row = logits.begin() + static_cast<std::ptrdiff_t>(i * kClasses);
        right += static_cast<double>(std::max_element(row, row + kClasses) - row) == labels[i];
    }
    return labels.empty() ? 0 : static_cast<double>(right) / static_cast<double>(labels.size());
}

double norm(const Tensor& x) {
    const std::vector<double> v = x.to_vector();
    return std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
}

// Adam's first update is eta_0 h / (|h| + epsilon) entrywise; eta_0 making its norm
// initial_update_rms sqrt(n).
double first_adam_learning_rate(const Tensor& h, double initial_update_rms) {
    const HyperAdam adam;
    double squared = 0;
    for (double v : h.to_vector()) squared += std::pow(v / (std::abs(v) + adam.epsilon), 2);
    if (!(squared > 0)) fail("hypercleaning: the first hypergradient is zero, so no eta_0 gives it a norm");
    return initial_update_rms * std::sqrt(static_cast<double>(h.numel()) / squared);
}

std::vector<F1Score> f1_at(const std::vector<double>& lambda, const std::vector<bool>& corrupted,
                           const std::vector<double>& thresholds) {
    std::vector<F1Score> scores;
    for (double threshold : thresholds) scores.push_back(cleaner_f1(lambda, corrupted, threshold));
    return scores;
}

void check_settings(const HypercleaningSettings& s) {
    check_split(s.split);
    check_model({s.step_size, s.regularization, s.steps});
    if (s.hyper_iterations < 1) fail("hypercleaning: hyper_iterations = ", s.hyper_iterations, " must be >= 1");
    if (s.truncations.empty()) fail("hypercleaning: truncations must name at least one K");
    for (int K : s.truncations) {
        if (K < 1) fail("hypercleaning: truncation K = ", K, " must be >= 1");
    }
    if (!(s.initial_update_rms > 0) || !std::isfinite(s.initial_update_rms)) {
        fail("hypercleaning: initial_update_rms = ", s.initial_update_rms, " must be positive and finite");
    }
    if (s.true_gradient_every < 0) {
        fail("hypercleaning: true_gradient_every = ", s.true_gradient_every, " must be >= 0");
    }
}

// Runs K-RMD with Adam from lambda = 0 and measures what Table 2 and Fig. 5 show.
HypercleaningRun run_truncation(const HypercleaningSettings& s, const HypercleaningData& data, const Problem& problem,
                                int K, const Progress& progress) {
    HypercleaningRun run;
    run.K = K;
    run.full = K >= s.steps;
    const Strategy strategy = run.full ? Strategy{Reverse{}} : Strategy{Truncated{K}};
    const std::string stage = run.full ? "K = " + std::to_string(K) + " (full RMD)" : "K = " + std::to_string(K);
    const auto true_norm = [&](const Tensor& lambda) { return norm(hypergradient(problem, lambda, Reverse{}).value); };

    const Tensor lambda0 = Tensor::zeros({data.X_train.shape()[0]}, data.X_train.dtype());
    const HypergradientResult first = hypergradient(problem, lambda0, strategy);
    run.eta0 = first_adam_learning_rate(first.value, s.initial_update_rms);
    run.true_gradient_iterations.push_back(0);
    run.true_gradient_norms.push_back(run.full ? norm(first.value) : true_norm(lambda0));
    run.early_iteration = std::min(s.early_iteration, s.hyper_iterations);

    double seconds = 0;
    OuterOptions options;
    options.iterations = s.hyper_iterations;
    options.progress = false;
    options.callback = [&](const IterationInfo& info) {
        seconds += info.report.forward_seconds + info.report.backward_seconds;
        run.peak_bytes = std::max(run.peak_bytes, info.report.peak_bytes);
        run.step_evaluations = info.report.step_evaluations;
        const std::vector<double> lambda = info.lambda.to_vector();
        run.f1_history.push_back(cleaner_f1(lambda, data.corrupted, s.threshold).f1);
        if (info.iteration == run.early_iteration) {
            run.early_f1_at_thresholds = f1_at(lambda, data.corrupted, s.thresholds);
        }
        const bool sample = s.true_gradient_every > 0 && info.iteration % s.true_gradient_every == 0;
        if (sample && info.iteration < s.hyper_iterations) {
            run.true_gradient_iterations.push_back(info.iteration);
            run.true_gradient_norms.push_back(true_norm(info.lambda));
        }
        progress(stage, info.iteration, s.hyper_iterations);
    };
    OuterResult outer = optimize(problem, lambda0, strategy, HyperAdam{run.eta0}, options);
    run.validation_losses = std::move(outer.outer_losses);
    run.lambda = outer.lambda;
    run.seconds_per_iteration = seconds / s.hyper_iterations;

    // The final lambda: f, W_T and the true hypergradient in one full-RMD pass.
    const HypergradientResult last = hypergradient(problem, run.lambda, Reverse{});
    run.true_gradient_iterations.push_back(s.hyper_iterations);
    run.true_gradient_norms.push_back(norm(last.value));
    run.validation_loss = last.outer_loss;
    const Tensor& W = last.final_state.front();
    run.validation_accuracy = accuracy(data.X_validation, data.y_validation, W);
    run.test_accuracy = accuracy(data.X_test, data.y_test, W);

    const std::vector<double> lambda = run.lambda.to_vector();
    run.cleaner = cleaner_f1(lambda, data.corrupted, s.threshold);
    run.f1_at_thresholds = f1_at(lambda, data.corrupted, s.thresholds);
    std::vector<double> minus_lambda(lambda.size());
    std::transform(lambda.begin(), lambda.end(), minus_lambda.begin(), [](double v) { return -v; });
    run.auc = roc_auc(minus_lambda, data.corrupted);
    return run;
}

}  // namespace

HypercleaningData hypercleaning_data(const std::string& fashion_mnist_dir, const HypercleaningSplit& split) {
    check_split(split);
    const LabelledImages pool = pooled_images(fashion_mnist_dir, split.pool);
    std::mt19937_64 rng(split.seed);
    auto [train, rest] = split_class_balanced(pool, split.train, rng);
    auto [validation, remaining] = split_class_balanced(rest, split.validation, rng);
    if (split.test > remaining.size()) {
        fail("hypercleaning: test = ", split.test, " but only ", remaining.size(), " images remain");
    }
    if (split.test > 0) {  // `remaining` is in random order: its head is a random subset
        std::vector<std::int64_t> head(static_cast<std::size_t>(split.test));
        std::iota(head.begin(), head.end(), 0);
        remaining = take(remaining, head);
    }
    HypercleaningData data;
    data.y_train_true = train.y();
    corrupt_labels(train.labels, split.corruption, rng, data.replaced, data.corrupted);
    data.X_train = with_bias_column(train.X);
    data.y_train = train.y();
    data.X_validation = with_bias_column(validation.X);
    data.y_validation = validation.y();
    data.X_test = with_bias_column(remaining.X);
    data.y_test = remaining.y();
    return data;
}

Problem hypercleaning_problem(const HypercleaningData& data, const HypercleaningModel& model) {
    check_model(model);
    if (model.step_size == 0) {
        fail("hypercleaning_problem: step_size must be > 0 (probe_step_sizes finds the largest stable one)");
    }
    const Tensor X = data.X_train;
    const Var Y = one_hot(data.y_train, kClasses, X.dtype());
    const std::int64_t n = X.shape()[0];
    const std::int64_t features = X.shape()[1];
    const Var gamma(Tensor::scalar(model.step_size, X.dtype()));
    const double twice_regularization = 2 * model.regularization;

    Problem p;
    p.lambda_shape = {n};
    p.steps = model.steps;
    p.init = [=](const Hyperparameters&) { return State{Var(Tensor::zeros({kClasses, features}, X.dtype()))}; };
    p.step = [=](const State& s, const Hyperparameters& lambda, int t) {
        // sigmoid(lambda) inside the step, so that its records belong to the step's window.
        const Var weights = reshape(sigmoid(lambda), {n, 1});
        // The gradient of the summed g written out (one softmax, two products) instead of
        // tape_gradient's recorded backward sweep per step; the tests check it against tape_gradient.
        const GradientFn gradient = [&](const Var& W) {
            const Var residual = (softmax(matmul(X, W, trans_b)) - Y) * weights;  // d g / d logits
            return matmul(residual, X, trans_a) + twice_regularization * W;
        };
        return GradientDescent{gamma}.step(s, gradient, t);
    };
    const Tensor Xv = data.X_validation;
    const Tensor yv = data.y_validation;
    p.outer = [=](const State& s, const Hyperparameters&) { return cross_entropy(matmul(Xv, s[0], trans_b), yv); };
    return p;
}

double hypercleaning_inner_loss(const HypercleaningData& data, const Tensor& W, const Tensor& lambda,
                                double regularization) {
    const auto n = static_cast<double>(data.X_train.shape()[0]);
    // cross_entropy is a mean over the batch; g is the paper's sum.
    const Var sum_term = n * cross_entropy(matmul(data.X_train, W, trans_b), data.y_train, sigmoid(Var(lambda)));
    return (sum_term + regularization * squared_norm(W)).item();
}

std::vector<StepSizeTrial> probe_step_sizes(const HypercleaningData& data, const HypercleaningModel& model,
                                            double first, int tries) {
    if (!(first > 0) || !std::isfinite(first)) fail("probe_step_sizes: first = ", first, " must be positive");
    if (tries < 1) fail("probe_step_sizes: tries = ", tries, " must be >= 1");
    const double curvature = hypercleaning_initial_curvature(data, model.regularization);
    // Every weight sigmoid(40) = 1 in float32: the largest Hessian g can have.
    const Tensor saturated = Tensor::full({data.X_train.shape()[0]}, 40.0, data.X_train.dtype());
    constexpr double kRoundingSlack = 1e-5;  // float32 sums of thousands of losses are this close
    std::vector<StepSizeTrial> trials;
    for (double gamma = first; static_cast<int>(trials.size()) < tries; gamma /= 2) {
        HypercleaningModel trial_model = model;
        trial_model.step_size = gamma;
        const Problem p = hypercleaning_problem(data, trial_model);
        State s = p.init(Var(saturated));
        StepSizeTrial trial{gamma, hypercleaning_inner_loss(data, s[0].value(), saturated, model.regularization)};
        double loss = trial.first_loss;
        trial.decreasing = true;
        for (int t = 0; t < model.steps && trial.decreasing; ++t) {
            s = p.step(s, Var(saturated), t);
            const double next = hypercleaning_inner_loss(data, s[0].value(), saturated, model.regularization);
            trial.decreasing = std::isfinite(next) && next <= loss * (1 + kRoundingSlack);
            loss = next;
            trial.steps_run = t + 1;
        }
        trial.last_loss = loss;
        // Over a short T a direction that gradient descent amplifies may grow too slowly to show in g.
        trial.stable = trial.decreasing && gamma * curvature < 2;
        trials.push_back(trial);
        if (trial.stable) break;
    }
    return trials;
}

double hypercleaning_initial_curvature(const HypercleaningData& data, double regularization) {
    constexpr int kIterations = 200;
    const Var X(data.X_train);
    Tensor v = Tensor::ones({data.X_train.shape()[1], 1}, data.X_train.dtype());
    double rayleigh = 0;
    for (int i = 0; i < kIterations; ++i) {
        const Tensor Av = matmul(X, matmul(X, v), trans_a).value();  // X^T X v
        rayleigh = dot(reshape(v, {v.numel()}), reshape(Av, {Av.numel()})).item() / squared_norm(v).item();
        v = (Var(Av) / std::sqrt(squared_norm(Av).item())).value();
    }
    return 0.1 * rayleigh + 2 * regularization;
}

double roc_auc(const std::vector<double>& score, const std::vector<bool>& positive) {
    if (score.size() != positive.size()) {
        fail("roc_auc: ", score.size(), " scores but ", positive.size(), " labels");
    }
    std::vector<std::size_t> order(score.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
    // Mann-Whitney: the positives' rank sum, tied scores sharing their mean rank.
    double positive_rank_sum = 0;
    std::size_t positives = 0;
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j < order.size() && score[order[j]] == score[order[i]]) ++j;
        const double mean_rank = (static_cast<double>(i + j) + 1) / 2;
        for (std::size_t k = i; k < j; ++k) {
            if (positive[order[k]]) {
                positive_rank_sum += mean_rank;
                ++positives;
            }
        }
        i = j;
    }
    const auto p = static_cast<double>(positives);
    const auto q = static_cast<double>(score.size() - positives);
    if (p == 0 || q == 0) fail("roc_auc: needs positives and negatives, got ", positives, " of ", score.size());
    return (positive_rank_sum - p * (p + 1) / 2) / (p * q);
}

F1Score cleaner_f1(const std::vector<double>& lambda, const std::vector<bool>& corrupted, double threshold) {
    if (lambda.size() != corrupted.size()) {
        fail("cleaner_f1: ", lambda.size(), " lambdas but ", corrupted.size(), " labels");
    }
    long long true_positives = 0, positives = 0;
    F1Score score;
    for (std::size_t i = 0; i < lambda.size(); ++i) {
        const bool marked = lambda[i] < threshold;
        score.marked += marked;
        positives += corrupted[i];
        true_positives += marked && corrupted[i];
    }
    score.precision = score.marked > 0 ? static_cast<double>(true_positives) / static_cast<double>(score.marked) : 0;
    score.recall = positives > 0 ? static_cast<double>(true_positives) / static_cast<double>(positives) : 0;
    const double sum = score.precision + score.recall;
    score.f1 = sum > 0 ? 2 * score.precision * score.recall / sum : 0;
    return score;
}

HypercleaningSettings HypercleaningSettings::quick() {
    HypercleaningSettings s;
    s.split = {1000, 1000, 10000, 0.5, 0};
    s.steps = 100;
    s.hyper_iterations = 150;  // where App. G.1 reads its threshold table
    s.truncations = {1, 5, 25, 100};
    s.true_gradient_every = 10;
    s.initial_update_rms =
        0.1;  // fewer hyper-iterations than the paper: larger steps, so lambda reaches the thresholds
    return s;
}

HypercleaningSettings HypercleaningSettings::tiny() {
    HypercleaningSettings s;
    s.split = {200, 200, 1000, 0.5, 0, 2000};
    s.steps = 10;
    s.hyper_iterations = 20;
    s.truncations = {1, 10};
    s.true_gradient_every = 10;
    s.initial_update_rms = 0.1;
    return s;
}

HypercleaningResult run_hypercleaning(const HypercleaningSettings& settings, const Progress& progress) {
    check_settings(settings);
    progress("loading Fashion-MNIST", 0, 1);
    return run_hypercleaning(settings, hypercleaning_data(settings.data_dir, settings.split), progress);
}

HypercleaningResult run_hypercleaning(const HypercleaningSettings& settings, const HypercleaningData& data,
                                      const Progress& progress) {
    check_settings(settings);
    const auto start = std::chrono::steady_clock::now();
    HypercleaningResult result;
    result.settings = settings;
    result.train = data.X_train.shape()[0];
    result.validation = data.X_validation.shape()[0];
    result.test = data.X_test.shape()[0];
    result.corrupted = std::count(data.corrupted.begin(), data.corrupted.end(), true);
    result.replaced = std::count(data.replaced.begin(), data.replaced.end(), true);

    result.initial_curvature = hypercleaning_initial_curvature(data, settings.regularization);
    HypercleaningModel model{settings.step_size, settings.regularization, settings.steps};
    if (model.step_size == 0) {
        progress("probing the step size", 0, 1);
        result.step_size_trials = probe_step_sizes(data, model);
        if (!result.step_size_trials.back().stable) {
            fail("hypercleaning: no stable step size down to ", result.step_size_trials.back().step_size);
        }
        model.step_size = result.step_size_trials.back().step_size;
        result.settings.step_size = model.step_size;
    }
    const Problem problem = hypercleaning_problem(data, model);
    for (int K : settings.truncations) result.runs.push_back(run_truncation(settings, data, problem, K, progress));
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

}  // namespace hypertape::experiments
