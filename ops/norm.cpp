#include "hypertape/ops/norm.hpp"

#include <cmath>

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/record.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/ops/tangent.hpp"
#include "hypertape/ops/unary.hpp"

namespace hypertape {
namespace {

// Per-channel statistics of x [N, C, ...]: shapes [1, C, 1, ...] and the count behind each.
struct Channels {
    Shape stats;
    double count = 0;

    explicit Channels(const Shape& x) {
        Shape::Dims dims(static_cast<std::size_t>(x.rank()), 1);
        dims[1] = x[1];
        stats = Shape(dims);
        count = static_cast<double>(x.numel() / x[1]);
    }
    Var per_channel(const Var& v) const { return reshape(v, stats); }  // [C] -> [1, C, 1, ...]
    Var mean(const Var& v) const { return sum_to(v, stats) * (1.0 / count); }
    // The mean over each direction of a tangent batch [n, N, C, ...]: [n, 1, C, 1, ...].
    Var tangent_mean(const Var& t) const { return sum_tangent_to(t, stats) * (1.0 / count); }
};

struct Standardised {
    Var xh;       // (x - mu) s
    Var inv_std;  // s = 1 / sqrt(v + eps), [1, C, 1, ...]
};

// The forward value, the VJP and the JVP all standardise with these differentiable ops, so the
// VJP's own derivatives come from the tape like any other's.
Standardised standardise(const Var& x, const Channels& c, double eps) {
    const Var centred = x - c.mean(x);
    const Var inv_std = 1.0 / sqrt(c.mean(square(centred)) + eps);
    return {centred * inv_std, inv_std};
}

Var affine(const Var& xh, const Var& weight, const Var& bias, const Channels& c) {
    Var y = weight.defined() ? xh * c.per_channel(weight) : xh;
    return bias.defined() ? y + c.per_channel(bias) : y;
}

void check_batch_norm(const Var& x, const Var& weight, const Var& bias, double eps) {
    const char* op = "batch_norm";
    check_floating(op, "x", x);
    if (x.rank() < 2) fail(op, ": x must be [N, C, ...], got ", x.shape().str());
    const std::int64_t channels = x.shape()[1];
    if (channels == 0 || x.shape().numel() / channels < 2) {
        fail(op, ": x ", x.shape().str(), " holds fewer than 2 values per channel; batch statistics need at least 2");
    }
    for (const auto& [name, v] : {std::pair{"weight", &weight}, std::pair{"bias", &bias}}) {
        if (!v->defined()) continue;
        check_operands(op, x, *v);
        if (v->shape() != Shape{channels}) fail(op, ": ", name, " ", v->shape().str(), " must be [", channels, "]");
    }
    if (!(eps > 0) || !std::isfinite(eps)) fail(op, ": eps ", eps, " must be positive and finite");
}

}  // namespace

Var batch_norm(const Var& x, const Var& weight, const Var& bias, double eps) {
    check_batch_norm(x, weight, bias, eps);
    const Channels c(x.shape());
    const Standardised value = standardise(Var(x.value()), c, eps);
    VarList operands{x};
    if (weight.defined()) operands.push_back(weight);
    if (bias.defined()) operands.push_back(bias);
    const bool scaled = weight.defined();
    const bool shifted = bias.defined();
    return record(
        {.name = "batch_norm", .operands = operands, .saved = {x, scaled ? needed_if_tracked(weight, x) : Var()}},
        affine(value.xh, Var(weight.defined() ? weight.value() : Tensor()),
               Var(bias.defined() ? bias.value() : Tensor()), c)
            .value(),
        [c, eps, scaled, shifted](const Var& g, const Saved& s, const NeedsGrad& needs) {
            const Standardised st = standardise(s[0], c, eps);
            Grads grads;
            if (needs[0]) {
                const Var gxh = scaled ? g * c.per_channel(s[1]) : g;
                grads.push_back(st.inv_std * (gxh - c.mean(gxh) - st.xh * c.mean(gxh * st.xh)));
            } else {
                grads.push_back(Var());
            }
            if (scaled) grads.push_back(needs[1] ? reshape(sum_to(g * st.xh, c.stats), Shape{c.stats[1]}) : Var());
            if (shifted)
                grads.push_back(needs[scaled ? 2 : 1] ? reshape(sum_to(g, c.stats), Shape{c.stats[1]}) : Var());
            return grads;
        },
        [&](const Tangents& t) {
            const std::size_t bias_at = scaled ? 2 : 1;
            Var tx;
            if (t.has(0)) {
                const Var& d = t[0];
                tx = value.inv_std * (d - c.tangent_mean(d) - value.xh * c.tangent_mean(value.xh * d));
                if (scaled) tx = tx * c.per_channel(t.primal(1));
            }
            const auto lifted = [&](std::size_t i) {
                return Var(t[i].value().reshaped(c.stats.prepend(t.n())));  // [n, C] -> [n, 1, C, 1, ...]
            };
            return sum_terms(t, {tx, scaled && t.has(1) ? lifted(1) * value.xh : Var(),
                                 shifted && t.has(bias_at) ? lifted(bias_at) : Var()});
        });
}

}  // namespace hypertape
