// Every op family on the GPU against the CPU (support/device_check.hpp): in float64 the value, the
// VJP, the n-direction JVP and grad-of-grad agree to 1e-10, on shapes that also take the kernels'
// multi-block, long-line, strided and broadcast paths; in float32 the values agree to float32
// precision, and float32 products are FP32 unless TF32 is asked for. Also: operands on two devices
// are an Error naming both; sums and scatter_add repeat bit for bit; bad indices on the device are
// an Error naming the first bad position; index blocks are read once and ops never wait for the
// device; device tensors are created, copied, converted and read back.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <hypertape/hypertape.hpp>
#include <tuple>

#include "support/device_check.hpp"
#include "support/error_matcher.hpp"

using namespace hypertape;
using Catch::Contains;
using hypertape::testing::bitwise_equal;
using hypertape::testing::check_on_device;
using hypertape::testing::max_relative_error;
using hypertape::testing::randn;
using hypertape::testing::to_device_of;
using hypertape::testing::uniform;
using hypertape::testing::Vars;

namespace {

const Device kCuda = Device::cuda(0);

// A mask of ones and zeros: a one at every third element.
Tensor mask(const Shape& shape) {
    std::vector<double> v(static_cast<std::size_t>(shape.numel()));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = (i * 7 % 3 == 0) ? 1.0 : 0.0;
    return Tensor::from_vector(v, shape, f64);
}

// n labels or indices in [0, classes), each class repeated, in a scrambled order.
std::vector<std::int64_t> cycle(std::size_t n, std::int64_t classes) {
    std::vector<std::int64_t> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::int64_t>(i * 7 % static_cast<std::size_t>(classes));
    return out;
}

// The stored shape of a matmul operand that op() turns into [batch..., rows, cols].
Shape stored(Shape::Dims batch, std::int64_t rows, std::int64_t cols, bool transposed) {
    batch.push_back(transposed ? cols : rows);
    batch.push_back(transposed ? rows : cols);
    return Shape(batch);
}

std::string flag_name(Trans t) { return std::string(t.a ? "A^T" : "A") + (t.b ? " B^T" : " B"); }

bool same_counters(const DeviceSyncCounters& a, const DeviceSyncCounters& b) {
    return a.synchronizations == b.synchronizations && a.device_to_host_copies == b.device_to_host_copies;
}

}  // namespace

TEST_CASE("unary ops on the GPU match the CPU in every mode", "[cuda][unary]") {
    const Tensor any = randn({37, 29}, 41);  // 1073 elements: several blocks
    const Tensor positive = uniform({37, 29}, 0.3, 2.0, 42);
    using Fn = Var (*)(const Var&);
    const std::vector<std::tuple<const char*, Fn, Tensor>> cases = {
        {"neg", &neg, any},           {"exp", &exp, any},         {"log", &log, positive},
        {"log1p", &log1p, positive},  {"sigmoid", &sigmoid, any}, {"log_sigmoid", &log_sigmoid, any},
        {"softplus", &softplus, any}, {"tanh", &tanh, any},       {"sin", &sin, any},
        {"cos", &cos, any},           {"relu", &relu, any},       {"square", &square, any},
        {"sqrt", &sqrt, positive},    {"abs", &abs, any},
    };
    for (const auto& [name, fn, x] : cases) {
        check_on_device(name, [fn = fn](const Vars& v) { return fn(v[0]); }, {x});
    }
    // The masks have no derivative; each multiplies a differentiable factor.
    check_on_device("sign", [](const Vars& v) { return sign(v[0]) * exp(v[0]); }, {any});
    check_on_device("step", [](const Vars& v) { return step(v[0]) * square(v[0]); }, {any});
}

TEST_CASE("sigmoid, log_sigmoid and softplus on the GPU match the CPU out to +-1000", "[cuda][unary]") {
    const Tensor x = Tensor::from_vector({-1000, -30, -1, 0, 1, 30, 1000}, {7}, f64);
    check_on_device("sigmoid", [](const Vars& v) { return sigmoid(v[0]); }, {x});
    check_on_device("log_sigmoid", [](const Vars& v) { return log_sigmoid(v[0]); }, {x});
    check_on_device("softplus", [](const Vars& v) { return softplus(v[0]); }, {x});
}

