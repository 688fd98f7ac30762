#include "hypertape/data/idx.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "hypertape/data/idx_parse.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape {
namespace {

detail::IdxContent parse_file(const std::string& path, detail::IdxKind kind, std::int64_t limit) {
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) fail("idx: '", path, "' is a directory, not an IDX file");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("idx: cannot open '", path, "'");
    return detail::parse_idx(in, path, kind, limit);
}

}  // namespace

Tensor read_idx_images(const std::string& path, std::int64_t limit, DType dtype) {
    if (!is_floating(dtype)) fail("idx: images are read as float32 or float64, not ", name_of(dtype));
    const detail::IdxContent content = parse_file(path, detail::IdxKind::images, limit);
    const Shape shape{static_cast<std::int64_t>(content.count), static_cast<std::int64_t>(content.rows * content.cols)};
    Tensor images = Tensor::empty(shape, dtype);
    dispatch_floating(dtype, [&]<class T>() {
        std::transform(content.bytes.begin(), content.bytes.end(), images.data<T>(),
                       [](unsigned char v) { return static_cast<T>(v / 255.0); });
    });
    return images;
}

Tensor read_idx_labels(const std::string& path, std::int64_t limit) {
    const detail::IdxContent content = parse_file(path, detail::IdxKind::labels, limit);
    Tensor labels = Tensor::empty(Shape{static_cast<std::int64_t>(content.count)}, i64);
    std::copy(content.bytes.begin(), content.bytes.end(), labels.data<std::int64_t>());
    return labels;
}

}  // namespace hypertape
