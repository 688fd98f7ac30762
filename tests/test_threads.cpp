// hypertape::set_num_threads, num_threads and the parsing of HYPERTAPE_NUM_THREADS (tape/threads.hpp).
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <hypertape/hypertape.hpp>
#include <string>

#include "support/error_matcher.hpp"

using namespace hypertape;
using Catch::Contains;

namespace {

std::size_t tbb_limit() { return tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism); }

}  // namespace

// First in this file: ctest runs each test case in a process of its own, and this one must see
// the count before anything sets it.
TEST_CASE("the thread count defaults to the cores this process may use, or HYPERTAPE_NUM_THREADS", "[threads]") {
    const char* value = std::getenv("HYPERTAPE_NUM_THREADS");
    const int expected = value != nullptr ? parse_num_threads(value) : tbb::info::default_concurrency();
    CHECK(num_threads() == expected);
    CHECK(tbb_limit() == static_cast<std::size_t>(expected));
}

TEST_CASE("set_num_threads sets the oneTBB limit, up and down", "[threads]") {
    const int saved = num_threads();
    for (const int n : {1, 3, 2, 1}) {
        set_num_threads(n);
        CHECK(num_threads() == n);
        CHECK(tbb_limit() == static_cast<std::size_t>(n));
    }
    set_num_threads(saved);
    CHECK(num_threads() == saved);
}

TEST_CASE("set_num_threads rejects counts below one and keeps the old count", "[threads][errors]") {
    const int saved = num_threads();
    CHECK_ERROR(set_num_threads(0), Contains("set_num_threads") && Contains("n = 0"));
    CHECK_ERROR(set_num_threads(-3), Contains("set_num_threads") && Contains("n = -3"));
    CHECK(num_threads() == saved);
}

TEST_CASE("HYPERTAPE_NUM_THREADS values: positive decimal integers", "[threads]") {
    CHECK(parse_num_threads("1") == 1);
    CHECK(parse_num_threads("2") == 2);
    CHECK(parse_num_threads(" 16 ") == 16);
    CHECK(parse_num_threads("0064") == 64);
}

TEST_CASE("HYPERTAPE_NUM_THREADS rejects what is not a positive integer, naming the variable and the value",
          "[threads][errors]") {
    for (const char* bad : {"", " ", "0", "-2", "two", "2x", "1.5", "+3", "99999999999999999999"}) {
        INFO("value '" << bad << "'");
        CHECK_ERROR(parse_num_threads(bad),
                    Contains("HYPERTAPE_NUM_THREADS") && Contains("'" + std::string(bad) + "'"));
    }
}