TEST_CASE("binary ops on the GPU match the CPU in every mode, with broadcasting", "[cuda][binary]") {
    const std::vector<std::pair<Shape, Shape>> shapes = {
        {{3, 4}, {3, 4}},        // same shape
        {{3, 4}, {}},            // scalar
        {{3, 4}, {4}},           // row
        {{3, 1}, {3, 4}},        // column
        {{2, 1, 4}, {3, 1}},     // both sides broadcast
        {{20, 1, 40}, {30, 1}},  // both sides broadcast, 24000 outputs
    };
    for (const auto& [sa, sb] : shapes) {
        INFO("shapes " << sa.str() << " and " << sb.str());
        check_on_device("add", [](const Vars& x) { return x[0] + x[1]; }, {randn(sa, 1), randn(sb, 2)});
        check_on_device("sub", [](const Vars& x) { return x[0] - x[1]; }, {randn(sa, 3), randn(sb, 4)});
        check_on_device("mul", [](const Vars& x) { return x[0] * x[1]; }, {randn(sa, 5), randn(sb, 6)});
        check_on_device("div", [](const Vars& x) { return x[0] / x[1]; }, {randn(sa, 7), uniform(sb, 0.5, 2.0, 8)});
        check_on_device("pow", [](const Vars& x) { return pow(x[0], x[1]); },
                        {uniform(sa, 0.5, 2.0, 9), uniform(sb, -1.5, 1.5, 10)});
    }
    check_on_device("scalar arithmetic", [](const Vars& v) { return (2.0 - v[0]) * 0.5 / v[0] + pow(v[0], 3.0) - 1.0; },
                    {uniform({5, 7}, 0.5, 2.0, 11)});
    check_on_device("greater as a mask", [](const Vars& v) { return greater(v[0], v[1]) * v[0] * v[1]; },
                    {randn({4, 5}, 12), randn({5}, 13)});
}

TEST_CASE("where, clamp, maximum and minimum on the GPU match the CPU in every mode", "[cuda][select]") {
    struct Case {
        Shape cond, a, b;
    };
    const std::vector<Case> cases = {
        {{3, 4}, {3, 4}, {3, 4}},     {{3, 4}, {4}, {}}, {{3, 1}, {1, 4}, {3, 4}}, {{4}, {3, 1}, {2, 1, 1}},
        {{50, 1}, {1, 60}, {50, 60}},
    };
    for (const auto& [sc, sa, sb] : cases) {
        INFO("cond " << sc.str() << ", a " << sa.str() << ", b " << sb.str());
        const Tensor c = mask(sc);
        check_on_device("where", [&](const Vars& v) { return where(Var(to_device_of(c, v[0])), v[0], v[1]); },
                        {randn(sa, 81), randn(sb, 82)});
        check_on_device("where of products",
                        [&](const Vars& v) { return where(Var(to_device_of(c, v[0])), v[0] * v[1], v[1] * v[1]); },
                        {randn(sa, 83), randn(sb, 84)});
    }
    const Tensor x = randn({30, 40}, 85);
    check_on_device("clamp", [](const Vars& v) { return clamp(v[0], -1.0, 1.0); }, {x});
    check_on_device("clamp of a square", [](const Vars& v) { return clamp(v[0] * v[0], 0.25, 4.0); }, {x});
    for (const auto& [sa, sb] : std::vector<std::pair<Shape, Shape>>{{{3, 4}, {4}}, {{30, 1}, {1, 40}}}) {
        INFO("shapes " << sa.str() << " and " << sb.str());
        check_on_device("maximum", [](const Vars& v) { return maximum(v[0], v[1]); }, {randn(sa, 86), randn(sb, 87)});
        check_on_device("minimum", [](const Vars& v) { return minimum(v[0] * v[1], v[1]); },
                        {randn(sa, 88), randn(sb, 89)});
    }
}

TEST_CASE("reductions and broadcasting on the GPU match the CPU in every mode", "[cuda][reduce]") {
    const Tensor x = randn({2, 3, 4}, 51);
    check_on_device("sum", [](const Vars& v) { return sum(v[0]); }, {x});
    check_on_device("mean", [](const Vars& v) { return mean(v[0]); }, {x});
    for (int axis : {0, 1, 2, -1}) {
        INFO("axis " << axis);
        check_on_device("sum axis", [axis](const Vars& v) { return sum(v[0], axis); }, {x});
        check_on_device("sum axis keepdim", [axis](const Vars& v) { return sum(v[0], axis, true); }, {x});
        check_on_device("mean axis", [axis](const Vars& v) { return mean(v[0], axis); }, {x});
    }
    // Lines longer than a warp's share (one block per line), many short lines (one warp each), a
    // single line (the two-pass sum), and a sum over more elements than the first pass has blocks.
    const Tensor lines = randn({3, 1500, 2}, 55);
    for (int axis : {0, 1, 2}) {
        INFO("axis " << axis << " of " << lines.shape().str());
        check_on_device("sum axis of long and many lines", [axis](const Vars& v) { return sum(v[0], axis); }, {lines});
    }
    check_on_device("sum of one line", [](const Vars& v) { return sum(v[0], 0); }, {randn({5000}, 56)});
    check_on_device("sum of 2^20 elements", [](const Vars& v) { return sum(square(v[0])); }, {randn({1 << 20}, 57)});

    check_on_device("broadcast_to", [](const Vars& v) { return broadcast_to(v[0], {2, 3, 4}); }, {randn({3, 1}, 52)});
    check_on_device("sum_to", [](const Vars& v) { return sum_to(v[0], {3, 1}); }, {randn({2, 3, 4}, 53)});
    check_on_device("sum_to of a large batch",
                    [](const Vars& v) {
                        return sum_to(v[0] * v[0], {50, 1});
                    },
                    {randn({64, 50, 33}, 54)});
}

