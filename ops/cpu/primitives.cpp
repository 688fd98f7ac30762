#include "hypertape/ops/cpu/primitives.hpp"

#include <algorithm>
#include <cstring>

#include "hypertape/ops/math/binary.hpp"

namespace hypertape::cpu {

void fill(Tensor& out, double value) {
    const auto n = static_cast<std::size_t>(out.numel());
    switch (out.dtype()) {
        case DType::f32:
            std::fill_n(out.data<float>(), n, static_cast<float>(value));
            break;
        case DType::f64:
            std::fill_n(out.data<double>(), n, value);
            break;
        case DType::i64:
            std::fill_n(out.data<std::int64_t>(), n, static_cast<std::int64_t>(value));
            break;
    }
}

void copy(const Tensor& from, Tensor& to) {
    if (from.nbytes() > 0) std::memcpy(to.mutable_raw(), from.raw(), from.nbytes());
}

void convert(const Tensor& from, Tensor& to) {
    dispatch_floating(from.dtype(), [&]<class From>() {
        dispatch_floating(to.dtype(), [&]<class To>() { std::copy_n(from.data<From>(), from.numel(), to.data<To>()); });
    });
}

bool all_finite(const Tensor& x) {
    if (!is_floating(x.dtype())) return true;
    return dispatch_floating(x.dtype(), [&]<class T>() {
        const T* p = x.data<T>();
        return std::all_of(p, p + x.numel(), [](T v) { return math::is_finite(v); });
    });
}

void flag_nonfinite(const Tensor& x, Tensor& first_bad, std::int64_t tag) {
    if (all_finite(x)) return;
    std::int64_t& flag = first_bad.data<std::int64_t>()[0];
    flag = std::min(flag, tag);
}

}  // namespace hypertape::cpu
