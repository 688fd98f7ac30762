#pragma once
// A bilevel problem as the strategies see it (Shaban et al., Sec. 2):
//   w_0 = Xi_0(lambda),  w_{t+1} = Xi_{t+1}(w_t, lambda) for t < T,  outer loss f(w_T, lambda).
// The state is a list of Vars whose first entry is the iterate w; further entries hold solver
// state (a velocity, Adam's moments), which the strategies carry, snapshot and differentiate
// exactly like w.
//
// lambda is one tensor of shape `lambda_shape` (the single-tensor form), or a list of tensors of
// the shapes in `lambda_shapes` (the list form, used when `lambda_shapes` is not empty), e.g. a
// log step size, a momentum logit and per-example weights, each a tensor of its own. The
// problem's functions receive lambda as `Hyperparameters`: a function written for one tensor
// takes it as `const Var&`, one for a list as `const Hyperparameters&` and indexes it (lam[i]).
//
//   Problem p;                                                  // single-tensor form
//   p.lambda_shape = {n};
//   p.steps = 100;
//   p.init = [&](const Var&) { return State{Var(Tensor::zeros({m}, f64))}; };
//   p.step = [&](const State& s, const Var& lam, int) {
//       return GradientDescent{Var(Tensor::scalar(0.1, f64))}.step(s, tape_gradient(inner(lam)), 0);
//   };
//   p.outer = [&](const State& s, const Var&) { return sum(square(s[0] - target)); };
//
//   q.lambda_shapes = {{1}, {n}};                               // list form: log step size, weights
//   q.step = [&](const State& s, const Hyperparameters& lam, int t) {
//       return GradientDescent{exp(lam[0])}.step(s, tape_gradient(inner(lam[1])), t);
//   };
//   hypergradient(q, {log_gamma, weights}, Reverse{}).values;   // {d f/d log_gamma, d f/d weights}
//
// Components of the initial state that are not on a tape are made variables of the strategy's
// tape, so a step may always take gradients with respect to the state. Every lambda tensor must
// have the dtype of the initial state's first component (there is no differentiable cast).
#include <functional>
#include <vector>

#include "hypertape/solvers/inner.hpp"

namespace hypertape {

// The hyperparameters as a problem's functions see them: one Var per lambda tensor. It converts
// to `const Var&` when it holds exactly one (so functions written for one tensor take a Var), and
// is built from one Var or Tensor implicitly.
class Hyperparameters {
public:
    Hyperparameters() = default;
    Hyperparameters(Var lambda);            // NOLINT(google-explicit-constructor): the single-tensor form
    Hyperparameters(const Tensor& lambda);  // NOLINT(google-explicit-constructor)
    explicit Hyperparameters(std::vector<Var> lambdas) : vars_(std::move(lambdas)) {}

    std::size_t size() const { return vars_.size(); }
    // The i-th lambda tensor; throws hypertape::Error when i >= size().
    const Var& operator[](std::size_t i) const;
    // The one lambda tensor; throws hypertape::Error unless size() == 1.
    operator const Var&() const;  // NOLINT(google-explicit-constructor)
    const std::vector<Var>& list() const { return vars_; }
    std::vector<Var>::const_iterator begin() const { return vars_.begin(); }
    std::vector<Var>::const_iterator end() const { return vars_.end(); }

private:
    std::vector<Var> vars_;
};

struct Problem {
    Shape lambda_shape;                // the single-tensor form: lambda's shape
    std::vector<Shape> lambda_shapes;  // the list form, when not empty: one shape per lambda tensor
    int steps = 0;
    std::function<State(const Hyperparameters& lambda)> init;
    std::function<State(const State& state, const Hyperparameters& lambda, int t)> step;
    std::function<Var(const State& state, const Hyperparameters& lambda)> outer;
};

}  // namespace hypertape
