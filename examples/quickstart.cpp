// The README's example, built and run by the test suite so that it keeps working.
#include <hypertape/hypertape.hpp>
#include <iostream>
#include <random>
#include <vector>
namespace ht = hypertape;

int main() {
    std::mt19937_64 rng(0);
    const ht::Tensor X = ht::Tensor::uniform({200, 785}, 0, 1, rng);              // training inputs
    const ht::Tensor y = ht::Tensor::indices(std::vector<std::int64_t>(200, 3));  // their labels
    const ht::Tensor Xval = ht::Tensor::uniform({100, 785}, 0, 1, rng);
    const ht::Tensor yval = ht::Tensor::indices(std::vector<std::int64_t>(100, 3));

    ht::Tape tape{ht::Window{5}};                             // keep the records of the newest 5 steps
    ht::Var lam = tape.variable(ht::Tensor::zeros({200}));    // hyperparameters: per-example weights
    ht::Var W = tape.variable(ht::Tensor::zeros({10, 785}));  // the inner iterate w_0
    for (int t = 0; t < 100; ++t) {
        auto step = tape.step();  // records made now belong to step t
        ht::Var inner = ht::cross_entropy(ht::matmul(X, W, ht::trans_b), y, ht::sigmoid(lam));
        ht::Var g = ht::grad(inner, W, ht::create_graph);  // a differentiable gradient
        W = W - 0.02 * g;                                  // differentiable gradient-descent step
    }
    ht::Var f = ht::cross_entropy(ht::matmul(Xval, W, ht::trans_b), yval);
    ht::Tensor h = ht::grad(f, lam).value();       // h_{T-K} of eq. (8), K = 5
    std::cout << tape.stats().peak_bytes << "\n";  // exact bytes held by the tape at its peak
}
