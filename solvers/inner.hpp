#pragma once
// Differentiable inner solvers: one step w_{t+1} = Xi(w_t, lambda) of an unrolled optimizer,
// written with the library's ops so that the hypergradient flows through it.
//
// Concept: a solver is a value holding its hyperparameters and two functions,
//   start(w0)         the initial state: w0, then zero velocities or moments of w0's shape and dtype;
//   step(s, g, t)     the state after step t (counting from 0), given the inner gradient g.
// A State is a list of Vars whose first entry is the iterate w. The hyperparameters step_size
// and momentum are Vars broadcasting against w (typically shape [] or [1]): a constant, or a
// function of lambda such as exp(slice(lam, 0, 0, 1)), in which case d/dgamma and d/dmu flow
// through every step. They must have w's dtype and broadcast to w's shape.
//
// The inner gradient is a GradientFn, w -> grad_w g(w, lambda). tape_gradient(loss) takes it on
// the tape (grad with create_graph), so the step stays differentiable to second order; an
// analytic closure is another GradientFn, usually cheaper, and also works on constants.
//
// Update rules (gamma = step_size, mu = momentum, g = the GradientFn):
//   GradientDescent  state {w}        w' = w - gamma g(w)
//   HeavyBall        state {w, v}     v' = mu v + g(w);                w' = w - gamma v'
//   Nesterov         state {w, v}     v' = mu v - gamma g(w + mu v);   w' = w + v'
//                    (Sutskever et al.'s form: the gradient at the look-ahead point w + mu v)
//   Adam             state {w, m, v}  m' = beta1 m + (1 - beta1) g(w)
//                                     v' = beta2 v + (1 - beta2) g(w)^2
//                                     w' = w - gamma m^ / (sqrt(v^) + epsilon),
//                                     m^ = m' / (1 - beta1^(t+1)),  v^ = v' / (1 - beta2^(t+1))
//                    sqrt has an infinite derivative at 0: where a component of g(w) and of v are
//                    both exactly 0, the derivative of the step is NaN.
//
// Usage, inside an unrolled loop. The hyperparameters are computed inside the step, so that their
// records belong to it and a window keeps them as long as the step:
//   Var lam = tape.variable(Tensor::zeros({2}, f64));   // log step size, logit of the momentum
//   State s = HeavyBall{}.start(tape.variable(w0));
//   for (int t = 0; t < T; ++t) {
//       auto step = tape.step();
//       const HeavyBall hb{exp(slice(lam, 0, 0, 1)), sigmoid(slice(lam, 0, 1, 2))};
//       s = hb.step(s, tape_gradient([&](const Var& w) { return inner_loss(w, lam); }), t);
//   }
//   Tensor h = grad(outer_loss(s[0]), lam).value();
//
// Errors (hypertape::Error, naming the solver): a state of the wrong length, an undefined
// hyperparameter, one of another dtype than w or not broadcasting to w's shape, a gradient whose
// shape differs from w's, Adam with t < 0 or betas outside [0, 1), tape_gradient on an iterate
// that is not on a tape.
#include <functional>
#include <vector>

#include "hypertape/tape/var.hpp"

namespace hypertape {

using State = std::vector<Var>;
using GradientFn = std::function<Var(const Var& w)>;

// w -> grad(loss(w), w, create_graph). w must be on a tape (a variable or a recorded result).
GradientFn tape_gradient(std::function<Var(const Var& w)> loss);

struct GradientDescent {
    Var step_size;

    State start(const Var& w0) const;
    State step(const State& s, const GradientFn& g, int t) const;
};

struct HeavyBall {
    Var step_size;
    Var momentum;

    State start(const Var& w0) const;
    State step(const State& s, const GradientFn& g, int t) const;
};

struct Nesterov {
    Var step_size;
    Var momentum;

    State start(const Var& w0) const;
    State step(const State& s, const GradientFn& g, int t) const;
};

struct Adam {
    Var step_size;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double epsilon = 1e-8;

    State start(const Var& w0) const;
    State step(const State& s, const GradientFn& g, int t) const;
};

}  // namespace hypertape