TEST_CASE("matmul on the GPU matches the CPU in every mode, plain, transposed, batched and broadcast",
          "[cuda][matmul]") {
    for (const Trans t : {no_trans, trans_a, trans_b, trans_a | trans_b}) {
        INFO(flag_name(t));
        const auto f = [t](const Vars& x) { return matmul(x[0], x[1], t); };
        check_on_device("matmul", f, {randn(stored({}, 3, 4, t.a), 1), randn(stored({}, 4, 2, t.b), 2)});
        check_on_device("batch times matrix", f, {randn(stored({2}, 3, 4, t.a), 3), randn(stored({}, 4, 2, t.b), 4)});
        check_on_device("matrix times batch", f, {randn(stored({}, 3, 4, t.a), 5), randn(stored({2}, 4, 2, t.b), 6)});
        check_on_device("batch times batch", f, {randn(stored({2}, 3, 4, t.a), 7), randn(stored({2}, 4, 2, t.b), 8)});
        // A batch of one against a batch of four: stride 0 for the first operand.
        check_on_device("broadcast batch of one", f,
                        {randn(stored({1}, 3, 4, t.a), 9), randn(stored({4}, 4, 2, t.b), 10)});
        // [2, 1] against [1, 5]: neither operand is whole, so the products go one by one.
        check_on_device("mixed broadcast batch", f,
                        {randn(stored({2, 1}, 3, 4, t.a), 11), randn(stored({1, 5}, 4, 2, t.b), 12)});
        check_on_device("larger product", f,
                        {randn(stored({}, 64, 128, t.a), 13), randn(stored({}, 128, 33, t.b), 14)});
    }
    check_on_device("tanh layer", [](const Vars& x) { return tanh(matmul(x[0], x[1], trans_b)); },
                    {randn({4, 3}, 15), randn({2, 3}, 16)});
    check_on_device("two layers", [](const Vars& x) { return matmul(sin(matmul(x[0], x[1])), x[1], trans_b); },
                    {randn({2, 3}, 17), randn({3, 3}, 18)});
    check_on_device("dot", [](const Vars& x) { return dot(x[0], exp(x[1])); }, {randn({500}, 19), randn({500}, 20)});
    check_on_device("squared_norm", [](const Vars& x) { return squared_norm(matmul(x[0], x[1])); },
                    {randn({2, 3}, 21), randn({3, 2}, 22)});
}

TEST_CASE("matmul on the GPU over an empty contraction is zero", "[cuda][matmul]") {
    const Tensor c = matmul(Var(Tensor::ones({3, 0}, f64, kCuda)), Var(Tensor::ones({0, 2}, f64, kCuda))).value();
    REQUIRE(c.device() == kCuda);
    REQUIRE(c.shape() == Shape{3, 2});
    CHECK(c.to_vector() == std::vector<double>(6, 0.0));
    CHECK(matmul(Var(Tensor::ones({0, 4}, f64, kCuda)), Var(Tensor::ones({4, 2}, f64, kCuda))).shape() == Shape{0, 2});
}

TEST_CASE("float32 products on the GPU are FP32 unless TF32 is allowed", "[cuda][matmul][float32]") {
    const Tensor a = randn({96, 64}, 23);
    const Tensor b = randn({64, 80}, 24);
    const Tensor exact = matmul(Var(a), Var(b)).value();
    const auto on_gpu = [&] {
        const Tensor c = matmul(Var(a.to(f32).to(kCuda)), Var(b.to(f32).to(kCuda))).value();
        REQUIRE(c.device() == kCuda);
        REQUIRE(c.dtype() == f32);
        return max_relative_error(c, exact);
    };
    CHECK(on_gpu() < 1e-5);  // FP32: TF32's 10-bit mantissa would be off by about 1e-3
    // Restores the default even when a check below fails.
    struct Tf32 {
        Tf32() { set_cuda_allow_tf32(true); }
        ~Tf32() { set_cuda_allow_tf32(false); }
    };
    {
        const Tf32 allowed;
        CHECK(on_gpu() < 5e-2);
    }
    CHECK(on_gpu() < 1e-5);
}

