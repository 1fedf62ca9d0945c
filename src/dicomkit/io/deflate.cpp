// Raw deflate (zlib with negative window bits) for the Deflated transfer syntaxes.
#include <dicomkit/io/dicom_file.hpp>

#include <zlib.h>

namespace dicomkit::io {

Result<Bytes> inflate_raw(std::span<const std::uint8_t> in, std::uint64_t limit) {
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return make_error(ErrorCode::IoError, "inflateInit failed");
    Bytes out;
    out.resize(std::min<std::uint64_t>(limit, std::max<std::size_t>(in.size() * 4, 4096)));
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    std::size_t produced = 0;
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        if (produced == out.size()) {
            if (out.size() >= limit) {
                inflateEnd(&zs);
                return make_error(ErrorCode::LimitExceeded, "inflated data set larger than the limit");
            }
            out.resize(std::min<std::uint64_t>(limit, out.size() * 2));
        }
        zs.next_out = out.data() + produced;
        zs.avail_out = static_cast<uInt>(out.size() - produced);
        rc = inflate(&zs, Z_NO_FLUSH);
        produced = out.size() - zs.avail_out;
        if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended without stream end
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
            inflateEnd(&zs);
            return make_error(ErrorCode::InvalidValue, fmt::format("deflate stream corrupt: {}", zs.msg ? zs.msg : "error"));
        }
    }
    inflateEnd(&zs);
    out.resize(produced);
    if (rc != Z_STREAM_END) return make_error(ErrorCode::Truncated, "deflate stream ends early");
    return out;
}

Result<Bytes> deflate_raw(std::span<const std::uint8_t> in, int level) {
    z_stream zs{};
    if (deflateInit2(&zs, level, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return make_error(ErrorCode::IoError, "deflateInit failed");
    Bytes out(deflateBound(&zs, static_cast<uLong>(in.size())));
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&zs, Z_FINISH);
    std::size_t n = out.size() - zs.avail_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) return make_error(ErrorCode::IoError, "deflate failed");
    out.resize(n);
    return out;
}

}  // namespace dicomkit::io
