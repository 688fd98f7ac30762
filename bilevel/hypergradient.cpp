#include "hypertape/bilevel/hypergradient.hpp"

#include "hypertape/bilevel/run.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape {
namespace {

void validate(const Problem& problem, const Tensor& lambda) {
    if (problem.steps <= 0) fail("hypergradient: the number of steps T must be positive, got ", problem.steps);
    if (!problem.init || !problem.step || !problem.outer) {
        fail("hypergradient: the problem needs init, step and outer functions");
    }
    if (!lambda.defined() || !is_floating(lambda.dtype())) {
        fail("hypergradient: lambda must be a float32 or float64 tensor");
    }
    if (lambda.shape() != problem.lambda_shape) {
        fail("hypergradient: lambda has shape ", lambda.shape().str(), " but the problem expects ",
             problem.lambda_shape.str());
    }
    if (!lambda.all_finite()) fail("hypergradient: lambda contains NaN or Inf");
}

void validate(const Strategy& strategy) {
    if (const auto* t = std::get_if<Truncated>(&strategy); t && t->K <= 0) {
        fail("hypergradient: Truncated needs K >= 1, got K = ", t->K);
    }
    if (const auto* c = std::get_if<Checkpointed>(&strategy)) {
        if (c->schedule == Checkpointed::Schedule::binomial && c->budget <= 0) {
            fail("hypergradient: a binomial checkpoint schedule needs a snapshot budget >= 1, got ", c->budget);
        }
        if (c->budget < 0) fail("hypergradient: a uniform checkpoint interval must be >= 0, got ", c->budget);
        if (c->window < 0) fail("hypergradient: a checkpointing window must be >= 0, got ", c->window);
    }
    if (const auto* i = std::get_if<Implicit>(&strategy); i && i->iterations < 0) {
        fail("hypergradient: Implicit needs iterations >= 0, got ", i->iterations);
    }
}

}  // namespace

HypergradientResult hypergradient(const Problem& problem, const Tensor& lambda, const Strategy& strategy,
                                  const HypergradientOptions& options) {
    validate(problem, lambda);
    validate(strategy);
    bilevel::Run run(problem, lambda, options);
    return std::visit(
        [&](const auto& s) -> HypergradientResult {
            using S = std::decay_t<decltype(s)>;
            if constexpr (std::is_same_v<S, Reverse>) return bilevel::run_reverse(run, 0);
            if constexpr (std::is_same_v<S, Truncated>) return bilevel::run_reverse(run, s.K);
            if constexpr (std::is_same_v<S, Checkpointed>) return bilevel::run_checkpointed(run, s);
            if constexpr (std::is_same_v<S, Forward>) return bilevel::run_forward(run);
            if constexpr (std::is_same_v<S, Implicit>) return bilevel::run_implicit(run, s);
        },
        strategy);
}

}  // namespace hypertape
