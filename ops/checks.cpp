#include "hypertape/ops/checks.hpp"

#include "hypertape/ops/cpu/index.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape {
std::string describe(const Tensor& t) {
    return std::string(name_of(t.dtype())) + " " + t.shape().str() + " on " + t.device().name();
}

std::string describe(const Var& v) { return describe(v.value()); }

void check_floating(const char* op, const char* name, const Var& x) {
    if (!x.defined()) fail(op, ": operand ", name, " is undefined");
    if (!is_floating(x.dtype())) fail(op, ": operand ", name, " is ", describe(x), "; a floating tensor is required");
    check_backend(op, x.device());
}

void check_operands(const char* op, const Var& a, const Var& b) {
    check_floating(op, "a", a);
    check_floating(op, "b", b);
    if (a.dtype() != b.dtype() || a.device() != b.device()) {
        fail(op, ": operands are ", describe(a), " and ", describe(b), "; they must share dtype and device");
    }
}

void check_backend(const char* op, Device device) {
    if (device.kind != Device::Kind::cpu) fail(op, ": no kernels for device ", device.name(), " in this build");
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
    if (const std::int64_t at = cpu::first_out_of_range(indices, bound); at >= 0) {
        fail(op, ": ", what, " ", indices.data<std::int64_t>()[at], " at position ", at, " is out of range [0, ", bound,
             ") ", context);
    }
}

}  // namespace hypertape
