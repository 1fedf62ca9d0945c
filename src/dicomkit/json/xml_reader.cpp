// Reading the Native DICOM Model (PS3.19 A.1) into a DataSet, parsed with libxml2.
#include <dicomkit/json/xml.hpp>

#include <algorithm>
#include <climits>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/json/detail/base64.hpp>
#include <dicomkit/json/detail/model.hpp>
#include <dicomkit/json/detail/numbers.hpp>
#include <dicomkit/json/detail/tag_path.hpp>
#include <dicomkit/json/detail/text_codec.hpp>

namespace dicomkit::json {

namespace {

using detail::PathScope;

struct DocFree {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct ContextFree {
    void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

std::string_view name_of(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

/// An element of the model: no namespace or the schema's.
bool is_model_element(const xmlNode* n) {
    if (n->type != XML_ELEMENT_NODE) return false;
    return !n->ns || !n->ns->href ||
           std::string_view(reinterpret_cast<const char*>(n->ns->href)) == kNativeDicomNamespace;
}

std::optional<std::string> attribute(const xmlNode* n, const char* name) {
    xmlChar* v = xmlGetNoNsProp(n, reinterpret_cast<const xmlChar*>(name));
    if (!v) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return s;
}

std::string content(const xmlNode* n) {
    xmlChar* v = xmlNodeGetContent(n);
    if (!v) return {};
    std::string s(reinterpret_cast<const char*>(v));
    xmlFree(v);
    return s;
}

bool is_blank(const xmlNode* n) {
    if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) return true;
    if (n->type != XML_TEXT_NODE) return false;
    for (const xmlChar* p = n->content; p && *p; ++p)
        if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') return false;
    return true;
}

class XmlReader {
  public:
    explicit XmlReader(const XmlReadOptions& options) : opt_(options) {}

    /// The DicomAttribute children of NativeDicomModel or of an Item; strings are encoded into
    /// the data set's character set as the JSON reader does (detail::settle_charset).
    Result<DataSet> dataset(const xmlNode* parent, std::size_t depth) {
        auto attrs = children(parent, "DicomAttribute");
        if (!attrs) return Unexpected(attrs.error());
        auto ds = elements(*attrs, depth);
        if (!ds) return ds;
        if (auto r = detail::settle_charset(*ds, depth == 0); !r) {
            PathScope scope(path_, detail::kSpecificCharacterSet);
            return fail(r.error(), nullptr);
        }
        return ds;
    }

  private:
    Unexpected fail(ErrorCode code, std::string message, const xmlNode* at) const {
        if (at) message += fmt::format(" (line {})", xmlGetLineNo(at));
        return Unexpected(std::move(Error(code, std::move(message))).at_tag(path_.str()));
    }
    Unexpected fail(Error e, const xmlNode* at) const {
        if (at) e.message += fmt::format(" (line {})", xmlGetLineNo(at));
        return Unexpected(std::move(e).at_tag(path_.str()));
    }

    /// The element children of `parent`, which must all be `name`; blanks and comments skipped.
    Result<std::vector<const xmlNode*>> children(const xmlNode* parent,
                                                 std::string_view name) const {
        std::vector<const xmlNode*> out;
        for (const xmlNode* c = parent->children; c; c = c->next) {
            if (is_blank(c)) continue;
            if (!is_model_element(c) || name_of(c) != name)
                return fail(
                    ErrorCode::ParseError,
                    fmt::format("<{}> may only hold <{}>, found {}", name_of(parent), name,
                                c->type == XML_ELEMENT_NODE ? fmt::format("<{}>", name_of(c))
                                                            : std::string("text")),
                    c);
            out.push_back(c);
        }
        return out;
    }

