#include "hypertape/tape/threads.hpp"

#include <cblas.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

#include "hypertape/tape/error.hpp"

namespace hypertape {
namespace {

constexpr const char* kVariable = "HYPERTAPE_NUM_THREADS";

// The process-wide limit. oneTBB applies the smallest of all live global_control objects of a
// kind, so a new count replaces the old object rather than adding one.
struct Pool {
    Pool() {
        // OpenBLAS would otherwise start a thread per core of its own beside oneTBB's.
        openblas_set_num_threads(1);
        const char* value = std::getenv(kVariable);
        apply(value != nullptr ? parse_num_threads(value) : tbb::info::default_concurrency());
    }

    void apply(int n) {
        control.reset();
        control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                        static_cast<std::size_t>(n));
        count.store(n, std::memory_order_relaxed);
    }

    std::mutex mutex;  // guards control
    std::unique_ptr<tbb::global_control> control;
    std::atomic<int> count{1};  // read by every parallel loop, without the lock
};

// Built at first use, so a bad HYPERTAPE_NUM_THREADS throws from a call the user made (and again
// from the next one) instead of at load time.
Pool& pool() {
    static Pool p;
    return p;
}

}  // namespace

int parse_num_threads(std::string_view value) {
    std::string_view digits = value;
    while (!digits.empty() && digits.front() == ' ') digits.remove_prefix(1);
    while (!digits.empty() && digits.back() == ' ') digits.remove_suffix(1);
    int n = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || n < 1) {
        fail(kVariable, ": '", std::string(value), "' is not a positive integer thread count");
    }
    return n;
}

void set_num_threads(int n) {
    if (n < 1) fail("set_num_threads: n = ", n, " is not a positive thread count");
    Pool& p = pool();
    const std::lock_guard lock(p.mutex);
    p.apply(n);
}

int num_threads() { return pool().count.load(std::memory_order_relaxed); }

}  // namespace hypertape
