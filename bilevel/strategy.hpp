#pragma once
// How to compute the hypergradient d f / d lambda of a Problem (docs/strategies.md compares them).
//
//   Reverse{}                       full reverse mode (RMD / ITD): every step on the tape, memory O(MT)
//   Truncated{K}                    K-RMD through the tape's window: h_{T-K} of eq. (8), memory O(MK)
//   Checkpointed::uniform(c)        no tape forward, a snapshot every c steps (c = 0: ceil(sqrt T)),
//                                   each segment replayed on a tape backwards: O(M sqrt T), 2T steps
//   Checkpointed::binomial(s)       revolve with s snapshot slots: fewest recomputations for s
//   Checkpointed::...(.., K)        the same inside the last K steps only: h_{T-K} in O(M sqrt K)
//   Forward{}                       FMD (eq. 7): tangents Z_t = dw_t/dlambda, N directions, no tape
//   Implicit::cg(k), ::fixed_point(k), ::neumann(k), ::cg_normal(k)
//                                   AID at w_T (Grazzi et al., Algorithm 2) with k iterations
#include <variant>

namespace hypertape {

struct Reverse {};

struct Truncated {
    int K = 0;
};

struct Checkpointed {
    enum class Schedule { uniform, binomial };
    Schedule schedule = Schedule::uniform;
    int budget = 0;  // uniform: steps between snapshots (0: ceil(sqrt)); binomial: snapshot slots
    int window = 0;  // 0: all T steps; K > 0: only the last K steps (truncated)

    static Checkpointed uniform(int every = 0, int window = 0) { return {Schedule::uniform, every, window}; }
    static Checkpointed binomial(int snapshots, int window = 0) { return {Schedule::binomial, snapshots, window}; }
};

struct Forward {};

struct Implicit {
    enum class Method { fixed_point, conjugate_gradient, conjugate_gradient_normal, neumann };
    Method method = Method::conjugate_gradient;
    int iterations = 0;

    static Implicit fixed_point(int k) { return {Method::fixed_point, k}; }
    static Implicit cg(int k) { return {Method::conjugate_gradient, k}; }
    static Implicit cg_normal(int k) { return {Method::conjugate_gradient_normal, k}; }
    static Implicit neumann(int k) { return {Method::neumann, k}; }
};

using Strategy = std::variant<Reverse, Truncated, Checkpointed, Forward, Implicit>;

}  // namespace hypertape
