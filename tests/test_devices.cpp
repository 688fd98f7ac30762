// Devices, checked on any machine: names and equality; CUDA devices counted only where the backend
// is built; a CUDA device that does not exist (any CUDA device in a CPU-only build, cuda:N on a
// machine with N GPUs) is an Error naming it; TF32 is refused without the backend; host reads are
// not device waits; the CPU's allocator is the host allocator; a hypergradient report names
// lambda's device.
#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/hypertape.hpp>

#include "support/error_matcher.hpp"

using namespace hypertape;
using Catch::Contains;

TEST_CASE("devices have names and compare by kind and index", "[devices]") {
    CHECK(Device::cpu().name() == "cpu");
    CHECK(Device::cuda(0).name() == "cuda:0");
    CHECK(Device::cuda(3).name() == "cuda:3");
    CHECK(Device{} == Device::cpu());
    CHECK(Device::cuda(0) != Device::cuda(1));
    CHECK(Device::cuda(0) != Device::cpu());
    CHECK(Tensor::zeros({2}, f64).device() == Device::cpu());
    CHECK(Tensor().device() == Device::cpu());
}

TEST_CASE("CUDA devices are counted only where the backend is built", "[devices]") {
    CHECK(cuda_device_count() >= 0);
    CHECK((cuda_built() || cuda_device_count() == 0));
}

TEST_CASE("a CUDA device that does not exist is an Error naming it", "[devices][errors]") {
    const Device missing = Device::cuda(cuda_device_count());
    const std::string name = missing.name();
    CHECK_ERROR(Tensor::zeros({2}, f64, missing), Contains(name));
    CHECK_ERROR(Tensor::empty({0}, f32, missing), Contains(name));
    CHECK_ERROR(Tensor::ones({3}, f64).to(missing), Contains(name));
    CHECK_ERROR(allocator_for(missing), Contains(name));
}

TEST_CASE("TF32 can be allowed only where the CUDA backend is built", "[devices][errors]") {
    CHECK_NOTHROW(set_cuda_allow_tf32(false));
    if (cuda_built()) {
        CHECK_NOTHROW(set_cuda_allow_tf32(true));
        set_cuda_allow_tf32(false);
    } else {
        CHECK_ERROR(set_cuda_allow_tf32(true), Contains("CUDA"));
    }
}

TEST_CASE("reads of host tensors are not device waits", "[devices]") {
    const DeviceSyncCounters before = device_sync_counters();
    const Var x = Tensor::from_vector({1, 2, 3}, {3}, f64);
    CHECK(sum(x).item() == 6);
    CHECK(x.value().to_vector().size() == 3);
    CHECK(x.value().all_finite());
    CHECK(cross_entropy(Var(Tensor::zeros({2, 3}, f64)), Tensor::indices({0, 2})).item() == Approx(std::log(3.0)));
    const DeviceSyncCounters after = device_sync_counters();
    CHECK(after.synchronizations == before.synchronizations);
    CHECK(after.device_to_host_copies == before.device_to_host_copies);
}

TEST_CASE("the CPU's allocator is the host allocator", "[devices][memory]") {
    CHECK(&allocator_for(Device::cpu()) == &HostAllocator::instance());
}

TEST_CASE("a hypergradient report names lambda's device", "[devices][bilevel]") {
    Problem p;
    p.lambda_shape = {2};
    p.steps = 3;
    p.init = [](const Var&) { return State{Var(Tensor::zeros({2}, f64))}; };
    p.step = [](const State& s, const Var& lam, int) { return State{s[0] - 0.1 * (s[0] - lam)}; };
    p.outer = [](const State& s, const Var&) { return sum(square(s[0])); };
    const Tensor lam = Tensor::from_vector({1, -2}, {2}, f64);
    for (const Strategy& s :
         std::vector<Strategy>{Reverse{}, Truncated{2}, Checkpointed::uniform(), Forward{}, Implicit::cg(2)}) {
        CHECK(hypergradient(p, lam, s).report.device == Device::cpu());
    }
}
