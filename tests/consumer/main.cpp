// Differentiates one expression and exits 0 when the gradient is right.
#include <cstdio>
#include <hypertape/hypertape.hpp>

int main() {
    namespace ht = hypertape;
    ht::Tape tape;
    const ht::Var x = tape.variable(ht::Tensor::from_vector({1, 2, 3}, {3}, ht::f64));
    const ht::Var y = ht::sum(ht::square(x));
    const auto g = ht::grad(y, x).value().to_vector();
    const bool ok = g == std::vector<double>{2, 4, 6};
    std::printf("consumer: gradient %s\n", ok ? "correct" : "WRONG");
    return ok ? 0 : 1;
}
