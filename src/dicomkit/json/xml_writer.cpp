// Writing the Native DICOM Model (PS3.19 A.1) straight into a string.
#include <dicomkit/json/xml.hpp>

#include <fmt/format.h>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/json/detail/base64.hpp>
#include <dicomkit/json/detail/model.hpp>
#include <dicomkit/json/detail/numbers.hpp>
#include <dicomkit/json/detail/tag_path.hpp>
#include <dicomkit/json/detail/text_codec.hpp>

namespace dicomkit::json {

namespace {

using detail::PathScope;
using detail::TextCodec;

/// Escapes text for element content or (with `attribute`) a quoted attribute value. TAB, LF and
/// CR are written as character references where a parser would otherwise normalise them; other
/// control characters cannot appear in XML 1.0 at all.
Result<void> append_xml_text(std::string& out, std::string_view s, bool attribute) {
    std::size_t run = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        const char* ref = nullptr;
        switch (c) {
            case '&':
                ref = "&amp;";
                break;
            case '<':
                ref = "&lt;";
                break;
            case '>':
                ref = "&gt;";
                break;
            case '"':
                ref = attribute ? "&quot;" : nullptr;
                break;
            case '\r':
                ref = "&#13;";
                break;
            case '\n':
                ref = attribute ? "&#10;" : nullptr;
                break;
            case '\t':
                ref = attribute ? "&#9;" : nullptr;
                break;
            default:
                if (c < 0x20)
                    return make_error(
                        ErrorCode::InvalidValue,
                        fmt::format("control character 0x{:02X} cannot be written in XML", c));
        }
        if (!ref) continue;
        out.append(s.data() + run, i - run);
        out += ref;
        run = i + 1;
    }
    out.append(s.data() + run, s.size() - run);
    return {};
}

class XmlWriter {
  public:
    XmlWriter(std::string& out, const XmlOptions& options) : out_(out), opt_(options) {}

    Result<void> dataset(const DataSet& ds, const TextCodec& inherited, int level) {
        auto own = detail::own_codec(ds, opt_.lenient_charset);
        if (!own) {
            PathScope scope(path_, detail::kSpecificCharacterSet);
            return fail(own.error());
        }
        const TextCodec& codec = *own ? **own : inherited;
        for (const Element& e : ds) {
            if (detail::is_skipped(e, opt_.include_meta)) continue;
            PathScope scope(path_, e.tag());
            if (auto r = element(ds, e, codec, level); !r) return r;
        }
        return {};
    }

    void newline(int level) {
        if (opt_.indent <= 0) return;
        out_.push_back('\n');
        out_.append(static_cast<std::size_t>(level * opt_.indent), ' ');
    }

  private:
    Unexpected fail(ErrorCode code, std::string message) const {
        return Unexpected(std::move(Error(code, std::move(message))).at_tag(path_.str()));
    }
    Unexpected fail(Error e) const { return Unexpected(std::move(e).at_tag(path_.str())); }

    Result<void> text(std::string_view s, bool attribute = false) {
        if (auto r = append_xml_text(out_, s, attribute); !r) return fail(r.error());
        return {};
    }

    /// <DicomAttribute tag=".." vr=".." keyword=".." privateCreator="..">; PS3.19 A.1.5 writes a
    /// private data element as gggg00ee with its creator named.
    Result<void> open_attribute(const DataSet& ds, const Element& e, VR vr) {
        Tag tag = e.tag();
        std::string creator;
        if (tag.is_private() && tag.element >= 0x1000) creator = ds.private_creator_of(tag);
        if (!creator.empty()) tag.element &= 0x00FF;
        out_ += "<DicomAttribute tag=\"";
        detail::append_tag_key(out_, tag);
        out_ += "\" vr=\"";
        out_ += to_string(vr);
        out_.push_back('"');
        if (!e.tag().is_private()) {
            if (auto keyword = dict::keyword_of(e.tag()); !keyword.empty()) {
                out_ += " keyword=\"";
                out_ += keyword;
                out_.push_back('"');
            }
        }
        if (!creator.empty()) {
            out_ += " privateCreator=\"";
            if (auto r = text(creator, true); !r) return r;
            out_.push_back('"');
        }
        return {};
    }

    Result<void> element(const DataSet& ds, const Element& e, const TextCodec& codec, int level) {
        const VR vr = e.is_sequence() ? VR::SQ : e.vr();
        newline(level);
        if (auto r = open_attribute(ds, e, vr); !r) return r;
        const std::size_t closed_at = out_.size();
        out_.push_back('>');
        Result<void> r;
        if (vr == VR::SQ) {
            r = sequence(e, codec, level + 1);
        } else if (opt_.bulk_data &&
                   (e.is_deferred() || e.is_fragments() || detail::may_be_bulk_data(vr))) {
            if (auto uri = opt_.bulk_data(e, path_.str())) {
                newline(level + 1);
                out_ += "<BulkData uri=\"";
                r = text(*uri, true);
                out_ += "\"/>";
            } else {
                r = value(e, vr, codec, level + 1);
            }
        } else {
            r = value(e, vr, codec, level + 1);
        }
        if (!r) return r;
        if (out_.size() == closed_at + 1) {
            out_.back() = '/';  // nothing inside: <DicomAttribute .../>
            out_.push_back('>');
            return {};
        }
        newline(level);
        out_ += "</DicomAttribute>";
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
            newline(level);
            out_ += "<InlineBinary>";
            detail::append_base64(out_, bytes);
            out_ += "</InlineBinary>";
            return {};
        }
        if (e.length() == 0) return {};
        if (vr == VR::PN) return person_names(e, codec, level);
        if (is_string(vr)) return strings(e, codec, level);
        return numbers(e, vr, level);
    }

