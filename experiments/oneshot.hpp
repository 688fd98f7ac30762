#pragma once
// One-shot meta-learning (Shaban et al. Sec. 4.3 and App. G.3; Table 4, Fig. 7) on 5-way one-shot
// tasks built from Fashion-MNIST: the two bottom convolutional blocks of a CNN (theta) and the
// centres c, weights rho = softplus(nu) and inner step size gamma = exp(log_gamma) of the
// regularised inner problem are the hyperparameters; the top two blocks and the linear layer (w)
// are fitted per task by T steps of gradient descent, and lambda = {theta, c, nu, log_gamma} is
// meta-trained by Adam on K-step truncated hypergradients (K-RMD), averaged over a meta-batch.
//
// Concept. The network (the paper's Fig. 8) is four blocks
//   conv 3x3 (filters, padding 1) -> max_pool2d(2) -> batch_norm (scale, shift) -> relu,
// 28 -> 14 -> 7 -> 3 -> 1, then a linear layer filters -> ways. Blocks 1-2 are theta, blocks 3-4
// and the linear layer are w, three layers j with one rho_j each. For a task with training images
// S (one per class) and query images Q:
//   g_S(w, lambda) = sum_{i in S} CE(nn(x_i), y_i) + sum_j rho_j |w_j - c_j|^2,
//   w_0 = c,  w_{t+1} = w_t - gamma grad_w g_S(w_t, lambda),  f = mean_{i in Q} CE(nn(x_i; w_T), y_i).
// Batch norm uses the statistics of the batch that goes through it (S in the inner loop, Q in f).
// w_0 is c itself, not a recorded copy: the first step Xi_1 reads c directly, so Truncated{T}
// equals full RMD (Reverse) and K counts the gradient-descent steps back-propagated through.
//
// The hypergradient is computed in two parts. Blocks 1-2 are frozen in the inner loop, so their
// features phi_S = blocks12(S; theta) and phi_Q = blocks12(Q; theta) are computed once per task
// and made hyperparameters of a bilevel Problem with lambda = {phi_S, phi_Q, c, nu, log_gamma};
// hypergradient() gives d f / d phi_S and d f / d phi_Q (truncated or not), and one reverse sweep
// through blocks 1-2 on a tape of their own chains them into theta:
//   d f / d theta = (d phi_S / d theta)^T d f / d phi_S + (d phi_Q / d theta)^T d f / d phi_Q.
// This is exact: truncation acts on the inner loop only, as in eq. (8).
//
// Usage:
//   OneshotSettings s = OneshotSettings::quick();          // or the paper's size, the default
//   OneshotResult r = run_oneshot(s);
//   for (const OneshotRun& k : r.runs) std::cout << k.K << " " << k.test_accuracy << "\n";
//
//   OneshotLayout layout{1, 64, 28, 5};                     // channels, filters, image size, ways
//   OneshotParameters p = oneshot_initial_parameters(layout, f32, 0);
//   OneshotGradient h = oneshot_hypergradient(task, p, layout, {50, true}, Truncated{10});
//
// Errors (hypertape::Error, naming the setting): ways outside [2, 10], queries < 1, filters < 1,
// an image too small for four 2x2 poolings (< 16), steps < 1, meta_batch < 1, hyper_iterations
// < 1, no truncation or one < 1, a non-positive or non-finite learning rate, initial step size,
// initial rho or batch-norm eps, test_tasks < 2, eval_every < 0, and missing or malformed data files (naming the file).
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hypertape/bilevel/hypergradient.hpp"
#include "hypertape/bilevel/problem.hpp"
#include "hypertape/experiments/datasets.hpp"
#include "hypertape/experiments/progress.hpp"

namespace hypertape::experiments {

// ---- tasks ----

// Images [n, 784] of a pool, and the rows of each class (10 classes).
struct OneshotPool {
    LabelledImages images;
    std::vector<std::vector<std::int64_t>> rows_by_class;
};
OneshotPool oneshot_pool(LabelledImages images);

// A ways-way one-shot task: S holds one image per class, in label order 0, 1, ..., ways - 1; Q
// holds `queries` images per class, label-major. classes[l] is the Fashion-MNIST class that label
// l stands for (a random choice of distinct classes in random order: the labels are permuted).
struct OneshotTask {
    Tensor X_S, y_S;  // [ways, 1, 28, 28] images, [ways] int64 labels
    Tensor X_Q, y_Q;  // [ways queries, 1, 28, 28], [ways queries]
    std::vector<std::int64_t> classes;
    std::vector<std::int64_t> rows_S, rows_Q;  // the pool's rows drawn (for the tests)
};
// Draws ways distinct classes, then 1 + queries distinct images of each (none shared by S and Q).
OneshotTask sample_oneshot_task(const OneshotPool& pool, int ways, int queries, std::mt19937_64& rng);

// ---- the network ----

// Where each parameter sits in the flat vectors theta (blocks 1-2) and w (blocks 3-4, linear).
struct OneshotLayout {
    std::int64_t channels = 1;
    std::int64_t filters = 64;
    std::int64_t image = 28;  // height = width
    std::int64_t ways = 5;
    // Batch norm's eps in every block. Block 4 normalises 5 values per channel (one image per
    // class at 1x1): at eps = 1e-5 a channel whose values nearly agree gets a curvature that
    // makes the inner loop expand; 0.1 keeps it contracting (docs/experiments.md).
    double batch_norm_eps = 0.1;

