// hypertape demo: the hypergradient of data hyper-cleaning on Fashion-MNIST through T unrolled
// gradient-descent steps, by full reverse mode (no window) and by 5-step truncation (Window{5}).
//
// Inner problem: multinomial logistic regression W [10, 785] on n training images whose labels
// are partly corrupted, each example weighted by sigmoid(lambda_i):
//   w_{t+1} = w_t - eta * grad_w [ CE_weighted(X W^T, y, sigmoid(lambda)) + beta/2 |W|^2 ]
// Outer loss: the plain cross-entropy on validation images. The hypergradient d f / d lambda
// should be positive on corrupted examples (lowering their weight helps) and negative on clean
// ones. For each T the demo prints the hypergradient's summary, the agreement between truncated
// and full gradients, the wall time and the exact peak bytes held by the tape.
//
//   demo [--data DIR] [--train N] [--steps T1,T2,...]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <hypertape/hypertape.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace ht = hypertape;

namespace {

struct Options {
    std::string data = "/usr/share/datasets/fashion-mnist";
    std::int64_t train = 500;
    std::int64_t validation = 500;
    std::vector<int> steps = {100, 1000};
    double corrupted_fraction = 0.3;
    double eta = 0.02;
    double beta = 1e-3;
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--data" && has_value) {
            o.data = argv[++i];
        } else if (arg == "--train" && has_value) {
            o.train = std::stoll(argv[++i]);
        } else if (arg == "--steps" && has_value) {
            o.steps.clear();
            std::stringstream list(argv[++i]);
            for (std::string item; std::getline(list, item, ',');) o.steps.push_back(std::stoi(item));
        } else {
            throw ht::Error("demo: unknown argument '" + arg + "' (use --data DIR, --train N, --steps T1,T2)");
        }
    }
    return o;
}

struct Dataset {
    ht::Tensor X;       // [n, 785]: pixels in [0, 1] and a constant 1 for the bias
    ht::Tensor labels;  // [n]
};

Dataset load(const std::string& images, const std::string& labels, std::int64_t skip, std::int64_t n) {
    const ht::Tensor pixels = ht::read_idx_images(images, skip + n);
    const ht::Tensor all = ht::slice(pixels, 0, skip, skip + n).value();
    const ht::Tensor ones = ht::Tensor::ones({n, 1});
    const ht::Tensor y = ht::read_idx_labels(labels, skip + n);
    const auto y_all = y.to_vector();
    std::vector<std::int64_t> picked(y_all.begin() + skip, y_all.end());
    return {ht::concat({all, ones}, 1).value(), ht::Tensor::indices(picked)};
}

// Replaces a fraction of the labels by a different random class; returns which ones.
std::vector<bool> corrupt(ht::Tensor& labels, double fraction, std::mt19937_64& rng) {
    std::vector<std::int64_t> y;
    for (double v : labels.to_vector()) y.push_back(static_cast<std::int64_t>(v));
    std::vector<bool> corrupted(y.size(), false);
    std::uniform_real_distribution<double> coin(0, 1);
    std::uniform_int_distribution<std::int64_t> shift(1, 9);
    for (std::size_t i = 0; i < y.size(); ++i) {
        if (coin(rng) < fraction) {
            y[i] = (y[i] + shift(rng)) % 10;
            corrupted[i] = true;
        }
    }
    labels = ht::Tensor::indices(y);
    return corrupted;
}

struct Result {
    std::vector<double> hypergradient;
    double outer_loss = 0;
    std::size_t peak_bytes = 0;
    double seconds = 0;
};

