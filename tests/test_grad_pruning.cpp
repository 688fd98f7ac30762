// A sweep propagates only along the paths from the requested inputs to the output
// (tape/grad.cpp, rule 3): records off those paths run no VJP and, with create_graph, record
// nothing, and the requested gradients keep the bits of the unpruned sweep.
#include <catch2/catch.hpp>
#include <hypertape/ops/record.hpp>
#include <tuple>
#include <vector>

#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::bitwise_equal;
using hypertape::testing::randn;

namespace {

// y = 2x as a user op whose VJP counts its calls in *calls.
Var counted_double(const Var& x, int* calls) {
    return record(
        {.name = "counted_double", .operands = {x}}, (2.0 * detach(x)).value(),
        [calls](const Var& g, const Saved&, const NeedsGrad&) {
            ++*calls;
            return Grads{2.0 * g};
        },
        [](const Tangents& t) { return 2.0 * t[0]; });
}

GradOptions retained() {
    GradOptions options;
    options.retain_records = true;
    return options;
}

// The records and saved bytes a create_graph sweep adds to the tape, and its result.
struct SweepCost {
    std::size_t records = 0;
    std::size_t saved_bytes = 0;
    Tensor gradient;
};

SweepCost recorded_sweep(Tape& tape, const Var& y, const std::vector<Var>& xs) {
    const TapeStats before = tape.stats();
    GradOptions options;
    options.create_graph = true;
    const Var g = grad(y, xs, options)[0];
    const TapeStats after = tape.stats();
    return {after.records - before.records, after.saved_bytes - before.saved_bytes, g.value()};
}

}  // namespace

TEST_CASE("a sweep runs no VJP off the paths to the requested inputs", "[tape][reverse][pruning]") {
    Tape tape;
    const Var a = tape.variable(randn({3}, 1));
    const Var b = tape.variable(randn({3}, 2));
    int on_a = 0, on_b = 0;
    // b's branch meets a's in a product: its adjoint is computed by nothing that a needs.
    const Var y = sum(counted_double(exp(a), &on_a)) + sum(counted_double(exp(b), &on_b) * a);

    const Tensor ga = grad(y, a, retained()).value();
    CHECK(on_a == 1);
    CHECK(on_b == 0);

    // Asked for b as well, the sweep walks b's branch, and a's gradient has the same bits.
    const std::vector<Var> both = grad(y, {a, b}, retained());
    CHECK(on_a == 2);
    CHECK(on_b == 1);
    CHECK(bitwise_equal(both[0].value(), ga));
}

TEST_CASE("a create_graph sweep records only the paths to the requested inputs", "[tape][reverse][pruning]") {
    const Tensor a0 = randn({4}, 3), b0 = randn({4}, 4);
    // y = sum(tanh(a) a) + sum(exp(b) sin(b)), with b a variable, and with b a constant, where
    // there is no b branch to walk.
    const auto sweep = [&](bool b_on_tape) {
        Tape tape;
        const Var a = tape.variable(a0);
        const Var b = b_on_tape ? tape.variable(b0) : Var(b0);
        const Var y = sum(tanh(a) * a) + sum(exp(b) * sin(b));
        return recorded_sweep(tape, y, {a});
    };
    const SweepCost with_b = sweep(true);
    const SweepCost without_b = sweep(false);
    CHECK(with_b.records > 0);
    CHECK(with_b.records == without_b.records);
    CHECK(with_b.saved_bytes == without_b.saved_bytes);
    CHECK(bitwise_equal(with_b.gradient, without_b.gradient));
}

TEST_CASE("pruned inner sweeps give the unpruned hypergradient's bits with fewer records", "[tape][reverse][pruning]") {
    const Tensor lam0 = (randn({4}, 5) * 0.3).value();
    const Tensor c = randn({4}, 6);
    struct Unrolled {
        Tensor hypergradient;
        TapeStats stats;
    };
    // Ten steps w <- w - 0.2 grad_w g(w, lam); asking the inner sweeps for lam's gradient as well
    // makes them walk (and record) the lam branch too: the unpruned sweep.
    const auto unroll = [&](bool ask_lambda_too) {
        Tape tape;
        const Var lam = tape.variable(lam0);
        Var w = tape.variable(Tensor::zeros({4}, f64));
        GradOptions options;
        options.create_graph = true;
        for (int t = 0; t < 10; ++t) {
            auto step = tape.step();
            const Var inner = 0.5 * sum(exp(lam) * square(w - c)) + 0.1 * sum(sin(w));
            const std::vector<Var> xs = ask_lambda_too ? std::vector<Var>{w, lam} : std::vector<Var>{w};
            w = w - 0.2 * grad(inner, xs, options)[0];
        }
        Unrolled out;
        out.stats = tape.stats();
        out.hypergradient = grad(sum(square(w - 1.0)), lam).value();
        return out;
    };
    const Unrolled pruned = unroll(false);
    const Unrolled unpruned = unroll(true);
    CHECK(bitwise_equal(pruned.hypergradient, unpruned.hypergradient));
    CHECK(pruned.stats.records < unpruned.stats.records);
    CHECK(pruned.stats.saved_bytes < unpruned.stats.saved_bytes);
}

TEST_CASE("an inner hypercleaning gradient records no lambda branch", "[tape][reverse][pruning]") {
    // One inner step of data hypercleaning: W [3, 6] on 20 examples weighted by sigmoid(lambda).
    const Tensor X = randn({20, 6}, 7);
    std::vector<std::int64_t> labels(20);
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int64_t>(i % 3);
    const Tensor y = Tensor::indices(labels);
    const Tensor lam0 = randn({20}, 8);
    const Tensor W0 = (randn({3, 6}, 9) * 0.1).value();
    // The sweep of grad(loss, W, create_graph), with the example weights computed from lambda,
    // or a variable of their own (no lambda branch exists), or with lambda requested too.
    enum class Weights { from_lambda, variable, lambda_requested };
    const auto sweep = [&](Weights weights) {
        Tape tape;
        const Var lam = tape.variable(lam0);
        const Var W = tape.variable(W0);
        auto step = tape.step();
        const Var w = weights == Weights::variable ? tape.variable(sigmoid(Var(lam0)).value()) : sigmoid(lam);
        const Var loss = cross_entropy(matmul(X, W, trans_b), y, w) + 0.5e-3 * squared_norm(W);
        return recorded_sweep(tape, loss,
                              weights == Weights::lambda_requested ? std::vector<Var>{W, lam} : std::vector<Var>{W});
    };
    const SweepCost pruned = sweep(Weights::from_lambda);
    const SweepCost no_branch = sweep(Weights::variable);
    const SweepCost unpruned = sweep(Weights::lambda_requested);
    CHECK(pruned.records == no_branch.records);
    CHECK(pruned.saved_bytes == no_branch.saved_bytes);
    CHECK(pruned.records < unpruned.records);
    CHECK(pruned.saved_bytes < unpruned.saved_bytes);
    CHECK(bitwise_equal(pruned.gradient, no_branch.gradient));
    CHECK(bitwise_equal(pruned.gradient, unpruned.gradient));
}
