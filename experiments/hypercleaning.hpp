#pragma once
// Data hypercleaning (Shaban et al. Sec. 4.2.1 and App. G.1; Table 2, Fig. 5) on Fashion-MNIST: a
// linear classifier W [10, 785] trained by T gradient-descent steps on training images whose labels
// are half corrupted, each example weighted by sigmoid(lambda_i); lambda [n_train] minimises the
// cross-entropy on clean validation images, by Adam on K-step truncated hypergradients (K-RMD).
//
// Concept. The inner objective is the paper's, a SUM over the training images:
//   g(W, lambda) = sum_i sigmoid(lambda_i) l_i(W) + regularization |W|_F^2,
//   l_i(W) = -log softmax(W x_i)[y_i],
// and the inner loop is W_0 = 0, W_{t+1} = W_t - gamma grad_W g(W_t, lambda), t < T, every
// hyper-iteration starting again from W_0 = 0 (no warm start, as in the paper). The outer loss f is
// the MEAN cross-entropy of W_T on the validation images. gamma is a step on that sum: the
// paper's gamma = 1 diverges on these pixel values (g's curvature grows with the number of
// images), so by default the largest stable gamma is measured (probe_step_sizes): at the paper's
// size 2^-16 on the sum, 0.076 on the mean loss, gamma L = 0.85 (L: g's curvature at W_0). The
// cleaner marks example i as corrupted when lambda_i < threshold (the paper's -3); its F1 score
// against the true corruption is reported for several thresholds (App. G.1).
//
// The data (hypercleaning_data) pools Fashion-MNIST's 60000 training and 10000 test images, as
// Franceschi et al.'s code pools MNIST's 70000: a class-balanced training set, then a
// class-balanced validation set from the rest, and the test set from what remains (all of it, or a
// random `test` of it). Each training label is replaced, with probability `corruption`, by a
// uniformly random label (which equals the true one a tenth of the time); `corrupted` marks the
// labels that now differ from the truth, and only those count as corrupted for the F1 score.
//
// Usage:
//   HypercleaningSettings s = HypercleaningSettings::quick();  // or the paper's size, the default
//   s.truncations = {1, 5, s.steps};                           // K >= T is full RMD (Reverse{})
//   HypercleaningResult r = run_hypercleaning(s);
//   for (const HypercleaningRun& k : r.runs) std::cout << k.K << " " << k.test_accuracy << " " << k.cleaner.f1 << "\n";
//
//   HypercleaningData d = hypercleaning_data(default_fashion_mnist_dir(), {200, 200, 1000});
//   Problem p = hypercleaning_problem(d, {1e-3, 1e-3, 20});   // gamma 1e-3, T = 20
//   Tensor h = hypergradient(p, Tensor::zeros({200}), Truncated{5}).value;
//
// Errors (hypertape::Error, naming the setting): training or validation sizes that are not
// positive multiples of 10, more images asked for than Fashion-MNIST has, a corruption outside
// [0, 1], a negative test or pool size, steps < 1, a step size or regularization that is negative or not finite, no
// truncation or one < 1, hyper_iterations < 1, a non-positive initial_update_rms, a negative true_gradient_every;
// missing or malformed data files (naming the file).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hypertape/bilevel/problem.hpp"
#include "hypertape/experiments/datasets.hpp"
#include "hypertape/experiments/progress.hpp"

