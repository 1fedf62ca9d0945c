// Writing the DICOM JSON Model (PS3.18 F.2) straight into a string, without a JSON DOM: it runs
// over whole archives, so values are escaped and formatted in place.
#include <dicomkit/json/json.hpp>

#include <fmt/format.h>

#include <dicomkit/json/detail/base64.hpp>
#include <dicomkit/json/detail/model.hpp>
#include <dicomkit/json/detail/numbers.hpp>
#include <dicomkit/json/detail/tag_path.hpp>
#include <dicomkit/json/detail/text_codec.hpp>

namespace dicomkit::json {

namespace {

using detail::PathScope;
using detail::TextCodec;

/// RFC 8259 section 7: '"', '\' and control characters are escaped; UTF-8 passes through.
void append_json_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + run, i - run);
        run = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xF]);
        }
    }
    out.append(s.data() + run, s.size() - run);
    out.push_back('"');
}

class JsonWriter {
  public:
    JsonWriter(std::string& out, const JsonOptions& options) : out_(out), opt_(options) {}

    Result<void> dataset(const DataSet& ds, const TextCodec& inherited, int level) {
        auto own = detail::own_codec(ds, opt_.lenient_charset);
        if (!own) {
            PathScope scope(path_, detail::kSpecificCharacterSet);
            return fail(own.error());
        }
        const TextCodec& codec = *own ? **own : inherited;
        out_.push_back('{');
        bool first = true;
        for (const Element& e : ds) {
            if (detail::is_skipped(e, opt_.include_meta)) continue;
            if (!first) out_.push_back(',');
            first = false;
            newline(level + 1);
            char key[12] = {'"'};  // "GGGGEEEE": and a space when pretty
            detail::put_hex16(key + 1, e.tag().group);
            detail::put_hex16(key + 5, e.tag().element);
            key[9] = '"';
            key[10] = ':';
            key[11] = ' ';
            out_.append(key, opt_.indent > 0 ? 12 : 11);
            PathScope scope(path_, e.tag());
            if (auto r = element(e, codec, level + 1); !r) return r;
        }
        if (!first) newline(level);
        out_.push_back('}');
        return {};
    }

    void newline(int level) {
        if (opt_.indent <= 0) return;
        out_.push_back('\n');
        out_.append(static_cast<std::size_t>(level * opt_.indent), ' ');
    }

  private:
    /// A "Value" array opened at its first value, so that an empty Value Field writes none.
    struct ValueArray {
        JsonWriter& w;
        int level;
        bool open = false;
        void next() {
            if (open) {
                w.out_.push_back(',');
            } else {
                w.member("Value", level);
                w.out_.push_back('[');
                open = true;
            }
            w.newline(level + 1);
        }
        void finish() {
            if (!open) return;
            w.newline(level);
            w.out_.push_back(']');
        }
    };

    void space() {
        if (opt_.indent > 0) out_.push_back(' ');
    }
    void member(std::string_view name, int level) {
        out_.push_back(',');
        newline(level);
        out_.push_back('"');
        out_ += name;
        out_ += "\":";
        space();
    }
    Unexpected fail(ErrorCode code, std::string message) const {
        return Unexpected(std::move(Error(code, std::move(message))).at_tag(path_.str()));
    }
    Unexpected fail(Error e) const { return Unexpected(std::move(e).at_tag(path_.str())); }

    Result<void> element(const Element& e, const TextCodec& codec, int level) {
        const VR vr = e.is_sequence() ? VR::SQ : e.vr();
        // The enumerator's value is the VR's two characters (vr.hpp).
        const char name[3] = {static_cast<char>(static_cast<std::uint16_t>(vr) >> 8),
                              static_cast<char>(static_cast<std::uint16_t>(vr) & 0xFF), '"'};
        if (opt_.indent > 0) {
            out_.push_back('{');
            newline(level + 1);
            out_ += "\"vr\": \"";
        } else {
            out_ += "{\"vr\":\"";
        }
        out_.append(name, 3);
        Result<void> r;
        if (vr == VR::SQ) {
            r = sequence(e, codec, level + 1);
        } else if (opt_.bulk_data &&
                   (e.is_deferred() || e.is_fragments() || detail::may_be_bulk_data(vr))) {
            if (auto uri = opt_.bulk_data(e, path_.str())) {
                member("BulkDataURI", level + 1);
                append_json_string(out_, *uri);
            } else {
                r = value(e, vr, codec, level + 1);
            }
        } else {
            r = value(e, vr, codec, level + 1);
        }
        if (!r) return r;
        newline(level);
        out_.push_back('}');
        return {};
    }

