#pragma once
// Argument checks shared by every op. Each names the op and the operands, in every build:
//   check_operands("mul", a, b)  ->  "mul: operands are float32 [3, 4] on cpu and float64 [4] on cpu"
#include "hypertape/tape/var.hpp"

#include <string>

namespace hypertape {

// "float32 [3, 4] on cpu": how errors name an operand.
std::string describe(const Var& x);

// x is defined and floating point.
void check_floating(const char* op, const char* name, const Var& x);
// Both defined, floating, of one dtype and on one device.
void check_operands(const char* op, const Var& a, const Var& b);
// The device has a backend in this build.
void check_backend(const char* op, Device device);
// An int64 index tensor on the same device as `like`.
void check_indices(const char* op, const char* name, const Tensor& indices, const Var& like);

}  // namespace hypertape
