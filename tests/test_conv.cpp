#include <catch2/catch.hpp>
#include <hypertape/hypertape.hpp>
#include <vector>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::max_relative_error;
using hypertape::testing::randn;
using hypertape::testing::Vars;

namespace {

struct Geometry {
    std::int64_t stride = 1, padding = 0, dilation = 1;
};

// conv2d written out as its defining sum, in double.
Tensor conv_by_hand(const Tensor& x, const Tensor& w, const Tensor& b, Geometry g) {
    const auto xs = x.shape();
    const auto ws = w.shape();
    const std::int64_t n = xs[0], c = xs[1], h = xs[2], wd = xs[3], f = ws[0], kh = ws[2], kw = ws[3];
    const std::int64_t ho = (h + 2 * g.padding - g.dilation * (kh - 1) - 1) / g.stride + 1;
    const std::int64_t wo = (wd + 2 * g.padding - g.dilation * (kw - 1) - 1) / g.stride + 1;
    const std::vector<double> xv = x.to_vector();
    const std::vector<double> wv = w.to_vector();
    const std::vector<double> bv = b.defined() ? b.to_vector() : std::vector<double>(static_cast<std::size_t>(f), 0.0);
    std::vector<double> out;
    for (std::int64_t i = 0; i < n; ++i) {
        for (std::int64_t o = 0; o < f; ++o) {
            for (std::int64_t r = 0; r < ho; ++r) {
                for (std::int64_t s = 0; s < wo; ++s) {
                    double sum = bv[static_cast<std::size_t>(o)];
                    for (std::int64_t ch = 0; ch < c; ++ch) {
                        for (std::int64_t ki = 0; ki < kh; ++ki) {
                            for (std::int64_t kj = 0; kj < kw; ++kj) {
                                const std::int64_t ir = r * g.stride - g.padding + ki * g.dilation;
                                const std::int64_t ic = s * g.stride - g.padding + kj * g.dilation;
                                if (ir < 0 || ir >= h || ic < 0 || ic >= wd) continue;
                                sum += wv[static_cast<std::size_t>(((o * c + ch) * kh + ki) * kw + kj)] *
                                       xv[static_cast<std::size_t>(((i * c + ch) * h + ir) * wd + ic)];
                            }
                        }
                    }
                    out.push_back(sum);
                }
            }
        }
    }
    return Tensor::from_vector(out, {n, f, ho, wo}, f64);
}

double dot(const Tensor& a, const Tensor& b) {
    const auto av = a.to_vector();
    const auto bv = b.to_vector();
    double s = 0;
    for (std::size_t i = 0; i < av.size(); ++i) s += av[i] * bv[i];
    return s;
}

const std::vector<Geometry> kGeometries{{1, 0, 1}, {1, 1, 1}, {2, 1, 1}, {2, 0, 1}, {1, 2, 2}, {3, 1, 1}};

}  // namespace

TEST_CASE("conv2d equals its defining sum for every stride, padding and dilation", "[ops][conv]") {
    const Tensor x = randn({2, 3, 7, 6}, 1);
    const Tensor w = randn({4, 3, 3, 2}, 2);
    const Tensor b = randn({4}, 3);
    for (const Geometry g : kGeometries) {
        INFO("stride " << g.stride << " padding " << g.padding << " dilation " << g.dilation);
        const Tensor y = conv2d(Var(x), Var(w), Var(b), g.stride, g.padding, g.dilation).value();
        CHECK(max_relative_error(y, conv_by_hand(x, w, b, g)) < 1e-13);
        const Tensor unbiased = conv2d(Var(x), Var(w), Var(), g.stride, g.padding, g.dilation).value();
        CHECK(max_relative_error(unbiased, conv_by_hand(x, w, Tensor(), g)) < 1e-13);
    }
    // float32 agrees with the float64 sum to float32 rounding.
    const Tensor y32 = conv2d(Var(x.to(f32)), Var(w.to(f32)), Var(b.to(f32)), 1, 1).value();
    CHECK(max_relative_error(y32.to(f64), conv_by_hand(x, w, b, {1, 1, 1})) < 1e-5);
}

