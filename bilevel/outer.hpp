#pragma once
// The outer loop: hyper-optimizers that update lambda with the hypergradient of any Strategy.
//
//   HyperSGD{0.5}        lambda <- lambda - eta_tau h,  eta_tau = eta_0 / sqrt(tau) (tau = 1, 2, ...)
//                        (decaying, as Shaban et al. Theorem 3.3 assumes; decay = false keeps eta_0)
//   HyperAdam{0.01}      Adam on lambda with bias correction
//
//   OuterOptions o;
//   o.iterations = 200;
//   o.warm_start = true;                                  // w_0 of iteration tau+1 = w_T of tau
//   o.callback = [](const IterationInfo& i) { log(i.iteration, i.outer_loss); };
//   OuterResult r = optimize(problem, lambda0, Truncated{5}, HyperAdam{0.01}, o);
//
// A problem with several lambda tensors (Problem::lambda_shapes) takes them as a list,
//   OuterResult r = optimize(problem, {log_gamma0, weights0}, Forward{}, HyperAdam{0.01}, o);
//   r.lambdas;                                            // every tensor, updated
// and each tensor gets its own optimizer state (Adam's moments); the hypergradient norm the
// callback sees is over all of them.
//
// A progress bar goes to stderr when it is a terminal (OuterOptions::progress).
#include <functional>
#include <variant>

#include "hypertape/bilevel/hypergradient.hpp"

namespace hypertape {

struct HyperSGD {
    double learning_rate = 0.1;
    bool decay = true;
};

struct HyperAdam {
    double learning_rate = 0.01;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;
};

using HyperOptimizer = std::variant<HyperSGD, HyperAdam>;

struct IterationInfo {
    int iteration = 0;  // 1-based
    double outer_loss = 0;
    double hypergradient_norm = 0;
    const Tensor& lambda;  // after this iteration's update (undefined when there are several tensors)
    const Report& report;
    const std::vector<Tensor>& lambdas;  // every lambda tensor after this iteration's update
};

struct OuterOptions {
    int iterations = 100;
    bool warm_start = false;
    std::function<void(const IterationInfo&)> callback;
    bool progress = true;
};

struct OuterResult {
    Tensor lambda;                     // the single-tensor form's result (undefined for several)
    std::vector<double> outer_losses;  // f at each iteration, before its update
    std::vector<Tensor> lambdas;       // every lambda tensor's result
};

OuterResult optimize(const Problem& problem, Tensor lambda, const Strategy& strategy, const HyperOptimizer& optimizer,
                     const OuterOptions& options = {});
OuterResult optimize(const Problem& problem, std::vector<Tensor> lambda, const Strategy& strategy,
                     const HyperOptimizer& optimizer, const OuterOptions& options = {});

}  // namespace hypertape
