// Checkpoint schedules tested as data, without any AD: validity for every T up to 200, the
// revolve optimum against a dynamic program, and the rejection of invalid schedules.
#include <catch2/catch.hpp>
#include <cmath>
#include <hypertape/bilevel/schedule.hpp>
#include <hypertape/tape/error.hpp>
#include <limits>
#include <vector>

#include "support/error_matcher.hpp"

using namespace hypertape;
using Catch::Contains;
using Kind = Action::Kind;

namespace {

constexpr int kMaxSteps = 200;
constexpr int kMaxSnapshots = 8;

// F(l, s): the fewest advanced steps to reverse l steps with s slots, by dynamic programming.
std::vector<std::vector<long long>> optimum_table() {
    std::vector<std::vector<long long>> F(kMaxSteps + 1, std::vector<long long>(kMaxSnapshots + 1, 0));
    for (int s = 1; s <= kMaxSnapshots; ++s) {
        for (int l = 2; l <= kMaxSteps; ++l) {
            if (s == 1) {
                F[l][s] = static_cast<long long>(l) * (l - 1) / 2;
                continue;
            }
            long long best = -1;
            for (int m = 1; m < l; ++m) {
                const long long cost = m + F[l - m][s - 1] + F[m][s];
                if (best < 0 || cost < best) best = cost;
            }
            F[l][s] = best;
        }
    }
    return F;
}

}  // namespace

TEST_CASE("binomial schedules are valid and revolve-optimal for every T <= 200", "[schedule]") {
    const auto F = optimum_table();
    for (int T = 1; T <= kMaxSteps; ++T) {
        for (int s = 1; s <= kMaxSnapshots; ++s) {
            INFO("T = " << T << ", s = " << s);
            const ScheduleCost cost = simulate(binomial_schedule(T, s), T);
            REQUIRE(cost.reversed_steps == T);
            REQUIRE(cost.max_live_slots <= s);
            REQUIRE(cost.max_reverse_span == 1);
            REQUIRE(cost.advanced_steps == F[T][s]);
            REQUIRE(revolve_optimal_advances(T, s) == F[T][s]);
        }
    }
    CHECK(revolve_optimal_advances(10, 1) == 45);  // T (T - 1) / 2 with one slot
    CHECK(revolve_optimal_advances(100000000, 1) == 100000000LL * 99999999 / 2);
    CHECK(revolve_optimal_advances(50, 1000) == revolve_optimal_advances(50, 50));
}

TEST_CASE("uniform schedules are valid with ceil(T / every) snapshots", "[schedule]") {
    for (int T = 1; T <= kMaxSteps; ++T) {
        for (int every = 0; every <= T + 1; ++every) {
            INFO("T = " << T << ", every = " << every);
            const int c = every > 0 ? every : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(T))));
            const ScheduleCost cost = simulate(uniform_schedule(T, every), T);
            REQUIRE(cost.reversed_steps == T);
            REQUIRE(cost.advanced_steps == (T - 1) / c * c);  // up to the start of the last segment
            REQUIRE(cost.max_live_slots == (T + c - 1) / c);
            REQUIRE(cost.max_reverse_span == std::min(c, T));
        }
    }
}

TEST_CASE("simulate rejects invalid schedules, naming the action", "[schedule][errors]") {
    const Action snap0{Kind::snapshot, 0, 0, 0};
    CHECK_ERROR(simulate({snap0, {Kind::reverse, 0, 1}}, 2), Contains("action 1") && Contains("end at step 2"));
    CHECK_ERROR(simulate({{Kind::advance, 1, 2}}, 4), Contains("action 0") && Contains("current state is w_0"));
    CHECK_ERROR(simulate({snap0, {Kind::restore, 2, 0, 1}}, 4), Contains("action 1") && Contains("slot"));
    CHECK_ERROR(simulate({{Kind::advance, 0, 4}}, 4), Contains("action 0") && Contains("before step 4"));
    CHECK_ERROR(simulate({{Kind::advance, 0, 3}, {Kind::reverse, 3, 4}}, 4), Contains("[0, 3) unreversed"));
    CHECK_ERROR(simulate({{Kind::free, 0, 0, 5}}, 4), Contains("action 0") && Contains("empty"));
    CHECK_ERROR(simulate({snap0, snap0}, 4), Contains("action 1") && Contains("already holds"));
    CHECK_ERROR(simulate({{Kind::snapshot, 0, 0, -1}}, 4), Contains("action 0") && Contains("negative"));
    CHECK_ERROR(simulate({{Kind::advance, 0, 2}, {Kind::reverse, 2, 4}, {Kind::reverse, 1, 2}}, 4),
                Contains("action 2") && Contains("undefined"));
}

TEST_CASE("uniform schedules stay valid near the largest step counts", "[schedule]") {
    const int T = std::numeric_limits<int>::max() - 5;
    const Schedule s = uniform_schedule(T, 1 << 30);
    CHECK(s.size() == 8);  // two segments, [0, 2^30) and [2^30, T): 3 actions forward, 2 + 3 backward
    CHECK(s[3].to == T);
    CHECK(simulate(s, T).reversed_steps == T);
}

TEST_CASE("schedule arguments are checked", "[schedule][errors]") {
    CHECK_ERROR(binomial_schedule(10, 0), Contains("binomial_schedule") && Contains("budget") && Contains("0"));
    CHECK_ERROR(binomial_schedule(0, 2), Contains("steps") && Contains("0"));
    CHECK_ERROR(uniform_schedule(-3, 2), Contains("uniform_schedule") && Contains("-3"));
    CHECK_ERROR(revolve_optimal_advances(5, 0), Contains("budget"));
    CHECK_THROWS_AS(simulate({}, 0), Error);
}
