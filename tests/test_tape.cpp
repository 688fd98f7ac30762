#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/ops/record.hpp>
#include <hypertape/ops/tangent.hpp>
#include <utility>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::bitwise_equal;
using hypertape::testing::max_relative_error;
using hypertape::testing::randn;

namespace {

// The inner objective of the unrolled loop: g(w, lam) = 1/2 sum(e^lam (w - c)^2) + 1/10 sum(sin w).
Var inner_loss(const Var& w, const Var& lam, const Var& c) {
    return 0.5 * sum(exp(lam) * square(w - c)) + 0.1 * sum(sin(w));
}

struct Unrolled {
    Tensor gradient;
    TapeStats stats;
};

// T gradient-descent steps w <- w - 0.2 grad_w g(w, lam); returns d/dlam of sum((w_T - 1)^2).
// detach_at >= 0 restarts w as a fresh leaf before step detach_at (explicit truncation).
Unrolled unroll(Window window, int steps, int detach_at = -1) {
    Tape tape{window};
    const Var lam = tape.variable((randn({4}, 21) * 0.3).value());
    const Var c = randn({4}, 22);
    Var w = tape.variable(Tensor::zeros({4}, f64));
    for (int t = 0; t < steps; ++t) {
        if (t == detach_at) w = tape.variable(w.value());
        auto step = tape.step();
        const Var g = grad(inner_loss(w, lam, c), w, create_graph);
        w = w - 0.2 * g;
    }
    const Var f = sum(square(w - 1.0));
    Unrolled out;
    out.stats = tape.stats();
    out.gradient = grad(f, lam).value();
    return out;
}

}  // namespace

TEST_CASE("Window{K} gives the gradient of the computation detached K steps before the end", "[tape][window]") {
    const int T = 30;
    for (int K : {1, 3, 7}) {
        INFO("K = " << K);
        const Tensor truncated = unroll(Window{K}, T).gradient;
        const Tensor detached = unroll(Window::none(), T, T - K).gradient;
        CHECK(bitwise_equal(truncated, detached));
        CHECK(max_relative_error(truncated, unroll(Window::none(), T).gradient) > 1e-12);  // truncation matters
    }
}

TEST_CASE("Window{T} and no window give the full gradient", "[tape][window]") {
    const int T = 30;
    const Tensor full = unroll(Window::none(), T).gradient;
    CHECK(bitwise_equal(unroll(Window{T}, T).gradient, full));
    CHECK(bitwise_equal(unroll(Window{T + 10}, T).gradient, full));
}

TEST_CASE("the full unrolled gradient matches finite differences", "[tape][window]") {
    const int T = 10;
    const Tensor full = unroll(Window::none(), T).gradient;
    // Central differences of f(lam) through the same loop, run without a tape.
    const auto f_at = [&](const Tensor& lam) {
        const Var c = randn({4}, 22);
        Var w = Tensor::zeros({4}, f64);
        for (int t = 0; t < T; ++t) {
            // grad_w g = e^lam (w - c) + 0.1 cos w
            w = w - 0.2 * (exp(Var(lam)) * (w - c) + 0.1 * cos(w));
        }
        return sum(square(w - 1.0)).item();
    };
    const Tensor lam0 = (randn({4}, 21) * 0.3).value();
    CHECK(max_relative_error(full, hypertape::testing::finite_difference_gradient(f_at, lam0)) < 1e-7);
}

TEST_CASE("peak tape bytes are flat in T under a window and linear in T without one", "[tape][window][memory]") {
    const auto peak = [](Window w, int T) { return unroll(w, T).stats.peak_bytes; };
    CHECK(peak(Window{5}, 50) == peak(Window{5}, 500));
    CHECK(unroll(Window{5}, 500).stats.live_steps == 5);
    CHECK(unroll(Window{5}, 500).stats.released_steps == 495);

    const std::size_t p50 = peak(Window::none(), 50);
    const std::size_t p100 = peak(Window::none(), 100);
    const std::size_t p150 = peak(Window::none(), 150);
    CHECK(p100 > p50);
    CHECK(p100 - p50 == p150 - p100);
    CHECK(peak(Window{5}, 500) < p50);
}

