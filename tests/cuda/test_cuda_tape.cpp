// The tape's window and byte counters with device tensors (the key cases of tests/test_tape.cpp on
// cuda:0): Window{K} equals an explicit detach K steps before the end, bit for bit, and the GPU
// gradients equal the CPU's; tape stats on the GPU are exactly the CPU's (the ledger counts
// blocks, not devices); peak bytes stay flat in T under a window; the CUDA allocator's live_bytes
// is the exact sum of the bytes asked for and returns to its start once tensors and tapes die.
#include <catch2/catch.hpp>
#include <hypertape/hypertape.hpp>

#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::bitwise_equal;
using hypertape::testing::max_relative_error;
using hypertape::testing::randn;

namespace {

const Device kCuda = Device::cuda(0);

// The inner objective of the unrolled loop: g(w, lam) = 1/2 sum(e^lam (w - c)^2) + 1/10 sum(sin w).
Var inner_loss(const Var& w, const Var& lam, const Var& c) {
    return 0.5 * sum(exp(lam) * square(w - c)) + 0.1 * sum(sin(w));
}

struct Unrolled {
    Tensor gradient;  // on the host
    TapeStats stats;
};

// T gradient-descent steps w <- w - 0.2 grad_w g(w, lam) on `device`; returns d/dlam of
// sum((w_T - 1)^2). detach_at >= 0 restarts w as a fresh leaf before step detach_at.
Unrolled unroll(Device device, Window window, int steps, int detach_at = -1) {
    Tape tape{window};
    const Var lam = tape.variable((randn({4}, 21) * 0.3).value().to(device));
    const Var c = randn({4}, 22).to(device);
    Var w = tape.variable(Tensor::zeros({4}, f64, device));
    for (int t = 0; t < steps; ++t) {
        if (t == detach_at) w = tape.variable(w.value());
        auto step = tape.step();
        const Var g = grad(inner_loss(w, lam, c), w, create_graph);
        w = w - 0.2 * g;
    }
    const Var f = sum(square(w - 1.0));
    Unrolled out;
    out.stats = tape.stats();
    const Tensor h = grad(f, lam).value();
    REQUIRE(h.device() == device);
    out.gradient = h.to(Device::cpu());
    return out;
}

void check_same_stats(const TapeStats& a, const TapeStats& b) {
    CHECK(a.records == b.records);
    CHECK(a.live_steps == b.live_steps);
    CHECK(a.released_steps == b.released_steps);
    CHECK(a.saved_bytes == b.saved_bytes);
    CHECK(a.peak_bytes == b.peak_bytes);
}

}  // namespace

TEST_CASE("Window{K} on the GPU gives the gradient of the computation detached K steps before the end",
          "[cuda][tape][window]") {
    const int T = 30;
    const Tensor full = unroll(kCuda, Window::none(), T).gradient;
    CHECK(max_relative_error(full, unroll(Device::cpu(), Window::none(), T).gradient) < 1e-10);
    for (int K : {1, 3, 7}) {
        INFO("K = " << K);
        const Tensor truncated = unroll(kCuda, Window{K}, T).gradient;
        CHECK(bitwise_equal(truncated, unroll(kCuda, Window::none(), T, T - K).gradient));
        CHECK(max_relative_error(truncated, full) > 1e-12);  // truncation matters
        CHECK(max_relative_error(truncated, unroll(Device::cpu(), Window{K}, T).gradient) < 1e-10);
    }
    CHECK(bitwise_equal(unroll(kCuda, Window{T}, T).gradient, full));
    CHECK(bitwise_equal(unroll(kCuda, Window{T + 10}, T).gradient, full));
}

TEST_CASE("tape stats on the GPU are exactly the CPU's", "[cuda][tape][memory]") {
    for (const Window w : {Window{5}, Window{0}, Window::none()}) {
        INFO("window " << w.steps);
        check_same_stats(unroll(kCuda, w, 40).stats, unroll(Device::cpu(), w, 40).stats);
    }
}

