#pragma once
// Readers for the IDX files of MNIST and Fashion-MNIST, plain or gzip-compressed.
//
// Images come back as a float tensor [count, rows * cols] scaled to [0, 1]; labels as an int64
// tensor [count]. `limit` (when > 0) reads only the first `limit` items. A missing, truncated or
// malformed file throws hypertape::Error naming the file and what is wrong with it.
//
//   auto X = read_idx_images("train-images-idx3-ubyte.gz", 1000, f32);   // [1000, 784]
//   auto y = read_idx_labels("train-labels-idx1-ubyte.gz", 1000);        // [1000]
#include <string>

#include "hypertape/tape/tensor.hpp"

namespace hypertape {

Tensor read_idx_images(const std::string& path, std::int64_t limit = 0, DType dtype = f32);
Tensor read_idx_labels(const std::string& path, std::int64_t limit = 0);

}  // namespace hypertape
