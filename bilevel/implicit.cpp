// Implicit (AID, Grazzi et al. Algorithm 2): run the solver to w_T, then at w_T solve
//   (I - d_w Phi^T) v = grad_w f        with k iterations of the chosen method,
//   d_lambda f ~ grad_lambda f + d_lambda Phi^T v,
// where Phi = Xi_T is one more solver step, the fixed-point map. d_w Phi^T v is a reverse sweep
// through Phi's retained records; d_w Phi v (for CG on the normal equations) is a forward-mode
// pass through Phi. CG first checks that I - d_w Phi^T is symmetric on one random pair.
#include <cmath>
#include <limits>
#include <sstream>

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

// CG on a non-symmetric operator returns a wrong answer without failing; this catches the usual
// cause (a heavy-ball, Nesterov or Adam step) for the price of two operator applications.
// Returns the defect measured (NaN when the check is skipped).
double check_symmetric(const LinearOperator& A, const Tensor& like, const Implicit& strategy) {
    const double tolerance =
        strategy.symmetry_tolerance > 0 ? strategy.symmetry_tolerance : (like.dtype() == f64 ? 1e-6 : 1e-3);
    if (std::isinf(tolerance)) return std::numeric_limits<double>::quiet_NaN();
    const double defect = symmetry_defect(A, like);
    if (defect > tolerance) {
        std::ostringstream message;
        message << "hypergradient: Implicit::cg needs I - d_w Phi symmetric (a gradient-descent step), but on a "
                   "random pair <u, A v> and <A u, v> differ by "
                << defect << " relative (tolerance " << tolerance
                << "): the step is not symmetric (heavy-ball, Nesterov, Adam?); use Implicit::cg_normal(k) or "
                   "Implicit::fixed_point(k)";
        throw NonSymmetricStepError(message.str());
    }
    return defect;
}

}  // namespace

HypergradientResult run_implicit(Run& run, const Implicit& strategy) {
    const Values w_T = run.advance(run.initial_values(), 0, run.steps());

    Tape tape;
    const Hyperparameters lambda = run.variables(tape);
    const State w = on_tape(tape, State(w_T.begin(), w_T.end()));
    const Var f = run.outer(w, lambda);
    run.forward_done();
    const Var phi = flatten(run.step(w, lambda, run.steps()));

    std::vector<Var> inputs(w.begin(), w.end());
    inputs.insert(inputs.end(), lambda.begin(), lambda.end());
    const std::vector<Var> df = gradients(f, inputs, retained());
    const auto first_lambda = df.begin() + static_cast<std::ptrdiff_t>(w.size());
    const Tensor b = flatten(State(df.begin(), first_lambda)).value();
    const std::vector<Var> w_inputs(w.begin(), w.end());

    const LinearOperator JT = [&](const Tensor& v) { return flatten(vjp(phi, v, w_inputs, retained())).value(); };
    const LinearOperator J = [&](const Tensor& v) {
        Tape scratch;
        const Hyperparameters lam = run.variables(scratch);
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
    LinearSolution solution;
    double defect = std::numeric_limits<double>::quiet_NaN();
    switch (strategy.method) {
        case Implicit::Method::fixed_point:
            solution = fixed_point(JT, b, k);
            break;
        case Implicit::Method::neumann:
            solution = neumann(JT, b, k);
            break;
        case Implicit::Method::conjugate_gradient:
            defect = check_symmetric(I_minus_JT, b, strategy);
            solution = conjugate_gradient(I_minus_JT, b, k);
            break;
        case Implicit::Method::conjugate_gradient_normal:
            solution = conjugate_gradient_normal(I_minus_JT, I_minus_J, b, k);
            break;
    }
    const double b_norm = vector_norm(b);
    run.note_implicit(solution.iterations, b_norm > 0 ? solution.residual_norm / b_norm : solution.residual_norm,
                      defect);
    const std::vector<Var> through_phi = vjp(phi, solution.x, lambda.list(), retained());
    run.memory().tape(tape);
    std::vector<Tensor> h;
    for (std::size_t i = 0; i < through_phi.size(); ++i) {
        h.push_back((*(first_lambda + static_cast<std::ptrdiff_t>(i)) + through_phi[i]).value());
    }
    return run.finish(std::move(h), f.item(), w_T);
}

}  // namespace hypertape::bilevel
