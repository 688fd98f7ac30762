#pragma once
// The device counterpart of check_op (gradcheck.hpp): an op run on a device against the same op on
// the CPU, in every AD mode, at float64 inputs copied to the device with Tensor::to:
//   - forward: the value f(x);
//   - reverse: the VJPs u^T J for a fixed random u of f's shape (the gradient of sum(u * f(x)));
//   - forward mode: the n-direction tangent batch J V for fixed random directions V;
//   - second order: the grad-of-grad H v, the gradient of sum(v * grad sum(u * f(x))) recorded
//     with create_graph, for fixed random v.
// u, V and v are drawn on the host from options.seed and copied, so both devices see the same
// bits. Every device result must live on the device (REQUIREd) before it is copied back; the
// comparison is max_relative_error < options.tolerance, element by element.
//
//   check_on_device("mul", [](const Vars& x) { return x[0] * x[1]; }, {randn({3, 4}), randn({4})});
//   const Tensor labels = Tensor::indices({2, 0, 1});
//   check_on_device("cross_entropy",
//                   [&](const Vars& x) { return cross_entropy(x[0], to_device_of(labels, x[0])); },
//                   {randn({3, 4})});
#include <string>
#include <vector>

#include "support/gradcheck.hpp"

namespace hypertape::testing {

struct DeviceCheckOptions {
    double tolerance = 1e-10;     // on |cpu - device| / max(1, |cpu|, |device|)
    bool second_order = true;     // also compare grad-of-grad
    std::int64_t directions = 3;  // tangent batch size
    std::uint64_t seed = 7;
};

// `inputs` are float64 tensors on the CPU.
void check_on_device(const std::string& name, const OpFn& f, const std::vector<Tensor>& inputs,
                     DeviceCheckOptions options = {}, Device device = Device::cuda(0));

// `t` on the device of `like` (t itself when it is there already): how an OpFn brings its
// constants (labels, indices, masks) to the device it runs on.
Tensor to_device_of(const Tensor& t, const Var& like);

}  // namespace hypertape::testing
