#pragma once
// Element types. Floating tensors are float32 or float64; int64 tensors carry indices and labels
// (gather, one_hot, cross_entropy) and are never differentiated. Ops never promote: mixing
// float32 and float64 in one op is an error, so a float64 check really runs in float64.
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hypertape {

enum class DType { f32, f64, i64 };

inline constexpr DType f32 = DType::f32;
inline constexpr DType f64 = DType::f64;
inline constexpr DType i64 = DType::i64;

constexpr std::size_t size_of(DType t) { return t == DType::f32 ? 4 : 8; }

constexpr std::string_view name_of(DType t) {
    switch (t) {
        case DType::f32:
            return "float32";
        case DType::f64:
            return "float64";
        case DType::i64:
            return "int64";
    }
    return "?";
}

constexpr bool is_floating(DType t) { return t != DType::i64; }

template <class T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
    return DType::f32;
}
template <>
constexpr DType dtype_of<double>() {
    return DType::f64;
}
template <>
constexpr DType dtype_of<std::int64_t>() {
    return DType::i64;
}

}  // namespace hypertape