    /// Value, PersonName and Item elements in the order of their number attribute, which must
    /// run 1, 2, ... (PS3.19 A.1.5).
    Result<std::vector<const xmlNode*>> numbered(std::vector<const xmlNode*> nodes) const {
        std::vector<std::pair<std::size_t, const xmlNode*>> keyed;
        for (const xmlNode* n : nodes) {
            auto number = attribute(n, "number");
            std::size_t v = 0;
            bool ok = number && !number->empty() && number->size() < 10;
            for (char c : number.value_or("")) {
                ok = ok && c >= '0' && c <= '9';
                v = v * 10 + static_cast<std::size_t>(c - '0');
            }
            if (!ok || v == 0)
                return fail(ErrorCode::ParseError,
                            fmt::format("<{}> needs a number attribute 1, 2, ...", name_of(n)), n);
            keyed.emplace_back(v, n);
        }
        std::stable_sort(keyed.begin(), keyed.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (std::size_t i = 0; i < keyed.size(); ++i)
            if (keyed[i].first != i + 1)
                return fail(ErrorCode::ParseError,
                            fmt::format("<{}> numbers must run 1 to {} without gaps or repeats",
                                        name_of(keyed[i].second), keyed.size()),
                            keyed[i].second);
        std::vector<const xmlNode*> out;
        for (auto& k : keyed) out.push_back(k.second);
        return out;
    }

    Result<Tag> tag_of(const xmlNode* n) const {
        auto text = attribute(n, "tag");
        if (!text) return fail(ErrorCode::ParseError, "<DicomAttribute> has no tag attribute", n);
        auto tag = detail::parse_tag_key(*text);
        if (!tag)
            return fail(ErrorCode::InvalidTag,
                        fmt::format("tag '{}' is not eight hex digits GGGGEEEE", *text), n);
        return *tag;
    }

    /// A private data element sent as gggg00ee with its creator (PS3.19 A.1.5) goes to the
    /// block that creator holds in `ds`, reserved when it has none yet.
    Result<Tag> placed_tag(DataSet& ds, Tag tag, const xmlNode* n) const {
        auto creator = attribute(n, "privateCreator");
        if (!creator || !tag.is_private()) return tag;
        if (tag.element <= 0x00FF) {
            auto placed = detail::private_tag_for(ds, tag.group, *creator,
                                                  static_cast<std::uint8_t>(tag.element));
            if (!placed) return fail(placed.error(), n);
            return *placed;
        }
        Tag slot(tag.group, static_cast<std::uint16_t>(tag.element >> 8));
        std::string existing = ds.private_creator_of(tag);
        if (existing.empty()) {
            ds.set(Element::from_string(slot, VR::LO, *creator));
        } else if (existing != trim_spaces(*creator)) {
            return fail(ErrorCode::InvalidValue,
                        fmt::format("privateCreator '{}' differs from '{}' that holds block {}",
                                    *creator, existing, slot),
                        n);
        }
        return tag;
    }

    Result<DataSet> elements(const std::vector<const xmlNode*>& attrs, std::size_t depth) {
        DataSet ds;
        // Private Creator elements first, so that the blocks they hold are known before the
        // elements that name their creator arrive.
        for (int pass = 0; pass < 2; ++pass) {
            for (const xmlNode* n : attrs) {
                auto tag = tag_of(n);
                if (!tag) return Unexpected(tag.error());
                bool creator_element = tag->is_private_creator() && !attribute(n, "privateCreator");
                if (creator_element != (pass == 0)) continue;
                if (tag->is_group_length()) continue;
                auto placed = placed_tag(ds, *tag, n);
                if (!placed) return Unexpected(placed.error());
                PathScope scope(path_, *placed);
                auto e = element(*placed, n, depth);
                if (!e) return Unexpected(e.error());
                if (!ds.append(std::move(*e)))
                    return fail(ErrorCode::ParseError, "attribute appears twice", n);
            }
        }
        return ds;
    }

    Result<VR> vr_of(Tag tag, const xmlNode* n) const {
        auto text = attribute(n, "vr");
        if (!text) return dict::implicit_vr(tag);  // vr is optional in PS3.19 A.1.5
        auto vr = vr_from_string(*text);
        if (!vr) return fail(ErrorCode::InvalidVR, fmt::format("'{}' is not a VR", *text), n);
        return *vr;
    }

    Result<Element> element(Tag tag, const xmlNode* n, std::size_t depth) {
        auto vr = vr_of(tag, n);
        if (!vr) return Unexpected(vr.error());
        std::vector<const xmlNode*> kids;
        std::string_view kind;
        for (const xmlNode* c = n->children; c; c = c->next) {
            if (is_blank(c)) continue;
            if (!is_model_element(c))
                return fail(ErrorCode::ParseError, "<DicomAttribute> may not hold text", c);
            std::string_view name = name_of(c);
            if (name != "Value" && name != "PersonName" && name != "Item" &&
                name != "InlineBinary" && name != "BulkData")
                return fail(ErrorCode::ParseError, fmt::format("unknown element <{}>", name), c);
            if (!kind.empty() && name != kind)
                return fail(ErrorCode::ParseError,
                            fmt::format("<{}> and <{}> cannot both hold the value", kind, name), c);
            if (!kids.empty() && (name == "InlineBinary" || name == "BulkData"))
                return fail(ErrorCode::ParseError, fmt::format("more than one <{}>", name), c);
            kind = name;
            kids.push_back(c);
        }
        if (kids.empty())
            return *vr == VR::SQ ? Element(tag, VR::SQ, Sequence{}) : Element(tag, *vr);
        if (kind == "BulkData") return bulk_data(tag, *vr, kids[0]);
        if (kind == "InlineBinary") return inline_binary(tag, *vr, kids[0]);
        auto ordered = numbered(std::move(kids));
        if (!ordered) return Unexpected(ordered.error());
        if ((kind == "Item") != (*vr == VR::SQ) || (kind == "PersonName") != (*vr == VR::PN))
            return fail(ErrorCode::ParseError,
                        fmt::format("<{}> cannot hold a value of VR {}", kind, *vr), (*ordered)[0]);
        if (kind == "Item") return sequence(tag, *ordered, depth);
        if (kind == "PersonName") return person_names(tag, *ordered);
        return values(tag, *vr, *ordered);
    }

    Result<Element> sequence(Tag tag, const std::vector<const xmlNode*>& items, std::size_t depth) {
        if (depth + 1 > opt_.max_depth)
            return fail(ErrorCode::LimitExceeded,
                        fmt::format("sequences nested deeper than {} levels", opt_.max_depth),
                        items[0]);
        Sequence seq;
        for (std::size_t i = 0; i < items.size(); ++i) {
            PathScope scope(path_, i);
            auto item = dataset(items[i], depth + 1);
            if (!item) return Unexpected(item.error());
            seq.items.push_back(std::move(*item));
        }
        return Element(tag, VR::SQ, std::move(seq));
    }

    Result<Element> values(Tag tag, VR vr, const std::vector<const xmlNode*>& nodes) {
        if (is_bulk(vr))
            return fail(
                ErrorCode::ParseError,
                fmt::format("{} values go in <InlineBinary> or <BulkData>, not <Value>", vr),
                nodes[0]);
        if (is_string(vr)) {
            std::vector<std::string> texts;
            for (const xmlNode* v : nodes) texts.push_back(content(v));
            auto e = detail::make_string_element(tag, vr, texts);
            if (!e) return fail(e.error(), nodes[0]);
            return e;
        }
        Bytes bytes;
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            if (auto r = detail::append_binary_from_text(vr, content(nodes[i]), bytes); !r)
                return fail(r.error().code, fmt::format("value {}: {}", i + 1, r.error().message),
                            nodes[i]);
        }
        return Element(tag, vr, std::move(bytes));
    }

