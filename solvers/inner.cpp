#include "hypertape/solvers/inner.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/unary.hpp"
#include "hypertape/tape/error.hpp"
#include "hypertape/tape/grad.hpp"

namespace hypertape {
namespace {

Var zeros_like(const Var& w) { return Var(Tensor::zeros_like(w.value())); }

void check_start(const char* solver, const Var& w0) {
    if (!w0.defined()) fail(solver, "::start: the initial iterate w0 is undefined");
}

// The state has the solver's layout and its first entry is a defined iterate.
void check_state(const char* solver, const State& s, std::size_t size, const char* layout) {
    if (s.size() != size) fail(solver, "::step: the state has ", s.size(), " entries, expected ", size, " ", layout);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!s[i].defined()) fail(solver, "::step: state entry ", i, " of ", layout, " is undefined");
    }
}

void check_hyperparameter(const char* solver, const char* name, const Var& h, const Var& w) {
    if (!h.defined()) fail(solver, "::step: ", name, " is undefined");
    if (h.dtype() != w.dtype()) {
        fail(solver, "::step: ", name, " is ", name_of(h.dtype()), " but the iterate is ", name_of(w.dtype()));
    }
    if (broadcast_shapes(solver, h.shape(), w.shape()) != w.shape()) {
        fail(solver, "::step: ", name, " of shape ", h.shape().str(), " would change the iterate's shape ",
             w.shape().str());
    }
}

Var checked_gradient(const char* solver, const GradientFn& g, const Var& at) {
    if (!g) fail(solver, "::step: the gradient function is empty");
    Var d = g(at);
    if (!d.defined() || d.shape() != at.shape() || d.dtype() != at.dtype()) {
        fail(solver, "::step: the gradient is ",
             d.defined() ? std::string(name_of(d.dtype())) + " " + d.shape().str() : "undefined",
             " but the iterate is ", name_of(at.dtype()), " ", at.shape().str());
    }
    return d;
}

}  // namespace

GradientFn tape_gradient(std::function<Var(const Var& w)> loss) {
    if (!loss) fail("tape_gradient: the loss function is empty");
    return [loss = std::move(loss)](const Var& w) {
        if (!w.defined() || !w.on_tape()) {
            fail("tape_gradient: the iterate (shape ", w.shape().str(),
                 ") is not on a tape; make it a variable (Tape::variable) or use an analytic gradient");
        }
        return grad(loss(w), w, create_graph);
    };
}

State GradientDescent::start(const Var& w0) const {
    check_start("GradientDescent", w0);
    return {w0};
}

State GradientDescent::step(const State& s, const GradientFn& g, int) const {
    check_state("GradientDescent", s, 1, "{w}");
    check_hyperparameter("GradientDescent", "step_size", step_size, s[0]);
    return {s[0] - step_size * checked_gradient("GradientDescent", g, s[0])};
}

State HeavyBall::start(const Var& w0) const {
    check_start("HeavyBall", w0);
    return {w0, zeros_like(w0)};
}

State HeavyBall::step(const State& s, const GradientFn& g, int) const {
    check_state("HeavyBall", s, 2, "{w, v}");
    check_hyperparameter("HeavyBall", "step_size", step_size, s[0]);
    check_hyperparameter("HeavyBall", "momentum", momentum, s[0]);
    const Var v = momentum * s[1] + checked_gradient("HeavyBall", g, s[0]);
    return {s[0] - step_size * v, v};
}

State Nesterov::start(const Var& w0) const {
    check_start("Nesterov", w0);
    return {w0, zeros_like(w0)};
}

State Nesterov::step(const State& s, const GradientFn& g, int) const {
    check_state("Nesterov", s, 2, "{w, v}");
    check_hyperparameter("Nesterov", "step_size", step_size, s[0]);
    check_hyperparameter("Nesterov", "momentum", momentum, s[0]);
    const Var ahead = momentum * s[1];
    const Var v = ahead - step_size * checked_gradient("Nesterov", g, s[0] + ahead);
    return {s[0] + v, v};
}

State Adam::start(const Var& w0) const {
    check_start("Adam", w0);
    return {w0, zeros_like(w0), zeros_like(w0)};
}

State Adam::step(const State& s, const GradientFn& g, int t) const {
    check_state("Adam", s, 3, "{w, m, v}");
    check_hyperparameter("Adam", "step_size", step_size, s[0]);
    if (t < 0) fail("Adam::step: t = ", t, "; steps count from 0");
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
        fail("Adam::step: beta1 = ", beta1, " and beta2 = ", beta2, " must lie in [0, 1)");
    }
    const Var d = checked_gradient("Adam", g, s[0]);
    const Var m = beta1 * s[1] + (1 - beta1) * d;
    const Var v = beta2 * s[2] + (1 - beta2) * square(d);
    const double c1 = 1 - std::pow(beta1, t + 1);
    const double c2 = 1 - std::pow(beta2, t + 1);
    return {s[0] - step_size * (m / c1) / (sqrt(v / c2) + epsilon), m, v};
}

}  // namespace hypertape
