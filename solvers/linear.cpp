#include "hypertape/solvers/linear.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <utility>

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/tape/error.hpp"
#include "hypertape/tape/grad.hpp"
#include "hypertape/tape/tape.hpp"

namespace hypertape {
namespace {

// Vector algebra on constants (no tape records), on the operands' device.
double dot(const Tensor& a, const Tensor& b) { return sum(Var(a) * Var(b)).item(); }
Tensor axpy(const Tensor& y, double s, const Tensor& x) { return (Var(y) + s * Var(x)).value(); }

// The checks every solver makes, naming it; `iteration` 0 is the setup before the first iteration
// and -1 the residual at the returned iterate.
class Checks {
public:
    explicit Checks(const char* solver) : solver_(solver) {}

    void operand(const char* name, const LinearOperator& op) const {
        if (!op) fail(solver_, ": the operator ", name, " is empty");
    }

    void right_hand_side(const Tensor& b) const {
        if (!b.defined()) fail(solver_, ": b is undefined");
        if (!is_floating(b.dtype())) fail(solver_, ": b is ", describe(b), "; a float32 or float64 tensor is needed");
        if (!b.all_finite()) fail(solver_, ": b contains NaN or Inf");
    }

    void count(const char* name, int n) const {
        if (n < 0) fail(solver_, ": ", name, " = ", n, " is negative");
    }

    void tolerance(double tol) const {
        if (!(tol >= 0)) fail(solver_, ": tolerance = ", tol, " must be >= 0");
    }

    // x0 (of b's shape), or zeros when it is undefined.
    Tensor start(const Tensor& x0, const Tensor& b) const {
        if (!x0.defined()) return Tensor::zeros_like(b);
        same("x0", x0, b, "b");
        return initial(x0, b);
    }

    // A given x0 of any shape: of b's dtype, finite.
    const Tensor& initial(const Tensor& x0, const Tensor& b) const {
        if (x0.dtype() != b.dtype()) fail(solver_, ": x0 is ", describe(x0), " but b is ", describe(b));
        if (!x0.all_finite()) fail(solver_, ": x0 contains NaN or Inf");
        return x0;
    }

    // An operator's result: defined, of b's dtype, finite.
    Tensor result(const char* name, Tensor out, const Tensor& b, int iteration) const {
        if (!out.defined()) fail(solver_, ": ", name, "(v) returned an undefined tensor", at(iteration));
        if (out.dtype() != b.dtype()) fail(solver_, ": ", name, "(v) is ", describe(out), " but b is ", describe(b));
        if (!out.all_finite()) fail(solver_, ": ", name, "(v) contains NaN or Inf", at(iteration));
        return out;
    }

    // op(v), a result with the shape of `like`.
    Tensor apply(const LinearOperator& op, const char* name, const Tensor& v, const Tensor& like, const char* like_name,
                 int iteration) const {
        Tensor out = op(v);
        if (out.defined()) same((std::string(name) + "(v)").c_str(), out, like, like_name);
        return result(name, std::move(out), like, iteration);
    }

    void same(const char* name, const Tensor& t, const Tensor& like, const char* like_name) const {
        if (t.shape() != like.shape() || t.dtype() != like.dtype()) {
            fail(solver_, ": ", name, " is ", describe(t), " but ", like_name, " is ", describe(like));
        }
    }

    void finite_iterate(const Tensor& x, int iteration) const {
        if (!x.all_finite()) fail(solver_, ": the iterate x contains NaN or Inf", at(iteration));
    }

    [[noreturn]] void not_positive_definite(double pAp, int iteration) const {
        fail(solver_, ": p^T A p = ", pAp, " is not positive", at(iteration),
             "; A must be symmetric positive definite");
    }

private:
    static std::string at(int iteration) {
        return iteration < 0 ? " in the residual of the returned iterate"
                             : " at iteration " + std::to_string(iteration);
    }

