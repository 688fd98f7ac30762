#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <hypertape/hypertape.hpp>
#include <new>
#include <string>
#include <vector>

#include "support/error_matcher.hpp"

using namespace hypertape;
using Catch::Contains;

namespace {

// The largest single request to operator new since the last reset. std::vector and the streams
// allocate there; HostAllocator's counters see only tensors.
std::atomic<std::size_t> largest_new{0};

}  // namespace

// Counting replacements. The nothrow forms are replaced too: ASan interposes every form, and
// memory must be released by the family that allocated it.
void* operator new(std::size_t bytes) {
    std::size_t seen = largest_new.load();
    while (bytes > seen && !largest_new.compare_exchange_weak(seen, bytes)) {
    }
    if (void* block = std::malloc(bytes == 0 ? 1 : bytes)) return block;
    throw std::bad_alloc();
}
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
    try {
        return operator new(bytes);
    } catch (const std::bad_alloc&) {
        return nullptr;
    }
}
void operator delete(void* block) noexcept { std::free(block); }
void operator delete(void* block, std::size_t) noexcept { std::free(block); }
void operator delete(void* block, const std::nothrow_t&) noexcept { std::free(block); }

namespace {

// A path in the temp directory, unique to this process (ctest runs test cases side by side).
std::string scratch(const std::string& name) {
    const std::string file = "hypertape_idx_" + std::to_string(getpid()) + "_" + name;
    return (std::filesystem::temp_directory_path() / file).string();
}

std::vector<unsigned char> gzip(const std::vector<unsigned char>& bytes) {
    z_stream z{};
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::vector<unsigned char> out(deflateBound(&z, bytes.size()));
    z.next_in = const_cast<unsigned char*>(bytes.data());
    z.avail_in = static_cast<uInt>(bytes.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

void write_file(const std::string& path, const std::vector<unsigned char>& bytes, bool compress = false) {
    const auto& written = compress ? gzip(bytes) : bytes;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(written.data()), static_cast<std::streamsize>(written.size()));
}

void append_u32(std::vector<unsigned char>& b, std::uint32_t v) {
    for (int shift : {24, 16, 8, 0}) b.push_back(static_cast<unsigned char>(v >> shift));
}

// An IDX header: the magic number of `dims` dimensions, then the sizes.
std::vector<unsigned char> header(std::initializer_list<std::uint32_t> sizes) {
    std::vector<unsigned char> b{0, 0, 8, static_cast<unsigned char>(sizes.size())};
    for (std::uint32_t s : sizes) append_u32(b, s);
    return b;
}

// An IDX image file with `n` images of 2 x 3 pixels, pixel value = (image * 6 + index) mod 256.
std::vector<unsigned char> images(std::uint32_t n) {
    std::vector<unsigned char> b = header({n, 2, 3});
    for (std::uint32_t i = 0; i < n * 6; ++i) b.push_back(static_cast<unsigned char>(i));
    return b;
}

// What one failed read cost: its message, the largest single allocation, the growth of the
// tensor pool's peak, and the time.
struct Attempt {
    std::string error;
    std::size_t largest_new;
    std::size_t pool_growth;
    double seconds;
};

template <class Read>
Attempt attempt(Read&& read) {
    HostAllocator& pool = HostAllocator::instance();
    pool.reset_peak();
    const std::size_t live = pool.counters().live_bytes;
    largest_new = 0;
    const auto start = std::chrono::steady_clock::now();
    Attempt a{"(no error)", 0, 0, 0};
    try {
        read();
    } catch (const Error& e) {
        a.error = e.what();
    }
    a.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    a.largest_new = largest_new;
    a.pool_growth = pool.counters().peak_bytes - live;
    return a;
}

}  // namespace

TEST_CASE("IDX images and labels are read from plain and gzip files", "[data]") {
    for (bool compress : {false, true}) {
        const std::string img = scratch(compress ? "img.gz" : "img");
        const std::string lab = scratch(compress ? "lab.gz" : "lab");
        write_file(img, images(3), compress);
        write_file(lab, {0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9}, compress);

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

TEST_CASE("IDX files larger than the reader's chunk are read whole", "[data]") {
    const std::string path = scratch("large");
    for (bool compress : {false, true}) {
        write_file(path, images(40000), compress);  // 240 000 pixels
        const std::vector<double> X = read_idx_images(path, 0, f64).to_vector();
        REQUIRE(X.size() == 240000);
        CHECK(X[239999] == Approx((239999 % 256) / 255.0));
    }
    std::remove(path.c_str());
}

TEST_CASE("bad IDX files throw naming the file and the problem", "[data][errors]") {
    CHECK_ERROR(read_idx_images(scratch("missing")), Contains("cannot open") && Contains("missing"));

    const std::string path = scratch("bad");
    write_file(path, {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3});
    CHECK_ERROR(read_idx_images(path), Contains("magic") && Contains("bad"));

    auto truncated = images(3);
    truncated.resize(truncated.size() - 4);
    write_file(path, truncated);
    CHECK_ERROR(read_idx_images(path), Contains("ends early") && Contains("pixels"));
    write_file(path, truncated, true);
    CHECK_ERROR(read_idx_images(path), Contains("ends early") && Contains("pixels"));

    write_file(path, {0, 0, 8});
    CHECK_ERROR(read_idx_labels(path), Contains("ends early") && Contains("header"));
    std::remove(path.c_str());
}

TEST_CASE("an IDX header declaring more than its file holds fails fast, allocating nothing of that size",
          "[data][errors]") {
    struct Hostile {
        const char* what;
        std::vector<unsigned char> bytes;
        bool images;
    };
    auto with_data = [](std::vector<unsigned char> b) {  // 12 bytes of data after the header
        b.resize(b.size() + 12, 1);
        return b;
    };
    const std::vector<Hostile> files{
        {"labels", with_data(header({1u << 30})), false},               // 20 bytes declaring 1 GiB
        {"labels", with_data(header({0xffffffff})), false},             // 4 GiB
        {"pixels", with_data(header({0xffffffff, 1024, 1024})), true},  // 4 PiB: std::bad_alloc before
    };
    const std::string path = scratch("hostile");
    for (bool compress : {false, true}) {
        for (const Hostile& file : files) {
            CAPTURE(compress, file.bytes.size(), file.what);
            write_file(path, file.bytes, compress);
            const Attempt a = attempt([&] { file.images ? read_idx_images(path) : read_idx_labels(path); });
            CHECK_THAT(a.error, Contains("ends early") && Contains(file.what) && Contains(path));
            CHECK(a.seconds < 0.5);
            CHECK(a.pool_growth <= file.bytes.size());
            // The reader's own buffers (the stream's, one 64 KiB chunk of gzip data) are all it
            // allocates at once; nothing of the declared size.
            CHECK(a.largest_new <= 64 * 1024);
        }
    }
    std::remove(path.c_str());
}

TEST_CASE("IDX image sizes whose product overflows 64-bit signed are rejected", "[data][errors]") {
    const std::string path = scratch("overflow");
    auto bytes = header({1, 0xffffffff, 0xffffffff});
    bytes.resize(bytes.size() + 16, 0);
    write_file(path, bytes);
    CHECK_ERROR(read_idx_images(path), Contains("implausible") && Contains("4294967295 x 4294967295"));
    std::remove(path.c_str());
}

TEST_CASE("a corrupt gzip IDX file reports zlib's error", "[data][errors]") {
    const std::string path = scratch("corrupt.gz");
    const std::vector<unsigned char> good = gzip({0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9});

    auto bad_block = good;
    bad_block[10] = 0x07;  // the first deflate block: final, of the reserved type 3
    write_file(path, bad_block);
    CHECK_ERROR(read_idx_labels(path), Contains(path) && Contains("corrupt gzip") && Contains("invalid block type"));

    auto bad_checksum = good;
    bad_checksum[bad_checksum.size() - 8] ^= 1;  // the CRC-32 of the content
    write_file(path, bad_checksum);
    CHECK_ERROR(read_idx_labels(path), Contains(path) && Contains("corrupt gzip") && Contains("incorrect data check"));

    auto cut = good;
    cut.resize(cut.size() - 4);  // the content is all there, the trailer is not
    write_file(path, cut);
    CHECK_ERROR(read_idx_labels(path), Contains(path) && Contains("cut off"));
    std::remove(path.c_str());
}

TEST_CASE("a directory given as an IDX file is reported as one", "[data][errors]") {
    const std::string dir = scratch("dir");
    std::filesystem::create_directories(dir);
    CHECK_ERROR(read_idx_labels(dir), Contains(dir) && Contains("is a directory"));
    std::filesystem::remove(dir);
}