TEST_CASE("saved bytes count each tensor block once and return to zero", "[tape][memory]") {
    Tape tape;
    const Var x = tape.variable(Tensor::zeros({100}, f64));
    const Var y = x * x;  // saves x twice: one block
    CHECK(tape.stats().saved_bytes == 800);
    const Var z = exp(y);  // saves its output: a second block
    CHECK(tape.stats().saved_bytes == 1600);
    CHECK(tape.stats().records == 2);
    tape.clear();
    CHECK(tape.stats().saved_bytes == 0);
    CHECK(tape.stats().records == 0);
    CHECK(tape.stats().peak_bytes == 1600);
    tape.reset_peak();
    CHECK(tape.stats().peak_bytes == 0);
}

TEST_CASE("the allocator's counters return to their start", "[tape][memory]") {
    const auto before = HostAllocator::instance().counters();
    {
        Tape tape{Window{2}};
        Var w = tape.variable(Tensor::ones({1000}, f64));
        const Var lam = tape.variable(Tensor::ones({1000}, f32).to(f64));
        for (int t = 0; t < 10; ++t) {
            auto step = tape.step();
            w = w - 0.1 * grad(sum(square(w - lam)), w, create_graph);
        }
        const auto during = HostAllocator::instance().counters();
        CHECK(during.live_bytes > before.live_bytes);
        CHECK(during.peak_bytes >= during.live_bytes);
        grad(sum(w), lam);
    }
    const auto after = HostAllocator::instance().counters();
    CHECK(after.live_bytes == before.live_bytes);
    CHECK(after.live_blocks == before.live_blocks);
}

TEST_CASE("a sweep accumulates into several inputs", "[tape][reverse]") {
    Tape tape;
    const Var x = tape.variable(Tensor::from_vector({1, 2, 3}, {3}, f64));
    const Var z = tape.variable(Tensor::from_vector({4, 5, 6}, {3}, f64));
    const Var y = sum(x * x + x * z + z);  // dy/dx = 2x + z, dy/dz = x + 1
    const auto g = grad(y, {x, z});
    CHECK(g[0].value().to_vector() == std::vector<double>{6, 9, 12});
    CHECK(g[1].value().to_vector() == std::vector<double>{2, 3, 4});
    const Var unused = tape.variable(Tensor::ones({2}, f64));
    CHECK_ERROR(grad(y, unused), Catch::Contains("released"));
}

TEST_CASE("records are kept for repeated sweeps only when asked", "[tape][reverse]") {
    Tape tape;
    const Var x = tape.variable(Tensor::from_vector({2}, {1}, f64));
    const Var y = sum(x * x * x);
    GradOptions keep;
    keep.retain_records = true;
    CHECK(grad(y, x, keep).item() == 12.0);
    CHECK(grad(y, x, keep).item() == 12.0);
    CHECK(grad(y, x).item() == 12.0);  // consumes the records
    CHECK(tape.stats().records == 0);
    CHECK_ERROR(grad(y, x), Catch::Contains("released"));
}

TEST_CASE("vector-Jacobian products take a seed", "[tape][reverse]") {
    Tape tape;
    const Var x = tape.variable(Tensor::from_vector({1, 2, 3}, {3}, f64));
    const Var y = x * x;
    const Var g = vjp(y, Tensor::from_vector({1, 0, -1}, {3}, f64), {x})[0];
    CHECK(g.value().to_vector() == std::vector<double>{2, 0, -6});
}

TEST_CASE("grad-of-grad gives second derivatives", "[tape][reverse]") {
    Tape tape;
    const Var x = tape.variable(Tensor::from_vector({0.5}, {1}, f64));
    const Var y = sum(exp(x) * sin(x));
    const Var dy = grad(y, x, create_graph);
    const Var d2y = grad(sum(dy), x);
    CHECK(d2y.item() == Approx(2 * std::exp(0.5) * std::cos(0.5)).epsilon(1e-14));
}