TEST_CASE("conv_transpose2d is the adjoint of conv2d and conv2d_weight its filter gradient", "[ops][conv]") {
    const Tensor w = randn({4, 3, 3, 3}, 5);
    for (const Geometry g : kGeometries) {
        INFO("stride " << g.stride << " padding " << g.padding << " dilation " << g.dilation);
        const Tensor x = randn({2, 3, 8, 7}, 6);
        const Tensor y = conv2d(Var(x), Var(w), Var(), g.stride, g.padding, g.dilation).value();
        const Tensor u = randn(y.shape(), 7);
        // The image size conv_transpose2d returns is x's when output_padding makes up the rest.
        const std::int64_t extra_h = (8 + 2 * g.padding - g.dilation * 2 - 1) % g.stride;
        const std::int64_t extra_w = (7 + 2 * g.padding - g.dilation * 2 - 1) % g.stride;
        if (extra_h == extra_w) {
            const Tensor back =
                conv_transpose2d(Var(u), Var(w), Var(), g.stride, g.padding, extra_h, g.dilation).value();
            REQUIRE(back.shape() == x.shape());
            CHECK(dot(back, x) == Approx(dot(u, y)).epsilon(1e-12));
        }
        const Tensor gw = conv2d_weight(Var(x), Var(u), 3, 3, g.stride, g.padding, g.dilation).value();
        REQUIRE(gw.shape() == w.shape());
        CHECK(dot(gw, w) == Approx(dot(u, y)).epsilon(1e-12));
    }
}

TEST_CASE("conv2d, conv_transpose2d and conv2d_weight pass the harness in every mode", "[ops][conv][gradcheck]") {
    const Tensor x = randn({2, 2, 5, 4}, 11);
    const Tensor w = randn({3, 2, 3, 2}, 12);
    const Tensor b = randn({3}, 13);
    for (const Geometry g : std::vector<Geometry>{{1, 1, 1}, {2, 1, 1}, {1, 0, 2}}) {
        INFO("stride " << g.stride << " padding " << g.padding << " dilation " << g.dilation);
        check_op("conv2d", [g](const Vars& v) { return conv2d(v[0], v[1], v[2], g.stride, g.padding, g.dilation); },
                 {x, w, b});
        check_op("conv2d without bias",
                 [g](const Vars& v) { return conv2d(v[0], v[1], Var(), g.stride, g.padding, g.dilation); }, {x, w});
        const Shape ys = conv2d(Var(x), Var(w), Var(), g.stride, g.padding, g.dilation).shape();
        const Tensor y = randn(ys, 14);
        check_op("conv_transpose2d",
                 [g](const Vars& v) { return conv_transpose2d(v[0], v[1], v[2], g.stride, g.padding, 0, g.dilation); },
                 {y, w, randn({2}, 15)});
        check_op("conv2d_weight",
                 [g](const Vars& v) { return conv2d_weight(v[0], v[1], 3, 2, g.stride, g.padding, g.dilation); },
                 {x, y});
    }
    // A composition: the second derivative of a loss through two convolutions mixes all three ops.
    check_op("conv2d . tanh . conv2d",
             [](const Vars& v) { return conv2d(tanh(conv2d(v[0], v[1], Var(), 1, 1)), v[2], Var(), 2, 1); },
             {x, randn({3, 2, 3, 3}, 16), randn({2, 3, 2, 2}, 17)});
}

TEST_CASE("conv2d's tape saves x and w, never the column buffer", "[ops][conv][memory]") {
    Tape tape;
    const Var x = tape.variable(randn({2, 3, 8, 8}, 21));
    const Var w = tape.variable(randn({4, 3, 3, 3}, 22));
    const std::size_t before = tape.stats().saved_bytes;
    const Var y = conv2d(x, w, Var(), 1, 1);
    CHECK(tape.stats().saved_bytes - before == (x.value().nbytes() + w.value().nbytes()));
    // A constant image is not saved when only the filters are differentiated.
    Tape filters_only;
    const Var w2 = filters_only.variable(randn({4, 3, 3, 3}, 22));
    (void)conv2d(Var(randn({2, 3, 8, 8}, 21)), w2, Var(), 1, 1);
    CHECK(filters_only.stats().saved_bytes == randn({2, 3, 8, 8}, 21).nbytes());
    (void)y;
}

