#pragma once
// The IDX parser behind read_idx_images and read_idx_labels, on any std::istream: the readers
// give it a file, the fuzz target (tests/fuzz/fuzz_idx.cpp) a buffer in memory, so both run the
// same code. Internal: users call the readers in data/idx.hpp.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace hypertape::detail {

enum class IdxKind { images, labels };

// The items an IDX stream holds, as its unsigned bytes: `count` items of rows x cols bytes
// (labels are 1 x 1), so bytes.size() == count * rows * cols.
struct IdxContent {
    std::uint64_t count = 0;
    std::uint64_t rows = 1;
    std::uint64_t cols = 1;
    std::vector<unsigned char> bytes;
};

// Parses `in` (plain or gzip) as an IDX file of `kind`, reading only the first `limit` items when
// limit > 0. Throws hypertape::Error naming `name` and what is wrong; data/idx.hpp states what
// it guarantees.
IdxContent parse_idx(std::istream& in, const std::string& name, IdxKind kind, std::int64_t limit);

}  // namespace hypertape::detail