TEST_CASE("layout ops on the GPU match the CPU in every mode", "[cuda][layout]") {
    check_on_device("transpose", [](const Vars& x) { return transpose(x[0]); }, {randn({3, 4}, 1)});
    check_on_device("transpose batch", [](const Vars& x) { return transpose(x[0]); }, {randn({2, 3, 4}, 2)});
    check_on_device("transpose 0 2", [](const Vars& x) { return transpose(x[0], 0, 2); }, {randn({2, 3, 4}, 3)});
    check_on_device("transpose -1 -3", [](const Vars& x) { return transpose(x[0], -1, -3); }, {randn({2, 3, 4}, 4)});
    check_on_device("transpose 1 3 of rank 4", [](const Vars& x) { return transpose(x[0], 1, 3); },
                    {randn({2, 3, 1, 4}, 5)});
    check_on_device("transpose of a large matrix", [](const Vars& x) { return transpose(x[0]); },
                    {randn({300, 200}, 6)});
    check_on_device("transpose, second order", [](const Vars& x) { return x[0] * transpose(x[0]) * x[1]; },
                    {randn({3, 3}, 7), randn({3}, 8)});

    const Tensor x = randn({4, 5, 3}, 9);
    for (const int axis : {0, 1, 2, -1}) {
        INFO("axis " << axis);
        check_on_device("slice", [axis](const Vars& v) { return slice(v[0], axis, 1, 3); }, {x});
        check_on_device("pad", [axis](const Vars& v) { return pad(v[0], axis, 2, 1); }, {x});
        check_on_device("slice, second order",
                        [axis](const Vars& v) { return tanh(slice(v[0], axis, 1, 3)) * slice(v[0], axis, 0, 2); }, {x});
        check_on_device("pad, second order", [axis](const Vars& v) { return sin(pad(square(v[0]), axis, 0, 2)); }, {x});
    }

    check_on_device("concat axis 0",
                    [](const Vars& v) {
                        return concat({v[0], v[1]}, 0);
                    },
                    {randn({2, 3}, 10), randn({4, 3}, 11)});
    check_on_device("concat axis 1 of three",
                    [](const Vars& v) {
                        return concat({v[0], v[1], v[2]}, 1);
                    },
                    {randn({2, 1, 3}, 12), randn({2, 2, 3}, 13), randn({2, 3, 3}, 14)});
    check_on_device("concat axis -1",
                    [](const Vars& v) {
                        return concat({v[1], v[0]}, -1);
                    },
                    {randn({200, 3}, 15), randn({200, 1}, 16)});
    const Tensor c = randn({2, 2}, 17);
    check_on_device("concat with a constant",
                    [&](const Vars& v) {
                        return concat({v[0], Var(to_device_of(c, v[0])), v[1]}, 1);
                    },
                    {randn({2, 3}, 18), randn({2, 1}, 19)});
    check_on_device("concat, second order",
                    [](const Vars& v) {
                        return exp(concat({v[0] * v[1], sin(v[0])}, 0));
                    },
                    {randn({2, 3}, 20), randn({3}, 21)});
    check_on_device("reshape", [](const Vars& v) { return reshape(v[0] * v[0], {4, 3}); }, {randn({2, 6}, 22)});
}

TEST_CASE("softmax, log_softmax and logsumexp on the GPU match the CPU along every axis", "[cuda][softmax]") {
    const Tensor x = randn({2, 3, 4}, 61);
    for (int axis : {0, 1, 2, -1}) {
        INFO("axis " << axis);
        check_on_device("softmax", [axis](const Vars& v) { return softmax(v[0], axis); }, {x});
        check_on_device("log_softmax", [axis](const Vars& v) { return log_softmax(v[0], axis); }, {x});
        check_on_device("logsumexp", [axis](const Vars& v) { return logsumexp(v[0], axis); }, {x});
        check_on_device("logsumexp keepdim", [axis](const Vars& v) { return logsumexp(v[0], axis, true); }, {x});
    }
    // Lines longer than a block, contiguous and strided.
    const Tensor wide = randn({3, 1000}, 62);
    const Tensor tall = randn({1000, 3}, 63);
    check_on_device("softmax of long lines", [](const Vars& v) { return softmax(v[0], 1); }, {wide});
    check_on_device("log_softmax of long lines", [](const Vars& v) { return log_softmax(v[0], 1); }, {wide});
    check_on_device("logsumexp of long strided lines", [](const Vars& v) { return logsumexp(v[0], 0); }, {tall});
    check_on_device("softmax of long strided lines", [](const Vars& v) { return softmax(v[0], 0); }, {tall});
    check_on_device("composed", [](const Vars& v) { return log_softmax(softmax(v[0], 0) * v[0], 1); },
                    {randn({3, 4}, 64)});
    const Tensor huge = Tensor::from_vector({1000, 999, -1000, -1000, -1001, -999}, {2, 3}, f64);
    check_on_device("softmax at +-1000", [](const Vars& v) { return softmax(v[0]); }, {huge});
    check_on_device("log_softmax at +-1000", [](const Vars& v) { return log_softmax(v[0]); }, {huge});
    check_on_device("logsumexp at +-1000", [](const Vars& v) { return logsumexp(v[0]); }, {huge});
}