namespace hypertape::experiments {

struct HypercleaningSplit {
    std::int64_t train = 5000;       // class-balanced training images, labels corrupted
    std::int64_t validation = 5000;  // class-balanced clean validation images
    std::int64_t test = 0;           // test images (0: all the rest, 60000 at the paper's size)
    double corruption = 0.5;         // each training label replaced by a uniformly random one with this probability
    std::uint64_t seed = 0;
    // The images drawn from: 0 pools all 70000 (training and test); n > 0 reads only the first n
    // training images (small runs and tests, which then need not read and convert all of them).
    std::int64_t pool = 0;
};

struct HypercleaningData {
    Tensor X_train, y_train;      // [n, 785] float32 (bias column appended), corrupted labels
    Tensor y_train_true;          // the training images' true labels
    std::vector<bool> corrupted;  // which training labels were changed (differ from the true label)
    std::vector<bool> replaced;   // which were drawn for replacement (a superset: the draw may repeat the truth)
    Tensor X_validation, y_validation;
    Tensor X_test, y_test;
};

HypercleaningData hypercleaning_data(const std::string& fashion_mnist_dir, const HypercleaningSplit& split);

struct HypercleaningModel {
    double step_size = 0;          // the inner gradient-descent step size gamma, a step on g (a sum)
    double regularization = 1e-3;  // the 0.001 |W|_F^2 term
    int steps = 100;               // T
};

// The bilevel Problem: lambda [n_train] (X_train's dtype, float32), state {W [10, 785]},
// W_0 = 0. Each step uses the closed-form gradient
//   grad_W g = ((softmax(X W^T) - onehot(y)) * sigmoid(lambda))^T X + 2 regularization W,
// recorded with differentiable ops. model.step_size must be > 0.
Problem hypercleaning_problem(const HypercleaningData& data, const HypercleaningModel& model);

// g(W, lambda) for W [10, 785] and lambda [n_train] (values, no records).
double hypercleaning_inner_loss(const HypercleaningData& data, const Tensor& W, const Tensor& lambda,
                                double regularization);

// One trial of the step-size probe: T steps from W_0 = 0 with every weight sigmoid(lambda_i) = 1
// (the largest the weights get, so g's Hessian is at its largest in the Loewner order).
struct StepSizeTrial {
    double step_size = 0;
    double first_loss = 0;    // g(W_0)
    double last_loss = 0;     // g(W_T), or g where the trial stopped
    int steps_run = 0;        // T, or the step at which g first increased
    bool decreasing = false;  // g(W_{t+1}) <= g(W_t) at every step
    bool stable = false;      // decreasing, and gamma L < 2
};

// Trials at step sizes first, first/2, first/4, ... until one is stable (at most `tries` trials):
// gamma L < 2 (L of hypercleaning_initial_curvature: gradient descent is stable near W_0) and g
// decreases at each of the T steps. The last trial's step size is the largest stable one on that
// grid.
std::vector<StepSizeTrial> probe_step_sizes(const HypercleaningData& data, const HypercleaningModel& model,
                                            double first = 1, int tries = 40);

// L, the largest eigenvalue of g's Hessian at W_0 = 0 with every weight sigmoid(lambda_i) = 1:
// 0.1 lambda_max(X^T X) + 2 regularization (softmax cross-entropy's Hessian at equal logits is
// (I - 11^T / 10) / 10 per image), by power iteration. gamma <= 1 / L keeps I - gamma Hessian
// positive semi-definite there, as Shaban et al.'s Prop. 3.1 assumes (gamma <= 1 / beta).
double hypercleaning_initial_curvature(const HypercleaningData& data, double regularization);

// Area under the ROC curve of score s_i for the positives marked (ties count 1/2): the chance that
// a random positive scores above a random negative. 0.5 is chance.
double roc_auc(const std::vector<double>& score, const std::vector<bool>& positive);

struct F1Score {
    double f1 = 0, precision = 0, recall = 0;
    long long marked = 0;  // examples with lambda_i < threshold
};
// The cleaner's score: example i is marked corrupted when lambda_i < threshold.
F1Score cleaner_f1(const std::vector<double>& lambda, const std::vector<bool>& corrupted, double threshold);

struct HypercleaningSettings {
    std::string data_dir = default_fashion_mnist_dir();
    HypercleaningSplit split;      // 5000 / 5000 / the rest, labels corrupted with probability 1/2
    int steps = 100;               // T
    double step_size = 0;          // gamma on g (a sum); 0: the largest stable power of 2 below 1, probed
    double regularization = 1e-3;  // the 0.001 |W|_F^2 term
    int hyper_iterations = 1000;
    std::vector<int> truncations = {1, 5, 25, 100};  // K; K >= steps is full RMD (Reverse{})
    // The root-mean-square entry of each K's first Adam update. The paper sets eta_0 per K so the
    // first update's norm is about the same for every K; eta_0 = initial_update_rms sqrt(n) / |u|,
    // u = Adam's first direction h / (|h| + epsilon), so eta_0 equals initial_update_rms unless
    // some entries of h are 0.
    double initial_update_rms = 0.05;
    int true_gradient_every = 10;  // Fig. 5: |d f| (full RMD) every this many hyper-iterations (0: start and end only)
    double threshold = -3;         // the cleaner's threshold for Table 2's F1
    std::vector<double> thresholds = {-1, -2, -3, -4, -5};  // App. G.1's threshold table
    int early_iteration = 150;  // App. G.1 reports its threshold table after 150 hyper-iterations

