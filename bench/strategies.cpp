// Times every hypergradient strategy on one problem and prints their reports.
//
// Problem: multinomial logistic regression W [10, 1000] (M = 10^4) on 500 synthetic examples,
// trained by T steps of gradient descent with per-class L2 strengths exp(lambda) (N = 10); the
// outer loss is the cross-entropy on 500 validation examples. float64 throughout, so the
// "error" column (relative to Reverse) shows each strategy's approximation, not rounding.
//
//   bench_strategies [--steps 100,1000]
#include <hypertape/bilevel/hypergradient.hpp>
#include <hypertape/hypertape.hpp>
#include <hypertape/solvers/inner.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace ht = hypertape;

namespace {

constexpr std::int64_t kClasses = 10, kFeatures = 1000, kExamples = 500;

struct Data {
    ht::Tensor X, y, Xval, yval;
};

Data make_data() {
    std::mt19937_64 rng(7);
    const ht::Var teacher = ht::Tensor::randn({kClasses, kFeatures}, rng, ht::f64);
    const auto split = [&](ht::Tensor& X, ht::Tensor& y) {
        X = (ht::Var(ht::Tensor::randn({kExamples, kFeatures}, rng, ht::f64)) / std::sqrt(double(kFeatures))).value();
        const auto logits = ht::matmul(X, teacher, ht::trans_b).value().to_vector();
        std::vector<std::int64_t> labels;
        for (std::int64_t i = 0; i < kExamples; ++i) {
            const auto row = logits.begin() + i * kClasses;
            labels.push_back(std::max_element(row, row + kClasses) - row);
        }
        y = ht::Tensor::indices(labels);
    };
    Data d;
    split(d.X, d.y);
    split(d.Xval, d.yval);
    return d;
}

ht::Problem make_problem(const Data& d, int steps) {
    ht::Problem p;
    p.lambda_shape = {kClasses, 1};
    p.steps = steps;
    p.init = [](const ht::Var&) { return ht::State{ht::Var(ht::Tensor::zeros({kClasses, kFeatures}, ht::f64))}; };
    p.step = [&d](const ht::State& s, const ht::Var& lam, int t) {
        const auto loss = [&](const ht::Var& W) {
            return ht::cross_entropy(ht::matmul(d.X, W, ht::trans_b), d.y) + 0.5 * ht::sum(ht::exp(lam) * ht::square(W));
        };
        return ht::GradientDescent{ht::Var(ht::Tensor::scalar(1.0, ht::f64))}.step(s, ht::tape_gradient(loss), t);
    };
    p.outer = [&d](const ht::State& s, const ht::Var&) {
        return ht::cross_entropy(ht::matmul(d.Xval, s[0], ht::trans_b), d.yval);
    };
    return p;
}

std::vector<int> parse_steps(int argc, char** argv) {
    std::vector<int> steps = {100, 1000};
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string(argv[i]) != "--steps") continue;
        steps.clear();
        std::stringstream list(argv[i + 1]);
        for (std::string item; std::getline(list, item, ',');) steps.push_back(std::stoi(item));
    }
    return steps;
}

double relative_error(const ht::Tensor& a, const ht::Tensor& b) {
    const ht::Var diff = ht::Var(a) - ht::Var(b);
    return std::sqrt(ht::sum(ht::square(diff)).item() / ht::sum(ht::square(ht::Var(b))).item());
}

}  // namespace

int main(int argc, char** argv) {
    const Data data = make_data();
    const ht::Tensor lambda = ht::Tensor::full({kClasses, 1}, std::log(0.05), ht::f64);
    const std::vector<std::pair<std::string, ht::Strategy>> strategies = {
        {"Reverse", ht::Reverse{}},
        {"Truncated{5}", ht::Truncated{5}},
        {"Checkpointed::uniform()", ht::Checkpointed::uniform()},
        {"Checkpointed::binomial(10)", ht::Checkpointed::binomial(10)},
        {"Checkpointed::uniform(0, 5)", ht::Checkpointed::uniform(0, 5)},
        {"Forward", ht::Forward{}},
        {"Implicit::cg(20)", ht::Implicit::cg(20)},
        {"Implicit::fixed_point(20)", ht::Implicit::fixed_point(20)},
    };
    std::printf("M = %lld (W [10, 1000]), N = %lld, %lld training examples, float64, gradient descent (step 1), L2 strengths 0.05\n",
                static_cast<long long>(kClasses * kFeatures), static_cast<long long>(kClasses),
                static_cast<long long>(kExamples));
    for (int T : parse_steps(argc, argv)) {
        const ht::Problem problem = make_problem(data, T);
        std::printf("\nT = %d\n%-28s %9s %9s %7s %12s %12s %12s %12s %10s\n", T, "strategy", "fwd s", "bwd s", "steps",
                    "tape B", "snapshot B", "tangent B", "peak B", "rel.err");
        ht::Tensor reference;
        for (const auto& [name, strategy] : strategies) {
            const ht::HypergradientResult r = ht::hypergradient(problem, lambda, strategy);
            if (!reference.defined()) reference = r.value;
            const ht::Report& rep = r.report;
            std::printf("%-28s %9.3f %9.3f %7lld %12zu %12zu %12zu %12zu %10.2e\n", name.c_str(), rep.forward_seconds,
                        rep.backward_seconds, rep.step_evaluations, rep.tape_peak_bytes, rep.snapshot_peak_bytes,
                        rep.tangent_peak_bytes, rep.peak_bytes, relative_error(r.value, reference));
            std::fflush(stdout);
        }
    }
}
