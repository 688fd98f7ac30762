// Hypergradients on the GPU against the CPU on a data hyper-cleaning problem of the demo's size
// (examples/demo.cpp: W [10, 785], 5000 per-example weights sigmoid(lambda), T = 100 steps of
// gradient descent, float32, random data): every strategy agrees with its CPU result to float32
// precision and reports cuda:0 with the CPU's step and byte counts; checkpointing reproduces
// reverse mode bit for bit on the GPU as on the CPU; and the inner steps of a Truncated{5} run
// never wait for the device.
#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/hypertape.hpp>
#include <optional>

#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::bitwise_equal;
using hypertape::testing::max_relative_error;
using hypertape::testing::randn;

namespace {

const Device kCuda = Device::cuda(0);
constexpr int kSteps = 100;
constexpr std::int64_t kTrain = 5000;
constexpr std::int64_t kClasses = 10;
constexpr std::int64_t kFeatures = 785;

// Random hyper-cleaning data on the host, float32: inputs uniform in [0, 1), labels uniform in
// [0, 10).
struct Data {
    Tensor X;
    std::vector<std::int64_t> y;
    Tensor Xval;
    Tensor yval;
};

std::vector<std::int64_t> random_labels(std::int64_t n, std::mt19937_64& rng) {
    std::uniform_int_distribution<std::int64_t> label(0, kClasses - 1);
    std::vector<std::int64_t> out(static_cast<std::size_t>(n));
    for (auto& y : out) y = label(rng);
    return out;
}

const Data& data() {
    static const Data d = [] {
        std::mt19937_64 rng(2026);
        Data out;
        out.X = Tensor::uniform({kTrain, kFeatures}, 0, 1, rng);
        out.y = random_labels(kTrain, rng);
        out.Xval = Tensor::uniform({500, kFeatures}, 0, 1, rng);
        out.yval = Tensor::indices(random_labels(500, rng));
        return out;
    }();
    return d;
}

// The first n training examples, everything on `device`: inner loss
// CE(X W^T, y, sigmoid(lambda)) + 1e-3 / 2 |W|^2 by gradient descent (step 0.02) from W = 0,
// outer loss CE(Xval W^T, yval).
Problem hypercleaning(std::int64_t n, Device device) {
    const Data& d = data();
    const Tensor X = slice(Var(d.X), 0, 0, n).value().to(device);
    const Tensor y = Tensor::indices(std::vector<std::int64_t>(d.y.begin(), d.y.begin() + n)).to(device);
    const Tensor Xval = d.Xval.to(device);
    const Tensor yval = d.yval.to(device);
    const Var eta(Tensor::scalar(0.02, f32, device));
    Problem p;
    p.lambda_shape = {n};
    p.steps = kSteps;
    p.init = [device](const Var&) { return State{Var(Tensor::zeros({kClasses, kFeatures}, f32, device))}; };
    p.step = [X, y, eta](const State& s, const Var& lam, int t) {
        const auto inner = [&](const Var& W) {
            return cross_entropy(matmul(X, W, trans_b), y, sigmoid(lam)) + 0.5e-3 * squared_norm(W);
        };
        return GradientDescent{eta}.step(s, tape_gradient(inner), t);
    };
    p.outer = [Xval, yval](const State& s, const Var&) { return cross_entropy(matmul(Xval, s[0], trans_b), yval); };
    return p;
}

// lambda for the first n examples, float32 on the host.
Tensor lambda(std::int64_t n) { return (Var(randn({n}, 5)) * 0.5).value().to(f32); }

// |a - b| / |b| over all elements.
double relative_error(const Tensor& a, const Tensor& b) {
    const auto va = a.to_vector();
    const auto vb = b.to_vector();
    REQUIRE(va.size() == vb.size());
    double diff = 0;
    double norm = 0;
    for (std::size_t i = 0; i < va.size(); ++i) {
        diff += (va[i] - vb[i]) * (va[i] - vb[i]);
        norm += vb[i] * vb[i];
    }
    REQUIRE(norm > 0);
    return std::sqrt(diff / norm);
}

// The same strategy on the GPU and on the CPU: float32 agreement of every result (the GPU sums
// in another order), and the same counts, which do not depend on the device.
void check_agree(const HypergradientResult& gpu, const HypergradientResult& cpu) {
    REQUIRE(gpu.value.device() == kCuda);
    CHECK(gpu.value.dtype() == f32);
    CHECK(gpu.report.device == kCuda);
    CHECK(cpu.report.device == Device::cpu());
    CHECK(relative_error(gpu.value, cpu.value) < 1e-3);
    CHECK(gpu.outer_loss == Approx(cpu.outer_loss).epsilon(1e-5));
    REQUIRE(gpu.final_state.size() == cpu.final_state.size());
    CHECK(gpu.final_state[0].device() == kCuda);
    CHECK(max_relative_error(gpu.final_state[0], cpu.final_state[0]) < 1e-4);
    CHECK(gpu.report.step_evaluations == cpu.report.step_evaluations);
    CHECK(gpu.report.tape_peak_bytes == cpu.report.tape_peak_bytes);
    CHECK(gpu.report.snapshot_peak_bytes == cpu.report.snapshot_peak_bytes);
    CHECK(gpu.report.tangent_peak_bytes == cpu.report.tangent_peak_bytes);
    CHECK(gpu.report.peak_bytes == cpu.report.peak_bytes);
}

}  // namespace

