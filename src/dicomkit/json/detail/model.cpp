// Shared pieces of the JSON and XML models.
#include <dicomkit/json/detail/model.hpp>

#include <algorithm>

#include <fmt/format.h>

#include <dicomkit/json/detail/encapsulated.hpp>

namespace dicomkit::json::detail {

bool may_be_bulk_data(VR vr) noexcept {
    switch (vr) {
        case VR::DS:
        case VR::FD:
        case VR::FL:
        case VR::IS:
        case VR::LT:
        case VR::OB:
        case VR::OD:
        case VR::OF:
        case VR::OL:
        case VR::OV:
        case VR::OW:
        case VR::SL:
        case VR::SS:
        case VR::ST:
        case VR::SV:
        case VR::UC:
        case VR::UL:
        case VR::UN:
        case VR::US:
        case VR::UT:
        case VR::UV:
            return true;
        default:
            return false;
    }
}

Result<std::optional<TextCodec>> own_codec(const DataSet& ds, bool lenient) {
    const Element* e = ds.find(kSpecificCharacterSet);
    if (!e || !e->is_bytes()) return std::optional<TextCodec>();
    auto codec = TextCodec::from_element(*e, lenient);
    if (!codec) return Unexpected(codec.error());
    return std::optional<TextCodec>(std::move(*codec));
}

std::span<const std::uint8_t> inline_binary_bytes(const Element& e, Bytes& scratch) {
    if (!e.is_fragments()) return e.bytes();
    scratch.clear();
    append_encapsulated(scratch, e.fragments());
    return scratch;
}

Element binary_element(Tag tag, VR vr, Bytes bytes) {
    if (tag == kPixelData && (vr == VR::OB || vr == VR::OW) && bytes.size() >= 16 &&
        bytes[0] == 0xFE && bytes[1] == 0xFF && bytes[2] == 0x00 && bytes[3] == 0xE0) {
        if (auto f = parse_encapsulated(bytes)) return Element(tag, vr, std::move(*f));
    }
    return Element(tag, vr, std::move(bytes));
}

Result<Element> string_bulk_element(Tag tag, VR vr, const Bytes& utf8) {
    std::string_view text(reinterpret_cast<const char*>(utf8.data()), utf8.size());
    text = trim_value(text, vr);
    std::vector<std::string> values;
    if (!text.empty()) {
        if (!is_multi_valued_string(vr)) {
            values.emplace_back(text);
        } else {
            std::size_t start = 0;
            for (;;) {
                std::size_t p = text.find('\\', start);
                values.emplace_back(trim_value(
                    text.substr(start, p == std::string_view::npos ? p : p - start), vr));
                if (p == std::string_view::npos) break;
                start = p + 1;
            }
        }
    }
    return make_string_element(tag, vr, values);
}

namespace {

/// Encodes one UTF-8 string element value by value; nullopt when the set cannot represent it.
std::optional<std::string> encoded_value(const Element& e, const TextCodec& codec) {
    auto b = e.bytes();
    std::string_view text =
        trim_padding(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
    std::string out;
    std::size_t start = 0;
    for (;;) {
        std::size_t p =
            is_multi_valued_string(e.vr()) ? text.find('\\', start) : std::string_view::npos;
        auto part =
            codec.encode(text.substr(start, p == std::string_view::npos ? p : p - start), e.vr());
        if (!part) return std::nullopt;
        out += *part;
        if (p == std::string_view::npos) break;
        out.push_back('\\');
        start = p + 1;
    }
    return out;
}

/// Collects the conversions of a scope; false as soon as one value cannot be represented.
bool collect(DataSet& ds, const TextCodec& codec,
             std::vector<std::pair<Element*, std::string>>& out) {
    for (Element& e : ds) {
        if (e.is_sequence()) {
            for (DataSet& item : e.sequence().items)
                if (!item.contains(kSpecificCharacterSet) && !collect(item, codec, out))
                    return false;
            continue;
        }
        if (!is_string(e.vr()) || !e.is_bytes()) continue;
        auto b = e.bytes();
        if (std::none_of(b.begin(), b.end(), [](std::uint8_t c) { return c >= 0x80; })) continue;
        auto encoded = encoded_value(e, codec);
        if (!encoded) return false;
        out.emplace_back(&e, std::move(*encoded));
    }
    return true;
}

}  // namespace

void encode_scope(DataSet& ds, const TextCodec& codec) {
    std::vector<std::pair<Element*, std::string>> conversions;
    if (!collect(ds, codec, conversions)) {
        ds.set_string(kSpecificCharacterSet, VR::CS, "ISO_IR 192");
        return;
    }
    for (auto& [e, text] : conversions) *e = Element::from_string(e->tag(), e->vr(), text);
}

Result<Tag> private_tag_for(DataSet& ds, std::uint16_t group, std::string_view creator,
                            std::uint8_t offset) {
    auto block = ds.reserve_private_block(group, creator);
    if (!block) return Unexpected(block.error());
    return Tag(group, static_cast<std::uint16_t>((*block << 8) | offset));
}

Result<void> settle_charset(DataSet& ds, bool top_level) {
    const Element* cs = ds.find(kSpecificCharacterSet);
    if (!cs) {
        if (top_level) encode_scope(ds, TextCodec());
        return {};
    }
    auto codec = TextCodec::from_element(*cs, false);
    if (!codec) return Unexpected(codec.error());
    encode_scope(ds, *codec);
    return {};
}

}  // namespace dicomkit::json::detail