    // 1000 / 1000 / 10000 images, T = 100, 150 hyper-iterations, K = 1, 5, 25, 100 (about a minute).
    static HypercleaningSettings quick();
    // 200 / 200 / 1000 of the first 2000 training images, T = 10, 20 hyper-iterations, K = 1, 10.
    static HypercleaningSettings tiny();
};

// One K's run: lambda after the hyper-iterations and what it gives.
struct HypercleaningRun {
    int K = 0;
    bool full = false;         // K >= T: full RMD
    double eta0 = 0;           // Adam's learning rate chosen for this K
    double test_accuracy = 0;  // of W_T(lambda) on the test images, in [0, 1]
    double validation_accuracy = 0;
    double validation_loss = 0;                   // f(lambda) at the final lambda
    F1Score cleaner;                              // at settings.threshold
    double auc = 0;                               // ROC AUC of -lambda against the true corruption
    std::vector<F1Score> f1_at_thresholds;        // at settings.thresholds, final lambda
    int early_iteration = 0;                      // min(settings.early_iteration, hyper_iterations)
    std::vector<F1Score> early_f1_at_thresholds;  // the same at early_iteration
    double seconds_per_iteration = 0;             // the hypergradient's time (forward + backward), mean
    std::size_t peak_bytes = 0;                   // Report::peak_bytes of one hypergradient (largest seen)
    long long step_evaluations = 0;               // per hypergradient
    std::vector<double> validation_losses;        // f at each hyper-iteration, before its update
    std::vector<double> f1_history;               // F1 at settings.threshold after each update
    std::vector<int> true_gradient_iterations;    // tau: Fig. 5's points are at lambda_tau
    std::vector<double> true_gradient_norms;      // |d f / d lambda| at lambda_tau, full RMD
    Tensor lambda;                                // the final lambda
};

struct HypercleaningResult {
    HypercleaningSettings settings;               // as run, step_size resolved
    std::vector<StepSizeTrial> step_size_trials;  // the probe (empty when settings gave a step size)
    double initial_curvature = 0;                 // L of hypercleaning_initial_curvature: compare step_size with 1 / L
    std::int64_t train = 0, validation = 0, test = 0;
    std::int64_t corrupted = 0, replaced = 0;  // training labels that differ / that were redrawn
    std::vector<HypercleaningRun> runs;        // one per K, in settings.truncations' order
    double seconds = 0;                        // the whole run, data loading excepted
};

// Loads the data with hypercleaning_data(settings.data_dir, settings.split), probes the step size
// when settings.step_size is 0, and runs each K.
HypercleaningResult run_hypercleaning(const HypercleaningSettings& settings, const Progress& progress = {});
// The same on data already loaded (settings.data_dir and settings.split are not used).
HypercleaningResult run_hypercleaning(const HypercleaningSettings& settings, const HypercleaningData& data,
                                      const Progress& progress = {});

}  // namespace hypertape::experiments
