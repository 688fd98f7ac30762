#pragma once
// How to compute the hypergradient d f / d lambda of a Problem (docs/strategies.md compares them).
//
//   Reverse{}                       full reverse mode (RMD / ITD): every step on the tape, memory O(MT)
//   Truncated{K}                    K-RMD through the tape's window: h_{T-K} of eq. (8), memory O(MK)
//   Checkpointed::uniform(c)        no tape forward, a snapshot every c steps (interval c = 0:
//                                   ceil(sqrt T)), each segment replayed on a tape backwards:
//                                   O(M sqrt T), 2T steps
//   Checkpointed::binomial(s)       revolve with s snapshot slots: fewest recomputations for s
//   Checkpointed::...(.., K)        the same inside the last K steps only: h_{T-K} in O(M sqrt K)
//   Forward{}                       FMD (eq. 7): tangents Z_t = dw_t/dlambda, N directions, no tape
//   Implicit::cg(k), ::fixed_point(k), ::neumann(k), ::cg_normal(k)
//                                   AID at w_T (Grazzi et al., Algorithm 2) with k >= 1 iterations
//
// Implicit solves (I - d_w Phi^T) v = grad_w f at w_T, Phi one more solver step:
//   cg(k)           at most k CG iterations, one VJP each. CG needs I - d_w Phi symmetric (a
//                   gradient-descent step); before it runs, <u, A v> and <A u, v> are compared on
//                   one random pair (two more VJPs), and a relative difference above
//                   symmetry_tolerance (0: 1e-6 for float64 lambda, 1e-3 for float32) throws an
//                   Error suggesting cg_normal. An infinite tolerance skips the check.
//   cg_normal(k)    k CG iterations on the normal equations, a VJP and a JVP each: any step.
//   fixed_point(k)  v <- d_w Phi^T v + grad_w f from v = 0, k iterations;
//   neumann(k)      the first k terms of sum_i (d_w Phi^T)^i grad_w f. The two are the same k-term
//                   series (equal up to rounding): k - 1 VJPs, and one more for the residual.
// k = 0 is an Error for every method. The Report gives the iterations run and the final relative
// residual |b - A v| / |b| of the system solved (A = I - d_w Phi^T; for cg_normal the same A,
// not A^T A).
#include <variant>

namespace hypertape {

struct Reverse {};

struct Truncated {
    int K = 0;
};

struct Checkpointed {
    enum class Schedule { uniform, binomial };
    Schedule schedule = Schedule::uniform;
    int interval = 0;   // uniform only: steps between snapshots (0: ceil(sqrt(steps reversed)))
    int snapshots = 0;  // binomial only: snapshot slots (>= 1), the one holding the start included
    int window = 0;     // 0: all T steps; K > 0: only the last K steps (truncated)

    static Checkpointed uniform(int interval = 0, int window = 0) { return {Schedule::uniform, interval, 0, window}; }
    static Checkpointed binomial(int snapshots, int window = 0) { return {Schedule::binomial, 0, snapshots, window}; }
};

struct Forward {};

struct Implicit {
    enum class Method { fixed_point, conjugate_gradient, conjugate_gradient_normal, neumann };
    Method method = Method::conjugate_gradient;
    int iterations = 0;
    double symmetry_tolerance = 0;  // cg only: 0 picks it by lambda's dtype; infinity skips the check

    static Implicit fixed_point(int k) { return {Method::fixed_point, k}; }
    static Implicit cg(int k, double symmetry_tolerance = 0) {
        return {Method::conjugate_gradient, k, symmetry_tolerance};
    }
    static Implicit cg_normal(int k) { return {Method::conjugate_gradient_normal, k}; }
    static Implicit neumann(int k) { return {Method::neumann, k}; }
};

using Strategy = std::variant<Reverse, Truncated, Checkpointed, Forward, Implicit>;

}  // namespace hypertape
