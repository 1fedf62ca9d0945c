// Encapsulated Pixel Data Value Field writing and parsing.
#include <dicomkit/json/detail/encapsulated.hpp>

#include <dicomkit/base/endian.hpp>

namespace dicomkit::json::detail {

namespace {

void append_item_header(Bytes& out, Tag tag, std::uint32_t length) {
    std::uint8_t h[8];
    store<std::uint16_t>(h, tag.group, Endian::Little);
    store<std::uint16_t>(h + 2, tag.element, Endian::Little);
    store<std::uint32_t>(h + 4, length, Endian::Little);
    out.insert(out.end(), h, h + 8);
}

void append_item(Bytes& out, const Bytes& value) {
    append_item_header(out, tags::Item, static_cast<std::uint32_t>(value.size()));
    out.insert(out.end(), value.begin(), value.end());
}

}  // namespace

void append_encapsulated(Bytes& out, const PixelFragments& f) {
    append_item(out, f.basic_offset_table);
    for (const Bytes& frag : f.fragments) append_item(out, frag);
    append_item_header(out, tags::SequenceDelimitationItem, 0);
}

std::optional<PixelFragments> parse_encapsulated(std::span<const std::uint8_t> bytes) {
    PixelFragments f;
    bool first = true;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        if (bytes.size() - pos < 8) return std::nullopt;
        Tag tag(load_le<std::uint16_t>(bytes.data() + pos),
                load_le<std::uint16_t>(bytes.data() + pos + 2));
        std::uint32_t length = load_le<std::uint32_t>(bytes.data() + pos + 4);
        pos += 8;
        if (tag == tags::SequenceDelimitationItem) {
            if (length != 0 || pos != bytes.size() || first) return std::nullopt;
            return f;
        }
        if (tag != tags::Item || length > bytes.size() - pos) return std::nullopt;
        Bytes value(bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                    bytes.begin() + static_cast<std::ptrdiff_t>(pos + length));
        pos += length;
        if (first) {
            f.basic_offset_table = std::move(value);
            first = false;
        } else {
            f.fragments.push_back(std::move(value));
        }
    }
    if (first) return std::nullopt;
    return f;
}

}  // namespace dicomkit::json::detail
