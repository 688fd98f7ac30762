#pragma once
// Equilibrium models (Grazzi et al. 2020, Sec. 3.2 "Equilibrium Models", Fig. 2) on Fashion-MNIST.
//
// Concept: every training image x_i gets a hidden representation w_i in R^h, the fixed point of
//   phi_i(w_i, gamma) = tanh(A w_i + B x_i + c),   gamma = (A [h, h], B [h, 784], c [h]),
// approximated by t fixed-point iterations from w_i = 0 (all n images at once: W [n, h], one step
// W <- tanh(W A^T + X B^T + c) is two matrix products). A multinomial logistic classifier
// theta = (V [10, h], b [10]) reads the fixed points, and the training objective is its mean
// cross-entropy f(gamma, theta) = (1/n) sum_i CE(V w_i(gamma) + b, y_i), problem (3) of the paper.
// The outer variables lambda = (gamma, theta) are all five tensors {A, B, c, V, b}, trained
// together by Nesterov momentum on the estimated hypergradient g(lambda) of one of
//   ITD      Reverse{} through the t iterations: the exact gradient of f_t(lambda)
//   FP       Implicit::fixed_point(k) at w_t (AID, the fixed-point method / recurrent backprop)
//   CG       Implicit::cg_normal(k) at w_t (AID, CG on the normal equations: d_w Phi is not symmetric)
// each either with the projection of A's singular values onto [0, 1 - epsilon] after every outer
// step (which makes phi a contraction, as the paper's analysis assumes) or without it. Nesterov is
// torch.optim.SGD(nesterov=True)'s rule, v <- mu v + g, lambda <- lambda - eta (g + mu v), run here
// on hypergradient() (optimize() offers HyperSGD and HyperAdam only). Each variant runs from the
// same lambda_0 per seed; Fig. 2 right repeats everything at several learning rates (the sweep).
//
// Data: Fashion-MNIST (the paper uses MNIST, which Debian does not ship). Cost: the paper's size
// (5000 images, h = 200, t = k = 20) takes about 2-4 s per hypergradient on 2 CPU cores, so the
// default 5 seeds x 50 iterations x 6 variants x 5 learning rates runs for hours; quick() takes
// about 2 minutes.
//
// Usage:
//   EquilibriumSettings s = EquilibriumSettings::quick();
//   EquilibriumResult r = run_equilibrium(s);
//   r.curves[0].objective[seed][tau];     // f_t(lambda_tau) of the first variant
//
// The pieces are public for tests and other experiments: equilibrium_data (the images),
// equilibrium_problem (the bilevel Problem), equilibrium_init (lambda_0 of a seed),
// project_singular_values and spectral_norm (the projection, on LAPACK's dgesvd).
//
// Errors (hypertape::Error naming the setting): images not a positive multiple of 10, hidden,
// t, k, seeds < 1, iterations < 0, test_images < 0, a learning rate (or one of the sweep's) that is
// not positive, momentum outside [0, 1), epsilon outside (0, 1), init_spectral < 0, no variants, a
// variant name that is not known; missing data files.
// A run that diverges (a NaN or Inf hypergradient, or a library Error from the hypergradient
// computation such as a linear solver meeting Inf) is not an error: that seed's curves end there
// and EquilibriumCurve::diverged_at records the iteration and the reason.
#include <cstdint>
#include <string>
#include <vector>

#include "hypertape/bilevel/problem.hpp"
#include "hypertape/bilevel/strategy.hpp"
#include "hypertape/experiments/progress.hpp"

namespace hypertape::experiments {

enum class EquilibriumMethod { itd, fixed_point, cg_normal };

// One curve of Fig. 2: a hypergradient method, with or without the projection.
struct EquilibriumVariant {
    EquilibriumMethod method = EquilibriumMethod::itd;
    bool projected = true;

    // "ITD", "FP", "CG", and "ITD*", "FP*", "CG*" without the projection (the paper marks the
    // unconstrained runs with a symbol).
    std::string name() const;
};

// "itd", "fp", "cg" (projected) and "itd*", "fp*", "cg*" (unprojected), case-insensitive; throws
// hypertape::Error for anything else.
EquilibriumVariant parse_equilibrium_variant(const std::string& name);

struct EquilibriumSettings {
    std::int64_t images = 5000;    // class-balanced training images (a multiple of 10)
    std::int64_t test_images = 0;  // the first ones of the test set; 0: all 10000
    std::int64_t hidden = 200;     // h
    int t = 20;                    // fixed-point iterations of the lower level (ITD reverses them all)
    int k = 20;                    // iterations of FP and CG-normal
    int iterations = 50;           // outer (Nesterov) iterations
    int seeds = 5;                 // seeds 0..seeds-1 draw lambda_0; the data split is fixed
    double learning_rate = 0.1;    // Nesterov's step size for the curves
    // Fig. 2 right: every variant again at each of these step sizes (the curves' own step size is
    // not run twice); empty: no sweep.
    std::vector<double> sweep_learning_rates = {0.001, 0.01, 0.1, 0.3, 1.0};
    double momentum = 0.9;       // Nesterov's momentum
    double epsilon = 0.01;       // the projection keeps A's singular values in [0, 1 - epsilon]
    double init_spectral = 0.5;  // A_0's spectral norm, about (inside the ball)
    std::vector<EquilibriumVariant> variants = {
        {EquilibriumMethod::itd, true},          {EquilibriumMethod::fixed_point, true},
        {EquilibriumMethod::cg_normal, true},    {EquilibriumMethod::itd, false},
        {EquilibriumMethod::fixed_point, false}, {EquilibriumMethod::cg_normal, false}};
    DType dtype = f32;
    std::uint64_t data_seed = 0;  // which training images are drawn
    std::string data_dir;         // empty: default_fashion_mnist_dir()

