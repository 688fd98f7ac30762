#include "hypertape/ops/layout.hpp"

#include <string>

#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/kernels.hpp"
#include "hypertape/ops/record.hpp"

namespace hypertape {
namespace {

// `axis` resolved against x's rank; the error names x's shape.
int resolve_axis(const char* op, int axis, const Var& x) {
    if (axis < -x.rank() || axis >= x.rank()) {
        fail(op, ": axis ", axis, " is out of range for shape ", x.shape().str());
    }
    return normalize_axis(op, axis, x.rank());
}

// The xs can be joined along `axis`: floating, of one dtype and device, equal outside `axis`.
// Returns the axis resolved against their rank.
int check_concat(const std::vector<Var>& xs, int axis) {
    if (xs.empty()) fail("concat: no operands");
    const Var& first = xs.front();
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const std::string name = "xs[" + std::to_string(i) + "]";
        check_floating("concat", name.c_str(), xs[i]);
        if (xs[i].dtype() != first.dtype() || xs[i].device() != first.device()) {
            fail("concat: ", name, " is ", describe(xs[i]), " but xs[0] is ", describe(first),
                 "; they must share dtype and device");
        }
    }
    const int a = resolve_axis("concat", axis, first);
    for (std::size_t i = 1; i < xs.size(); ++i) {
        const Shape& s = xs[i].shape();
        bool agree = s.rank() == first.rank();
        for (int d = 0; agree && d < s.rank(); ++d) agree = d == a || s[d] == first.shape()[d];
        if (!agree) {
            fail("concat: xs[", i, "] of shape ", s.str(), " does not match xs[0] of shape ", first.shape().str(),
                 " outside axis ", axis);
        }
    }
    return a;
}

}  // namespace

Var transpose(const Var& x) {
    check_floating("transpose", "x", x);
    if (x.rank() < 2) fail("transpose: x of shape ", x.shape().str(), " has fewer than two axes");
    return transpose(x, -2, -1);
}

Var transpose(const Var& x, int axis0, int axis1) {
    check_floating("transpose", "x", x);
    const int a0 = resolve_axis("transpose", axis0, x);
    const int a1 = resolve_axis("transpose", axis1, x);
    if (a0 == a1) return x;
    return record(
        {"transpose", {x}, {}}, kernels::swap_axes(x.value(), a0, a1),
        [a0, a1](const Var& g, const Saved&, const NeedsGrad&) { return Grads{transpose(g, a0, a1)}; },
        [a0, a1](const Tangents& t) { return transpose(t[0], a0 + 1, a1 + 1); });
}

Var slice(const Var& x, int axis, std::int64_t start, std::int64_t stop) {
    check_floating("slice", "x", x);
    const int a = resolve_axis("slice", axis, x);
    const std::int64_t extent = x.shape()[a];
    if (start < 0 || start > stop || stop > extent) {
        fail("slice: range [", start, ", ", stop, ") is out of range for axis ", axis, " of x of shape ",
             x.shape().str());
    }
    if (start == 0 && stop == extent) return x;
    return record(
        {"slice", {x}, {}}, kernels::slice(x.value(), a, start, stop),
        [a, start, after = extent - stop](const Var& g, const Saved&, const NeedsGrad&) {
            return Grads{pad(g, a, start, after)};
        },
        [a, start, stop](const Tangents& t) { return slice(t[0], a + 1, start, stop); });
}

Var pad(const Var& x, int axis, std::int64_t before, std::int64_t after) {
    check_floating("pad", "x", x);
    const int a = resolve_axis("pad", axis, x);
    if (before < 0 || after < 0) {
        fail("pad: negative padding (", before, " before, ", after, " after) for axis ", axis, " of x of shape ",
             x.shape().str());
    }
    if (before == 0 && after == 0) return x;
    return record(
        {"pad", {x}, {}}, kernels::pad(x.value(), a, before, after),
        [a, before, extent = x.shape()[a]](const Var& g, const Saved&, const NeedsGrad&) {
            return Grads{slice(g, a, before, before + extent)};
        },
        [a, before, after](const Tangents& t) { return pad(t[0], a + 1, before, after); });
}

Var concat(const std::vector<Var>& xs, int axis) {
    const int a = check_concat(xs, axis);
    if (xs.size() == 1) return xs.front();
    std::vector<Tensor> values;
    std::vector<Shape> shapes;
    for (const Var& x : xs) {
        values.push_back(x.value());
        shapes.push_back(x.shape());
    }
    return record(
        {"concat", VarList(xs.begin(), xs.end()), {}}, kernels::concat(values, a),
        [a, shapes](const Var& g, const Saved&, const NeedsGrad& needs) {
            Grads grads;
            std::int64_t at = 0;
            for (std::size_t i = 0; i < shapes.size(); ++i) {
                const std::int64_t extent = shapes[i][a];
                grads.push_back(needs[i] ? slice(g, a, at, at + extent) : Var());
                at += extent;
            }
            return grads;
        },
        [a, shapes](const Tangents& t) {
            std::vector<Var> parts;
            for (std::size_t i = 0; i < shapes.size(); ++i) {
                parts.push_back(
                    t.has(i) ? t[i]
                             : Var(Tensor::zeros(shapes[i].prepend(t.n()), t.output().dtype(), t.output().device())));
            }
            return concat(parts, a + 1);
        });
}

}  // namespace hypertape
