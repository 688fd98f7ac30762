#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/hypertape.hpp>
#include <limits>
#include <vector>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::max_relative_error;
using hypertape::testing::randn;
using hypertape::testing::Vars;

namespace {

// Max or mean over each window, written out (padding skipped by the maximum, counted as 0 in the mean).
Tensor pool_by_hand(const Tensor& x, std::int64_t k, std::int64_t s, std::int64_t p, bool max) {
    const auto d = x.shape();
    const std::int64_t ho = (d[2] + 2 * p - k) / s + 1;
    const std::int64_t wo = (d[3] + 2 * p - k) / s + 1;
    const auto xv = x.to_vector();
    std::vector<double> out;
    for (std::int64_t plane = 0; plane < d[0] * d[1]; ++plane) {
        for (std::int64_t r = 0; r < ho; ++r) {
            for (std::int64_t c = 0; c < wo; ++c) {
                double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
                for (std::int64_t i = 0; i < k; ++i) {
                    for (std::int64_t j = 0; j < k; ++j) {
                        const std::int64_t ir = r * s - p + i;
                        const std::int64_t ic = c * s - p + j;
                        if (ir < 0 || ir >= d[2] || ic < 0 || ic >= d[3]) continue;
                        const double v = xv[static_cast<std::size_t>((plane * d[2] + ir) * d[3] + ic)];
                        acc = max ? std::max(acc, v) : acc + v;
                    }
                }
                out.push_back(max ? acc : acc / static_cast<double>(k * k));
            }
        }
    }
    return Tensor::from_vector(out, {d[0], d[1], ho, wo}, f64);
}

}  // namespace

TEST_CASE("max_pool2d and avg_pool2d equal their windows' maxima and means", "[ops][pool]") {
    const Tensor x = randn({2, 3, 7, 6}, 1);
    struct Case {
        std::int64_t kernel, stride, padding;
    };
    for (const Case c : std::vector<Case>{{2, 2, 0}, {3, 1, 1}, {3, 2, 1}, {2, 1, 0}, {4, 3, 2}}) {
        INFO("kernel " << c.kernel << " stride " << c.stride << " padding " << c.padding);
        CHECK(max_relative_error(max_pool2d(Var(x), c.kernel, c.stride, c.padding).value(),
                                 pool_by_hand(x, c.kernel, c.stride, c.padding, true)) == 0.0);
        CHECK(max_relative_error(avg_pool2d(Var(x), c.kernel, c.stride, c.padding).value(),
                                 pool_by_hand(x, c.kernel, c.stride, c.padding, false)) < 1e-15);
    }
    CHECK(max_pool2d(Var(x), 2).shape() == Shape{2, 3, 3, 3});  // stride defaults to the kernel
}

TEST_CASE("pooling passes the harness in every mode", "[ops][pool][gradcheck]") {
    const Tensor x = randn({2, 2, 6, 5}, 3);  // continuous samples: no ties, so max is smooth here
    check_op("max_pool2d 2", [](const Vars& v) { return max_pool2d(v[0], 2); }, {x});
    check_op("max_pool2d overlapping", [](const Vars& v) { return max_pool2d(v[0], 3, 1, 1); }, {x});
    check_op("avg_pool2d 2", [](const Vars& v) { return avg_pool2d(v[0], 2); }, {x});
    check_op("avg_pool2d overlapping", [](const Vars& v) { return avg_pool2d(v[0], 3, 2, 1); }, {x});
    // Curvature from around the pools, so that grad-of-grad passes through their VJPs.
    check_op("max_pool2d inside", [](const Vars& v) { return square(max_pool2d(v[0] * v[0], 3, 2, 1)); }, {x});
    check_op("avg_pool2d inside", [](const Vars& v) { return square(avg_pool2d(tanh(v[0]), 2, 1)); }, {x});
}

TEST_CASE("max_pool2d routes the gradient to the first maximum and propagates NaN", "[ops][pool]") {
    Tape tape;
    const Var x = tape.variable(Tensor::from_vector({1, 5, 5, 2, /**/ 0, 0, 0, 0}, {1, 2, 2, 2}, f64));
    const Var y = max_pool2d(x, 2);
    const auto g = grad(sum(y), x).value().to_vector();
    CHECK(g == std::vector<double>{0, 1, 0, 0, 1, 0, 0, 0});
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const Tensor with_nan = Tensor::from_vector({1, nan, 3, 2}, {1, 1, 2, 2}, f64);
    CHECK(std::isnan(max_pool2d(Var(with_nan), 2).item()));
    // The op saves the int64 positions of the maxima, not x.
    Tape t2;
    const Var big = t2.variable(randn({2, 3, 8, 8}, 5));
    (void)max_pool2d(big, 2);
    CHECK(t2.stats().saved_bytes == 2 * 3 * 4 * 4 * sizeof(std::int64_t));
}

TEST_CASE("pooling rejects bad kernels, strides and paddings", "[ops][pool][errors]") {
    const Var x(randn({1, 2, 5, 5}, 7));
    using Catch::Contains;
    CHECK_ERROR(max_pool2d(Var(randn({2, 5, 5}, 1)), 2), Contains("max_pool2d") && Contains("[N, C, H, W]"));
    CHECK_ERROR(max_pool2d(x, 0), Contains("kernel 0x0 must be at least 1x1"));
    CHECK_ERROR(avg_pool2d(x, 2, -1), Contains("avg_pool2d") && Contains("stride -1"));
    CHECK_ERROR(max_pool2d(x, 3, 1, 2), Contains("padding 2 must lie in [0, 1]"));
    CHECK_ERROR(avg_pool2d(x, 6), Contains("avg_pool2d") && Contains("spans 6x6"));
    CHECK_ERROR(max_pool2d(Var(Tensor::indices({1, 2})), 1), Contains("max_pool2d"));
}
