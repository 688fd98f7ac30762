#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/hypertape.hpp>
#include <limits>
#include <vector>

#include "support/error_matcher.hpp"
#include "support/gradcheck.hpp"

using namespace hypertape;
using hypertape::testing::check_op;
using hypertape::testing::randn;
using hypertape::testing::Vars;

TEST_CASE("batch_norm standardises each channel over the batch and the image", "[ops][norm]") {
    const Tensor x = randn({4, 3, 5, 2}, 1);
    const Tensor w = Tensor::from_vector({1.0, 2.0, -0.5}, {3}, f64);
    const Tensor b = Tensor::from_vector({0.0, 1.0, 3.0}, {3}, f64);
    const double eps = 1e-5;
    const auto y = batch_norm(Var(x), Var(w), Var(b), eps).value().to_vector();
    const auto xv = x.to_vector();
    for (std::int64_t c = 0; c < 3; ++c) {
        std::vector<std::size_t> at;
        for (std::int64_t n = 0; n < 4; ++n) {
            for (std::int64_t i = 0; i < 10; ++i) at.push_back(static_cast<std::size_t>((n * 3 + c) * 10 + i));
        }
        double mean = 0, var = 0;
        for (auto i : at) mean += xv[i] / 40.0;
        for (auto i : at) var += (xv[i] - mean) * (xv[i] - mean) / 40.0;
        const double scale = w.to_vector()[static_cast<std::size_t>(c)] / std::sqrt(var + eps);
        for (auto i : at) {
            CHECK(y[i] == Approx((xv[i] - mean) * scale + b.to_vector()[static_cast<std::size_t>(c)]).epsilon(1e-13));
        }
    }
    // On [N, C] the statistics are over the batch alone.
    const auto flat =
        batch_norm(Var(Tensor::from_vector({1, 10, 3, 30}, {2, 2}, f64)), Var(), Var(), 1e-12).value().to_vector();
    CHECK(flat[0] == Approx(-1.0));
    CHECK(flat[3] == Approx(1.0));
}

TEST_CASE("batch_norm passes the harness in every mode", "[ops][norm][gradcheck]") {
    const Tensor x = randn({3, 2, 3, 2}, 2);
    const Tensor w = randn({2}, 3);
    const Tensor b = randn({2}, 4);
    check_op("batch_norm", [](const Vars& v) { return batch_norm(v[0], v[1], v[2]); }, {x, w, b});
    check_op("batch_norm scaled", [](const Vars& v) { return batch_norm(v[0], v[1]); }, {x, w});
    check_op("batch_norm shifted", [](const Vars& v) { return batch_norm(v[0], Var(), v[1]); }, {x, b});
    check_op("batch_norm plain", [](const Vars& v) { return batch_norm(v[0]); }, {x});
    check_op("batch_norm of [N, C]", [](const Vars& v) { return batch_norm(v[0], v[1], v[2], 0.1); },
             {randn({5, 3}, 5), randn({3}, 6), randn({3}, 7)});
    check_op("batch_norm of a square", [](const Vars& v) { return square(batch_norm(v[0], v[1])); }, {x, w});
}

TEST_CASE("batch_norm saves x and weight only", "[ops][norm][memory]") {
    Tape tape;
    const Var x = tape.variable(randn({4, 3, 5, 5}, 8));
    const Var w = tape.variable(randn({3}, 9));
    (void)batch_norm(x, w, Var());
    CHECK(tape.stats().saved_bytes == x.value().nbytes() + w.value().nbytes());
}

TEST_CASE("batch_norm rejects bad shapes and eps", "[ops][norm][errors]") {
    using Catch::Contains;
    const Var x(randn({2, 3, 2}, 1));
    CHECK_ERROR(batch_norm(Var(randn({3}, 1))), Contains("batch_norm") && Contains("[N, C, ...]"));
    CHECK_ERROR(batch_norm(Var(randn({1, 3}, 1))), Contains("fewer than 2 values per channel"));
    CHECK_ERROR(batch_norm(x, Var(randn({2}, 1))), Contains("weight [2] must be [3]"));
    CHECK_ERROR(batch_norm(x, Var(), Var(randn({3, 1}, 1))), Contains("bias [3, 1] must be [3]"));
    CHECK_ERROR(batch_norm(x, Var(), Var(), 0.0), Contains("eps 0 must be positive"));
    CHECK_ERROR(batch_norm(x, Var(), Var(), std::numeric_limits<double>::infinity()), Contains("eps"));
    CHECK_ERROR(batch_norm(x, Var(randn({3}, 1).to(f32))), Contains("batch_norm") && Contains("float32"));
}