TEST_CASE("cross_entropy on the GPU matches the CPU, weighted and not", "[cuda][softmax][cross_entropy]") {
    const Tensor labels = Tensor::indices({2, 0, 3, 3});
    const Tensor z = randn({4, 5}, 65);
    check_on_device("cross_entropy", [&](const Vars& v) { return cross_entropy(v[0], to_device_of(labels, v[0])); },
                    {z});
    check_on_device("weighted cross_entropy",
                    [&](const Vars& v) { return cross_entropy(v[0], to_device_of(labels, v[0]), v[1]); },
                    {z, uniform({4}, 0.1, 1.0, 66)});
    const Tensor many = Tensor::indices(cycle(300, 10));
    check_on_device("hyper-cleaning weights",
                    [&](const Vars& v) { return cross_entropy(v[0], to_device_of(many, v[0]), sigmoid(v[1])); },
                    {randn({300, 10}, 67), randn({300}, 68)});
    const Tensor wide = Tensor::indices({699, 0, 350, 12, 511});
    check_on_device("cross_entropy over 700 classes",
                    [&](const Vars& v) { return cross_entropy(v[0], to_device_of(wide, v[0]), v[1]); },
                    {randn({5, 700}, 69), uniform({5}, 0.1, 1.0, 70)});
}

TEST_CASE("gather, scatter_add and one_hot on the GPU match the CPU in every mode", "[cuda][index]") {
    const Tensor x = randn({4, 3, 2}, 71);
    const Tensor rows = Tensor::indices({3, 0, 3, 1, 3});
    check_on_device("gather rows", [&](const Vars& v) { return gather(v[0], to_device_of(rows, v[0])); }, {x});
    const Tensor cols = Tensor::indices({2, 2, 0});
    check_on_device("gather axis 1", [&](const Vars& v) { return gather(v[0], to_device_of(cols, v[0]), 1); }, {x});
    const Tensor last = Tensor::indices({1, 0, 1, 1});
    check_on_device("gather axis -1", [&](const Vars& v) { return gather(v[0], to_device_of(last, v[0]), -1); }, {x});
    const Tensor square_indices = Tensor::indices({0, 2, 2, 1}, {2, 2});
    check_on_device("gather 2-d indices",
                    [&](const Vars& v) { return gather(v[0], to_device_of(square_indices, v[0]), 1); }, {x});
    const Tensor one = Tensor::indices({2}, {});
    check_on_device("gather one index", [&](const Vars& v) { return gather(v[0], to_device_of(one, v[0]), 0); }, {x});
    check_on_device("gather of a square",
                    [&](const Vars& v) { return gather(v[0] * v[0], to_device_of(rows, v[0])) * v[1]; },
                    {x, randn({5, 3, 2}, 72)});
    std::vector<std::int64_t> reversed(20000);
    for (std::size_t i = 0; i < reversed.size(); ++i) reversed[i] = static_cast<std::int64_t>(19999 - i);
    const Tensor flip = Tensor::indices(reversed);
    check_on_device("gather of 20000 rows", [&](const Vars& v) { return gather(v[0], to_device_of(flip, v[0])); },
                    {randn({20000, 4}, 73)});

    const Tensor repeated = Tensor::indices({2, 0, 2});
    check_on_device("scatter_add",
                    [&](const Vars& v) {
                        return scatter_add(v[0], to_device_of(repeated, v[0]), 0, {4, 2});
                    },
                    {randn({3, 2}, 74)});
    check_on_device("scatter_add axis 1",
                    [&](const Vars& v) {
                        return scatter_add(v[0] * v[0], to_device_of(repeated, v[0]), 1, {2, 5});
                    },
                    {randn({2, 3}, 75)});
    const Tensor crowded = Tensor::indices(cycle(10000, 13));  // about 770 contributions per row
    check_on_device("scatter_add of 10000 rows into 13",
                    [&](const Vars& v) {
                        return scatter_add(v[0], to_device_of(crowded, v[0]), 0, {13, 3});
                    },
                    {randn({10000, 3}, 76)});

    const Tensor labels = Tensor::indices({2, 0, 4, 4});
    check_on_device("one_hot", [&](const Vars& v) { return one_hot(to_device_of(labels, v[0]), 5, f64) * v[0]; },
                    {randn({4, 5}, 77)});
    const Tensor h = one_hot(labels.to(kCuda), 5).value();
    REQUIRE(h.device() == kCuda);
    CHECK(h.dtype() == f32);
    CHECK(bitwise_equal(h, one_hot(labels, 5).value()));
}