    const char* solver_;
};

}  // namespace

LinearSolution conjugate_gradient(const LinearOperator& A, const Tensor& b, int max_iterations, double tolerance,
                                  Tensor x0) {
    const Checks check("conjugate_gradient");
    check.operand("A", A);
    check.right_hand_side(b);
    check.count("max_iterations", max_iterations);
    check.tolerance(tolerance);
    Tensor x = check.start(x0, b);
    Tensor r = x0.defined() ? axpy(b, -1.0, check.apply(A, "A", x, b, "b", 0)) : b;
    Tensor p = r;
    double rr = dot(r, r);
    // A residual this far below |b| (rounding level of b's dtype) is converged: past it the
    // recurrence keeps shrinking r until p^T A p underflows to 0, which is not indefiniteness.
    const double epsilon = b.dtype() == f32 ? 0x1p-23 : 0x1p-52;
    const double converged_rr = epsilon * epsilon * dot(b, b);
    int k = 0;
    while (k < max_iterations && std::sqrt(rr) > tolerance) {
        ++k;
        const Tensor Ap = check.apply(A, "A", p, b, "b", k);
        const double pAp = dot(p, Ap);
        if (pAp <= 0 && rr <= converged_rr) {
            --k;  // this iteration did not run
            break;
        }
        if (pAp <= 0) check.not_positive_definite(pAp, k);
        const double alpha = rr / pAp;
        x = axpy(x, alpha, p);
        check.finite_iterate(x, k);
        r = axpy(r, -alpha, Ap);
        const double rr_next = dot(r, r);
        p = axpy(r, rr_next / rr, p);
        rr = rr_next;
    }
    return {x, k, std::sqrt(rr)};
}

LinearSolution conjugate_gradient_normal(const LinearOperator& A, const LinearOperator& A_transpose, const Tensor& b,
                                         int max_iterations, double tolerance, Tensor x0) {
    const Checks check("conjugate_gradient_normal");
    check.operand("A", A);
    check.operand("A_transpose", A_transpose);
    check.right_hand_side(b);
    check.count("max_iterations", max_iterations);
    check.tolerance(tolerance);
    // x lives in the domain of A, which has the shape of A^T b.
    Tensor x;
    Tensor r = b;
    Tensor z;
    if (x0.defined()) {
        x = check.initial(x0, b);
        r = axpy(b, -1.0, check.apply(A, "A", x, b, "b", 0));
        z = check.apply(A_transpose, "A_transpose", r, x, "x0", 0);
    } else {
        z = check.result("A_transpose", A_transpose(b), b, 0);
        x = Tensor::zeros_like(z);
    }
    Tensor p = z;
    double zz = dot(z, z);
    double residual = vector_norm(r);
    int k = 0;
    while (k < max_iterations && residual > tolerance && zz > 0) {
        ++k;
        const Tensor Ap = check.apply(A, "A", p, b, "b", k);
        const double alpha = zz / dot(Ap, Ap);
        x = axpy(x, alpha, p);
        check.finite_iterate(x, k);
        r = axpy(r, -alpha, Ap);
        z = check.apply(A_transpose, "A_transpose", r, x, "x", k);
        const double zz_next = dot(z, z);
        p = axpy(z, zz_next / zz, p);
        zz = zz_next;
        residual = vector_norm(r);
    }
    return {x, k, residual};
}

LinearSolution fixed_point(const LinearOperator& J, const Tensor& b, int iterations, Tensor x0) {
    const Checks check("fixed_point");
    check.operand("J", J);
    check.right_hand_side(b);
    check.count("iterations", iterations);
    Tensor x = check.start(x0, b);
    for (int k = 1; k <= iterations; ++k) {
        // From x0 = 0 the first iteration is x = b: J 0 = 0 is not computed.
        x = k == 1 && !x0.defined() ? b : axpy(b, 1.0, check.apply(J, "J", x, b, "b", k));
        check.finite_iterate(x, k);
    }
    // (I - J) x - b = x - (J x + b).
    const Tensor next = axpy(b, 1.0, check.apply(J, "J", x, b, "b", -1));
    return {x, iterations, vector_norm(axpy(next, -1.0, x))};
}

LinearSolution neumann(const LinearOperator& J, const Tensor& b, int terms) {
    const Checks check("neumann");
    check.operand("J", J);
    check.right_hand_side(b);
    check.count("terms", terms);
    if (terms == 0) return {Tensor::zeros_like(b), 0, vector_norm(b)};
    Tensor term = b;  // J^(k-1) b, the k-th term
    Tensor x = b;
    for (int k = 1; k < terms; ++k) {
        term = check.apply(J, "J", term, b, "b", k);
        x = axpy(x, 1.0, term);
        check.finite_iterate(x, k);
    }
    // (I - J) x - b = -J^terms b.
    return {x, terms, vector_norm(check.apply(J, "J", term, b, "b", -1))};
}

double symmetry_defect(const LinearOperator& A, const Tensor& like, std::uint64_t seed) {
    const Checks check("symmetry_defect");
    check.operand("A", A);
    if (!like.defined() || !is_floating(like.dtype())) {
        fail("symmetry_defect: the vectors' model must be a defined float32 or float64 tensor");
    }
    std::mt19937_64 rng(seed);
    const auto draw = [&] {
        const Tensor host = Tensor::randn(like.shape(), rng, like.dtype());
        return like.device() == Device::cpu() ? host : host.to(like.device());
    };
    const Tensor u = draw();
    const Tensor v = draw();
    const double u_Av = dot(u, check.apply(A, "A", v, like, "v", 1));
    const double Au_v = dot(check.apply(A, "A", u, like, "u", 2), v);
    const double scale = std::max(std::abs(u_Av), std::abs(Au_v));
    return scale == 0 ? 0.0 : std::abs(u_Av - Au_v) / scale;
}

double vector_norm(const Tensor& x) { return std::sqrt(dot(x, x)); }

LinearOperator vjp_operator(const Var& y, const Var& x) {
    if (!y.defined() || !x.defined()) fail("vjp_operator: y and x must be defined");
    if (!y.on_tape()) fail("vjp_operator: y (shape ", y.shape().str(), ") is a constant, not a result on a tape");
    return [y, x](const Tensor& v) {
        if (!v.defined() || v.shape() != y.shape() || v.dtype() != y.dtype()) {
            fail("vjp_operator: v is ", v.defined() ? describe(v) : "undefined", " but y is ", describe(y.value()));
        }
        GradOptions options;
        options.seed = v;
        options.retain_records = true;
        return grad(y, x, options).value();
    };
}

LinearOperator jvp_operator(std::function<Var(const Var&)> fn, const Tensor& x) {
    if (!fn) fail("jvp_operator: the function is empty");
    if (!x.defined() || !is_floating(x.dtype())) fail("jvp_operator: x must be a defined float32 or float64 tensor");
    return [fn = std::move(fn), x](const Tensor& v) {
        if (!v.defined() || v.shape() != x.shape() || v.dtype() != x.dtype()) {
            fail("jvp_operator: v is ", v.defined() ? describe(v) : "undefined", " but x is ", describe(x));
        }
        Tape tape;
        const Var y = fn(with_tangents(tape.variable(x), v.reshaped(x.shape().prepend(1))));
        if (!y.defined()) fail("jvp_operator: the function returned an undefined Var");
        if (!y.has_tangents()) return Tensor::zeros_like(y.value());
        return y.tangents().reshaped(y.shape());
    };
}

}  // namespace hypertape
