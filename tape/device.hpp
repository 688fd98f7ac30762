#pragma once
// Where a tensor's storage lives. Every op checks that its operands share one device and then
// dispatches once to that device's kernels (ops/kernels.hpp).
#include <string>

namespace hypertape {

struct Device {
    enum class Kind { cpu, cuda };
    Kind kind = Kind::cpu;
    int index = 0;

    static constexpr Device cpu() { return {Kind::cpu, 0}; }
    static constexpr Device cuda(int i) { return {Kind::cuda, i}; }

    friend constexpr bool operator==(Device, Device) = default;

    std::string name() const { return kind == Kind::cpu ? std::string("cpu") : "cuda:" + std::to_string(index); }
};

}  // namespace hypertape
