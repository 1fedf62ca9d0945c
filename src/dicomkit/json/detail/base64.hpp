// Base64 (RFC 4648 section 4) for InlineBinary values (PS3.18 F.2.7, PS3.19 A.1.5).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>

namespace dicomkit::json::detail {

/// Appends the padded base64 text of `bytes`.
void append_base64(std::string& out, std::span<const std::uint8_t> bytes);

/// Decodes padded base64. ASCII white space (line breaks of MIME-style text) is skipped; any other
/// character outside the alphabet, a misplaced '=' or a length that is not a multiple of four is
/// an InvalidValue error naming the offending position.
[[nodiscard]] Result<Bytes> decode_base64(std::string_view text);

}  // namespace dicomkit::json::detail
