// Implicit (AID, Grazzi et al. Algorithm 2): run the solver to w_T, then at w_T solve
//   (I - d_w Phi^T) v = grad_w f        with k iterations of the chosen method,
//   d_lambda f ~ grad_lambda f + d_lambda Phi^T v,
// where Phi = Xi_T is one more solver step, the fixed-point map. d_w Phi^T v is a reverse sweep
// through Phi's retained records; d_w Phi v (for CG on the normal equations) is a forward-mode
// pass through Phi.
#include "hypertape/bilevel/run.hpp"
#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/layout.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/solvers/linear.hpp"
#include "hypertape/tape/error.hpp"
#include "hypertape/tape/grad.hpp"

namespace hypertape::bilevel {
namespace {

GradOptions retained() {
    GradOptions o;
    o.retain_records = true;
    return o;
}

}  // namespace

HypergradientResult run_implicit(Run& run, const Implicit& strategy) {
    const Values w_T = run.advance(run.initial_values(), 0, run.steps());

    Tape tape;
    const Var lambda = tape.variable(run.lambda());
    const State w = on_tape(tape, State(w_T.begin(), w_T.end()));
    const Var f = run.outer(w, lambda);
    run.forward_done();
    const Var phi = flatten(run.step(w, lambda, run.steps()));

    std::vector<Var> inputs(w.begin(), w.end());
    inputs.push_back(lambda);
    const std::vector<Var> df = gradients(f, inputs, retained());
    const Tensor b = flatten(State(df.begin(), df.end() - 1)).value();
    const std::vector<Var> w_inputs(w.begin(), w.end());

    const LinearOperator JT = [&](const Tensor& v) { return flatten(vjp(phi, v, w_inputs, retained())).value(); };
    const LinearOperator J = [&](const Tensor& v) {
        Tape scratch;
        const Var lam = scratch.variable(run.lambda());
        const Values pieces = unflatten(v, w_T);
        State in;
        for (std::size_t i = 0; i < w_T.size(); ++i) {
            in.push_back(with_tangents(scratch.variable(w_T[i]), pieces[i].reshaped(w_T[i].shape().prepend(1))));
        }
        State out;
        for (const Var& o : run.step(in, lam, run.steps())) {
            out.push_back(o.has_tangents() ? o.tangents().reshaped(o.shape()) : Tensor::zeros_like(o.value()));
        }
        return flatten(out).value();
    };
    const LinearOperator I_minus_JT = [&](const Tensor& v) { return (Var(v) - Var(JT(v))).value(); };
    const LinearOperator I_minus_J = [&](const Tensor& v) { return (Var(v) - Var(J(v))).value(); };

    const int k = strategy.iterations;
    Tensor v;
    switch (strategy.method) {
        case Implicit::Method::fixed_point:
            v = fixed_point(JT, b, k).x;
            break;
        case Implicit::Method::neumann:
            v = neumann(JT, b, k).x;
            break;
        case Implicit::Method::conjugate_gradient:
            v = conjugate_gradient(I_minus_JT, b, k).x;
            break;
        case Implicit::Method::conjugate_gradient_normal:
            v = conjugate_gradient_normal(I_minus_JT, I_minus_J, b, k).x;
            break;
    }
    const Tensor through_phi = vjp(phi, v, {lambda}, retained())[0].value();
    run.note_tape(tape);
    Tensor h = (df.back() + Var(through_phi)).value();
    return run.finish(std::move(h), f.item(), w_T);
}

}  // namespace hypertape::bilevel
