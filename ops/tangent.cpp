#include "hypertape/ops/tangent.hpp"

#include "hypertape/ops/binary.hpp"
#include "hypertape/ops/layout.hpp"
#include "hypertape/ops/reduce.hpp"

namespace hypertape {

Var lift(const Var& tangent, int value_rank) {
    const Shape& s = tangent.shape();
    Shape::Dims dims{s[0]};
    for (int i = s.rank() - 1; i < value_rank; ++i) dims.push_back(1);
    for (int i = 1; i < s.rank(); ++i) dims.push_back(s[i]);
    return Var(tangent.value().reshaped(Shape(dims)));
}

Var broadcast_tangent(const Var& tangent, const Shape& shape) {
    const std::int64_t n = tangent.shape()[0];
    return broadcast_to(lift(tangent, shape.rank()), shape.prepend(n));
}

Var sum_terms(const Tangents& t, std::initializer_list<Var> terms) {
    Var total;
    for (const Var& term : terms) {
        if (term.defined()) total = total.defined() ? total + term : term;
    }
    return broadcast_to(total, t.output().shape().prepend(t.n()));
}

Var sum_tangent_to(const Var& tangent, const Shape& shape) {
    const std::int64_t n = tangent.shape()[0];
    const int rank = tangent.rank() - 1;
    // Pad the target with leading ones to the tangent's value rank, reduce, then drop the padding.
    Shape::Dims padded(static_cast<std::size_t>(rank - shape.rank()), 1);
    padded.insert(padded.end(), shape.dims().begin(), shape.dims().end());
    Var reduced = sum_to(tangent, Shape(padded).prepend(n));
    return Var(reduced.value().reshaped(shape.prepend(n)));
}

Var each_direction(const Var& tangent, const std::function<Var(const Var&)>& f) {
    const Shape one = tangent.shape().drop_front();
    std::vector<Var> results;
    for (std::int64_t i = 0; i < tangent.shape()[0]; ++i) {
        const Var r = f(Var(slice(tangent, 0, i, i + 1).value().reshaped(one)));
        results.push_back(Var(r.value().reshaped(r.shape().prepend(1))));
    }
    return concat(results, 0);
}

}  // namespace hypertape
