#pragma once
// Training-data optimization on Fashion-MNIST (Grazzi et al. 2020, Sec. 3.2 and Table 1, after
// Maclaurin et al. 2015): learn the pixels X' [c, p] of c = 10 training points, one per class
// (labels y' = 0, ..., 9), so that multinomial logistic regression trained on them alone does
// well on the usual training set:
//
//   min_X'  CE(X W(X')^T, y),      W(X') = argmin_W  CE(X' W^T, y') + beta / (2 c p) |W|_F^2,
//
// with (X, y) the Fashion-MNIST training images, p = 784 pixels, W [c, p], no bias, beta = 1, CE
// the mean cross-entropy; the test accuracy is that of W on the test images. The extracted text
// of the paper garbles the penalty; we read it as beta / (2 c p) |W|^2 = beta/2 mean(W^2), the
// form of its 20-newsgroup problem (1 / (2 c p) sum exp(lambda_j) w_ij^2). With beta/2 |W|^2
// instead, t = 5 steps from W_0 = 0 cannot make |W_t| large enough to come near the paper's
// training cross-entropy of 0.41.
//
// The inner problem is solved by t gradient-descent steps from W_0 = 0 (no warm start: the paper
// uses one only for 20 newsgroup) with eta = 2 / (L + mu), mu = beta / (c p) and
// L = |X'|_F^2 / (2c) + mu, at least sigma_max(X')^2 / (2c) + mu (the softmax cross-entropy's
// Hessian in the logits is at most 1/2). eta is computed from X' with the library's ops, so ITD
// differentiates through it too; every X' gives a contraction, and gradient descent keeps
// I - d Phi / d W symmetric for Implicit::cg. With this step the scale of X' sets how far t
// steps go: shrinking X' lengthens the steps and sharpens the classifier W_t.
//
// The learned points start as one training image of each class (drawn with `seed`) times
// initial_scale. The outer problem is minimised by hypergradient descent with a fixed step for
// each of Table 1's rows (table1_methods(), run_table1 in kernel_ridge.hpp): ITD through the t
// steps, FP and CG with k = t and k = k_r = 5. At t = 5, k_r = t and the k = k_r rows repeat the
// k = t runs. Everything is float32.
//
//   DataOptimizationSettings s = DataOptimizationSettings::quick();
//   DataOptimizationResult r = run_data_optimization(s);
//   r.runs[0].objective;          // ITD at t = 5: training cross-entropy after s outer steps
//   r.runs[0].test.accuracy;      // its test accuracy in %
//   r.runs[0].lambda[0];          // the 10 learned images [10, 784]
//
// Errors (hypertape::Error, naming the setting): those of run_table1 (t < 1, k_r < 1, s < 1, a
// step that is not positive and finite), regularization or initial_scale <= 0, train or test < 0,
// a training set lacking a class, and the data set's own (missing files).
#include <cstdint>
#include <string>
#include <vector>

#include "hypertape/experiments/kernel_ridge.hpp"

namespace hypertape::experiments {

struct DataOptimizationSettings {
    std::vector<int> inner_steps = {5, 10};  // t, one table column each
    int k_reduced = 5;                       // k_r
    int outer_steps = 4000;                  // s
    double outer_step_size = 0.03;           // fixed hypergradient-descent step (our choice)
    double regularization = 1;               // beta: the penalty is beta / (2 c p) |W|^2
    double initial_scale = 0.05;             // X'_0 = initial_scale * one training image per class
    std::int64_t train = 0;                  // outer training images: the first ones (0: all 60000)
    std::int64_t test = 0;                   // test images: the first ones (0: all 10000)
    std::string data_dir;                    // empty: default_fashion_mnist_dir()
    std::uint64_t seed = 0;                  // which training images start the learned points

    // 5000 training images, the 10000 test images, 200 outer steps: about a minute on 2 cores.
    static DataOptimizationSettings quick();
};

// The bilevel Problem: lambda X' [c, p], state {W [c, p]} of X's dtype, W_0 = 0, `steps`
// gradient-descent steps on CE(X' W^T, 0..c-1) + beta / (2 c p) |W|^2, outer loss CE(X W^T, y) for
// training images X [n, p] and labels y [n] (int64). The tensors must outlive the problem.
Problem data_optimization_problem(const Tensor& X, const Tensor& y, std::int64_t classes, int steps,
                                  double regularization);

// One image of each class c = 0, ..., classes - 1 from `images`, drawn at random: [classes, p].
Tensor one_image_per_class(const LabelledImages& images, std::int64_t classes, std::uint64_t seed);

// % of the images X [n, p] whose largest logit X W^T is at their label.
double classification_accuracy(const Tensor& X, const std::vector<std::int64_t>& labels, const Tensor& W);

struct DataOptimizationResult {
    std::vector<Table1Run> runs;  // for each t in settings order, the five methods in paper order
    std::int64_t train = 0, test = 0;
    double initial_objective = 0;      // training cross-entropy of W_t at the initial points (t = first)
    double initial_test_accuracy = 0;  // and its test accuracy
};

DataOptimizationResult run_data_optimization(const DataOptimizationSettings& settings, const Progress& progress = {});

}  // namespace hypertape::experiments
