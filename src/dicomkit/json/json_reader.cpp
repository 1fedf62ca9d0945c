// Reading the DICOM JSON Model (PS3.18 F.2) into a DataSet.
#include <dicomkit/json/json.hpp>

#include <fmt/format.h>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/json/detail/base64.hpp>
#include <dicomkit/json/detail/json_dom.hpp>
#include <dicomkit/json/detail/model.hpp>
#include <dicomkit/json/detail/numbers.hpp>
#include <dicomkit/json/detail/tag_path.hpp>
#include <dicomkit/json/detail/text_codec.hpp>

namespace dicomkit::json {

namespace {

using detail::JsonNode;
using detail::PathScope;
using Kind = JsonNode::Kind;

/// The members of one attribute object (PS3.18 F.2.2).
struct AttributeMembers {
    const JsonNode* vr = nullptr;
    const JsonNode* value = nullptr;
    const JsonNode* inline_binary = nullptr;
    const JsonNode* bulk_data_uri = nullptr;
};

class JsonReader {
  public:
    explicit JsonReader(const JsonReadOptions& options) : opt_(options) {}

    /// A data set object. Strings are collected in UTF-8 and, once the data set is complete,
    /// encoded into the character set it owns (detail::settle_charset).
    Result<DataSet> dataset(const JsonNode& obj, std::size_t depth) {
        if (obj.kind != Kind::Object)
            return fail(ErrorCode::ParseError, fmt::format("a data set must be an object, not {}",
                                                           detail::kind_name(obj.kind)));
        auto ds = elements(obj, depth);
        if (!ds) return ds;
        if (auto r = detail::settle_charset(*ds, depth == 0); !r) {
            PathScope scope(path_, detail::kSpecificCharacterSet);
            return fail(r.error());
        }
        return ds;
    }

  private:
    Unexpected fail(ErrorCode code, std::string message) const {
        return Unexpected(std::move(Error(code, std::move(message))).at_tag(path_.str()));
    }
    Unexpected fail(Error e) const { return Unexpected(std::move(e).at_tag(path_.str())); }

    Result<DataSet> elements(const JsonNode& obj, std::size_t depth) {
        DataSet ds;
        for (const auto& [key, attr] : obj.members) {
            auto tag = detail::parse_tag_key(key);
            if (!tag)
                return fail(ErrorCode::InvalidTag,
                            fmt::format("'{}' is not a tag key (eight hex digits GGGGEEEE)", key));
            if (tag->is_group_length()) continue;  // PS3.18 F.2.2: never part of the model
            PathScope scope(path_, *tag);
            auto e = element(*tag, attr, depth);
            if (!e) return Unexpected(e.error());
            if (!ds.append(std::move(*e)))
                return fail(ErrorCode::ParseError, "attribute appears twice");
        }
        return ds;
    }

    Result<AttributeMembers> members(const JsonNode& attr) const {
        if (attr.kind != Kind::Object)
            return fail(ErrorCode::ParseError, fmt::format("an attribute must be an object, not {}",
                                                           detail::kind_name(attr.kind)));
        AttributeMembers m;
        for (const auto& [name, node] : attr.members) {
            const JsonNode** slot = name == "vr"             ? &m.vr
                                    : name == "Value"        ? &m.value
                                    : name == "InlineBinary" ? &m.inline_binary
                                    : name == "BulkDataURI"  ? &m.bulk_data_uri
                                                             : nullptr;
            if (!slot)
                return fail(ErrorCode::ParseError, fmt::format("unknown member \"{}\"", name));
            if (*slot)
                return fail(ErrorCode::ParseError,
                            fmt::format("member \"{}\" appears twice", name));
            *slot = &node;
        }
        if ((m.value != nullptr) + (m.inline_binary != nullptr) + (m.bulk_data_uri != nullptr) > 1)
            return fail(
                ErrorCode::ParseError,
                "an attribute has at most one of \"Value\", \"InlineBinary\", \"BulkDataURI\"");
        return m;
    }

    Result<VR> vr_of(Tag tag, const JsonNode* node) const {
        if (!node) {
            if (opt_.infer_missing_vr) return dict::implicit_vr(tag);
            return fail(ErrorCode::ParseError, "attribute has no \"vr\"");
        }
        if (node->kind != Kind::String)
            return fail(ErrorCode::ParseError, fmt::format("\"vr\" must be a string, not {}",
                                                           detail::kind_name(node->kind)));
        auto vr = vr_from_string(node->text);
        if (!vr) return fail(ErrorCode::InvalidVR, fmt::format("'{}' is not a VR", node->text));
        return *vr;
    }