    std::int64_t feature_size() const;  // the image after two blocks: 28 -> 7
    std::int64_t final_size() const;    // after four: 28 -> 1
    std::int64_t theta_size() const;    // 37,824 at the paper's size
    std::int64_t w_size() const;        // 74,437 at the paper's size
    // The offsets in w where the three regularised layers (block 3, block 4, linear) start; the
    // fourth entry is w_size().
    std::vector<std::int64_t> w_layers() const;
};

// The four blocks' and the linear layer's forward passes on flat parameter vectors.
Var oneshot_blocks12(const Var& images, const Var& theta, const OneshotLayout& layout);  // -> [n, F, 7, 7]
Var oneshot_head(const Var& features, const Var& w, const OneshotLayout& layout);        // -> logits [n, ways]
// sum_j softplus(nu_j) |w_j - c_j|^2 over the three layers; exactly 0 (a constant) when not
// regularized (rho = 0).
Var oneshot_regularizer(const Var& w, const Var& c, const Var& nu, const OneshotLayout& layout, bool regularized);

struct OneshotParameters {
    Tensor theta;      // [theta_size]
    Tensor c;          // [w_size]: the centres, also w_0
    Tensor nu;         // [3]: rho = softplus(nu)
    Tensor log_gamma;  // [1]: the inner step size exp(log_gamma) on the summed loss g_S
};
// He-normal convolution and linear weights, zero biases, batch-norm scale 1 and shift 0;
// softplus(nu_j) = rho for every layer (nu = 0 at the default rho = log 2) and gamma = step_size.
OneshotParameters oneshot_initial_parameters(const OneshotLayout& layout, DType dtype, std::uint64_t seed,
                                             double step_size = 0.05, double rho = 0.6931471805599453);

struct OneshotModel {
    int steps = 50;           // T
    bool regularized = true;  // false: rho = 0 exactly (the term is left out)
};

// The bilevel problem of one task on its features: lambda = {phi_S, phi_Q, c, nu, log_gamma},
// state {w}, w_0 = c.
Problem oneshot_problem(const Tensor& y_S, const Tensor& y_Q, const OneshotLayout& layout, const OneshotModel& model,
                        const Shape& phi_S_shape, const Shape& phi_Q_shape);

// The hypergradient of one task with respect to every part of lambda, theta by the chain rule.
struct OneshotGradient {
    OneshotParameters grad;              // d f / d theta, d f / d c, d f / d nu, d f / d log_gamma
    double outer_loss = 0;               // f on Q at w_T
    double accuracy = 0;                 // of w_T on Q
    Report report;                       // the bilevel hypergradient's (features excluded)
    std::size_t feature_tape_bytes = 0;  // the blocks 1-2 tape's peak (the features and their records)
};
OneshotGradient oneshot_hypergradient(const OneshotTask& task, const OneshotParameters& p, const OneshotLayout& layout,
                                      const OneshotModel& model, const Strategy& strategy);

// The outer loss f alone (no derivatives: T forward steps), and w_T's accuracy on Q.
struct OneshotEvaluation {
    double outer_loss = 0;
    double accuracy = 0;
};
OneshotEvaluation oneshot_evaluate(const OneshotTask& task, const OneshotParameters& p, const OneshotLayout& layout,
                                   const OneshotModel& model);

// Helpers on the parameter lists: everything concatenated into one vector, and the cosine and
// relative l2 error between two hypergradients.
std::vector<double> flatten(const OneshotParameters& p);
double cosine(const std::vector<double>& a, const std::vector<double>& b);
double relative_error(const std::vector<double>& approximate, const std::vector<double>& exact);

// The slope of the least-squares line through (K, log e_K) for e_K > 0, negated: e_K ~ exp(-rate K).
double decay_rate(const std::vector<int>& K, const std::vector<double>& errors);

// ---- the experiment ----

struct OneshotSettings {
    std::string data_dir = default_fashion_mnist_dir();
    int ways = 5;
    int queries = 15;  // validation images per class (Q)
    std::int64_t filters = 64;
    int steps = 50;      // T
    int meta_batch = 4;  // tasks per hyper-iteration, hypergradients averaged
    int hyper_iterations = 5000;
    std::vector<int> truncations = {1, 10, 25, 50};  // K; K >= steps is full RMD (Reverse{})
    double meta_learning_rate = 1e-3;                // Adam's on all of lambda
    double initial_step_size = 0.05;                 // gamma at the start, on the summed loss g_S
    double initial_rho = 0.6931471805599453;         // every rho_j at the start (log 2: nu = 0)
    double batch_norm_eps = 0.1;                     // OneshotLayout::batch_norm_eps
    int test_tasks = 120;                            // Table 4's accuracy: this many meta-test tasks
    int eval_every = 250;  // Fig. 7 (1) and (3): every this many hyper-iterations (0: start, end)
    int eval_tasks = 40;   // Fig. 7 (1): meta-test tasks per evaluation
    std::vector<int> error_truncations = {1, 2, 5, 10, 15, 20, 30, 40, 50};  // Fig. 7 (4)'s K
    std::int64_t train_pool = 0;  // the first n training images (0: all 60000)
    std::int64_t test_pool = 0;   // the first n test images (0: all 10000)
    std::uint64_t seed = 0;

