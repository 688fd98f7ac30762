#pragma once
// A bilevel problem as the strategies see it (Shaban et al., Sec. 2):
//   w_0 = Xi_0(lambda),  w_{t+1} = Xi_{t+1}(w_t, lambda) for t < T,  outer loss f(w_T, lambda).
// The state is a list of Vars whose first entry is the iterate w; further entries hold solver
// state (a velocity, Adam's moments), which the strategies carry, snapshot and differentiate
// exactly like w. lambda is one tensor of shape `lambda_shape`; a problem with several
// hyperparameters slices it (e.g. a log step size in lambda[0], per-example weights after it).
//
//   Problem p;
//   p.lambda_shape = {n};
//   p.steps = 100;
//   p.init = [&](const Var&) { return State{Var(Tensor::zeros({m}, f64))}; };
//   p.step = [&](const State& s, const Var& lam, int) {
//       return GradientDescent{Var(Tensor::scalar(0.1, f64))}.step(s, tape_gradient(inner(lam)), 0);
//   };
//   p.outer = [&](const State& s, const Var&) { return sum(square(s[0] - target)); };
//
// Components of the initial state that are not on a tape are made variables of the strategy's
// tape, so a step may always take gradients with respect to the state.
#include "hypertape/solvers/inner.hpp"

#include <functional>

namespace hypertape {

struct Problem {
    Shape lambda_shape;
    int steps = 0;
    std::function<State(const Var& lambda)> init;
    std::function<State(const State& state, const Var& lambda, int t)> step;
    std::function<Var(const State& state, const Var& lambda)> outer;
};

}  // namespace hypertape