    Result<Element> element(Tag tag, const JsonNode& attr, std::size_t depth) {
        auto m = members(attr);
        if (!m) return Unexpected(m.error());
        auto vr = vr_of(tag, m->vr);
        if (!vr) return Unexpected(vr.error());
        if (m->bulk_data_uri) return bulk_data(tag, *vr, *m->bulk_data_uri);
        if (m->inline_binary) return inline_binary(tag, *vr, *m->inline_binary);
        if (!m->value) return *vr == VR::SQ ? Element(tag, VR::SQ, Sequence{}) : Element(tag, *vr);
        if (m->value->kind != Kind::Array)
            return fail(ErrorCode::ParseError, fmt::format("\"Value\" must be an array, not {}",
                                                           detail::kind_name(m->value->kind)));
        const auto& values = m->value->items;
        if (*vr == VR::SQ) return sequence(tag, values, depth);
        if (*vr == VR::PN) return person_names(tag, values);
        if (is_string(*vr)) return strings(tag, *vr, values);
        if (is_bulk(*vr))
            return fail(
                ErrorCode::ParseError,
                fmt::format("{} values go in \"InlineBinary\" or \"BulkDataURI\", not \"Value\"",
                            *vr));
        return numbers(tag, *vr, values);
    }

    Result<Element> sequence(Tag tag, const std::vector<JsonNode>& values, std::size_t depth) {
        if (depth + 1 > opt_.max_depth)
            return fail(ErrorCode::LimitExceeded,
                        fmt::format("sequences nested deeper than {} levels", opt_.max_depth));
        Sequence seq;
        seq.items.reserve(values.size());
        for (std::size_t i = 0; i < values.size(); ++i) {
            PathScope scope(path_, i);
            auto item = dataset(values[i], depth + 1);
            if (!item) return Unexpected(item.error());
            seq.items.push_back(std::move(*item));
        }
        return Element(tag, VR::SQ, std::move(seq));
    }

    Result<Element> strings(Tag tag, VR vr, const std::vector<JsonNode>& values) {
        std::vector<std::string> texts;
        texts.reserve(values.size());
        for (std::size_t i = 0; i < values.size(); ++i) {
            const JsonNode& v = values[i];
            if (v.kind == Kind::Null) {
                texts.emplace_back();  // PS3.18 F.2.5: an empty value
            } else if (v.kind == Kind::String) {
                texts.push_back(v.text);
            } else if (v.kind == Kind::Number && (vr == VR::IS || vr == VR::DS)) {
                auto s = vr == VR::IS ? detail::integer_string_from_number(v.text)
                                      : detail::decimal_string_from_number(v.text);
                if (!s)
                    return fail(ErrorCode::InvalidValue,
                                fmt::format("value {}: {}", i + 1, s.error().message));
                texts.push_back(std::move(*s));
            } else {
                return fail(ErrorCode::ParseError,
                            fmt::format("value {} of {} must be a string, not {}", i + 1, vr,
                                        detail::kind_name(v.kind)));
            }
        }
        auto e = detail::make_string_element(tag, vr, texts);
        if (!e) return fail(e.error());
        return e;
    }

    Result<std::string> person_name(const JsonNode& v, std::size_t index) const {
        static constexpr std::string_view kGroups[] = {"Alphabetic", "Ideographic", "Phonetic"};
        if (v.kind == Kind::Null) return std::string();
        if (v.kind == Kind::String) return v.text;  // seen in the wild; the whole value as in PS3.5
        if (v.kind != Kind::Object)
            return fail(ErrorCode::ParseError,
                        fmt::format("value {} of PN must be an object, not {}", index + 1,
                                    detail::kind_name(v.kind)));
        std::string groups[3];
        for (const auto& [name, node] : v.members) {
            int g = 0;
            while (g < 3 && kGroups[g] != name) ++g;
            if (g == 3)
                return fail(ErrorCode::ParseError,
                            fmt::format("value {} of PN: unknown member \"{}\"", index + 1, name));
            if (node.kind != Kind::String)
                return fail(
                    ErrorCode::ParseError,
                    fmt::format("value {} of PN: \"{}\" must be a string", index + 1, name));
            if (node.text.find('=') != std::string::npos)
                return fail(ErrorCode::InvalidValue,
                            fmt::format("value {} of PN: \"{}\" contains '='", index + 1, name));
            groups[g] = node.text;
        }
        return detail::join_trimmed(groups, '=');
    }

