// Forward (FMD, eq. 7): lambda carries the N tangent directions of the identity, so every state
// component carries Z_t = d w_t / d lambda as an [N, shape...] tangent batch, propagated by the
// ops' JVP rules, through the inner gradient's reverse sweep too (forward-over-reverse). The tape
// has Window{0}: a step's records (the inner gradient) live only while the step runs.
//
// With several lambda tensors the N = sum_i numel(lambda[i]) directions span all their entries:
// lambda[i] carries the rows [offset_i, offset_i + numel_i) of the N x N identity, and f's
// tangent (one number per direction) splits into the hypergradients in the same order.
#include "hypertape/bilevel/run.hpp"

namespace hypertape::bilevel {
namespace {

// Directions [n, shape...] for a tensor whose entries are directions [offset, offset + numel).
Tensor identity_directions(const Tensor& lambda, std::int64_t n, std::int64_t offset) {
    const std::int64_t m = lambda.numel();
    Tensor eye = Tensor::zeros(lambda.shape().prepend(n), lambda.dtype());
    dispatch_floating(eye.dtype(), [&]<class T>() {
        T* p = eye.data<T>();
        for (std::int64_t i = 0; i < m; ++i) p[(offset + i) * m + i] = T(1);
    });
    // Built on the host and copied once, so the tangents live on lambda's device.
    return lambda.device() == Device::cpu() ? eye : eye.to(lambda.device());
}

std::size_t tangent_bytes(const State& state) {
    std::size_t total = 0;
    for (const Var& v : state) total += v.has_tangents() ? v.tangents().nbytes() : 0;
    return total;
}

}  // namespace

HypergradientResult run_forward(Run& run) {
    Tape tape{Window{0}};
    std::int64_t n = 0;
    for (const Tensor& l : run.lambda()) n += l.numel();
    std::vector<Var> vars;
    std::int64_t offset = 0;
    for (const Tensor& l : run.lambda()) {
        vars.push_back(with_tangents(tape.variable(l), identity_directions(l, n, offset)));
        offset += l.numel();
    }
    const Hyperparameters lambda(std::move(vars));
    State state = run.initial_state(tape, lambda);
    run.memory().tape(tape);
    run.memory().tangents(tangent_bytes(state));
    for (int t = 0; t < run.steps(); ++t) {
        auto step = tape.step();
        State next = run.step(state, lambda, t);
        run.memory().tape(tape);  // step t's records, while w_t's tangents were held
        state = std::move(next);
        run.memory().tangents(tangent_bytes(state));
    }
    const Var f = run.outer(state, lambda);
    run.forward_done();
    run.memory().tape(tape);
    // f's tangents: one number per direction, in lambda's order (zeros when f ignores lambda).
    const Tensor df =
        f.has_tangents() ? f.tangents().reshaped(Shape{n}) : Tensor::zeros(Shape{n}, f.dtype(), f.device());
    std::vector<Tensor> h = unflatten(df, run.lambda());
    return run.finish(std::move(h), f.item(), values_of(state));
}

}  // namespace hypertape::bilevel
