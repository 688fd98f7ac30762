#include "hypertape/experiments/datasets.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <numeric>

#include "hypertape/data/idx.hpp"
#include "hypertape/ops/index.hpp"
#include "hypertape/ops/layout.hpp"
#include "hypertape/tape/error.hpp"

namespace hypertape::experiments {
namespace {

std::string environment_or(const char* variable, const char* fallback) {
    const char* value = std::getenv(variable);
    return value != nullptr && *value != '\0' ? value : fallback;
}

LabelledImages read_images(const std::string& dir, const std::string& prefix, std::int64_t limit) {
    LabelledImages data;
    data.X = read_idx_images(dir + "/" + prefix + "-images-idx3-ubyte.gz", limit, f32);
    const Tensor labels = read_idx_labels(dir + "/" + prefix + "-labels-idx1-ubyte.gz", limit);
    if (labels.numel() != data.X.shape()[0]) {
        fail("fashion-mnist: '", dir, "' has ", data.X.shape()[0], " ", prefix, " images but ", labels.numel(),
             " labels");
    }
    const std::int64_t* y = labels.data<std::int64_t>();
    data.labels.assign(y, y + labels.numel());
    for (std::int64_t v : data.labels) {
        if (v < 0 || v >= 10) fail("fashion-mnist: '", dir, "' has a ", prefix, " label ", v, " outside [0, 10)");
    }
    return data;
}

// The whole text of a small (at most 16 MiB once inflated) gzip or plain file.
std::string read_small_text(const std::string& path) {
    constexpr std::size_t kLimit = std::size_t{16} << 20;
    std::error_code ignored;
    if (!std::filesystem::is_regular_file(path, ignored)) fail("diabetes: '", path, "' is not a readable file");
    const std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), gzclose);
    if (!file) fail("diabetes: cannot open '", path, "'");
    std::string text;
    char chunk[65536];
    for (;;) {
        const int n = gzread(file.get(), chunk, sizeof chunk);
        if (n < 0) fail("diabetes: '", path, "' is not a valid gzip or text file");
        if (n == 0) break;
        text.append(chunk, static_cast<std::size_t>(n));
        if (text.size() > kLimit) fail("diabetes: '", path, "' holds more than 16 MiB of text");
    }
    return text;
}

// Whitespace-separated numbers, one row per line; every row must have the same count.
std::vector<std::vector<double>> parse_rows(const std::string& text, const std::string& path) {
    std::vector<std::vector<double>> rows;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string line = text.substr(start, end - start);
        start = end + 1;
        std::vector<double> row;
        const char* p = line.c_str();
        for (;;) {
            while (*p == ' ' || *p == '\t' || *p == '\r' || *p == ',') ++p;
            if (*p == '\0') break;
            char* after = nullptr;
            const double v = std::strtod(p, &after);
            if (after == p || !std::isfinite(v)) {
                fail("diabetes: '", path, "' line ", rows.size() + 1, " holds something that is not a finite number");
            }
            row.push_back(v);
            p = after;
        }
        if (row.empty()) continue;
        if (!rows.empty() && row.size() != rows.front().size()) {
            fail("diabetes: '", path, "' line ", rows.size() + 1, " has ", row.size(), " numbers, the first had ",
                 rows.front().size());
        }
        rows.push_back(std::move(row));
    }
    if (rows.empty()) fail("diabetes: '", path, "' holds no numbers");
    return rows;
}

// Each column shifted to mean 0 and scaled to standard deviation 1 (a constant column to 0).
void standardise_columns(std::vector<std::vector<double>>& rows) {
    const std::size_t n = rows.size();
    for (std::size_t j = 0; j < rows.front().size(); ++j) {
        double mean = 0;
        for (const auto& r : rows) mean += r[j];
        mean /= static_cast<double>(n);
        double var = 0;
        for (const auto& r : rows) var += (r[j] - mean) * (r[j] - mean);
        const double sd = std::sqrt(var / static_cast<double>(n));
        for (auto& r : rows) r[j] = sd > 0 ? (r[j] - mean) / sd : 0;
    }
}

}  // namespace

std::string default_fashion_mnist_dir() {
    return environment_or("HYPERTAPE_FASHION_MNIST", "/usr/share/datasets/fashion-mnist");
}

FashionMnist load_fashion_mnist(const std::string& dir, std::int64_t max_train, std::int64_t max_test) {
    return {read_images(dir, "train", std::max<std::int64_t>(max_train, 0)),
            read_images(dir, "t10k", std::max<std::int64_t>(max_test, 0))};
}

LabelledImages take(const LabelledImages& data, const std::vector<std::int64_t>& rows) {
    LabelledImages out;
    out.X = gather(data.X, Tensor::indices(rows)).value();  // checks every row against [0, n)
    out.labels.reserve(rows.size());
    for (std::int64_t row : rows) out.labels.push_back(data.labels[static_cast<std::size_t>(row)]);
    return out;
}

std::pair<LabelledImages, LabelledImages> split_class_balanced(const LabelledImages& data, std::int64_t n,
                                                               std::mt19937_64& rng) {
    if (n < 0 || n % 10 != 0) fail("split_class_balanced: n = ", n, " is not a non-negative multiple of 10");
    std::vector<std::int64_t> order(static_cast<std::size_t>(data.size()));
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<std::int64_t> picked, rest;
    std::vector<std::int64_t> per_class(10, 0);
    for (std::int64_t i : order) {
        std::int64_t& count = per_class[static_cast<std::size_t>(data.labels[static_cast<std::size_t>(i)])];
        if (count < n / 10) {
            ++count;
            picked.push_back(i);
        } else {
            rest.push_back(i);
        }
    }
    for (std::size_t c = 0; c < per_class.size(); ++c) {
        if (per_class[c] < n / 10) {
            fail("split_class_balanced: class ", c, " has ", per_class[c], " examples, ", n / 10, " were asked for");
        }
    }
    return {take(data, picked), take(data, rest)};
}

Tensor with_bias_column(const Tensor& X) {
    if (X.rank() != 2) fail("with_bias_column: X must be a matrix, not of rank ", X.rank());
    return concat({X, Tensor::ones({X.shape()[0], 1}, X.dtype())}, 1).value();
}

std::string default_diabetes_dir() {
    return environment_or("HYPERTAPE_DIABETES", "/usr/lib/python3/dist-packages/sklearn/datasets/data");
}

Regression load_diabetes(const std::string& dir) {
    const std::string features_path = dir + "/diabetes_data_raw.csv.gz";
    const std::string target_path = dir + "/diabetes_target.csv.gz";
    auto features = parse_rows(read_small_text(features_path), features_path);
    auto target = parse_rows(read_small_text(target_path), target_path);
    if (target.front().size() != 1 || target.size() != features.size()) {
        fail("diabetes: '", target_path, "' must hold one target per row of '", features_path, "' (", features.size(),
             " rows)");
    }
    standardise_columns(features);
    standardise_columns(target);
    const auto n = static_cast<std::int64_t>(features.size());
    const auto p = static_cast<std::int64_t>(features.front().size());
    Regression r{Tensor::empty({n, p}, f64), Tensor::empty({n}, f64)};
    double* x = r.X.data<double>();
    double* y = r.y.data<double>();
    for (std::int64_t i = 0; i < n; ++i) {
        std::copy_n(features[static_cast<std::size_t>(i)].begin(), p, x + i * p);
        y[i] = target[static_cast<std::size_t>(i)][0];
    }
    return r;
}

}  // namespace hypertape::experiments
