#include "support/device_check.hpp"

#include <catch2/catch.hpp>

namespace hypertape::testing {
namespace {

// What one device computes for f at the inputs, copied back to the host.
struct Outcome {
    Tensor value;
    std::vector<Tensor> vjps;
    Tensor tangents;
    std::vector<Tensor> hessian_products;  // empty when grad sum(u * f) is a constant (a linear op)
};

// A result computed on `device`, checked to live there, as a host copy.
Tensor fetch(const Tensor& t, Device device, const std::string& what) {
    INFO(what << " computed on " << device.name());
    REQUIRE(t.defined());
    REQUIRE(t.device() == device);
    return t.to(Device::cpu());
}

Vars variables(Tape& tape, const std::vector<Tensor>& xs) {
    Vars out;
    for (const Tensor& x : xs) out.push_back(tape.variable(x));
    return out;
}

Outcome run_on(Device device, const OpFn& f, const std::vector<Tensor>& host_inputs, const DeviceCheckOptions& o) {
    std::vector<Tensor> inputs;
    for (const Tensor& x : host_inputs) inputs.push_back(x.to(device));
    Outcome out;
    out.value = fetch(f(Vars(inputs.begin(), inputs.end())).value(), device, "the value");
    const Tensor u = randn(out.value.shape(), o.seed).to(device);

    Tape tape;
    const Vars xs = variables(tape, inputs);
    for (const Var& g : vjp(f(xs), u, xs)) out.vjps.push_back(fetch(g.value(), device, "a VJP"));

    Vars duals;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Tensor directions = randn(inputs[i].shape().prepend(o.directions), o.seed + 100 + i).to(device);
        duals.push_back(with_tangents(Var(inputs[i]), directions));
    }
    const Var y = f(duals);
    REQUIRE(y.has_tangents());
    out.tangents = fetch(y.tangents(), device, "the tangents");

    if (!o.second_order) return out;
    Tape tape2;
    const Vars xs2 = variables(tape2, inputs);
    const Vars g = grad(sum(f(xs2) * Var(u)), xs2, create_graph);
    Var gv;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        const Var term = sum(g[i] * Var(randn(inputs[i].shape(), o.seed + 200 + i).to(device)));
        gv = gv.defined() ? gv + term : term;
    }
    if (gv.on_tape()) {
        for (const Var& h : grad(gv, xs2)) out.hessian_products.push_back(fetch(h.value(), device, "a grad-of-grad"));
    }
    return out;
}

void compare(const Tensor& on_cpu, const Tensor& on_device, double tolerance, const std::string& what) {
    INFO(what);
    CHECK(on_device.dtype() == on_cpu.dtype());
    CHECK(max_relative_error(on_device, on_cpu) < tolerance);
}

}  // namespace

Tensor to_device_of(const Tensor& t, const Var& like) { return t.device() == like.device() ? t : t.to(like.device()); }

void check_on_device(const std::string& name, const OpFn& f, const std::vector<Tensor>& inputs,
                     DeviceCheckOptions options, Device device) {
    INFO("op " << name << " on " << device.name());
    for (const Tensor& x : inputs) {
        REQUIRE(x.device() == Device::cpu());
        REQUIRE(x.dtype() == f64);
    }
    const Outcome cpu = run_on(Device::cpu(), f, inputs, options);
    const Outcome gpu = run_on(device, f, inputs, options);
    const double tol = options.tolerance;

    compare(cpu.value, gpu.value, tol, "the value");
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        compare(cpu.vjps[i], gpu.vjps[i], tol, "the VJP with respect to operand " + std::to_string(i));
    }
    compare(cpu.tangents, gpu.tangents, tol, "the tangents of " + std::to_string(options.directions) + " directions");
    REQUIRE(gpu.hessian_products.size() == cpu.hessian_products.size());
    for (std::size_t i = 0; i < cpu.hessian_products.size(); ++i) {
        compare(cpu.hessian_products[i], gpu.hessian_products[i], tol,
                "the grad-of-grad with respect to operand " + std::to_string(i));
    }
}

}  // namespace hypertape::testing
