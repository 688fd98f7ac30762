#pragma once
// Matrix products, on CBLAS gemm.
//
// matmul(a, b, flags) is op(a) op(b), where op transposes the last two axes of an operand whose
// flag is set: matmul(x, w, trans_b) is x w^T. Operands have rank 2 or more; the axes before the
// last two are batch axes and broadcast (numpy rules), so a [5, m, k] batch times a [k, n] matrix
// is a [5, m, n] batch of products. Forward-mode tangents ([n, m, k] for an [m, k] operand) are
// such batches.
//
//   matmul  C = A B    dA = g B^T    dB = A^T g     (g = dL/dC; with the flags, the transposes follow
//                                                   them, and a gradient is summed over the batch
//                                                   axes its operand was broadcast along)
//           JVP: dC = dA B + A dB
//   dot(a, b)          sum_i a_i b_i of two vectors of one length, shape []    d/da = b, d/db = a
//   squared_norm(x)    sum of x_i^2 over every element, shape []               d/dx = 2 x
//
//   Var logits = matmul(x, w, trans_b);        // x [batch, in], w [out, in]
//   Var penalty = 0.5 * squared_norm(w);
#include "hypertape/tape/var.hpp"

namespace hypertape {

// Which operands of matmul are transposed; combine with |: matmul(a, b, trans_a | trans_b).
struct Trans {
    bool a = false;
    bool b = false;
};

inline constexpr Trans no_trans{};
inline constexpr Trans trans_a{true, false};
inline constexpr Trans trans_b{false, true};

constexpr Trans operator|(Trans x, Trans y) { return {x.a || y.a, x.b || y.b}; }

Var matmul(const Var& a, const Var& b, Trans flags = no_trans);
Var dot(const Var& a, const Var& b);
Var squared_norm(const Var& x);

}  // namespace hypertape
