#pragma once
// The data sets the experiments run on, from Debian packages:
//   Fashion-MNIST   dataset-fashion-mnist: 60000 training and 10000 test images, 28x28, 10 classes
//   diabetes        python3-sklearn's copy of Efron et al.'s diabetes data: 442 patients, 10
//                   features, a disease-progression target (the regression set of Grazzi et al.
//                   Sec. 3.2's kernel ridge regression, in place of Parkinson, which Debian lacks)
//
//   FashionMnist d = load_fashion_mnist(default_fashion_mnist_dir());
//   std::mt19937_64 rng(0);
//   auto [train, rest] = split_class_balanced(d.train, 5000, rng);   // 500 per class, the rest
//   Tensor Xb = with_bias_column(train.X);                            // [5000, 785]
//
// Errors (hypertape::Error): missing or malformed files (naming the file), a split asking for
// more examples of a class than there are.
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "hypertape/tape/tensor.hpp"

namespace hypertape::experiments {

struct LabelledImages {
    Tensor X;                          // [n, 784] float32 pixels in [0, 1]
    std::vector<std::int64_t> labels;  // n class indices in [0, 10)

    std::int64_t size() const { return static_cast<std::int64_t>(labels.size()); }
    Tensor y() const { return Tensor::indices(labels); }  // the labels as an int64 tensor [n]
};

struct FashionMnist {
    LabelledImages train;  // the 60000 training images (or the first max_train)
    LabelledImages test;   // the 10000 test images (or the first max_test)
};

// $HYPERTAPE_FASHION_MNIST when set, else dataset-fashion-mnist's folder.
std::string default_fashion_mnist_dir();
// max_* <= 0 reads all.
FashionMnist load_fashion_mnist(const std::string& dir, std::int64_t max_train = 0, std::int64_t max_test = 0);

// The rows `rows` of `data`, in that order.
LabelledImages take(const LabelledImages& data, const std::vector<std::int64_t>& rows);
// A random class-balanced subset of n examples (n / 10 per class; n must be a multiple of 10)
// and the remaining examples, both in random order.
std::pair<LabelledImages, LabelledImages> split_class_balanced(const LabelledImages& data, std::int64_t n,
                                                               std::mt19937_64& rng);
// X with a column of ones appended: [n, p] -> [n, p + 1] (the bias of a linear model).
Tensor with_bias_column(const Tensor& X);

struct Regression {
    Tensor X;  // [n, p] float64 features, standardised to zero mean and unit variance per column
    Tensor y;  // [n] float64 targets, standardised
};

// $HYPERTAPE_DIABETES when set (a folder holding diabetes_data_raw.csv.gz and
// diabetes_target.csv.gz), else python3-sklearn's data folder.
std::string default_diabetes_dir();
Regression load_diabetes(const std::string& dir);

}  // namespace hypertape::experiments