TEST_CASE("every hypergradient strategy on the GPU agrees with the CPU on hyper-cleaning", "[cuda][bilevel]") {
    const Problem on_cpu = hypercleaning(kTrain, Device::cpu());
    const Problem on_gpu = hypercleaning(kTrain, kCuda);
    const Tensor lam = lambda(kTrain);
    // CG amplifies rounding differences with every iteration: on this problem float32 and float64
    // differ by about 3e-4 relative at k = 10, 5e-6 at k = 5.
    const std::vector<std::pair<const char*, Strategy>> strategies = {
        {"Reverse", Reverse{}},
        {"Truncated{5}", Truncated{5}},
        {"Checkpointed::uniform()", Checkpointed::uniform()},
        {"Checkpointed::binomial(5)", Checkpointed::binomial(5)},
        {"Implicit::cg(5)", Implicit::cg(5)},
    };
    for (const auto& [name, strategy] : strategies) {
        INFO(name);
        check_agree(hypergradient(on_gpu, lam.to(kCuda), strategy), hypergradient(on_cpu, lam, strategy));
    }
}

TEST_CASE("forward mode on the GPU agrees with the CPU on 50 hyper-cleaning weights", "[cuda][bilevel]") {
    // Forward carries one tangent per weight: 50 of them instead of 5000.
    const std::int64_t n = 50;
    const Tensor lam = lambda(n);
    const HypergradientResult gpu = hypergradient(hypercleaning(n, kCuda), lam.to(kCuda), Forward{});
    check_agree(gpu, hypergradient(hypercleaning(n, Device::cpu()), lam, Forward{}));
    CHECK(relative_error(gpu.value, hypergradient(hypercleaning(n, kCuda), lam.to(kCuda), Reverse{}).value) < 1e-3);
}

TEST_CASE("checkpointing on the GPU reproduces reverse mode bit for bit", "[cuda][bilevel]") {
    const Problem p = hypercleaning(kTrain, kCuda);
    const Tensor lam = lambda(kTrain).to(kCuda);
    const Tensor reverse = hypergradient(p, lam, Reverse{}).value;
    CHECK(bitwise_equal(hypergradient(p, lam, Checkpointed::uniform()).value, reverse));
    CHECK(bitwise_equal(hypergradient(p, lam, Checkpointed::binomial(5)).value, reverse));
    CHECK(bitwise_equal(hypergradient(p, lam, Truncated{5}).value,
                        hypergradient(p, lam, Checkpointed::uniform(2, 5)).value));
}

TEST_CASE("the inner steps of a Truncated{5} hypergradient on the GPU never wait for the device",
          "[cuda][bilevel][sync]") {
    Problem p = hypercleaning(kTrain, kCuda);
    std::optional<DeviceSyncCounters> at_entry;
    std::optional<DeviceSyncCounters> at_exit;
    p.step = [&at_entry, &at_exit, step = p.step](const State& s, const Var& lam, int t) {
        if (t == 0) at_entry = device_sync_counters();
        State next = step(s, lam, t);
        if (t == kSteps - 1) at_exit = device_sync_counters();
        return next;
    };
    const Tensor lam = lambda(kTrain).to(kCuda);
    // The first run checks the labels' range, reading them once; the check is remembered with their
    // block on the device, so the second run's steps find them checked.
    hypergradient(p, lam, Truncated{5});
    at_entry.reset();
    at_exit.reset();
    const HypergradientResult r = hypergradient(p, lam, Truncated{5});
    REQUIRE(at_entry.has_value());
    REQUIRE(at_exit.has_value());
    CHECK(at_exit->synchronizations == at_entry->synchronizations);
    CHECK(at_exit->device_to_host_copies == at_entry->device_to_host_copies);
    // After the loop the run reads the outer loss and checks the state: the counters do count.
    CHECK(device_sync_counters().synchronizations > at_exit->synchronizations);
    CHECK(r.report.device == kCuda);
}