    /// One name component group: FamilyName ... NameSuffix joined with '^' (PS3.19 A.1.5).
    Result<std::string> name_group(const xmlNode* group) const {
        static constexpr std::string_view kComponents[] = {"FamilyName", "GivenName", "MiddleName",
                                                           "NamePrefix", "NameSuffix"};
        std::string parts[5];
        for (const xmlNode* c = group->children; c; c = c->next) {
            if (is_blank(c)) continue;
            int i = 0;
            while (i < 5 && !(is_model_element(c) && kComponents[i] == name_of(c))) ++i;
            if (i == 5)
                return fail(
                    ErrorCode::ParseError,
                    fmt::format("<{}> may only hold FamilyName ... NameSuffix", name_of(group)), c);
            parts[i] = content(c);
            if (parts[i].find_first_of("^=\\") != std::string::npos)
                return fail(ErrorCode::InvalidValue,
                            fmt::format("<{}> contains a PN delimiter ^ = or \\", name_of(c)), c);
        }
        return detail::join_trimmed(parts, '^');
    }

    Result<Element> person_names(Tag tag, const std::vector<const xmlNode*>& nodes) {
        static constexpr std::string_view kGroups[] = {"Alphabetic", "Ideographic", "Phonetic"};
        std::vector<std::string> texts;
        for (const xmlNode* pn : nodes) {
            std::string groups[3];
            for (const xmlNode* c = pn->children; c; c = c->next) {
                if (is_blank(c)) continue;
                int g = 0;
                while (g < 3 && !(is_model_element(c) && kGroups[g] == name_of(c))) ++g;
                if (g == 3)
                    return fail(ErrorCode::ParseError,
                                "<PersonName> may only hold Alphabetic, Ideographic, Phonetic", c);
                auto text = name_group(c);
                if (!text) return Unexpected(text.error());
                groups[g] = std::move(*text);
            }
            texts.push_back(detail::join_trimmed(groups, '='));
        }
        auto e = detail::make_string_element(tag, VR::PN, texts);
        if (!e) return fail(e.error(), nodes[0]);
        return e;
    }

