// Every misuse a user can make of the tape throws hypertape::Error naming what and where.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using Catch::Contains;

TEST_CASE("Vars from different tapes do not mix", "[errors]") {
    Tape a;
    Tape b;
    const Var x = a.variable(Tensor::ones({2}, f64));
    const Var y = b.variable(Tensor::ones({2}, f64));
    CHECK_THROWS_AS(x + y, Error);
    CHECK_ERROR(x * y, Contains("mul") && Contains("different tapes"));
    CHECK_ERROR(grad(sum(x), y), Contains("grad") && Contains("different tape"));
}

TEST_CASE("backward through a released record throws", "[errors][window]") {
    Tape tape{Window{1}};
    const Var lam = tape.variable(Tensor::ones({2}, f64));
    Var early;
    {
        auto step = tape.step();
        early = sum(lam * lam);
    }
    {
        auto step = tape.step();
        const Var later = lam * 2.0;
    }
    CHECK_THROWS_AS(grad(early, lam), Error);
    CHECK_ERROR(grad(early, lam), Contains("released") && Contains("step 0"));
}

TEST_CASE("a non-scalar output needs a seed", "[errors]") {
    Tape tape;
    const Var x = tape.variable(Tensor::ones({3}, f64));
    CHECK_ERROR(grad(x * x, x), Contains("grad") && Contains("[3]") && Contains("seed"));
}

TEST_CASE("seeds are checked for shape, dtype and finiteness", "[errors]") {
    Tape tape;
    const Var x = tape.variable(Tensor::ones({3}, f64));
    GradOptions retain;
    retain.retain_records = true;
    const Var y = x * x;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    CHECK_ERROR(vjp(y, Tensor::from_vector({1, nan, 1}, {3}, f64), {x}, retain), Contains("NaN or Inf"));
    CHECK_ERROR(vjp(y, Tensor::from_vector({1, inf, 1}, {3}, f64), {x}, retain), Contains("NaN or Inf"));
    CHECK_ERROR(vjp(y, Tensor::ones({4}, f64), {x}, retain), Contains("seed") && Contains("[4]"));
    CHECK_ERROR(vjp(y, Tensor::ones({3}, f32), {x}, retain), Contains("float32"));
}

TEST_CASE("gradients need a recorded output and tape inputs", "[errors]") {
    Tape tape;
    const Var x = tape.variable(Tensor::ones({2}, f64));
    const Var c = Tensor::ones({2}, f64);
    CHECK_ERROR(grad(sum(c), x), Contains("constant"));
    CHECK_ERROR(grad(sum(x * c), c), Contains("input #0") && Contains("constant"));
    CHECK_ERROR(grad(sum(x), Var()), Contains("undefined"));
}

TEST_CASE("steps do not nest and windows are not negative", "[errors][window]") {
    Tape tape;
    auto outer = tape.step();
    CHECK_ERROR(tape.step(), Contains("step 0") && Contains("nest"));
    CHECK_ERROR(Window{-1}, Contains("Window") && Contains("-1"));
}

TEST_CASE("tensors reject bad construction and access", "[errors]") {
    CHECK_ERROR(Tensor::from_vector({1, 2, 3}, {2, 2}, f64), Contains("3 values") && Contains("[2, 2]"));
    CHECK_ERROR(Tensor::zeros({2}, f64).data<float>(), Contains("float32") && Contains("float64"));
    CHECK_ERROR(Tensor::zeros({2, 2}, f64).item(), Contains("item") && Contains("[2, 2]"));
    const Device missing = Device::cuda(cuda_device_count());  // one past the last device, on any machine
    CHECK_ERROR(Tensor::zeros({1}, f64, missing), Contains(missing.name()));
    CHECK_ERROR(Tensor::zeros({4}, f64).reshaped({3}), Contains("reshape"));
    CHECK_ERROR(Shape({1, 2, 3, 4, 5, 6}), Contains("rank"));
    CHECK_ERROR(Tape().variable(Tensor::indices({1, 2})), Contains("int64"));
    CHECK_ERROR(with_tangents(Var(Tensor::zeros({3}, f64)), Tensor::zeros({2, 4}, f64)),
                Contains("with_tangents") && Contains("[2, 4]"));
}

TEST_CASE("a moved-from tape says so", "[errors]") {
    Tape first;
    Tape second = std::move(first);
    CHECK_ERROR(first.stats(), Contains("moved from"));  // NOLINT(bugprone-use-after-move): the point of the test
    CHECK_ERROR(first.variable(Tensor::ones({1}, f64)), Contains("moved from"));
}

TEST_CASE("tangent batches of different sizes do not mix", "[errors][forward]") {
    const Var a = with_tangents(Var(Tensor::zeros({3}, f64)), Tensor::zeros({2, 3}, f64));
    const Var b = with_tangents(Var(Tensor::zeros({3}, f64)), Tensor::zeros({4, 3}, f64));
    CHECK_ERROR(a + b, Contains("add") && Contains("2 and 4 tangent"));
}

TEST_CASE("starting adjoints are checked for NaN and Inf, naming the input", "[errors]") {
    Tape tape;
    const Var x = tape.variable(Tensor::ones({2}, f64));
    const Var z = tape.variable(Tensor::ones({2}, f64));
    const Var y = sum(x * z);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    GradOptions options;
    options.retain_records = true;
    options.accumulate = {Tensor::ones({2}, f64), Tensor::from_vector({1, nan}, {2}, f64)};
    CHECK_ERROR(grad(y, {x, z}, options), Contains("input #1") && Contains("NaN or Inf"));
    options.accumulate = {Tensor::from_vector({-inf, 1}, {2}, f64), Tensor()};
    CHECK_ERROR(grad(y, {x, z}, options), Contains("input #0") && Contains("NaN or Inf"));
    options.accumulate = {Tensor::ones({2}, f64), Tensor()};
    CHECK(grad(y, {x, z}, options)[0].value().to_vector() == std::vector<double>{2, 2});
}

