#pragma once
// Readers for the IDX files of MNIST and Fashion-MNIST, plain or gzip-compressed.
//
// Images come back as a float tensor [count, rows * cols] scaled to [0, 1]; labels as an int64
// tensor [count]. `limit` (when > 0) reads only the first `limit` items.
//
// The readers never trust a file's header. Whatever a file holds, they return the data it
// declares or throw hypertape::Error naming the file and what is wrong: a missing file, a
// directory, a wrong magic number, implausible image sizes (more than 2^20 pixels), a file that
// ends before the data its header declares, a corrupt gzip stream (with zlib's own message; the
// first gzip member is read, and its checksum verified when the file is read whole). Sizes are
// computed without overflow, and memory follows the bytes that arrive, never the declared
// counts: a plain file's size is checked against its header before anything is allocated, and a
// gzip file's data is read in 64 KiB chunks, so a 20-byte file declaring 2^32 - 1 items fails at
// once. Time is linear in the data present. tests/fuzz/fuzz_idx.cpp fuzzes the parser
// (scripts/fuzz, in CI).
//
//   auto X = read_idx_images("train-images-idx3-ubyte.gz", 1000, f32);   // [1000, 784]
//   auto y = read_idx_labels("train-labels-idx1-ubyte.gz", 1000);        // [1000]
#include <string>

#include "hypertape/tape/tensor.hpp"

namespace hypertape {

Tensor read_idx_images(const std::string& path, std::int64_t limit = 0, DType dtype = f32);
Tensor read_idx_labels(const std::string& path, std::int64_t limit = 0);

}  // namespace hypertape