    // 1000 images, h = 50, 30 iterations, 2 seeds, 2000 test images, step sizes 0.1, 0.3, 1:
    // about 2 minutes on 2 cores.
    static EquilibriumSettings quick();
    // 30 images, h = 6, float64, 3 iterations, 1 seed, 50 test images, no sweep: for tests.
    static EquilibriumSettings tiny();
};

// The images as tensors of settings.dtype: X [n, 784] pixels in [0, 1], labels int64 [n]. The
// n = settings.images training images are a class-balanced random draw (settings.data_seed) from
// the first min(60000, 20 n) of Fashion-MNIST's training set.
struct EquilibriumData {
    Tensor X_train, y_train;
    Tensor X_test, y_test;
};
EquilibriumData equilibrium_data(const EquilibriumSettings& settings);

// The bilevel Problem: lambda_shapes {A [h, h], B [h, 784], c [h], V [10, h], b [10]} (that
// order), state {W [n, h]} with W_0 = 0, steps = settings.t, step W <- tanh(W A^T + X B^T + c),
// outer loss the mean cross-entropy of W V^T + b. The problem refers to `data`, which must outlive it.
Problem equilibrium_problem(const EquilibriumData& data, const EquilibriumSettings& settings);

// lambda_0 for a seed: A Gaussian with spectral norm about settings.init_spectral, B Gaussian
// with variance 1/784, V Gaussian with variance 1/h, c = 0, b = 0; dtype settings.dtype.
std::vector<Tensor> equilibrium_init(const EquilibriumSettings& settings, std::uint64_t seed);

// The Strategy of a method under the settings' t and k.
Strategy equilibrium_strategy(EquilibriumMethod method, const EquilibriumSettings& settings);

// The fraction of `X` whose class the model lambda predicts right, with W from t fixed-point
// iterations (no tape).
double equilibrium_accuracy(const std::vector<Tensor>& lambda, const Tensor& X, const Tensor& y, int t);

// A matrix's largest singular value (LAPACK dgesvd, in float64).
double spectral_norm(const Tensor& A);
// A with its singular values clipped to [0, max_singular]: U min(S, max_singular) V^T, the
// Frobenius-nearest matrix of spectral norm <= max_singular. A matrix already inside is returned
// as it is (the same tensor, bit for bit). Any floating dtype; the result has A's dtype.
Tensor project_singular_values(const Tensor& A, double max_singular);

// One variant's measurements; [seed][tau] holds the value at lambda_tau, tau = 0..iterations-1
// (the objective and the hypergradient are those computed at lambda_tau, before its update),
// NaN from the iteration where a seed diverged on.
struct EquilibriumCurve {
    EquilibriumVariant variant;
    std::vector<std::vector<double>> objective;           // f_t(lambda_tau), the training objective
    std::vector<std::vector<double>> test_accuracy;       // on the test images
    std::vector<std::vector<double>> hypergradient_norm;  // |g(lambda_tau)| over all five tensors
    std::vector<std::vector<double>> spectral_norm;       // |A_tau|_2
    std::vector<std::vector<double>> seconds;             // cumulative hypergradient seconds after tau
    std::vector<int> diverged_at;                         // per seed: the iteration it diverged at, or -1
    std::vector<std::string> divergence;                  // per seed: why (empty when it did not)
    std::vector<double> final_test_accuracy;              // per seed: at lambda_iterations (NaN: diverged)
    // The median forward + backward seconds of one hypergradient, and (AID; NaN for ITD) the median
    // final relative residual |b - A v| / |b| of its linear solve.
    double seconds_per_iteration = 0;
    double implicit_residual = 0;
    std::size_t peak_bytes = 0;  // the largest Report::peak_bytes seen
    double wall_seconds = 0;     // the whole variant, all seeds, test evaluations included
};

// The variants at one more step size (Fig. 2 right).
struct EquilibriumSweepPoint {
    double learning_rate = 0;
    std::vector<EquilibriumCurve> curves;  // one per settings.variants entry, in order
};

struct EquilibriumResult {
    std::int64_t train_images = 0;
    std::int64_t test_images = 0;
    std::vector<EquilibriumCurve> curves;  // at settings.learning_rate, one per settings.variants entry
    // One point per settings.sweep_learning_rates entry, in order; the one equal to
    // settings.learning_rate holds a copy of `curves`.
    std::vector<EquilibriumSweepPoint> sweep;
};

EquilibriumResult run_equilibrium(const EquilibriumSettings& settings, const Progress& progress = {});

}  // namespace hypertape::experiments