TEST_CASE("peak tape bytes on the GPU are flat in T under a window and linear in T without one",
          "[cuda][tape][window][memory]") {
    const auto peak = [](Window w, int T) { return unroll(kCuda, w, T).stats.peak_bytes; };
    const Unrolled long_run = unroll(kCuda, Window{5}, 500);
    CHECK(long_run.stats.peak_bytes == peak(Window{5}, 50));
    CHECK(long_run.stats.live_steps == 5);
    CHECK(long_run.stats.released_steps == 495);

    const std::size_t p50 = peak(Window::none(), 50);
    const std::size_t p100 = peak(Window::none(), 100);
    const std::size_t p150 = peak(Window::none(), 150);
    CHECK(p100 > p50);
    CHECK(p100 - p50 == p150 - p100);
    CHECK(long_run.stats.peak_bytes < p50);
}

TEST_CASE("saved bytes count each device block once and return to zero", "[cuda][tape][memory]") {
    Tape tape;
    const Var x = tape.variable(Tensor::zeros({100}, f64, kCuda));
    const Var y = x * x;  // saves x twice: one block
    CHECK(tape.stats().saved_bytes == 800);
    const Var z = exp(y);  // saves its output: a second block
    REQUIRE(z.device() == kCuda);
    CHECK(tape.stats().saved_bytes == 1600);
    CHECK(tape.stats().records == 2);
    tape.clear();
    CHECK(tape.stats().saved_bytes == 0);
    CHECK(tape.stats().records == 0);
    CHECK(tape.stats().peak_bytes == 1600);
}

TEST_CASE("the CUDA allocator's live bytes are the exact sum of the bytes asked for", "[cuda][memory]") {
    Allocator& allocator = allocator_for(kCuda);
    Tensor::zeros({1}, f64, kCuda);  // the device's stream and cuBLAS workspace exist from here on
    const MemoryCounters before = allocator.counters();
    {
        const Tensor a = Tensor::empty({3}, f64, kCuda);              // 24 bytes
        const Tensor b = Tensor::zeros({1000, 7}, f32, kCuda);        // 28000 bytes
        const Tensor c = Tensor::indices({1, 2, 3, 4, 5}).to(kCuda);  // 40 bytes
        const Tensor empty = Tensor::zeros({0, 4}, f64, kCuda);       // no block
        const Tensor view = b.reshaped({7000});                       // b's block
        const MemoryCounters during = allocator.counters();
        CHECK(during.live_bytes == before.live_bytes + 24 + 28000 + 40);
        CHECK(during.live_blocks == before.live_blocks + 3);
        CHECK(during.peak_bytes >= during.live_bytes);
        CHECK(during.reserved_bytes >= during.live_bytes);
    }
    const MemoryCounters after = allocator.counters();
    CHECK(after.live_bytes == before.live_bytes);
    CHECK(after.live_blocks == before.live_blocks);

    allocator.release_cache();
    const MemoryCounters released = allocator.counters();
    CHECK(released.live_bytes == before.live_bytes);
    CHECK(released.reserved_bytes <= after.reserved_bytes);
    CHECK(released.reserved_bytes >= released.live_bytes);
    allocator.reset_peak();
    CHECK(allocator.counters().peak_bytes == released.live_bytes);
}

TEST_CASE("the CUDA allocator's counters return to their start after a windowed unrolled loop",
          "[cuda][tape][memory]") {
    Allocator& allocator = allocator_for(kCuda);
    Tensor::zeros({1}, f64, kCuda);  // the device's stream and cuBLAS workspace exist from here on
    const MemoryCounters before = allocator.counters();
    const MemoryCounters host_before = HostAllocator::instance().counters();
    {
        Tape tape{Window{2}};
        Var w = tape.variable(Tensor::ones({1000}, f64, kCuda));
        const Var lam = tape.variable(Tensor::ones({1000}, f32, kCuda).to(f64));
        for (int t = 0; t < 10; ++t) {
            auto step = tape.step();
            w = w - 0.1 * grad(sum(square(w - lam)), w, create_graph);
        }
        const MemoryCounters during = allocator.counters();
        CHECK(during.live_bytes > before.live_bytes);
        CHECK(during.peak_bytes >= during.live_bytes);
        // Device tensors take nothing from the host allocator.
        CHECK(HostAllocator::instance().counters().live_bytes == host_before.live_bytes);
        const Tensor h = grad(sum(w), lam).value();
        CHECK(h.device() == kCuda);
    }
    const MemoryCounters after = allocator.counters();
    CHECK(after.live_bytes == before.live_bytes);
    CHECK(after.live_blocks == before.live_blocks);
}
