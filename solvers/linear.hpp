#pragma once
// Matrix-free linear solvers, for implicit differentiation (Grazzi et al., Algorithm 2).
//
// Concept: an operator is a function v -> A v on tensors; a tensor of any shape is treated as
// the vector of its elements. Operands are float32 or float64 and every operator result must have
// the shape and dtype of the vector it stands for. The vector algebra runs on constants: no tape
// records are made (an operator that sweeps a tape does so itself).
//
//   conjugate_gradient(A, b, k, tol, x0)   A x = b for a symmetric positive definite A.
//       r = b - A x, p = r;  per iteration: alpha = |r|^2 / p^T A p;  x += alpha p;  r -= alpha A p;
//       p = r + (|r_new|^2 / |r|^2) p.  Exact in at most n iterations for an n-dimensional A.
//   conjugate_gradient_normal(A, At, b, k, tol, x0)   CG on the normal equations A^T A x = A^T b
//       (CGNR), for a non-symmetric (or non-square: x then has the shape of A^T b) A, e.g. the
//       Jacobian of an equilibrium model. It converges at the rate of cond(A)^2.
//   fixed_point(J, b, k, x0)   x <- J x + b, k times: solves (I - J) x = b when J is a contraction.
//                              From x0 = 0 (the default) the first iteration is x = b, without
//                              applying J: k iterations apply J k - 1 times.
//   neumann(J, b, k)           x = sum_{i=0}^{k-1} J^i b, the first k terms of the same series:
//                              equal to fixed_point(J, b, k) from x0 = 0 (up to rounding), with the
//                              same k - 1 applications of J; k = 0 gives x = 0.
//   symmetry_defect(A, like, seed)   |<u, A v> - <A u, v>| / max(|<u, A v>|, |<A u, v>|) for one
//                              pair u, v of standard normal vectors of like's shape, dtype and
//                              device (drawn from `seed`): 0 up to rounding when A is symmetric, of
//                              order one for a markedly non-symmetric A. Two applications of A.
//
// The result holds the iterate, the number of iterations run and residual_norm = |b - A x| at
// the returned x, for the system solved: A of CG, A of CG-normal (not A^T A), I - J of the fixed
// point and the Neumann series. CG and CG-normal report the residual their recurrence carries
// (equal to it up to rounding); the fixed point and the Neumann series spend one extra
// application of J on it. `iterations` is k for the fixed point and the number of terms for the
// Neumann series. x0 defaults to zeros. CG and CG-normal stop early once the residual is
// at most `tolerance` (tolerance 0 runs all max_iterations) or once there is nothing left to
// solve (r = 0, or A^T r = 0 for CG-normal), where another step would divide 0 by 0.
//
// Operators from the tape:
//   vjp_operator(y, x)      v -> (dy/dx)^T v, a reverse sweep from y that keeps the tape's records,
//                           so it can be applied again; v has y's shape, the result x's.
//   jvp_operator(fn, x)     v -> (dfn/dx) v, forward-mode tangents through fn at x. fn receives x as
//                           a variable of a private tape carrying v as its one tangent, so fn may take
//                           tape gradients of its argument: jvp_operator(tape_gradient(loss), w) is
//                           the Hessian-vector product v -> H v (forward-over-reverse). Any other Var
//                           fn uses must be a constant (detach it): two tapes cannot mix in one op.
//
// Usage: the adjoint system (I - dPhi/dw)^T q = grad_w f of implicit differentiation at a fixed
// point w = Phi(w) recorded on the tape,
//   LinearOperator JT = vjp_operator(phi_of_w, w);   // v -> (dPhi/dw)^T v
//   Tensor q = fixed_point(JT, grad_w_f, 20).x;        // sum_i ((dPhi/dw)^T)^i grad_w f
// and when Phi is a gradient step w - gamma grad g, I - dPhi/dw = gamma H is symmetric:
//   Tensor q = conjugate_gradient([&](const Tensor& v) { return (Var(v) - Var(JT(v))).value(); },
//                                 grad_w_f, 20).x;
//
// Errors (hypertape::Error naming the solver): b undefined or not floating, x0 or an operator
// result of another shape or dtype (both shapes named), max_iterations < 0, tolerance < 0, p^T A p
// not positive in CG (A is not positive definite), and NaN or Inf in an operator result or an
// iterate, naming the iteration (0: the initial residual). CG run far past convergence (its
// residual below b's rounding level, |r| <= eps |b|) stops there instead: p^T A p then underflows
// to 0 without saying anything about A, and `iterations` tells how many ran.
#include <cstdint>
#include <functional>

#include "hypertape/tape/var.hpp"

namespace hypertape {

using LinearOperator = std::function<Tensor(const Tensor&)>;

struct LinearSolution {
    Tensor x;
    int iterations = 0;
    double residual_norm = 0;
};

LinearSolution conjugate_gradient(const LinearOperator& A, const Tensor& b, int max_iterations, double tolerance = 0.0,
                                  Tensor x0 = {});
LinearSolution conjugate_gradient_normal(const LinearOperator& A, const LinearOperator& A_transpose, const Tensor& b,
                                         int max_iterations, double tolerance = 0.0, Tensor x0 = {});
LinearSolution fixed_point(const LinearOperator& J, const Tensor& b, int iterations, Tensor x0 = {});
LinearSolution neumann(const LinearOperator& J, const Tensor& b, int terms);
double symmetry_defect(const LinearOperator& A, const Tensor& like, std::uint64_t seed = 0);
// |x|, the Euclidean norm of x's elements (a read of one scalar, so it waits for a device).
double vector_norm(const Tensor& x);

LinearOperator vjp_operator(const Var& y, const Var& x);
LinearOperator jvp_operator(std::function<Var(const Var&)> fn, const Tensor& x);

}  // namespace hypertape
