#include <catch2/catch.hpp>
#include <cstdio>
#include <hypertape/bilevel/outer.hpp>
#include <hypertape/bilevel/progress.hpp>
#include <hypertape/solvers/inner.hpp>
#include <string>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::randn;

namespace {

// Ridge-like inner problem w* ~ lambda-weighted pull towards data; the outer loss wants w near a target.
Problem quadratic_problem() {
    Problem p;
    p.lambda_shape = {4};
    p.steps = 30;
    p.init = [](const Var&) { return State{Var(Tensor::zeros({4}, f64))}; };
    p.step = [](const State& s, const Var& lam, int t) {
        return GradientDescent{Var(Tensor::scalar(0.2, f64))}.step(
            s, tape_gradient([&](const Var& w) { return 0.5 * sum(square(w - lam)) + 0.05 * sum(square(w)); }), t);
    };
    p.outer = [](const State& s, const Var&) {
        return sum(square(s[0] - Var(Tensor::from_vector({1, -1, 2, 0.5}, {4}, f64))));
    };
    return p;
}

}  // namespace

TEST_CASE("hyper-optimizers decrease the outer loss", "[outer]") {
    const Problem p = quadratic_problem();
    OuterOptions o;
    o.iterations = 40;
    o.progress = false;
    for (const HyperOptimizer& opt : std::vector<HyperOptimizer>{HyperSGD{0.5}, HyperAdam{0.1}}) {
        for (const Strategy& s : std::vector<Strategy>{Reverse{}, Truncated{3}, Implicit::cg(5)}) {
            const OuterResult r = optimize(p, Tensor::zeros({4}, f64), s, opt, o);
            REQUIRE(r.outer_losses.size() == 40);
            CHECK(r.outer_losses.back() < 0.05 * r.outer_losses.front());
        }
    }
}

TEST_CASE("the callback sees every iteration and warm start carries w_T over", "[outer]") {
    const Problem p = quadratic_problem();
    OuterOptions o;
    o.iterations = 2;
    o.progress = false;
    o.warm_start = true;
    std::vector<int> seen;
    o.callback = [&](const IterationInfo& info) {
        seen.push_back(info.iteration);
        CHECK(info.hypergradient_norm > 0);
        CHECK(info.report.step_evaluations == 30);
    };
    const OuterResult r = optimize(p, Tensor::zeros({4}, f64), Reverse{}, HyperSGD{0.5, false}, o);
    CHECK(seen == std::vector<int>{1, 2});

    // The same two iterations by hand.
    const HypergradientResult first = hypergradient(p, Tensor::zeros({4}, f64), Reverse{});
    const Tensor lambda1 = (Var(Tensor::zeros({4}, f64)) - 0.5 * Var(first.value)).value();
    HypergradientOptions warm;
    warm.warm_start = first.final_state;
    const HypergradientResult second = hypergradient(p, lambda1, Reverse{}, warm);
    CHECK(r.outer_losses[0] == first.outer_loss);
    CHECK(r.outer_losses[1] == second.outer_loss);
}

TEST_CASE("optimize takes several lambda tensors and updates each", "[outer][lambdas]") {
    // The quadratic problem with lambda split into two [2] tensors: elementwise updates make the
    // same iterates as the single [4] tensor, for SGD and for Adam (whose moments are per tensor).
    const Problem single = quadratic_problem();
    Problem split = single;
    split.lambda_shapes = {{2}, {2}};
    // Functions written for one tensor (const Var&) refuse a list: these take Hyperparameters.
    split.init = [&](const Hyperparameters&) { return single.init(Var()); };
    split.outer = [&](const State& s, const Hyperparameters&) { return single.outer(s, Var()); };
    split.step = [&](const State& s, const Hyperparameters& lam, int t) {
        return single.step(s, concat({lam[0], lam[1]}, 0), t);
    };
    OuterOptions o;
    o.iterations = 15;
    o.progress = false;
    o.warm_start = true;
    for (const HyperOptimizer& opt : std::vector<HyperOptimizer>{HyperSGD{0.5}, HyperAdam{0.1}}) {
        for (const Strategy& s : std::vector<Strategy>{Reverse{}, Forward{}}) {
            const OuterResult one = optimize(single, Tensor::zeros({4}, f64), s, opt, o);
            int calls = 0;
            OuterOptions with_callback = o;
            with_callback.callback = [&](const IterationInfo& info) {
                ++calls;
                CHECK(info.lambdas.size() == 2);
                CHECK_FALSE(info.lambda.defined());
                CHECK(info.hypergradient_norm > 0);
            };
            const OuterResult two =
                optimize(split, {Tensor::zeros({2}, f64), Tensor::zeros({2}, f64)}, s, opt, with_callback);
            CHECK(calls == 15);
            REQUIRE(two.lambdas.size() == 2);
            CHECK_FALSE(two.lambda.defined());
            CHECK(two.outer_losses == one.outer_losses);
            CHECK(concat({Var(two.lambdas[0]), Var(two.lambdas[1])}, 0).value().to_vector() == one.lambda.to_vector());
            CHECK(one.lambdas.size() == 1);
            CHECK(one.lambdas[0].to_vector() == one.lambda.to_vector());
        }
    }
}

TEST_CASE("the progress bar draws in place and ends its line", "[outer]") {
    std::FILE* out = std::tmpfile();
    {
        ProgressBar bar(10, out, true);
        bar.update(5, 0.25);
        bar.update(10, 0.125);
    }
    std::rewind(out);
    char buffer[512] = {};
    const std::size_t n = std::fread(buffer, 1, sizeof(buffer) - 1, out);
    std::fclose(out);
    const std::string text(buffer, n);
    CHECK(text.find("\r[###############...............]  5/10  f = 0.25") != std::string::npos);
    CHECK(text.find("10/10  f = 0.125\n") != std::string::npos);

    std::FILE* quiet = std::tmpfile();
    {
        ProgressBar bar(10, quiet, false);
        bar.update(3, 1.0);
    }
    CHECK(std::ftell(quiet) == 0);
    std::fclose(quiet);
}

TEST_CASE("the outer loop rejects bad settings", "[outer][errors]") {
    const Problem p = quadratic_problem();
    OuterOptions o;
    o.progress = false;
    CHECK_ERROR(optimize(p, Tensor::zeros({4}, f64), Reverse{}, HyperSGD{0.0}, o), Catch::Contains("learning rate"));
    o.iterations = -1;
    CHECK_ERROR(optimize(p, Tensor::zeros({4}, f64), Reverse{}, HyperAdam{}, o), Catch::Contains("iterations"));
}