    Result<Element> inline_binary(Tag tag, VR vr, const xmlNode* n) const {
        if (vr == VR::SQ)
            return fail(ErrorCode::ParseError, "an SQ attribute cannot hold <InlineBinary>", n);
        auto bytes = detail::decode_base64(content(n));
        if (!bytes) return fail(bytes.error(), n);
        if (bytes->size() % 2) bytes->push_back(padding_byte(vr));
        return detail::binary_element(tag, vr, std::move(*bytes));
    }

    Result<Element> bulk_data(Tag tag, VR vr, const xmlNode* n) {
        if (vr == VR::SQ)
            return fail(ErrorCode::ParseError, "an SQ attribute cannot hold <BulkData>", n);
        std::string uri;
        if (auto u = attribute(n, "uri")) {
            uri = std::move(*u);
        } else if (auto id = attribute(n, "uuid")) {
            uri = "urn:uuid:" + *id;
        } else {
            return fail(ErrorCode::ParseError, "<BulkData> needs a uri or uuid attribute", n);
        }
        if (!opt_.bulk_data)
            return fail(ErrorCode::Unsupported,
                        fmt::format("BulkData '{}' needs a bulk data reader", uri), n);
        auto bytes = opt_.bulk_data(uri, tag, vr, path_.str());
        if (!bytes) return fail(bytes.error(), n);
        if (is_string(vr)) {
            auto e = detail::string_bulk_element(tag, vr, *bytes);
            if (!e) return fail(e.error(), n);
            return e;
        }
        return detail::binary_element(tag, vr, std::move(*bytes));
    }

    const XmlReadOptions& opt_;
    detail::TagPath path_;
};

Result<std::unique_ptr<xmlDoc, DocFree>> parse_document(std::string_view text) {
    static std::once_flag init;
    std::call_once(init, [] { xmlInitParser(); });
    if (text.size() > static_cast<std::size_t>(INT_MAX))
        return make_error(ErrorCode::LimitExceeded, "XML document larger than 2 GiB");
    // The model has no DTD; refusing one keeps entity expansion attacks out of the parser.
    if (text.find("<!DOCTYPE") != std::string_view::npos)
        return make_error(ErrorCode::ParseError, "a document type declaration is not allowed");
    std::unique_ptr<xmlParserCtxt, ContextFree> ctxt(xmlNewParserCtxt());
    if (!ctxt) return make_error(ErrorCode::LimitExceeded, "out of memory for the XML parser");
    // HUGE lifts the 10 MB text node limit, which InlineBinary pixel data exceeds.
    const int flags = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE;
    std::unique_ptr<xmlDoc, DocFree> doc(xmlCtxtReadMemory(
        ctxt.get(), text.data(), static_cast<int>(text.size()), nullptr, nullptr, flags));
    if (!doc || !ctxt->wellFormed) {
        const xmlError* err = xmlCtxtGetLastError(ctxt.get());
        std::string message = err && err->message ? err->message : "not well-formed XML";
        while (!message.empty() && message.back() == '\n') message.pop_back();
        if (err) message += fmt::format(" (line {})", err->line);
        return make_error(ErrorCode::ParseError, std::move(message));
    }
    return doc;
}

}  // namespace

Result<DataSet> from_xml(std::string_view text, const XmlReadOptions& options) {
    auto doc = parse_document(text);
    if (!doc) return Unexpected(doc.error());
    const xmlNode* root = xmlDocGetRootElement(doc->get());
    if (!root || !is_model_element(root) || name_of(root) != "NativeDicomModel")
        return make_error(ErrorCode::ParseError, "the root element is not <NativeDicomModel>");
    XmlReader reader(options);
    return reader.dataset(root, 0);
}

}  // namespace dicomkit::json
