#include "hypertape/ops/softmax.hpp"

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/checks.hpp"
#include "hypertape/ops/index.hpp"
#include "hypertape/ops/kernels.hpp"
#include "hypertape/ops/record.hpp"
#include "hypertape/ops/reduce.hpp"
#include "hypertape/ops/reshape.hpp"
#include "hypertape/ops/tangent.hpp"
#include "hypertape/ops/unary.hpp"

namespace hypertape {
namespace {

// J g for the softmax y = softmax(x) along `axis` (J is symmetric, so also J^T g): y (g - sum(g y)).
Var softmax_jacobian_product(const Var& y, const Var& g, int axis) { return y * (g - sum(g * y, axis, true)); }

// Per-row losses logsumexp(z_i) - z_i[y_i] = -log_softmax(z_i)[y_i], with differentiable ops
// (log_softmax avoids the cancellation of logsumexp(z_i) - z_i[y_i] in float32 at large z).
Var row_losses(const Var& z, const Tensor& labels) {
    return -sum(log_softmax(z, 1) * Var(one_hot(labels, z.shape()[1], z.dtype())), 1);
}

// d cross_entropy / d z: (softmax(z) - one_hot(y)) w_i / B (w_i = 1 when `weights` is undefined).
Var logits_gradient(const Var& z, const Tensor& labels, const Var& weights) {
    const std::int64_t batch = z.shape()[0];
    const Var residual = softmax(z, 1) - Var(one_hot(labels, z.shape()[1], z.dtype()));
    const Var scaled = weights.defined() ? residual * reshape(weights, {batch, 1}) : residual;
    return scaled * (1.0 / static_cast<double>(batch));
}

// The VJP of cross_entropy, logits_gradient(z, y, w) * g, as one record. Recorded by a
// create_graph sweep (an unrolled inner loop records one per step), it saves only what the
// forward record already holds, z, the labels and w (the same blocks: no new bytes), plus the
// seed g, where the composite would keep softmax(z) and the residual, two more [B, C] tensors.
// Its value takes the composite's ops in the composite's order, so first derivatives keep their
// bits; its own VJP and JVP recompute softmax(z) from z, once each.
Var cross_entropy_vjp(const Var& z, const Var& labels, const Var& weights, const Var& g) {
    const bool weighted = weights.defined();
    const Tensor& y = labels.value();
    const Tensor value =
        (logits_gradient(Var(z.value()), y, weighted ? Var(weights.value()) : Var()) * Var(g.value())).value();
    const std::int64_t batch = z.shape()[0];
    const double inv_batch = 1.0 / static_cast<double>(batch);
    // The factor each row of the residual softmax(z) - one_hot(y) is scaled by, w_i / B, and with
    // the seed: w_i g / B.
    const auto row_weight = [batch, inv_batch, dtype = z.dtype(), device = z.value().device()](const Var& w) {
        return w.defined() ? reshape(w, {batch, 1}) * inv_batch : Var(Tensor::full({}, inv_batch, dtype, device));
    };
    const auto row_scale = [row_weight](const Var& w, const Var& seed) { return row_weight(w) * seed; };
    const auto residual = [](const Var& p, const Tensor& y) { return p - Var(one_hot(y, p.shape()[1], p.dtype())); };
    return record(
        {.name = "cross_entropy_vjp",
         .operands = weighted ? VarList{z, weights, g} : VarList{z, g},
         .saved = weighted ? VarList{z, labels, weights, g} : VarList{z, labels, g}},
        value,
        [weighted, inv_batch, row_weight, row_scale, residual](const Var& u, const Saved& s, const NeedsGrad& needs) {
            const Var w = weighted ? s[2] : Var();
            const Var& seed = weighted ? s[3] : s[2];
            const bool needs_w = weighted && needs[1];
            const bool needs_seed = needs[weighted ? 2 : 1];
            const Var p = softmax(s[0], 1);
            // The residual only where a gradient other than z's reads it.
            const Var r = needs_w || needs_seed ? residual(p, s[1].value()) : Var();
            Grads grads{needs[0] ? softmax_jacobian_product(p, u * row_scale(w, seed), 1) : Var()};
            if (weighted) grads.push_back(needs_w ? sum(u * r, 1) * (seed * inv_batch) : Var());
            grads.push_back(needs_seed ? reshape(sum(u * r * row_weight(w)), seed.shape()) : Var());
            return grads;
        },
        [&](const Tangents& t) {
            const Var w = weighted ? t.primal(1) : Var();
            const int seed_at = weighted ? 2 : 1;
            const Var& seed = t.primal(seed_at);
            const bool w_moves = weighted && t.has(1);
            const Var p = softmax(t.primal(0), 1);
            const Var r = w_moves || t.has(seed_at) ? residual(p, y) : Var();
            Var dz, dw, dseed;
            if (t.has(0)) dz = softmax_jacobian_product(p, t[0], 2) * row_scale(w, seed);
            if (w_moves) {
                dw = reshape(t[1], {t[1].shape()[0], batch, 1}) * r * (seed * inv_batch);
            }
            if (t.has(seed_at)) dseed = lift(reshape(t[seed_at], {t[seed_at].shape()[0]}), 2) * r * row_weight(w);
            return sum_terms(t, {dz, dw, dseed});
        });
}

void check_cross_entropy(const Var& logits, const Tensor& labels, const Var& weights) {
    const char* op = "cross_entropy";
    check_floating(op, "logits", logits);
    if (logits.rank() != 2) fail(op, ": logits must be [B, C], got ", logits.shape().str());
    check_indices(op, "labels", labels, logits);
    const std::int64_t batch = logits.shape()[0];
    if (labels.shape() != Shape{batch}) {
        fail(op, ": labels of shape ", labels.shape().str(), " for logits ", logits.shape().str(), "; expected [",
             batch, "]");
    }
    if (batch == 0) fail(op, ": logits ", logits.shape().str(), " hold an empty batch");
    const std::int64_t classes = logits.shape()[1];
    check_in_range(op, "label", labels, classes, "for logits " + logits.shape().str());
    if (!weights.defined()) return;
    if (weights.dtype() != logits.dtype() || weights.device() != logits.device() || weights.shape() != Shape{batch}) {
        fail(op, ": weights are ", name_of(weights.dtype()), " ", weights.shape().str(), " on ",
             weights.device().name(), " for logits ", name_of(logits.dtype()), " ", logits.shape().str(), " on ",
             logits.device().name(), "; expected [", batch, "] of the logits' dtype and device");
    }
}

// Both forms: `weights` undefined means all ones (and is then no operand).
Var fused_cross_entropy(const Var& logits, const Tensor& labels, const Var& weights) {
    check_cross_entropy(logits, labels, weights);
    const bool weighted = weights.defined();
    Tensor loss = kernels::cross_entropy(logits.value(), labels, weighted ? weights.value() : Tensor());
    const double inv_batch = 1.0 / static_cast<double>(logits.shape()[0]);
    return record(
        {.name = "cross_entropy",
         .operands = weighted ? VarList{logits, weights} : VarList{logits},
         .saved = weighted ? VarList{logits, Var(labels), weights} : VarList{logits, Var(labels)}},
        loss,
        [inv_batch, weighted](const Var& g, const Saved& s, const NeedsGrad& needs) {
            const Var& z = s[0];
            const Tensor& y = s[1].value();
            const Var w = weighted ? s[2] : Var();
            Grads grads{needs[0] ? cross_entropy_vjp(z, s[1], w, g) : Var()};
            if (w.defined()) grads.push_back(needs[1] ? row_losses(z, y) * (g * inv_batch) : Var());
            return grads;
        },
        [&](const Tangents& t) {
            const Var w = weighted ? t.primal(1) : Var();
            return sum_terms(
                t, {t.has(0) ? sum_tangent_to(t[0] * logits_gradient(t.primal(0), labels, w), Shape{}) : Var(),
                    weighted && t.has(1) ? sum_tangent_to(t[1] * row_losses(t.primal(0), labels), Shape{}) * inv_batch
                                         : Var()});
        });
}

}  // namespace

Var softmax(const Var& x, int axis) {
    check_floating("softmax", "x", x);
    const int a = normalize_axis("softmax", axis, x.rank());
    return record(
        {.name = "softmax", .operands = {x}, .save_output = true}, kernels::softmax(x.value(), a),
        [a](const Var& g, const Saved& s, const NeedsGrad&) {
            return Grads{softmax_jacobian_product(s.output(), g, a)};
        },
        [a](const Tangents& t) { return softmax_jacobian_product(t.output(), t[0], a + 1); });
}

Var log_softmax(const Var& x, int axis) {
    check_floating("log_softmax", "x", x);
    const int a = normalize_axis("log_softmax", axis, x.rank());
    return record(
        {.name = "log_softmax", .operands = {x}, .save_output = true}, kernels::log_softmax(x.value(), a),
        [a](const Var& g, const Saved& s, const NeedsGrad&) { return Grads{g - exp(s.output()) * sum(g, a, true)}; },
        [a](const Tangents& t) { return t[0] - sum(t[0] * exp(t.output()), a + 1, true); });
}

Var logsumexp(const Var& x, int axis, bool keepdim) {
    check_floating("logsumexp", "x", x);
    const int a = normalize_axis("logsumexp", axis, x.rank());
    Tensor kept = kernels::logsumexp(x.value(), a);
    Shape::Dims dims = x.shape().dims();
    dims.erase(dims.begin() + a);
    Tensor y = keepdim ? kept : kept.reshaped(Shape(dims));
    return record(
        {.name = "logsumexp", .operands = {x}, .saved = {x}}, y,
        [a, kept_shape = kept.shape()](const Var& g, const Saved& s, const NeedsGrad&) {
            return Grads{reshape(g, kept_shape) * softmax(s[0], a)};
        },
        [a, keepdim](const Tangents& t) { return sum(t[0] * softmax(t.primal(0), a), a + 1, keepdim); });
}

Var cross_entropy(const Var& logits, const Tensor& labels) { return fused_cross_entropy(logits, labels, Var()); }

Var cross_entropy(const Var& logits, const Tensor& labels, const Var& weights) {
    check_floating("cross_entropy", "weights", weights);
    return fused_cross_entropy(logits, labels, weights);
}

}  // namespace hypertape
