#include "hypertape/data/idx_parse.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <istream>
#include <optional>

#include "hypertape/tape/error.hpp"

namespace hypertape::detail {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension
constexpr std::uint64_t kMaxPixels = 1 << 20;       // per image: larger ones are not MNIST-like data
constexpr std::size_t kChunk = 64 * 1024;           // what a payload grows by where its size is unknown

// The bytes left in `in` from where it stands, or nullopt where it cannot seek (a pipe).
std::optional<std::uint64_t> bytes_left(std::istream& in) {
    const std::streampos here = in.tellg();
    if (here == std::streampos(-1) || !in.seekg(0, std::ios::end)) {
        in.clear();
        return std::nullopt;
    }
    const std::streampos end = in.tellg();
    in.seekg(here);
    return static_cast<std::uint64_t>(end - here);
}

// The content of an IDX stream: its bytes as stored, or inflated where the stream is gzip (it
// starts with 1f 8b; an IDX file starts with 00 00).
class ByteStream {
public:
    ByteStream(std::istream& in, const std::string& name) : in_(in), name_(name), unread_(bytes_left(in)) {
        refill();
        gzip_ = z_.avail_in >= 2 && buffer_[0] == 0x1f && buffer_[1] == 0x8b;
        if (gzip_ && inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) fail("idx: cannot inflate '", name_, "'");
    }
    ~ByteStream() {
        if (gzip_) inflateEnd(&z_);
    }
    ByteStream(const ByteStream&) = delete;
    ByteStream& operator=(const ByteStream&) = delete;

    const std::string& name() const { return name_; }

    // Reads up to `n` bytes into `out`; fewer only where the content ends.
    std::size_t read(unsigned char* out, std::size_t n) { return gzip_ ? inflate_into(out, n) : copy_into(out, n); }

    // How many bytes of content are left, where that is known without reading them: stored
    // (not gzip) content on a stream that can seek.
    std::optional<std::uint64_t> left() const {
        if (gzip_ || !unread_) return std::nullopt;
        return *unread_ + z_.avail_in;
    }

    // Inflates the rest of a gzip stream, discarding it, so that its checksum is verified.
    void finish() {
        std::array<unsigned char, 4096> sink;
        while (gzip_ && !ended_) {
            if (inflate_into(sink.data(), sink.size()) == 0 && !ended_) {
                fail("idx: '", name_, "' is a corrupt gzip file: it is cut off before its end");
            }
        }
    }

private:
    // Reads the next bytes of in_ into buffer_; false at the end of in_.
    bool refill() {
        in_.read(reinterpret_cast<char*>(buffer_.data()), buffer_.size());
        if (in_.bad()) fail("idx: cannot read '", name_, "'");
        const auto got = static_cast<std::uint64_t>(in_.gcount());
        if (unread_) *unread_ -= std::min(*unread_, got);
        z_.next_in = buffer_.data();
        z_.avail_in = static_cast<uInt>(got);
        return got > 0;
    }

    std::size_t copy_into(unsigned char* out, std::size_t n) {
        std::size_t done = 0;
        while (done < n && (z_.avail_in > 0 || refill())) {
            const std::size_t take = std::min<std::size_t>(n - done, z_.avail_in);
            std::copy_n(z_.next_in, take, out + done);
            z_.next_in += take;
            z_.avail_in -= static_cast<uInt>(take);
            done += take;
        }
        return done;
    }

    // n is at most kChunk, so it fits zlib's unsigned int.
    std::size_t inflate_into(unsigned char* out, std::size_t n) {
        z_.next_out = out;
        z_.avail_out = static_cast<uInt>(n);
        while (z_.avail_out > 0 && !ended_ && (z_.avail_in > 0 || refill())) {
            const int status = inflate(&z_, Z_NO_FLUSH);
            if (status == Z_STREAM_END) {
                ended_ = true;
            } else if (status != Z_OK) {
                fail("idx: '", name_, "' is a corrupt gzip file: ", z_.msg != nullptr ? z_.msg : zError(status));
            }
        }
        return n - z_.avail_out;
    }

    std::istream& in_;
    const std::string& name_;
    std::optional<std::uint64_t> unread_;  // bytes of in_ not yet in buffer_, where known
    std::array<unsigned char, 16384> buffer_{};
    z_stream z_{};  // next_in, avail_in: the part of buffer_ not yet consumed, gzip or not
    bool gzip_ = false;
    bool ended_ = false;  // the gzip stream's end was reached (and its checksum verified)
};

[[noreturn]] void ends_early(const ByteStream& in, const char* what, std::uint64_t have, std::uint64_t need) {
    fail("idx: '", in.name(), "' ends early while reading ", what, " (", have, " of ", need, " bytes)");
}

std::uint32_t read_u32(ByteStream& in, const char* what) {
    std::array<unsigned char, 4> b{};
    if (const std::size_t got = in.read(b.data(), b.size()); got < b.size()) ends_early(in, what, got, b.size());
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

void expect_magic(ByteStream& in, std::uint32_t magic) {
    const std::uint32_t found = read_u32(in, "the header");
    if (found != magic) {
        fail("idx: '", in.name(), "' has magic number 0x", std::hex, found, ", expected 0x", magic,
             " (not an IDX file of this kind)");
    }
}

// Both sizes are below 2^32, so their product cannot overflow 64 bits.
void read_image_size(ByteStream& in, IdxContent& content) {
    content.rows = read_u32(in, "the row count");
    content.cols = read_u32(in, "the column count");
    if (content.rows == 0 || content.cols == 0 || content.rows * content.cols > kMaxPixels) {
        fail("idx: '", in.name(), "' declares implausible images of ", content.rows, " x ", content.cols, " pixels");
    }
}

// Reads `bytes` bytes of `what`. Memory follows the data that arrives, never the size a header
// declares: where the size of the content is known, a shortfall fails before anything is
// allocated; where it is not (gzip), the buffer grows by at most kChunk per read.
std::vector<unsigned char> read_payload(ByteStream& in, std::uint64_t bytes, const char* what) {
    const std::optional<std::uint64_t> left = in.left();
    if (left && *left < bytes) ends_early(in, what, *left, bytes);
    std::vector<unsigned char> out;
    if (left) out.reserve(bytes);
    while (out.size() < bytes) {
        const std::size_t have = out.size();
        const std::size_t want = std::min<std::uint64_t>(bytes - have, kChunk);
        out.resize(have + want);
        const std::size_t got = in.read(out.data() + have, want);
        if (got < want) ends_early(in, what, have + got, bytes);
    }
    return out;
}

}  // namespace

IdxContent parse_idx(std::istream& in, const std::string& name, IdxKind kind, std::int64_t limit) {
    if (limit < 0) fail("idx: negative limit ", limit, " for '", name, "'");
    ByteStream stream(in, name);
    const bool images = kind == IdxKind::images;
    expect_magic(stream, images ? kImagesMagic : kLabelsMagic);
    const std::uint64_t declared = read_u32(stream, "the item count");
    IdxContent content;
    content.count = limit > 0 ? std::min<std::uint64_t>(declared, limit) : declared;
    if (images) read_image_size(stream, content);
    // At most (2^32 - 1) * 2^20 bytes: no overflow.
    content.bytes =
        read_payload(stream, content.count * content.rows * content.cols, images ? "the pixels" : "the labels");
    if (content.count == declared) stream.finish();
    return content;
}

}  // namespace hypertape::detail
