#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <hypertape/hypertape.hpp>
#include <vector>

#include "support/error_matcher.hpp"

using namespace hypertape;
using Catch::Contains;

namespace {

std::string scratch(const std::string& name) {
    return (std::filesystem::temp_directory_path() / ("hypertape_idx_" + name)).string();
}

void write_file(const std::string& path, const std::vector<unsigned char>& bytes, bool gzip) {
    if (gzip) {
        gzFile f = gzopen(path.c_str(), "wb");
        gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
        gzclose(f);
    } else {
        std::ofstream(path, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    }
}

// An IDX image file with `n` images of 2 x 3 pixels, pixel value = image * 6 + index.
std::vector<unsigned char> images(unsigned char n) {
    std::vector<unsigned char> b{0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 2, 0, 0, 0, 3};
    for (int i = 0; i < n * 6; ++i) b.push_back(static_cast<unsigned char>(i));
    return b;
}

}  // namespace

TEST_CASE("IDX images and labels are read from plain and gzip files", "[data]") {
    for (bool gzip : {false, true}) {
        const std::string img = scratch(gzip ? "img.gz" : "img");
        const std::string lab = scratch(gzip ? "lab.gz" : "lab");
        write_file(img, images(3), gzip);
        write_file(lab, {0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9}, gzip);

        const Tensor X = read_idx_images(img, 0, f64);
        REQUIRE(X.shape() == Shape{3, 6});
        CHECK(X.to_vector()[7] == Approx(7 / 255.0));
        CHECK(read_idx_images(img, 2).shape() == Shape{2, 6});
        CHECK(read_idx_labels(lab).to_vector() == std::vector<double>{7, 0, 9});
        CHECK(read_idx_labels(lab, 1).to_vector() == std::vector<double>{7});
        std::remove(img.c_str());
        std::remove(lab.c_str());
    }
}

TEST_CASE("bad IDX files throw naming the file and the problem", "[data][errors]") {
    CHECK_ERROR(read_idx_images(scratch("missing")), Contains("cannot open") && Contains("missing"));

    const std::string path = scratch("bad");
    write_file(path, {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3}, false);
    CHECK_ERROR(read_idx_images(path), Contains("magic") && Contains("bad"));

    auto truncated = images(3);
    truncated.resize(truncated.size() - 4);
    write_file(path, truncated, false);
    CHECK_ERROR(read_idx_images(path), Contains("ends early") && Contains("pixels"));

    write_file(path, {0, 0, 8}, false);
    CHECK_ERROR(read_idx_labels(path), Contains("ends early") && Contains("header"));
    std::remove(path.c_str());
}
