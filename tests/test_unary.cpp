#include <catch2/catch.hpp>
#include <cmath>

#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::CheckOptions;
using hypertape::testing::randn;
using hypertape::testing::uniform;
using hypertape::testing::Vars;

TEST_CASE("unary ops match finite differences in every mode", "[ops][unary]") {
    const Tensor any = randn({3, 4}, 41);
    const Tensor positive = uniform({3, 4}, 0.3, 2.0, 42);
    using Fn = Var (*)(const Var&);
    const std::vector<std::tuple<const char*, Fn, Tensor>> cases = {
        {"neg", &neg, any},           {"exp", &exp, any},         {"log", &log, positive},
        {"log1p", &log1p, positive},  {"sigmoid", &sigmoid, any}, {"log_sigmoid", &log_sigmoid, any},
        {"softplus", &softplus, any}, {"tanh", &tanh, any},       {"sin", &sin, any},
        {"cos", &cos, any},           {"square", &square, any},   {"sqrt", &sqrt, positive},
    };
    for (const auto& [name, fn, x] : cases) {
        check_op(name, [fn = fn](const Vars& v) { return fn(v[0]); }, {x});
    }
    // Piecewise-linear ops: first order only, inputs away from the kink at 0.
    const Var signs = Tensor::from_vector({1, -1, 1, -1, -1, 1, -1, 1, 1, 1, -1, -1}, {3, 4}, f64);
    const Tensor away = (uniform({3, 4}, 0.2, 1.0, 43) * signs).value();
    CheckOptions first_order;
    first_order.second_order = false;
    check_op(
        "relu", [](const Vars& v) { return relu(v[0]); }, {away}, first_order);
    check_op(
        "abs", [](const Vars& v) { return abs(v[0]); }, {away}, first_order);
}

TEST_CASE("unary ops in float32 agree with float64", "[ops][unary]") {
    const Tensor x = randn({64}, 44);
    const auto y64 = tanh(sigmoid(Var(x)) + softplus(Var(x))).value().to_vector();
    const auto y32 = tanh(sigmoid(Var(x.to(f32))) + softplus(Var(x.to(f32)))).value().to_vector();
    for (std::size_t i = 0; i < y64.size(); ++i) CHECK(y32[i] == Approx(y64[i]).epsilon(1e-6));
}

TEST_CASE("sigmoid, log_sigmoid and softplus do not overflow", "[ops][unary]") {
    const Var x = Tensor::from_vector({-1000, -30, 0, 30, 1000}, {5}, f64);
    const auto s = sigmoid(x).value().to_vector();
    const auto ls = log_sigmoid(x).value().to_vector();
    const auto sp = softplus(x).value().to_vector();
    CHECK(s[0] == 0.0);
    CHECK(s[4] == 1.0);
    CHECK(ls[0] == -1000.0);
    CHECK(ls[4] == 0.0);
    CHECK(sp[0] == 0.0);
    CHECK(sp[4] == 1000.0);
    CHECK(sp[2] == Approx(std::log(2.0)));
}

TEST_CASE("sign and step are constant masks", "[ops][unary]") {
    Tape tape;
    const Var x = tape.variable(Tensor::from_vector({-2, 0, 3}, {3}, f64));
    CHECK(sign(x).value().to_vector() == std::vector<double>{-1, 0, 1});
    CHECK(step(x).value().to_vector() == std::vector<double>{0, 0, 1});
    CHECK_FALSE(step(x).on_tape());
}
