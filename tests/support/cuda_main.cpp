// The main of the device tests (tests/cuda/): without a CUDA device (a CPU-only build, or no GPU
// on this machine) a run exits with 77, which ctest reports as skipped (SKIP_RETURN_CODE), instead
// of failing. Listing and help requests run Catch as usual, so the tests can be listed anywhere.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>
#include <hypertape/tape/device.hpp>
#include <string_view>

namespace {

constexpr int kSkipped = 77;

bool only_lists(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        for (const std::string_view option : {"-l", "--list-tests", "--list-test-names-only", "-t", "--list-tags",
                                              "--list-reporters", "-h", "-?", "--help"}) {
            if (arg == option) return true;
        }
    }
    return false;
}

}  // namespace

int main(int argc, char** argv) {
    if (hypertape::cuda_device_count() == 0 && !only_lists(argc, argv)) {
        std::puts("no CUDA device: the [cuda] tests are skipped");
        return kSkipped;
    }
    return Catch::Session().run(argc, argv);
}