TEST_CASE("a no-record scope yields constants", "[tape]") {
    Tape tape;
    const Var x = tape.variable(Tensor::ones({3}, f64));
    {
        auto quiet = tape.no_record();
        const Var y = x * 2.0;
        CHECK_FALSE(y.on_tape());
        CHECK(tape.stats().records == 0);
    }
    CHECK((x * 2.0).on_tape());
}

TEST_CASE("forward mode propagates n tangent directions at once", "[tape][forward]") {
    // f(x) = sum over a small composite; J V from one pass equals V^T grad f for each column.
    const Tensor x0 = randn({5}, 31);
    const Tensor V = randn({4, 5}, 32);
    const auto f = [](const Var& x) { return sum(tanh(x) * exp(0.3 * x) + square(x)); };
    const Var y = f(with_tangents(Var(x0), V));
    REQUIRE(y.tangents().shape() == Shape{4});

    Tape tape;
    const Var x = tape.variable(x0);
    const auto g = grad(f(x), x).value().to_vector();
    const auto v = V.to_vector();
    for (int k = 0; k < 4; ++k) {
        double expected = 0;
        for (int i = 0; i < 5; ++i) expected += g[static_cast<std::size_t>(i)] * v[static_cast<std::size_t>(k * 5 + i)];
        CHECK(y.tangents().to_vector()[static_cast<std::size_t>(k)] == Approx(expected).epsilon(1e-13));
    }
    CHECK_FALSE(y.on_tape());
}

TEST_CASE("a moved tape keeps its Vars working", "[tape]") {
    Tape first;
    const Var x = first.variable(Tensor::from_vector({3}, {1}, f64));
    const Var y = sum(x * x);
    Tape second = std::move(first);
    CHECK(grad(y, x).item() == 6.0);
}

TEST_CASE("a Var outliving its tape behaves as a constant", "[tape]") {
    Var x;
    {
        Tape tape;
        x = tape.variable(Tensor::ones({2}, f64));
    }
    const Var y = x * 3.0;
    CHECK_FALSE(y.on_tape());
    CHECK(y.value().to_vector() == std::vector<double>{3, 3});
}

namespace {

// A user-defined op: y = x^3 as one record, with its VJP and JVP rules, through record(). The
// forward value is computed on the detached value so that it records nothing itself.
Var cube(const Var& x) {
    const Var v = detach(x);
    Tensor y = (v * v * v).value();
    return record(
        {.name = "cube", .operands = {x}, .saved = {x}}, y,
        [](const Var& g, const Saved& s, const NeedsGrad&) { return Grads{3.0 * g * square(s[0])}; },
        [](const Tangents& t) { return sum_terms(t, {3.0 * t[0] * square(t.primal(0))}); });
}

}  // namespace

TEST_CASE("users define ops with record() and get every mode", "[tape][ops]") {
    hypertape::testing::check_op("cube", [](const hypertape::testing::Vars& v) { return cube(v[0]); },
                                 {randn({3, 2}, 61)});
    Tape tape;
    const Var x = tape.variable(Tensor::from_vector({2}, {1}, f64));
    CHECK(cube(x).on_tape());
    CHECK(tape.stats().records == 1);
}

TEST_CASE("chained sweeps with starting adjoints give one sweep's bits", "[tape][reverse]") {
    const Tensor x0 = randn({5}, 71);
    const Tensor lam0 = randn({5}, 72);
    const auto first = [](const Var& x, const Var& lam) { return sin(x * lam) + exp(0.3 * lam); };
    const auto second = [](const Var& u, const Var& lam) { return sum(tanh(u + lam) * lam + square(u)); };

    Tape whole;
    const Var lam = whole.variable(lam0);
    const Tensor expected = grad(second(first(Var(x0), lam), lam), lam).value();

    // The second part from u = first(x, lam) as a variable, then the first part seeded with u's
    // adjoint and starting from the second part's lambda adjoint.
    Tape tail;
    const Var lam2 = tail.variable(lam0);
    const Var u = tail.variable(first(Var(x0), Var(lam0)).value());
    const auto g2 = grad(second(u, lam2), {u, lam2});
    Tape head;
    const Var lam1 = head.variable(lam0);
    GradOptions chained;
    chained.accumulate = {g2[1].value()};
    const Tensor h = grad(sum(first(Var(x0), lam1) * g2[0]), lam1, chained).value();
    CHECK(h.to_vector() == expected.to_vector());

    GradOptions wrong;
    wrong.accumulate = {Tensor::zeros({4}, f64)};
    Tape t;
    const Var v = t.variable(lam0);
    CHECK_ERROR(grad(sum(v * v), v, wrong), Catch::Contains("starting adjoint") && Catch::Contains("[4]"));
}

