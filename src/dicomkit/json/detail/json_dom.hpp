// A small JSON tree built from nlohmann's SAX parser. Unlike nlohmann::json it keeps numbers as
// they were written (so DS "40.50" stays "40.50"), keeps duplicate keys for the reader to
// refuse, and bounds nesting before anything deep is built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <dicomkit/base/error.hpp>

namespace dicomkit::json::detail {

struct JsonMember;

struct JsonNode {
    enum class Kind : std::uint8_t { Null, Boolean, Number, String, Array, Object };

    Kind kind = Kind::Null;
    bool boolean = false;
    /// A string's value, or a number's text: floats as written, integers spelled from their value.
    std::string text;
    std::vector<JsonNode> items;                            ///< Array
    std::vector<JsonMember> members;  ///< Object, in document order
};

/// One member of an object (a plain struct rather than std::pair: JsonNode is incomplete inside
/// its own definition, which std::pair does not allow).
struct JsonMember {
    std::string key;
    JsonNode value;
};

[[nodiscard]] std::string_view kind_name(JsonNode::Kind kind) noexcept;

/// Parses RFC 8259 JSON. A syntax error (or invalid UTF-8) is a ParseError whose offset is the
/// byte position nlohmann reports; nesting deeper than `max_nesting` is LimitExceeded.
[[nodiscard]] Result<JsonNode> parse_json(std::string_view text, std::size_t max_nesting);

}  // namespace dicomkit::json::detail