TEST_CASE("float32 ops on the GPU agree with the CPU to float32 precision", "[cuda][float32]") {
    // Summation orders differ between the devices (and the GPU sums in double), so values agree to
    // a few float32 roundings of the terms: 1e-4 relative to max(1, |value|).
    const auto agree = [](const char* name, const std::function<Var(const Vars&)>& f,
                          const std::vector<Tensor>& inputs) {
        INFO(name);
        Vars on_cpu;
        Vars on_gpu;
        for (const Tensor& x : inputs) {
            on_cpu.push_back(x.to(f32));
            on_gpu.push_back(x.to(f32).to(kCuda));
        }
        const Tensor expected = f(on_cpu).value();
        const Tensor actual = f(on_gpu).value();
        REQUIRE(actual.device() == kCuda);
        REQUIRE(actual.dtype() == f32);
        CHECK(max_relative_error(actual.to(Device::cpu()), expected) < 1e-4);
    };
    agree("unary",
          [](const Vars& v) {
              return tanh(sigmoid(v[0]) + softplus(v[0])) * exp(0.3 * v[0]) + log1p(square(v[0])) + sqrt(abs(v[0])) +
                     sin(v[0]) * cos(v[0]) + relu(v[0]) + log_sigmoid(v[0]);
          },
          {randn({64, 50}, 1)});
    agree("binary",
          [](const Vars& v) { return v[0] * v[1] - v[0] / (1.0 + square(v[1])) + pow(1.0 + square(v[0]), v[1]); },
          {randn({30, 1, 20}, 2), randn({40, 1}, 3)});
    agree("select", [](const Vars& v) { return maximum(v[0], v[1]) - minimum(clamp(v[0], -0.5, 0.5), v[1]); },
          {randn({30, 40}, 4), randn({40}, 5)});
    agree("matmul", [](const Vars& v) { return matmul(v[0], v[1], trans_b); },
          {randn({64, 128}, 6), randn({33, 128}, 7)});
    agree("batched matmul", [](const Vars& v) { return matmul(v[0], v[1]); },
          {randn({2, 1, 17, 64}, 8), randn({1, 3, 64, 9}, 9)});
    agree("softmax family",
          [](const Vars& v) { return softmax(v[0], 1) + log_softmax(v[0], 0) + logsumexp(v[0], 1, true); },
          {randn({50, 300}, 10)});
    const Tensor labels = Tensor::indices(cycle(300, 10));
    agree("cross_entropy",
          [&](const Vars& v) { return cross_entropy(v[0], to_device_of(labels, v[0]), sigmoid(v[1])); },
          {randn({300, 10}, 11), randn({300}, 12)});
    agree("sums",
          [](const Vars& v) {
              return concat({reshape(sum(v[0]), {1}), sum(v[0], 0), mean(v[0], 1)}, 0);
          },
          {randn({1024, 1024}, 13)});
    const Tensor crowded = Tensor::indices(cycle(10000, 13));
    agree("gather and scatter_add",
          [&](const Vars& v) {
              const Tensor idx = to_device_of(crowded, v[0]);
              return scatter_add(gather(v[0], to_device_of(Tensor::indices({3, 1, 1}), v[0]), 1), idx, 0, {13, 3});
          },
          {randn({10000, 4}, 14)});
    agree("layout",
          [](const Vars& v) {
              const Var t = transpose(v[0]);
              return concat({pad(t, 0, 1, 2), pad(slice(t, 1, 0, 3), 0, 3, 0)}, 1);
          },
          {randn({5, 7}, 15)});
}

