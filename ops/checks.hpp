#pragma once
// Argument checks shared by every op. Each names the op and the operands, in every build:
//   check_operands("mul", a, b)  ->  "mul: operands are float32 [3, 4] on cpu and float64 [4] on cpu"
#include <string>

#include "hypertape/tape/var.hpp"

namespace hypertape {

// "float32 [3, 4] on cpu": how errors name an operand.
std::string describe(const Tensor& x);
std::string describe(const Var& x);

// x is defined and floating point.
void check_floating(const char* op, const char* name, const Var& x);
// Both defined, floating, of one dtype and on one device.
void check_operands(const char* op, const Var& a, const Var& b);
// An int64 index tensor on the same device as `like`.
void check_indices(const char* op, const char* name, const Tensor& indices, const Var& like);

// Every index lies in [0, bound); otherwise the message names the first bad one and its position,
// then `context` (what the bound is): "gather: index 7 at position 2 is out of range [0, 5) ...".
void check_in_range(const char* op, const char* what, const Tensor& indices, std::int64_t bound,
                    const std::string& context);

}  // namespace hypertape
