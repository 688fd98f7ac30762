#include "hypertape/bilevel/problem.hpp"

#include "hypertape/tape/error.hpp"

namespace hypertape {

Hyperparameters::Hyperparameters(Var lambda) : vars_{std::move(lambda)} {}

Hyperparameters::Hyperparameters(const Tensor& lambda) : vars_{Var(lambda)} {}

const Var& Hyperparameters::operator[](std::size_t i) const {
    if (i >= vars_.size()) fail("Hyperparameters: lambda[", i, "] asked for, but there are ", vars_.size());
    return vars_[i];
}

Hyperparameters::operator const Var&() const {
    if (vars_.size() != 1) {
        fail("Hyperparameters: the problem has ", vars_.size(),
             " lambda tensors, so its functions must take them as const Hyperparameters& and index them "
             "(lam[i]), not as one const Var&");
    }
    return vars_.front();
}

}  // namespace hypertape