    Result<void> value(const Element& e, VR vr, const TextCodec& codec, int level) {
        if (e.is_deferred())
            return fail(ErrorCode::Unsupported,
                        "a deferred value cannot be written inline: load it or refer to it with a "
                        "bulk data callback");
        if (e.is_fragments() || is_bulk(vr)) {
            Bytes scratch;
            auto bytes = detail::inline_binary_bytes(e, scratch);
            if (bytes.empty()) return {};
            member("InlineBinary", level);
            out_.push_back('"');
            detail::append_base64(out_, bytes);
            out_.push_back('"');
            return {};
        }
        if (e.length() == 0) return {};  // PS3.18 F.2.5: no "Value"
        if (vr == VR::PN) return person_names(e, codec, level);
        if (is_string(vr)) return strings(e, vr, codec, level);
        return numbers(e, vr, level);
    }

    Result<void> strings(const Element& e, VR vr, const TextCodec& codec, int level) {
        ValueArray values{*this, level};
        auto r = codec.for_each_value(e, [&](std::string_view v) -> Result<void> {
            values.next();
            if (v.empty()) {
                out_ += "null";  // PS3.18 F.2.5
            } else if ((vr == VR::IS && detail::is_json_integer_text(v)) ||
                       (vr == VR::DS && detail::is_json_number_text(v))) {
                out_ += v;
            } else {
                append_json_string(out_, v);
            }
            return {};
        });
        if (!r) return fail(r.error());
        values.finish();
        return {};
    }

    Result<void> person_names(const Element& e, const TextCodec& codec, int level) {
        static constexpr std::string_view kGroups[] = {"Alphabetic", "Ideographic", "Phonetic"};
        ValueArray values{*this, level};
        auto r = codec.for_each_value(e, [&](std::string_view v) -> Result<void> {
            auto groups = detail::split_person_name(v);
            if (!groups) return Unexpected(groups.error());
            values.next();
            if ((*groups)[0].empty() && (*groups)[1].empty() && (*groups)[2].empty()) {
                out_ += "null";
                return {};
            }
            out_.push_back('{');
            bool first = true;
            for (int g = 0; g < 3; ++g) {
                if ((*groups)[g].empty()) continue;
                if (!first) out_.push_back(',');
                first = false;
                newline(level + 2);
                out_.push_back('"');
                out_ += kGroups[g];
                out_ += "\":";
                space();
                append_json_string(out_, (*groups)[g]);
            }
            newline(level + 1);
            out_.push_back('}');
            return {};
        });
        if (!r) return fail(r.error());
        values.finish();
        return {};
    }

    Result<void> numbers(const Element& e, VR vr, int level) {
        const std::size_t size = value_size(vr);
        auto bytes = e.bytes();
        if (size == 0 || bytes.size() % size != 0)
            return fail(
                ErrorCode::InvalidLength,
                fmt::format("{} bytes are not a whole number of {} values", bytes.size(), vr));
        ValueArray values{*this, level};
        detail::NumberBuffer buf;
        for (std::size_t i = 0; i < bytes.size(); i += size) {
            values.next();
            auto text =
                detail::format_binary_value(vr, bytes.data() + i, buf, detail::NumberStyle::Json);
            if (text.json_number) {
                out_ += text.text;
            } else {
                append_json_string(out_, text.text);
            }
        }
        values.finish();
        return {};
    }

    Result<void> sequence(const Element& e, const TextCodec& codec, int level) {
        if (!e.is_sequence()) {
            if (e.length() == 0 && !e.is_deferred()) return {};
            return fail(ErrorCode::Unsupported, "an SQ element whose items were not parsed");
        }
        const auto& items = e.sequence().items;
        if (items.empty()) return {};
        member("Value", level);
        out_.push_back('[');
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i) out_.push_back(',');
            newline(level + 1);
            PathScope scope(path_, i);
            if (auto r = dataset(items[i], codec, level + 1); !r) return r;
        }
        newline(level);
        out_.push_back(']');
        return {};
    }

    std::string& out_;
    const JsonOptions& opt_;
    detail::TagPath path_;
};

}  // namespace

Result<std::string> to_json(const DataSet& ds, const JsonOptions& options) {
    std::string out;
    out.reserve(ds.size() * 64);
    JsonWriter w(out, options);
    if (auto r = w.dataset(ds, TextCodec(SpecificCharacterSet(), options.lenient_charset), 0); !r)
        return Unexpected(r.error());
    return out;
}

Result<std::string> to_json_array(std::span<const DataSet> data_sets, const JsonOptions& options) {
    std::string out;
    JsonWriter w(out, options);
    out.push_back('[');
    for (std::size_t i = 0; i < data_sets.size(); ++i) {
        if (i) out.push_back(',');
        w.newline(1);
        if (auto r = w.dataset(data_sets[i],
                               TextCodec(SpecificCharacterSet(), options.lenient_charset), 1);
            !r) {
            Error e = r.error();
            e.message = fmt::format("data set {}: {}", i, e.message);
            return Unexpected(std::move(e));
        }
    }
    if (!data_sets.empty()) w.newline(0);
    out.push_back(']');
    return out;
}

}  // namespace dicomkit::json