TEST_CASE("create_graph inside a no-record scope throws instead of returning a constant", "[errors]") {
    Tape tape;
    const Var x = tape.variable(Tensor::ones({2}, f64));
    const Var y = sum(x * x);
    {
        auto plain = tape.no_record();
        CHECK_ERROR(grad(y, x, create_graph), Contains("create_graph") && Contains("no-record"));
        GradOptions retain;
        retain.retain_records = true;
        CHECK(grad(y, x, retain).value().to_vector() == std::vector<double>{2, 2});  // a plain sweep is fine
    }
    CHECK(grad(y, x, create_graph).on_tape());
}

TEST_CASE("rank-5 values work in reverse mode but carry no tangents", "[errors][forward]") {
    Tape tape;
    const Var x = tape.variable(Tensor::ones({1, 2, 1, 1, 2}, f64));
    CHECK(grad(sum(exp(x)), x).shape() == Shape{1, 2, 1, 1, 2});
    CHECK(one_hot(Tensor::indices({0, 1}, {1, 1, 1, 2}), 3).shape() == Shape{1, 1, 1, 2, 3});
    CHECK_ERROR(with_tangents(x, Tensor::zeros({1, 1}, f64)),
                Contains("with_tangents") && Contains("[1, 2, 1, 1, 2]") && Contains("rank 0 to 4"));

    // An op whose result would need a sixth axis for its tangents names itself.
    const Var v = with_tangents(Var(Tensor::ones({2}, f64)), Tensor::ones({3, 2}, f64));
    CHECK_ERROR(reshape(v, {1, 1, 1, 1, 2}), Contains("reshape") && Contains("[1, 1, 1, 1, 2]") &&
                                                 Contains("3 tangent directions") && Contains("rank 0 to 4"));
    CHECK_ERROR(v + Var(Tensor::ones({1, 1, 1, 1, 2}, f64)), Contains("add") && Contains("rank 0 to 4"));
    CHECK(reshape(v, {1, 1, 1, 2}).tangents().shape() == Shape{3, 1, 1, 1, 2});
}

TEST_CASE("writing into a saved tensor makes the sweep through it throw, naming the op and the slot",
          "[errors][versions]") {
    // sin saves its operand x; writing x's data afterwards would make its VJP use cos(new x), a
    // gradient of nothing that was computed (before versions, this returned cos(2.0) silently).
    Tensor data = Tensor::from_vector({0.1, 0.2, 0.3}, {3}, f64);
    Tape tape;
    const Var x = tape.variable(data);
    const Var y = sum(sin(x));
    data.data<double>()[0] = 2.0;  // a write: the storage's version moves on
    CHECK_ERROR(grad(y, x),
                Contains("sin: saved tensor #0 (operand #0, float64 [3]) was modified after it was saved") &&
                    Contains("(version ") && Contains("gradients through it would be wrong"));

    // A saved result: exp saves its own output, here written through a copy of the Tensor handle.
    Tape tape2;
    const Var x2 = tape2.variable(Tensor::from_vector({0.1, 0.2}, {2}, f64));
    const Var e = exp(x2);
    Tensor shared = e.value();
    shared.data<double>()[1] = 0.0;
    CHECK_ERROR(grad(sum(e), x2), Contains("exp: saved output (float64 [2]) was modified"));

    // A saved constant operand (mul saves b for a's gradient) is named by its slot.
    Tape tape3;
    const Var a = tape3.variable(Tensor::ones({2}, f64));
    Tensor b = Tensor::from_vector({3, 4}, {2}, f64);
    const Var p = sum(a * Var(b));
    b.data<double>()[0] = 0.0;
    CHECK_ERROR(grad(p, a), Contains("mul: saved tensor #1 (float64 [2]) was modified"));

    // Tangents are saved with their Var: forward-over-reverse would read the new ones.
    Tensor directions = Tensor::ones({1, 3}, f64);
    Tape tape4;
    const Var xt = with_tangents(tape4.variable(Tensor::from_vector({0.1, 0.2, 0.3}, {3}, f64)), directions);
    const Var yt = sum(sin(xt));
    directions.data<double>()[2] = 5.0;
    CHECK_ERROR(grad(yt, xt),
                Contains("sin: the tangent batch of saved tensor #0 (operand #0, float64 [1, 3]) was modified"));
}

TEST_CASE("saved tensors that are only read, or written before they are saved, sweep normally", "[errors][versions]") {
    Tensor data = Tensor::from_vector({0.1, 0.2, 0.3}, {3}, f64);
    data.data<double>()[0] = 0.5;  // before recording: what is saved is the new value
    Tape tape;
    const Var x = tape.variable(data);
    const Var y = sum(sin(x));
    // Reads through a const Tensor, to_vector() and item() are not writes.
    const std::uint64_t saved_at = data.version();
    CHECK(std::as_const(data).data<double>()[0] == 0.5);
    CHECK(data.to_vector()[0] == 0.5);
    CHECK(x.value().data<double>()[1] == 0.2);  // Var::value() is const
    CHECK(data.version() == saved_at);
    // A tensor no record saved may be written freely (add saves nothing).
    Tensor offset = Tensor::ones({3}, f64);
    const Var z = sum(x + Var(offset));
    offset.data<double>()[0] = 7.0;
    GradOptions retain;
    retain.retain_records = true;
    CHECK(grad(z, x, retain).value().to_vector() == std::vector<double>{1, 1, 1});
    CHECK(grad(y, x).value().to_vector() == std::vector<double>{std::cos(0.5), std::cos(0.2), std::cos(0.3)});
}
