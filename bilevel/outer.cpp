#include "hypertape/bilevel/outer.hpp"

#include <cmath>

#include "hypertape/bilevel/progress.hpp"
#include "hypertape/bilevel/run.hpp"
#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/unary.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape {
namespace {

// One optimizer's state across iterations; step() returns the updated lambda.
class Updater {
public:
    explicit Updater(const HyperOptimizer& optimizer) : optimizer_(optimizer) {}

    Tensor step(const Tensor& lambda, const Tensor& h, int tau) {
        const Var x(lambda), g(h);
        if (const auto* sgd = std::get_if<HyperSGD>(&optimizer_)) {
            const double eta =
                sgd->decay ? sgd->learning_rate / std::sqrt(static_cast<double>(tau)) : sgd->learning_rate;
            return (x - eta * g).value();
        }
        const auto& adam = std::get<HyperAdam>(optimizer_);
        const Var m = m_.defined() ? adam.beta1 * Var(m_) + (1 - adam.beta1) * g : (1 - adam.beta1) * g;
        const Var v = v_.defined() ? adam.beta2 * Var(v_) + (1 - adam.beta2) * square(g) : (1 - adam.beta2) * square(g);
        m_ = m.value();
        v_ = v.value();
        const double c1 = 1 - std::pow(adam.beta1, tau);
        const double c2 = 1 - std::pow(adam.beta2, tau);
        return (x - adam.learning_rate * (m / c1) / (sqrt(v / c2) + adam.epsilon)).value();
    }

private:
    HyperOptimizer optimizer_;
    Tensor m_, v_;
};

void validate(const HyperOptimizer& optimizer, const OuterOptions& options) {
    if (options.iterations < 0) fail("optimize: iterations must be >= 0, got ", options.iterations);
    const double rate = std::visit([](const auto& o) { return o.learning_rate; }, optimizer);
    if (!(rate > 0) || !std::isfinite(rate)) fail("optimize: the learning rate must be positive, got ", rate);
}

}  // namespace

OuterResult optimize(const Problem& problem, std::vector<Tensor> lambda, const Strategy& strategy,
                     const HyperOptimizer& optimizer, const OuterOptions& options) {
    validate(optimizer, options);
    std::vector<Updater> updaters(lambda.size(), Updater(optimizer));
    ProgressBar bar(options.iterations, stderr, options.progress && is_terminal(stderr));
    HypergradientOptions warm;
    OuterResult result;
    const Tensor undefined;
    for (int tau = 1; tau <= options.iterations; ++tau) {
        HypergradientResult r = hypergradient(problem, lambda, strategy, warm);
        double squared = 0;
        for (std::size_t i = 0; i < lambda.size(); ++i) {
            lambda[i] = updaters[i].step(lambda[i], r.values[i], tau);
            if (!lambda[i].all_finite()) {
                fail("optimize: ", bilevel::lambda_name(i, lambda.size()), " became NaN or Inf at iteration ", tau);
            }
            if (options.callback) squared += sum(square(Var(r.values[i]))).item();
        }
        if (options.warm_start) warm.warm_start = std::move(r.final_state);
        result.outer_losses.push_back(r.outer_loss);
        bar.update(tau, r.outer_loss);
        if (options.callback) {
            const Tensor& single = lambda.size() == 1 ? lambda.front() : undefined;
            options.callback(IterationInfo{tau, r.outer_loss, std::sqrt(squared), single, r.report, lambda});
        }
    }
    if (lambda.size() == 1) result.lambda = lambda.front();
    result.lambdas = std::move(lambda);
    return result;
}

OuterResult optimize(const Problem& problem, Tensor lambda, const Strategy& strategy, const HyperOptimizer& optimizer,
                     const OuterOptions& options) {
    return optimize(problem, std::vector<Tensor>{std::move(lambda)}, strategy, optimizer, options);
}

}  // namespace hypertape
