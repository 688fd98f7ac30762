#include "hypertape/bilevel/hypergradient.hpp"

#include <string>

#include "hypertape/bilevel/run.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape {
namespace {

void validate(const Problem& problem, const std::vector<Tensor>& lambda) {
    if (problem.steps <= 0) fail("hypergradient: the number of steps T must be positive, got ", problem.steps);
    if (!problem.init || !problem.step || !problem.outer) {
        fail("hypergradient: the problem needs init, step and outer functions");
    }
    const bool list = !problem.lambda_shapes.empty();
    const std::vector<Shape> shapes = list ? problem.lambda_shapes : std::vector<Shape>{problem.lambda_shape};
    if (lambda.size() != shapes.size()) {
        fail("hypergradient: ", lambda.size(), " lambda tensors given but the problem expects ", shapes.size(),
             list ? " (problem.lambda_shapes)" : " (problem.lambda_shape; set lambda_shapes for a list)");
    }
    for (std::size_t i = 0; i < lambda.size(); ++i) {
        const std::string name = bilevel::lambda_name(i, shapes.size());
        if (!lambda[i].defined() || !is_floating(lambda[i].dtype())) {
            fail("hypergradient: ", name, " must be a float32 or float64 tensor");
        }
        if (lambda[i].shape() != shapes[i]) {
            fail("hypergradient: ", name, " has shape ", lambda[i].shape().str(), " but the problem expects ",
                 shapes[i].str());
        }
        if (lambda[i].device() != lambda[0].device()) {
            fail("hypergradient: ", name, " is on ", lambda[i].device().name(), " but lambda[0] is on ",
                 lambda[0].device().name());
        }
        if (!lambda[i].all_finite()) fail("hypergradient: ", name, " contains NaN or Inf");
    }
}

void validate(const Strategy& strategy) {
    if (const auto* t = std::get_if<Truncated>(&strategy); t && t->K <= 0) {
        fail("hypergradient: Truncated needs K >= 1, got K = ", t->K);
    }
    if (const auto* c = std::get_if<Checkpointed>(&strategy)) {
        if (c->schedule == Checkpointed::Schedule::binomial) {
            if (c->snapshots <= 0) {
                fail("hypergradient: a binomial checkpoint schedule needs snapshots >= 1, got ", c->snapshots);
            }
            if (c->interval != 0) {
                fail("hypergradient: interval = ", c->interval,
                     " is for a uniform checkpoint schedule; a binomial one takes snapshots");
            }
        } else {
            if (c->interval < 0) fail("hypergradient: a uniform checkpoint interval must be >= 0, got ", c->interval);
            if (c->snapshots != 0) {
                fail("hypergradient: snapshots = ", c->snapshots,
                     " is for a binomial checkpoint schedule; a uniform one takes interval");
            }
        }
        if (c->window < 0) fail("hypergradient: a checkpointing window must be >= 0, got ", c->window);
    }
    if (const auto* i = std::get_if<Implicit>(&strategy)) {
        if (i->iterations < 1) fail("hypergradient: Implicit needs iterations k >= 1, got ", i->iterations);
        if (!(i->symmetry_tolerance >= 0)) {
            fail("hypergradient: Implicit's symmetry_tolerance must be >= 0, got ", i->symmetry_tolerance);
        }
    }
}

}  // namespace

HypergradientResult hypergradient(const Problem& problem, const std::vector<Tensor>& lambda, const Strategy& strategy,
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

HypergradientResult hypergradient(const Problem& problem, const Tensor& lambda, const Strategy& strategy,
                                  const HypergradientOptions& options) {
    return hypergradient(problem, std::vector<Tensor>{lambda}, strategy, options);
}

}  // namespace hypertape