    Result<Element> person_names(Tag tag, const std::vector<JsonNode>& values) {
        std::vector<std::string> texts;
        texts.reserve(values.size());
        for (std::size_t i = 0; i < values.size(); ++i) {
            auto s = person_name(values[i], i);
            if (!s) return Unexpected(s.error());
            texts.push_back(std::move(*s));
        }
        auto e = detail::make_string_element(tag, VR::PN, texts);
        if (!e) return fail(e.error());
        return e;
    }

    Result<Element> numbers(Tag tag, VR vr, const std::vector<JsonNode>& values) const {
        Bytes bytes;
        bytes.reserve(values.size() * value_size(vr));
        for (std::size_t i = 0; i < values.size(); ++i) {
            const JsonNode& v = values[i];
            // Strings are F.2.3's form for AT and for SV/UV beyond 2^53; taken for any VR.
            if (v.kind != Kind::Number && v.kind != Kind::String)
                return fail(v.kind == Kind::Null ? ErrorCode::InvalidValue : ErrorCode::ParseError,
                            fmt::format("value {} of {} must be a number, not {}", i + 1, vr,
                                        detail::kind_name(v.kind)));
            if (vr == VR::AT && v.kind != Kind::String)
                return fail(ErrorCode::ParseError,
                            fmt::format("value {} of AT must be a string", i + 1));
            if (auto r = detail::append_binary_from_text(vr, v.text, bytes); !r)
                return fail(r.error().code, fmt::format("value {}: {}", i + 1, r.error().message));
        }
        return Element(tag, vr, std::move(bytes));
    }

    Result<Element> inline_binary(Tag tag, VR vr, const JsonNode& node) const {
        if (node.kind != Kind::String)
            return fail(ErrorCode::ParseError,
                        fmt::format("\"InlineBinary\" must be a string, not {}",
                                    detail::kind_name(node.kind)));
        if (vr == VR::SQ)
            return fail(ErrorCode::ParseError, "an SQ attribute cannot have \"InlineBinary\"");
        auto bytes = detail::decode_base64(node.text);
        if (!bytes) return fail(bytes.error());
        if (bytes->size() % 2) bytes->push_back(padding_byte(vr));
        return detail::binary_element(tag, vr, std::move(*bytes));
    }

    Result<Element> bulk_data(Tag tag, VR vr, const JsonNode& node) {
        if (node.kind != Kind::String)
            return fail(ErrorCode::ParseError,
                        fmt::format("\"BulkDataURI\" must be a string, not {}",
                                    detail::kind_name(node.kind)));
        if (vr == VR::SQ)
            return fail(ErrorCode::ParseError, "an SQ attribute cannot have \"BulkDataURI\"");
        if (!opt_.bulk_data)
            return fail(ErrorCode::Unsupported,
                        fmt::format("BulkDataURI '{}' needs a bulk data reader", node.text));
        auto bytes = opt_.bulk_data(node.text, tag, vr, path_.str());
        if (!bytes) return fail(bytes.error());
        if (is_string(vr)) {
            auto e = detail::string_bulk_element(tag, vr, *bytes);
            if (!e) return fail(e.error());
            return e;
        }
        return detail::binary_element(tag, vr, std::move(*bytes));
    }

    const JsonReadOptions& opt_;
    detail::TagPath path_;
};

std::size_t max_nesting(const JsonReadOptions& options) {
    // Each sequence level is an attribute object, its Value array and an item object.
    return 3 * options.max_depth + 8;
}

}  // namespace

Result<DataSet> from_json(std::string_view text, const JsonReadOptions& options) {
    auto root = detail::parse_json(text, max_nesting(options));
    if (!root) return Unexpected(root.error());
    if (root->kind == Kind::Array)
        return make_error(ErrorCode::ParseError,
                          "the document is an array of data sets: read it with from_json_array");
    JsonReader reader(options);
    return reader.dataset(*root, 0);
}

Result<std::vector<DataSet>> from_json_array(std::string_view text,
                                             const JsonReadOptions& options) {
    auto root = detail::parse_json(text, max_nesting(options));
    if (!root) return Unexpected(root.error());
    std::vector<DataSet> out;
    if (root->kind != Kind::Array) {
        JsonReader reader(options);
        auto ds = reader.dataset(*root, 0);
        if (!ds) return Unexpected(ds.error());
        out.push_back(std::move(*ds));
        return out;
    }
    out.reserve(root->items.size());
    for (std::size_t i = 0; i < root->items.size(); ++i) {
        JsonReader reader(options);
        auto ds = reader.dataset(root->items[i], 0);
        if (!ds) {
            Error e = ds.error();
            e.message = fmt::format("data set {}: {}", i, e.message);
            return Unexpected(std::move(e));
        }
        out.push_back(std::move(*ds));
    }
    return out;
}

}  // namespace dicomkit::json