Result hypergradient(const Options& o, const Dataset& train, const Dataset& val, int T, ht::Window window) {
    const auto start = std::chrono::steady_clock::now();
    ht::Tape tape{window};
    const ht::Var lam = tape.variable(ht::Tensor::zeros({o.train}));
    ht::Var W = tape.variable(ht::Tensor::zeros({10, 785}));
    for (int t = 0; t < T; ++t) {
        auto step = tape.step();
        const ht::Var inner = ht::cross_entropy(ht::matmul(train.X, W, ht::trans_b), train.labels, ht::sigmoid(lam)) +
                              0.5 * o.beta * ht::squared_norm(W);
        const ht::Var g = ht::grad(inner, W, ht::create_graph);
        W = W - o.eta * g;
    }
    const ht::Var f = ht::cross_entropy(ht::matmul(val.X, W, ht::trans_b), val.labels);
    Result r;
    r.outer_loss = f.item();
    r.hypergradient = ht::grad(f, lam).value().to_vector();
    r.peak_bytes = tape.stats().peak_bytes;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return r;
}

double cosine(const std::vector<double>& a, const std::vector<double>& b) {
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ab += a[i] * b[i];
        aa += a[i] * a[i];
        bb += b[i] * b[i];
    }
    return ab / std::sqrt(aa * bb);
}

void report(const char* name, const Result& r, const std::vector<bool>& corrupted) {
    double on_corrupted = 0, on_clean = 0, norm = 0;
    std::size_t n_corrupted = 0;
    for (std::size_t i = 0; i < r.hypergradient.size(); ++i) {
        (corrupted[i] ? on_corrupted : on_clean) += r.hypergradient[i];
        n_corrupted += corrupted[i];
        norm += r.hypergradient[i] * r.hypergradient[i];
    }
    const std::size_t n_clean = r.hypergradient.size() - n_corrupted;
    std::printf("  %-12s f = %.6f  |h| = %.4e  mean h: corrupted %+.3e, clean %+.3e  peak tape bytes %12zu  %7.2f s\n",
                name, r.outer_loss, std::sqrt(norm), on_corrupted / static_cast<double>(n_corrupted),
                on_clean / static_cast<double>(n_clean), r.peak_bytes, r.seconds);
    std::printf("  %-12s h[0..5] =", "");
    for (std::size_t i = 0; i < 6 && i < r.hypergradient.size(); ++i) {
        std::printf(" %+.3e%s", r.hypergradient[i], corrupted[i] ? "*" : "");
    }
    std::printf("   (* corrupted label)\n");
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options o = parse(argc, argv);
        std::printf("hypertape demo: data hyper-cleaning on Fashion-MNIST (%s)\n", o.data.c_str());
        Dataset train =
            load(o.data + "/train-images-idx3-ubyte.gz", o.data + "/train-labels-idx1-ubyte.gz", 0, o.train);
        const Dataset val =
            load(o.data + "/train-images-idx3-ubyte.gz", o.data + "/train-labels-idx1-ubyte.gz", o.train, o.validation);
        std::mt19937_64 rng(2026);
        const std::vector<bool> corrupted = corrupt(train.labels, o.corrupted_fraction, rng);
        std::printf(
            "%lld training images (%.0f%% labels corrupted), %lld validation images, W [10, 785], "
            "lambda [%lld], float32\n\n",
            static_cast<long long>(o.train), 100 * o.corrupted_fraction, static_cast<long long>(o.validation),
            static_cast<long long>(o.train));
        for (int T : o.steps) {
            std::printf("T = %d gradient-descent steps (eta %.2f)\n", T, o.eta);
            const Result full = hypergradient(o, train, val, T, ht::Window::none());
            const Result truncated = hypergradient(o, train, val, T, ht::Window{5});
            report("no window", full, corrupted);
            report("Window{5}", truncated, corrupted);
            std::printf("  cosine(h_T-5, full) = %.6f   peak bytes ratio full / Window{5} = %.1f\n\n",
                        cosine(truncated.hypergradient, full.hypergradient),
                        static_cast<double>(full.peak_bytes) / static_cast<double>(truncated.peak_bytes));
        }
        return 0;
    } catch (const ht::Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