TEST_CASE("conv ops reject bad shapes, strides, paddings and operands", "[ops][conv][errors]") {
    const Var x(randn({1, 2, 5, 5}, 31));
    const Var w(randn({3, 2, 3, 3}, 32));
    using Catch::Contains;
    CHECK_ERROR(conv2d(Var(randn({2, 5, 5}, 1)), w), Contains("conv2d") && Contains("x must be [N, C, H, W]"));
    CHECK_ERROR(conv2d(x, Var(randn({3, 2, 3}, 1))), Contains("weight must be [F, C, kh, kw]"));
    CHECK_ERROR(conv2d(x, Var(randn({3, 4, 3, 3}, 1))), Contains("2 channels") && Contains("expects 4"));
    CHECK_ERROR(conv2d(x, w, Var(randn({2}, 1))), Contains("bias [2] must be [3]"));
    CHECK_ERROR(conv2d(x, w, Var(), 0), Contains("stride 0 must be at least 1"));
    CHECK_ERROR(conv2d(x, w, Var(), 1, -1), Contains("padding -1 must not be negative"));
    CHECK_ERROR(conv2d(x, w, Var(), 1, 0, 0), Contains("dilation 0 must be at least 1"));
    CHECK_ERROR(conv2d(x, w, Var(), 1, 0, 3), Contains("spans 7x7") && Contains("[1, 2, 5, 5]"));
    CHECK_ERROR(conv2d(x, Var(randn({3, 2, 7, 7}, 1))), Contains("conv2d") && Contains("kernel"));
    CHECK_ERROR(conv2d(x, w, Var(), 1, std::int64_t{1} << 62), Contains("overflows int64"));
    CHECK_ERROR(conv2d(x, w, Var(), 1, std::int64_t{1} << 40), Contains("column buffer") && Contains("too large"));
    CHECK_ERROR(conv2d(x.value().to(f32), w), Contains("conv2d") && Contains("float32"));
    CHECK_ERROR(conv2d(Var(Tensor::indices({1, 2})), w), Contains("conv2d"));
    const Var y(randn({1, 3, 3, 3}, 33));
    CHECK_ERROR(conv_transpose2d(y, w, Var(), 2, 0, 2), Contains("output_padding 2 must lie in [0, stride 2)"));
    CHECK_ERROR(conv_transpose2d(y, w, Var(), 1, 3), Contains("empty image"));
    CHECK_ERROR(conv_transpose2d(x, w),
                Contains("conv_transpose2d") && Contains("2 channels") && Contains("expects 3"));
    CHECK_ERROR(conv2d_weight(x, Var(randn({1, 3, 2, 2}, 1)), 3, 3), Contains("must be [1, F, 3, 3]"));
}

TEST_CASE("conv2d on every small geometry equals its defining sum or throws a hypertape::Error", "[ops][conv]") {
    int computed = 0;
    int refused = 0;
    for (std::int64_t h = 1; h <= 4; ++h) {
        for (std::int64_t k = 1; k <= 4; ++k) {
            for (std::int64_t stride = 0; stride <= 3; ++stride) {
                for (std::int64_t padding = -1; padding <= 2; ++padding) {
                    for (std::int64_t dilation = 0; dilation <= 2; ++dilation) {
                        const Tensor x = randn({1, 2, h, h + 1}, 41);
                        const Tensor w = randn({2, 2, k, k}, 42);
                        INFO("h " << h << " k " << k << " stride " << stride << " padding " << padding << " dilation "
                                  << dilation);
                        try {
                            const Tensor y = conv2d(Var(x), Var(w), Var(), stride, padding, dilation).value();
                            CHECK(max_relative_error(y, conv_by_hand(x, w, Tensor(), {stride, padding, dilation})) <
                                  1e-13);
                            ++computed;
                        } catch (const Error&) {
                            const bool bad = stride < 1 || padding < 0 || dilation < 1 ||
                                             dilation * (k - 1) + 1 > h + 2 * padding;
                            CHECK(bad);
                            ++refused;
                        }
                    }
                }
            }
        }
    }
    CHECK(computed > 100);
    CHECK(refused > 100);
}