TEST_CASE("operands on two devices are an Error naming both", "[cuda][errors]") {
    const Tensor host = randn({3, 4}, 1);
    const Var on_cpu = host;
    const Var on_gpu = host.to(kCuda);
    CHECK_ERROR(on_cpu + on_gpu, Contains("add") && Contains("on cpu") && Contains("on cuda:0"));
    CHECK_ERROR(on_gpu * on_cpu, Contains("mul") && Contains("on cpu") && Contains("on cuda:0"));
    CHECK_ERROR(matmul(on_gpu, on_cpu, trans_b), Contains("matmul") && Contains("on cpu") && Contains("on cuda:0"));
    CHECK_ERROR(concat({on_gpu, on_cpu}, 0), Contains("concat") && Contains("on cpu") && Contains("on cuda:0"));
    CHECK_ERROR(maximum(on_gpu, on_cpu), Contains("maximum") && Contains("on cpu") && Contains("on cuda:0"));
    CHECK_ERROR(where(on_cpu, on_gpu, on_gpu),
                Contains("where") && Contains("cond") && Contains("on cpu") && Contains("on cuda:0"));
    CHECK_ERROR(gather(on_gpu, Tensor::indices({0, 2})),
                Contains("gather") && Contains("indices") && Contains("on cpu") && Contains("on cuda:0"));
    const Tensor labels = Tensor::indices({0, 1, 2});
    CHECK_ERROR(cross_entropy(on_gpu, labels),
                Contains("cross_entropy") && Contains("labels") && Contains("on cpu") && Contains("on cuda:0"));
    CHECK_ERROR(cross_entropy(on_gpu, labels.to(kCuda), Var(Tensor::ones({3}, f64))),
                Contains("cross_entropy") && Contains("weights") && Contains("on cpu") && Contains("on cuda:0"));
    CHECK_ERROR(with_tangents(on_gpu, randn({2, 3, 4}, 2)),
                Contains("with_tangents") && Contains("on cpu") && Contains("on cuda:0"));
    Tape tape;
    const Var x = tape.variable(host.to(kCuda));
    CHECK_ERROR(vjp(x * x, host, {x}), Contains("seed") && Contains("on cpu") && Contains("on cuda:0"));
}

TEST_CASE("sums and scatter_add on the GPU repeat bit for bit", "[cuda][determinism]") {
    for (const DType dtype : {f32, f64}) {
        INFO(name_of(dtype));
        const Var x = randn({1 << 20}, 31).to(dtype).to(kCuda);
        CHECK(bitwise_equal(sum(x).value(), sum(x).value()));
        const Var m = reshape(x, {1024, 1024});
        CHECK(bitwise_equal(sum(m, 0).value(), sum(m, 0).value()));
        CHECK(bitwise_equal(sum(m, 1).value(), sum(m, 1).value()));
        CHECK(bitwise_equal(logsumexp(m, 1).value(), logsumexp(m, 1).value()));

        const Tensor indices = Tensor::indices(cycle(100000, 50));
        const Tensor g = randn({100000, 3}, 32).to(dtype);
        const Tensor once = scatter_add(Var(g.to(kCuda)), indices.to(kCuda), 0, {50, 3}).value();
        CHECK(bitwise_equal(once, scatter_add(Var(g.to(kCuda)), indices.to(kCuda), 0, {50, 3}).value()));
        // Each output adds its contributions from 0 in index order, as the CPU kernel does.
        CHECK(bitwise_equal(once, scatter_add(Var(g), indices, 0, {50, 3}).value()));
    }
}

TEST_CASE("out-of-range indices on the GPU are an Error naming the first bad position", "[cuda][errors]") {
    const Var z = Tensor::zeros({3, 5}, f64, kCuda);
    CHECK_ERROR(cross_entropy(z, Tensor::indices({0, 7, 2}).to(kCuda)),
                Contains("cross_entropy") && Contains("label 7") && Contains("position 1"));
    CHECK_ERROR(cross_entropy(z, Tensor::indices({0, 1, -1}).to(kCuda)),
                Contains("cross_entropy") && Contains("label -1") && Contains("position 2"));
    CHECK_ERROR(gather(z, Tensor::indices({1, 2, 3, 9}).to(kCuda)),
                Contains("gather") && Contains("index 3") && Contains("position 2"));
    CHECK_ERROR(scatter_add(z, Tensor::indices({0, 4, 1}).to(kCuda), 0, {4, 5}),
                Contains("scatter_add") && Contains("index 4") && Contains("position 1"));
    CHECK_ERROR(one_hot(Tensor::indices({4, 5, 1}).to(kCuda), 5),
                Contains("one_hot") && Contains("label 5") && Contains("position 1"));
    // The first bad position among many, wherever the blocks that find them run.
    std::vector<std::int64_t> many(100000, 1);
    many[90000] = 5;
    many[70001] = -3;
    many[99999] = 4;
    CHECK_ERROR(gather(z, Tensor::indices(many).to(kCuda), 1), Contains("index -3") && Contains("position 70001"));
}

