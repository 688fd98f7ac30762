// libFuzzer target for the IDX parser behind read_idx_images and read_idx_labels (scripts/fuzz
// builds it with clang under ASan and UBSan, replays corpus_idx/ and fuzzes). Any bytes, parsed
// as images and as labels, whole and limited to one item, must give data of the declared size or
// a hypertape::Error: any other exception, crash, leak, undefined behaviour or allocation above
// the fuzzer's -malloc_limit_mb is a finding.
#include <cstdint>
#include <sstream>
#include <string>

#include "hypertape/data/idx_parse.hpp"
#include "hypertape/tape/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace hypertape::detail;
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    for (IdxKind kind : {IdxKind::images, IdxKind::labels}) {
        for (std::int64_t limit : {0, 1}) {
            std::istringstream in(bytes);
            try {
                const IdxContent content = parse_idx(in, "fuzz input", kind, limit);
                const bool sized = content.bytes.size() == content.count * content.rows * content.cols;
                if (!sized || (limit > 0 && content.count > static_cast<std::uint64_t>(limit))) __builtin_trap();
            } catch (const hypertape::Error&) {
            }
        }
    }
    return 0;
}