    // 16 filters, 5 query images per class, T = 50, 60 hyper-iterations, 40 test tasks.
    static OneshotSettings quick();
    // 4 filters, 2 queries, T = 5, meta-batch 2, 3 hyper-iterations, K = 1, 2, 3, 5, few tasks
    // from the first 1000 training and 500 test images (tests: seconds).
    static OneshotSettings tiny();
};

// One method's meta-training and what it gives.
struct OneshotRun {
    int K = 0;
    bool full = false;                      // K >= T: full RMD
    double test_accuracy = 0;               // mean over settings.test_tasks meta-test tasks, in [0, 1]
    double test_ci95 = 0;                   // 1.96 standard errors of that mean
    double test_loss = 0;                   // mean f over the same tasks
    double seconds_per_iteration = 0;       // wall time of a hyper-iteration (meta-batch and update), mean
    std::size_t peak_bytes = 0;             // Report::peak_bytes, max over the meta-batches
    std::size_t feature_tape_bytes = 0;     // blocks 1-2's tape, max over the tasks
    std::vector<double> validation_losses;  // mean f over each meta-batch, before its update
    std::vector<int> eval_iterations;       // tau of Fig. 7 (1) and (3)
    std::vector<double> eval_accuracies;    // mean accuracy on settings.eval_tasks meta-test tasks at tau
    std::vector<int> cosine_iterations;     // tau where the cosine to full RMD was measured (not for full RMD)
    std::vector<double> cosines;            // cos(h_K, h_full) at lambda_tau on that meta-batch
    double step_size = 0;                   // the final gamma
    std::vector<double> rho;                // the final rho_j
    OneshotParameters lambda;               // the final hyperparameters
};

// Fig. 7 (4): the relative l2 error |h_K - h_full| / |h_full| of the meta-batch's hypergradient.
struct OneshotErrorCurve {
    std::vector<int> K;
    std::vector<double> regularized;    // with rho = softplus(nu)
    std::vector<double> unregularized;  // with rho = 0
    double rate_regularized = 0;        // decay_rate of each curve (K < T points)
    double rate_unregularized = 0;
    std::string at;  // which lambda: "the final lambda of full RMD", ...
};

struct OneshotResult {
    OneshotSettings settings;
    std::int64_t hyperparameters = 0;  // theta + c + nu + log_gamma
    std::int64_t parameters = 0;       // w
    std::int64_t train_images = 0, test_images = 0;
    std::vector<OneshotRun> runs;  // in settings.truncations' order
    OneshotErrorCurve error_curve;
    double seconds = 0;  // the whole run, data loading excepted
};

void check_oneshot_settings(const OneshotSettings& settings);
OneshotResult run_oneshot(const OneshotSettings& settings, const Progress& progress = {});
// The same on pools already loaded (settings.data_dir and the pool sizes are not used).
OneshotResult run_oneshot(const OneshotSettings& settings, const OneshotPool& train, const OneshotPool& test,
                          const Progress& progress = {});

}  // namespace hypertape::experiments