TEST_CASE("index blocks on the GPU are read once, and ops never wait for the device", "[cuda][sync]") {
    const Var z = randn({6, 4}, 41).to(kCuda);
    const Tensor labels = Tensor::indices({0, 3, 1, 2, 3, 0}).to(kCuda);
    const DeviceSyncCounters start = device_sync_counters();
    cross_entropy(z, labels);  // reads the labels to check their range
    const DeviceSyncCounters checked = device_sync_counters();
    CHECK(checked.synchronizations == start.synchronizations + 1);
    CHECK(checked.device_to_host_copies == start.device_to_host_copies + 1);

    // The same labels again, also as indices below the same bound, and ops of every family with
    // a reverse sweep: no wait and no copy.
    Tape tape;
    const Var w = tape.variable(randn({4, 4}, 42).to(kCuda));
    const Var logits = matmul(z, w, trans_b);
    const Var loss = cross_entropy(logits, labels, sigmoid(sum(gather(logits, labels, 1), 1))) +
                     sum(softmax(logits, 0) * one_hot(labels, 4, f64)) + mean(square(concat({w, z}, 0))) +
                     sum(scatter_add(maximum(logits, z), labels, 0, {4, 4}));
    const Var g = grad(loss, w, create_graph);
    const Var h = grad(sum(g * g), w);
    CHECK(same_counters(device_sync_counters(), checked));

    // Each read of device data is one copy and one wait.
    const auto reads_once = [](const std::function<void()>& read) {
        const DeviceSyncCounters before = device_sync_counters();
        read();
        const DeviceSyncCounters after = device_sync_counters();
        CHECK(after.synchronizations == before.synchronizations + 1);
        CHECK(after.device_to_host_copies == before.device_to_host_copies + 1);
    };
    reads_once([&] { CHECK(std::isfinite(loss.item())); });
    reads_once([&] { CHECK(h.value().to_vector().size() == 16); });
    reads_once([&] { CHECK(g.value().all_finite()); });
    reads_once([&] { CHECK(h.value().to(Device::cpu()).device() == Device::cpu()); });
}

TEST_CASE("device tensors are created, copied, converted and read back", "[cuda][tensor]") {
    const Tensor x = randn({5, 7}, 3);
    const Tensor d = x.to(kCuda);
    CHECK(d.device() == kCuda);
    CHECK(d.shape() == x.shape());
    CHECK(d.dtype() == f64);
    CHECK(d.nbytes() == x.nbytes());
    const Tensor back = d.to(Device::cpu());
    CHECK(back.device() == Device::cpu());
    CHECK(bitwise_equal(back, x));
    CHECK(d.to_vector() == x.to_vector());

    const Tensor copy = d.to(kCuda);  // a copy even on the same device
    const Tensor clone = d.clone();
    for (const Tensor& t : {copy, clone}) {
        CHECK(t.device() == kCuda);
        CHECK(t.storage() != d.storage());
        CHECK(bitwise_equal(t, x));
    }
    const Tensor view = d.reshaped({7, 5});
    CHECK(view.storage() == d.storage());
    CHECK(view.device() == kCuda);

    const Tensor labels = Tensor::indices({3, -1, 7, 1LL << 40});
    const Tensor labels_back = labels.to(kCuda).to(Device::cpu());
    CHECK(labels_back.dtype() == i64);
    CHECK(std::vector<std::int64_t>(labels_back.data<std::int64_t>(), labels_back.data<std::int64_t>() + 4) ==
          std::vector<std::int64_t>{3, -1, 7, 1LL << 40});

    const Tensor single = d.to(f32);
    CHECK(single.device() == kCuda);
    CHECK(single.dtype() == f32);
    CHECK(bitwise_equal(single, x.to(f32)));
    CHECK(bitwise_equal(single.to(f64), x.to(f32).to(f64)));
    CHECK(single.to(f32).storage() != single.storage());

    const Tensor full = Tensor::full({300, 3}, 2.5, f32, kCuda);
    CHECK(full.device() == kCuda);
    CHECK(full.to_vector() == std::vector<double>(900, 2.5));
    CHECK(Tensor::zeros({4}, f64, kCuda).to_vector() == std::vector<double>(4, 0.0));
    CHECK(Tensor::ones({2, 2}, f32, kCuda).to_vector() == std::vector<double>(4, 1.0));
    CHECK(Tensor::full({2}, 7, i64, kCuda).to_vector() == std::vector<double>{7, 7});
    CHECK(Tensor::zeros_like(d).device() == kCuda);
    CHECK(Tensor::scalar(-3.25, f64, kCuda).item() == -3.25);
    CHECK(Tensor::scalar(0.1, f32, kCuda).item() == static_cast<double>(0.1f));
    CHECK_ERROR(d.item(), Contains("item") && Contains("[5, 7]"));

    CHECK(d.all_finite());
    CHECK_FALSE(Tensor::from_vector({1, NAN, 2}, {3}, f64).to(kCuda).all_finite());
    CHECK_FALSE(Tensor::from_vector({1, 2, -INFINITY}, {3}, f32).to(kCuda).all_finite());
    CHECK(Tensor::zeros({0}, f64, kCuda).all_finite());
    CHECK(Tensor::zeros({0, 3}, f64, kCuda).to(Device::cpu()).shape() == Shape{0, 3});

    CHECK_ERROR(d.data<double>(), Contains("cuda:0") && Contains("host"));
}
