#include "hypertape/data/idx.hpp"

#include <zlib.h>

#include <array>
#include <memory>
#include <vector>

#include "hypertape/tape/error.hpp"

namespace hypertape {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension

// gzread reads plain files too, so one reader serves .gz and uncompressed IDX files.
class IdxFile {
public:
    explicit IdxFile(std::string path) : path_(std::move(path)), file_(gzopen(path_.c_str(), "rb"), &gzclose) {
        if (!file_) fail("idx: cannot open '", path_, "'");
    }

    std::uint32_t read_u32(const char* what) {
        std::array<unsigned char, 4> b{};
        read(b.data(), b.size(), what);
        return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
    }

    void read(unsigned char* out, std::size_t bytes, const char* what) {
        std::size_t done = 0;
        while (done < bytes) {
            const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(bytes - done, 1u << 30));
            const int got = gzread(file_.get(), out + done, chunk);
            if (got <= 0)
                fail("idx: '", path_, "' ends early while reading ", what, " (", done, " of ", bytes, " bytes)");
            done += static_cast<std::size_t>(got);
        }
    }

    void expect_magic(std::uint32_t magic) {
        const std::uint32_t found = read_u32("the header");
        if (found != magic) {
            fail("idx: '", path_, "' has magic number 0x", std::hex, found, ", expected 0x", magic,
                 " (not an IDX file of this kind)");
        }
    }

    std::int64_t count(std::int64_t limit) {
        const std::int64_t n = read_u32("the item count");
        if (limit < 0) fail("idx: negative limit ", limit, " for '", path_, "'");
        return limit > 0 && limit < n ? limit : n;
    }

    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::unique_ptr<gzFile_s, int (*)(gzFile)> file_;
};

}  // namespace

Tensor read_idx_images(const std::string& path, std::int64_t limit, DType dtype) {
    if (!is_floating(dtype)) fail("idx: images are read as float32 or float64, not ", name_of(dtype));
    IdxFile file(path);
    file.expect_magic(kImagesMagic);
    const std::int64_t n = file.count(limit);
    const std::int64_t rows = file.read_u32("the row count");
    const std::int64_t cols = file.read_u32("the column count");
    if (rows == 0 || cols == 0 || rows * cols > (1 << 20)) {
        fail("idx: '", path, "' declares implausible images of ", rows, " x ", cols, " pixels");
    }
    std::vector<unsigned char> pixels(static_cast<std::size_t>(n * rows * cols));
    file.read(pixels.data(), pixels.size(), "the pixels");
    std::vector<double> scaled(pixels.size());
    for (std::size_t i = 0; i < pixels.size(); ++i) scaled[i] = pixels[i] / 255.0;
    return Tensor::from_vector(scaled, Shape{n, rows * cols}, dtype);
}

Tensor read_idx_labels(const std::string& path, std::int64_t limit) {
    IdxFile file(path);
    file.expect_magic(kLabelsMagic);
    const std::int64_t n = file.count(limit);
    std::vector<unsigned char> raw(static_cast<std::size_t>(n));
    file.read(raw.data(), raw.size(), "the labels");
    return Tensor::indices(std::vector<std::int64_t>(raw.begin(), raw.end()));
}

}  // namespace hypertape
