// Forward (FMD, eq. 7): lambda carries the N tangent directions of the identity, so every state
// component carries Z_t = d w_t / d lambda as an [N, shape...] tangent batch, propagated by the
// ops' JVP rules, through the inner gradient's reverse sweep too (forward-over-reverse). The tape
// has Window{0}: a step's records (the inner gradient) live only while the step runs.
#include "hypertape/bilevel/run.hpp"

namespace hypertape::bilevel {
namespace {

Tensor identity_directions(const Tensor& lambda) {
    const std::int64_t n = lambda.numel();
    Tensor eye = Tensor::zeros(lambda.shape().prepend(n), lambda.dtype());
    dispatch_floating(eye.dtype(), [&]<class T>() {
        T* p = eye.data<T>();
        for (std::int64_t i = 0; i < n; ++i) p[i * n + i] = T(1);
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
    const Var lambda = with_tangents(tape.variable(run.lambda()), identity_directions(run.lambda()));
    State state = run.initial_state(tape, lambda);
    run.note_tangents(tangent_bytes(state));
    for (int t = 0; t < run.steps(); ++t) {
        auto step = tape.step();
        state = run.step(state, lambda, t);
        run.note_tangents(tangent_bytes(state));
    }
    const Var f = run.outer(state, lambda);
    run.forward_done();
    run.note_tape(tape);
    Tensor h = f.has_tangents() ? f.tangents().reshaped(run.lambda().shape()) : Tensor::zeros_like(run.lambda());
    return run.finish(std::move(h), f.item(), values_of(state));
}

}  // namespace hypertape::bilevel
