#include "hypertape/ops/checks.hpp"

#include "hypertape/ops/kernels.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape {
std::string describe(const Tensor& t) {
    return std::string(name_of(t.dtype())) + " " + t.shape().str() + " on " + t.device().name();
}

std::string describe(const Var& v) { return describe(v.value()); }

void check_floating(const char* op, const char* name, const Var& x) {
    if (!x.defined()) fail(op, ": operand ", name, " is undefined");
    if (!is_floating(x.dtype())) fail(op, ": operand ", name, " is ", describe(x), "; a floating tensor is required");
}

void check_operands(const char* op, const Var& a, const Var& b) {
    check_floating(op, "a", a);
    check_floating(op, "b", b);
    if (a.dtype() != b.dtype() || a.device() != b.device()) {
        fail(op, ": operands are ", describe(a), " and ", describe(b), "; they must share dtype and device");
    }
}

void check_indices(const char* op, const char* name, const Tensor& indices, const Var& like) {
    if (!indices.defined()) fail(op, ": ", name, " is undefined");
    if (indices.dtype() != DType::i64) {
        fail(op, ": ", name, " must be int64, got ", name_of(indices.dtype()), " ", indices.shape().str());
    }
    if (indices.device() != like.device()) {
        fail(op, ": ", name, " live on ", indices.device().name(), " but the operand on ", like.device().name());
    }
}

void check_in_range(const char* op, const char* what, const Tensor& indices, std::int64_t bound,
                    const std::string& context) {
    // Host data is scanned every time: it is cheap, and a pointer from Tensor::data can write after
    // the version was bumped. A device block is written only through kernels, which bump its
    // version, so it is read once per bound and version: the check is remembered in its Storage,
    // and an inner step that checks the same labels every step does not wait for the device.
    const bool on_device = indices.device().kind != Device::Kind::cpu;
    if (on_device && indices.storage()->indices_known_below(bound)) return;
    if (const std::int64_t at = kernels::first_out_of_range(indices, bound); at >= 0) {
        const Tensor host = indices.to(Device::cpu());
        fail(op, ": ", what, " ", host.data<std::int64_t>()[at], " at position ", at, " is out of range [0, ", bound,
             ") ", context);
    }
    if (on_device) indices.storage()->note_indices_below(bound);
}

}  // namespace hypertape