TEST_CASE("a storage block counts the writes handed out through any tensor that shares it", "[tape][versions]") {
    Tensor t = Tensor::zeros({2, 3}, f64);
    const std::uint64_t v0 = t.version();
    CHECK(std::as_const(t).data<double>() != nullptr);
    CHECK(std::as_const(t).raw() != nullptr);
    CHECK(t.version() == v0);
    t.data<double>()[0] = 1.0;
    CHECK(t.version() == v0 + 1);
    Tensor view = t.reshaped({6});  // the same block: the same version
    view.mutable_raw();
    CHECK(t.version() == v0 + 2);
    CHECK(view.version() == t.version());
    const Tensor copy = t.clone();  // a new block
    t.data<double>()[1] = 2.0;
    CHECK(copy.version() != t.version());
    CHECK(Tensor().version() == 0);

    // The sweep's error gives the versions: from_vector wrote the block once, the user once more.
    Tensor data = Tensor::from_vector({0.1, 0.2}, {2}, f64);
    CHECK(data.version() == 1);
    Tape tape;
    const Var x = tape.variable(data);
    const Var y = sum(exp(x * x));
    data.data<double>()[1] = 1.0;
    CHECK_ERROR(grad(y, x), Catch::Contains("mul: saved tensor #0 (operand #0, float64 [2])") &&
                                Catch::Contains("(version 1 -> 2)"));

    // Ops read their operands: no op bumps them (tests/support/gradcheck.cpp checks every op).
    const std::uint64_t before = t.version();
    const Var r = sum(exp(Var(t)) * Var(t));
    CHECK(r.defined());
    CHECK(t.version() == before);
}

TEST_CASE("a VJP reads its saved tensors by name, and only what the op saved", "[tape][ops]") {
    // A user op whose VJP reads a slot the op did not fill, and one that reads an unsaved output.
    const auto reads_unsaved_slot = [](const Var& x) {
        return record(
            {.name = "bad_slot", .operands = {x}}, detach(x).value(),
            [](const Var& g, const Saved& s, const NeedsGrad&) { return Grads{g * s[0]}; },
            [](const Tangents& t) { return t[0]; });
    };
    const auto reads_unsaved_output = [](const Var& x) {
        return record(
            {.name = "bad_output", .operands = {x}, .saved = {x}}, detach(x).value(),
            [](const Var& g, const Saved& s, const NeedsGrad&) { return Grads{g * s.output()}; },
            [](const Tangents& t) { return t[0]; });
    };
    Tape tape;
    const Var x = tape.variable(Tensor::ones({2}, f64));
    GradOptions retain;
    retain.retain_records = true;
    CHECK_ERROR(grad(sum(reads_unsaved_slot(x)), x, retain),
                Catch::Contains("bad_slot") && Catch::Contains("saved tensor #0") && Catch::Contains("saved 0"));
    CHECK_ERROR(grad(sum(reads_unsaved_output(x)), x, retain),
                Catch::Contains("bad_output") && Catch::Contains("save_output"));

    // needed_if_tracked leaves a slot empty, in place: mul by a constant saves only the constant,
    // as s[1], and reading s[0] would be an error the VJP never makes (needs[1] is false).
    const Var c = Tensor::from_vector({2, 3}, {2}, f64);
    CHECK(grad(sum(x * c), x, retain).value().to_vector() == std::vector<double>{2, 3});
    CHECK(tape.stats().saved_bytes == 16 + 16);  // c, and bad_output's x
}
