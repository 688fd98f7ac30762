#pragma once
// One harness that checks an op in every AD mode against central finite differences in float64:
//   - reverse: u^T J from vjp equals the differences of <u, f(x)>, element by element;
//   - forward: the n-direction tangent batch J V equals (f(x + eV) - f(x - eV)) / 2e;
//   - duality: <u, J v> from the JVP equals <J^T u, v> from the VJP;
//   - second order: grad-of-grad (create_graph) Hessian-vector products equal differences of
//     gradients, and so do tangents carried through a plain reverse sweep (forward-over-reverse).
//
//   check_op("mul", [](const Vars& x) { return x[0] * x[1]; }, {randn({3, 4}), randn({4})});
#include <functional>
#include <hypertape/hypertape.hpp>
#include <random>
#include <string>
#include <vector>

namespace hypertape::testing {

using Vars = std::vector<Var>;
using OpFn = std::function<Var(const Vars&)>;

struct CheckOptions {
    double eps = 1e-6;
    double tolerance = 1e-6;      // on |a - b| / max(1, |a|, |b|)
    bool second_order = true;     // skip for ops whose second derivative is not smooth at the inputs
    std::int64_t directions = 3;  // tangent batch size
    std::uint64_t seed = 7;
};

void check_op(const std::string& name, const OpFn& f, const std::vector<Tensor>& inputs, CheckOptions options = {});

// The gradient of a scalar function of x by central differences, element by element.
Tensor finite_difference_gradient(const std::function<double(const Tensor&)>& f, const Tensor& x, double eps = 1e-6);

// Float64 samples for test inputs.
Tensor randn(const Shape& shape, std::uint64_t seed = 1);
Tensor uniform(const Shape& shape, double lo, double hi, std::uint64_t seed = 1);

// Same shape and the same bits in every element.
bool bitwise_equal(const Tensor& a, const Tensor& b);

// max |a - b| / max(1, |a|, |b|) over the elements; the shapes must match.
double max_relative_error(const Tensor& a, const Tensor& b);

}  // namespace hypertape::testing