    void open_numbered(std::string_view name, std::size_t number) {
        out_.push_back('<');
        out_ += name;
        out_ += " number=\"";
        out_ += std::to_string(number);
        out_.push_back('"');
    }

    Result<void> strings(const Element& e, const TextCodec& codec, int level) {
        std::size_t number = 0;
        auto r = codec.for_each_value(e, [&](std::string_view v) -> Result<void> {
            newline(level);
            open_numbered("Value", ++number);
            if (v.empty()) {
                out_ += "/>";
                return {};
            }
            out_.push_back('>');
            if (auto t = append_xml_text(out_, v, false); !t) return t;
            out_ += "</Value>";
            return {};
        });
        if (!r) return fail(r.error());
        return {};
    }

    Result<void> name_group(std::string_view name, std::string_view group, int level) {
        static constexpr std::string_view kComponents[] = {"FamilyName", "GivenName", "MiddleName",
                                                           "NamePrefix", "NameSuffix"};
        auto parts = detail::split_name_components(group);
        if (!parts) return Unexpected(parts.error());
        newline(level);
        out_.push_back('<');
        out_ += name;
        out_.push_back('>');
        for (int i = 0; i < 5; ++i) {
            if ((*parts)[i].empty()) continue;
            newline(level + 1);
            out_.push_back('<');
            out_ += kComponents[i];
            out_.push_back('>');
            if (auto t = append_xml_text(out_, (*parts)[i], false); !t) return t;
            out_ += "</";
            out_ += kComponents[i];
            out_.push_back('>');
        }
        newline(level);
        out_ += "</";
        out_ += name;
        out_.push_back('>');
        return {};
    }

    Result<void> person_names(const Element& e, const TextCodec& codec, int level) {
        static constexpr std::string_view kGroups[] = {"Alphabetic", "Ideographic", "Phonetic"};
        std::size_t number = 0;
        auto r = codec.for_each_value(e, [&](std::string_view v) -> Result<void> {
            auto groups = detail::split_person_name(v);
            if (!groups) return Unexpected(groups.error());
            newline(level);
            open_numbered("PersonName", ++number);
            const std::size_t closed_at = out_.size();
            out_.push_back('>');
            for (int g = 0; g < 3; ++g) {
                if ((*groups)[g].empty()) continue;
                if (auto t = name_group(kGroups[g], (*groups)[g], level + 1); !t) return t;
            }
            if (out_.size() == closed_at + 1) {
                out_.back() = '/';
                out_.push_back('>');
                return {};
            }
            newline(level);
            out_ += "</PersonName>";
            return {};
        });
        if (!r) return fail(r.error());
        return {};
    }

    Result<void> numbers(const Element& e, VR vr, int level) {
        const std::size_t size = value_size(vr);
        auto bytes = e.bytes();
        if (size == 0 || bytes.size() % size != 0)
            return fail(
                ErrorCode::InvalidLength,
                fmt::format("{} bytes are not a whole number of {} values", bytes.size(), vr));
        detail::NumberBuffer buf;
        std::size_t number = 0;
        for (std::size_t i = 0; i < bytes.size(); i += size) {
            newline(level);
            open_numbered("Value", ++number);
            out_.push_back('>');
            out_ += detail::format_binary_value(vr, bytes.data() + i, buf, detail::NumberStyle::Xml)
                        .text;
            out_ += "</Value>";
        }
        return {};
    }

    Result<void> sequence(const Element& e, const TextCodec& codec, int level) {
        if (!e.is_sequence()) {
            if (e.length() == 0 && !e.is_deferred()) return {};
            return fail(ErrorCode::Unsupported, "an SQ element whose items were not parsed");
        }
        const auto& items = e.sequence().items;
        for (std::size_t i = 0; i < items.size(); ++i) {
            newline(level);
            open_numbered("Item", i + 1);
            PathScope scope(path_, i);
            const std::size_t closed_at = out_.size();
            out_.push_back('>');
            if (auto r = dataset(items[i], codec, level + 1); !r) return r;
            if (out_.size() == closed_at + 1) {
                out_.back() = '/';
                out_.push_back('>');
                continue;
            }
            newline(level);
            out_ += "</Item>";
        }
        return {};
    }

    std::string& out_;
    const XmlOptions& opt_;
    detail::TagPath path_;
};

}  // namespace

Result<std::string> to_xml(const DataSet& ds, const XmlOptions& options) {
    std::string out;
    out.reserve(ds.size() * 96);
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NativeDicomModel";
    if (options.with_namespace) {
        out += " xmlns=\"";
        out += kNativeDicomNamespace;
        out.push_back('"');
    }
    out += " xml:space=\"preserve\">";
    XmlWriter w(out, options);
    if (auto r = w.dataset(ds, TextCodec(SpecificCharacterSet(), options.lenient_charset), 1); !r)
        return Unexpected(r.error());
    w.newline(0);
    out += "</NativeDicomModel>\n";
    return out;
}

}  // namespace dicomkit::json
