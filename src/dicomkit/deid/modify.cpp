// Tag path edits on a data set.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <dicomkit/deid/modify.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/private_dictionary.hpp>
#include <functional>
#include <limits>
#include <random>

namespace dicomkit::deid {

namespace {

constexpr Tag kSpecificCharacterSet{0x0008, 0x0005};

Unexpected fail(ErrorCode code, std::string message, const std::string& path) {
    return Unexpected(Error(code, std::move(message)).at_tag(path));
}

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t b = 0;
    for (;;) {
        std::size_t e = s.find(sep, b);
        out.push_back(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
        if (e == std::string_view::npos) break;
        b = e + 1;
    }
    return out;
}

SpecificCharacterSet charset_of(const DataSet& ds, const SpecificCharacterSet& inherited) {
    const Element* e = ds.find(kSpecificCharacterSet);
    if (!e || !e->is_bytes()) return inherited;
    auto v = e->string_value();
    if (!v) return inherited;
    return SpecificCharacterSet::lenient_parse(*v);
}

// ---- values ------------------------------------------------------------------------------------

template <typename T>
Result<void> put_numbers(std::string_view text, VR vr, ValueBytes& out) {
    for (std::string_view v : split(text, '\\')) {
        std::string_view t = trim_spaces(v);
        T x{};
        const char* b = t.data();
        const char* e = t.data() + t.size();
        if (!t.empty() && *b == '+') ++b;
        std::from_chars_result r{};
        if constexpr (std::is_floating_point_v<T>) {
            r = std::from_chars(b, e, x, std::chars_format::general);
        } else {
            int base = 10;
            if (e - b > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X')) {
                b += 2;
                base = 16;
            }
            r = std::from_chars(b, e, x, base);
        }
        if (t.empty() || r.ec == std::errc::result_out_of_range)
            return make_error(ErrorCode::InvalidValue,
                              t.empty()
                                  ? fmt::format("an empty value in \"{}\" for VR {}", text, vr)
                                  : fmt::format("'{}' is out of the range of VR {}", t, vr));
        if (r.ec != std::errc() || r.ptr != e)
            return make_error(ErrorCode::InvalidValue,
                              fmt::format("'{}' is not a number for VR {}", t, vr));
        std::array<std::uint8_t, sizeof(T)> buf{};
        if constexpr (std::is_integral_v<T>) {
            store(buf.data(), x, Endian::Little);
        } else {
            std::memcpy(buf.data(), &x, sizeof(T));
        }
        out.append(reinterpret_cast<const char*>(buf.data()), buf.size());
    }
    return {};
}

/// OB/UN: hex bytes "00\1f"; OW: hex 16-bit words (as DCMTK writes and reads them).
Result<void> put_hex(std::string_view text, std::size_t width, VR vr, ValueBytes& out) {
    for (std::string_view v : split(text, '\\')) {
        std::string_view t = trim_spaces(v);
        std::uint64_t x = 0;
        auto r = std::from_chars(t.data(), t.data() + t.size(), x, 16);
        if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size() ||
            t.size() > width * 2)
            return make_error(
                ErrorCode::InvalidValue,
                fmt::format("'{}' is not a {}-digit hex value for VR {} (e.g. 00\\1f); use a file "
                            "for larger values",
                            t, width * 2, vr));
        for (std::size_t i = 0; i < width; ++i)
            out.push_back(static_cast<char>((x >> (8 * i)) & 0xFF));
    }
    return {};
}

bool all_of_chars(std::string_view s, std::string_view allowed) {
    return std::all_of(s.begin(), s.end(),
                       [&](char c) { return allowed.find(c) != std::string_view::npos; });
}

/// The format checks of PS3.5 6.2 for the VRs whose values people mistype most.
Result<void> check_string(std::string_view text, VR vr) {
    if (text.empty()) return {};
    auto bad = [&](std::string_view v, std::string_view why) {
        return make_error(ErrorCode::InvalidValue,
                          fmt::format("'{}' is not a valid {} value: {}", v, vr, why));
    };
    for (std::string_view v :
         is_multi_valued_string(vr) ? split(text, '\\') : std::vector<std::string_view>{text}) {
        std::string_view t = trim_spaces(v);
        switch (vr) {
            case VR::UI:
                if (v.size() > 64) return bad(v, "longer than 64 characters");
                if (!all_of_chars(v, "0123456789.")) return bad(v, "only digits and '.'");
                break;
            case VR::IS:
                if (t.empty() || !all_of_chars(t, "0123456789+-") || t.size() > 12)
                    return bad(v, "an integer of at most 12 characters");
                break;
            case VR::DS:
                if (t.empty() || !all_of_chars(t, "0123456789+-.eE") || t.size() > 16)
                    return bad(v, "a decimal number of at most 16 characters");
                break;
            case VR::DA:
                if (t.size() != 8 || !all_of_chars(t, "0123456789")) return bad(v, "YYYYMMDD");
                break;
            case VR::AS:
                if (v.size() != 4 || !all_of_chars(v.substr(0, 3), "0123456789") ||
                    !all_of_chars(v.substr(3), "DWMY"))
                    return bad(v, "nnnD, nnnW, nnnM or nnnY");
                break;
            case VR::CS:
                if (v.size() > 16) return bad(v, "longer than 16 characters");
                break;
            default:
                break;
        }
    }
    return {};
}

/// The element `tag` of VR `vr` holding the value of `edit`.
Result<Element> make_element(Tag tag, VR vr, const Edit& edit, const SpecificCharacterSet& cs) {
    if (edit.binary) {
        if (vr == VR::SQ)
            return make_error(ErrorCode::InvalidArgument,
                              "a sequence cannot take a value from a file");
        std::size_t w = std::max<std::size_t>(word_size(vr), 1);
        if (edit.binary->size() % w)
            return make_error(
                ErrorCode::InvalidValue,
                fmt::format("{} bytes is not a multiple of {}, the value size of VR {}",
                            edit.binary->size(), w, vr));
        if (edit.binary->size() > 0xFFFFFFFEull)
            return make_error(ErrorCode::LimitExceeded, "value longer than 4 GB");
        return Element::from_bytes(tag, vr, *edit.binary);
    }
    const std::string& text = edit.value;
    if (vr == VR::SQ) {
        if (!text.empty())
            return make_error(ErrorCode::InvalidValue,
                              "a sequence takes no value: set its items' elements with a path such "
                              "as (gggg,eeee)[0].(gggg,eeee)");
        return Element(tag, VR::SQ, Sequence{});
    }
    if (is_string(vr)) {
        if (auto ok = check_string(text, vr); !ok) return Unexpected(ok.error());
        if (is_ascii(text)) return Element::from_string(tag, vr, text);
        if (!uses_charset(vr))
            return make_error(
                ErrorCode::CharsetError,
                fmt::format("VR {} holds only the default repertoire (ASCII); \"{}\" is not ASCII",
                            vr, text));
        auto encoded = cs.encode(text, vr);
        if (!encoded) {
            Error e = encoded.error();
            e.message = fmt::format(
                "\"{}\" cannot be written in the data set's character set: {} (set "
                "SpecificCharacterSet, e.g. --set \"SpecificCharacterSet=ISO_IR 192\", to change "
                "it)",
                text, e.message);
            e.offset.reset();
            return Unexpected(std::move(e));
        }
        return Element::from_string(tag, vr, *encoded);
    }
    Element e(tag, vr);
    ValueBytes& b = e.mutable_bytes();
    if (text.empty()) return e;
    Result<void> ok;
    switch (vr) {
        case VR::US:
            ok = put_numbers<std::uint16_t>(text, vr, b);
            break;
        case VR::SS:
            ok = put_numbers<std::int16_t>(text, vr, b);
            break;
        case VR::UL:
            ok = put_numbers<std::uint32_t>(text, vr, b);
            break;
        case VR::SL:
            ok = put_numbers<std::int32_t>(text, vr, b);
            break;
        case VR::UV:
            ok = put_numbers<std::uint64_t>(text, vr, b);
            break;
        case VR::SV:
            ok = put_numbers<std::int64_t>(text, vr, b);
            break;
        case VR::FL:
            ok = put_numbers<float>(text, vr, b);
            break;
        case VR::FD:
            ok = put_numbers<double>(text, vr, b);
            break;
        case VR::OB:
        case VR::UN:
            ok = put_hex(text, 1, vr, b);
            break;
        case VR::OW:
            ok = put_hex(text, 2, vr, b);
            break;
        case VR::AT:
            for (std::string_view v : split(text, '\\')) {
                auto t = dict::parse_tag_or_keyword(trim_spaces(v));
                if (!t) {
                    ok = make_error(ErrorCode::InvalidValue,
                                    fmt::format("'{}' is not a tag for VR AT", v));
                    break;
                }
                std::uint8_t buf[4];
                store(buf, t->group, Endian::Little);
                store(buf + 2, t->element, Endian::Little);
                b.append(reinterpret_cast<const char*>(buf), 4);
            }
            break;
        default:
            ok = make_error(
                ErrorCode::Unsupported,
                fmt::format("a {} value cannot be given as text: give it from a file", vr));
    }
    if (!ok) return Unexpected(ok.error());
    return e;
}

/// The VR a new element `tag` of `ds` gets (the step names a private element by its creator when
/// `creator` is not empty).
Result<VR> vr_for_new(const DataSet& ds, Tag tag, std::string_view creator) {
    if (tag.is_private_creator()) return VR::LO;
    if (tag.is_group_length()) return VR::UL;
    if (tag.is_private()) {
        const dict::PrivateAttributeInfo* info = nullptr;
        std::string owner(creator);
        if (owner.empty()) owner = ds.private_creator_of(tag);
        if (!owner.empty()) info = dict::find_private(owner, tag.group, tag.element);
        if (info && info->vr != VR::UN) return info->vr;
        return make_error(
            ErrorCode::NotFound,
            owner.empty()
                ? fmt::format("no private creator reserves the block of {}: name the element "
                              "by creator, e.g. ({:04X},\"CREATOR\",{:02X})",
                              tag.str(), tag.group, tag.element & 0xFF)
                : fmt::format("the private dictionary does not know element {:02X} of \"{}\" "
                              "in group {:04X}, so its VR is unknown",
                              tag.element & 0xFF, owner, tag.group));
    }
    const dict::AttributeInfo* info = dict::find(tag);
    if (!info || info->vr_count == 0)
        return make_error(
            ErrorCode::NotFound,
            fmt::format("{} is not in the data dictionary, so its VR is unknown", tag.str()));
    return info->vr();
}

// ---- walking paths -----------------------------------------------------------------------------

struct Target {
    DataSet& ds;  ///< the data set holding the element
    Tag tag;      ///< resolved tag (the element may be absent)
    std::string path;
    const SpecificCharacterSet& cs;
    std::string_view creator;
};

struct ItemTarget {
    Element& sequence;
    const TagPathStep& step;
    std::string path;  ///< the sequence's path, without the item selector
};

using LeafFn = std::function<Result<void>(Target&)>;
using ItemFn = std::function<Result<void>(ItemTarget&)>;

class Walker {
  public:
    Walker(const TagPath& path, bool create, LeafFn leaf, ItemFn item)
        : path_(path), create_(create), leaf_(std::move(leaf)), item_(std::move(item)) {}

    Result<void> run(DataSet& ds, const SpecificCharacterSet& cs) { return walk(ds, 0, "", cs); }

  private:
    /// The tag step `s` names in `ds`; reserves a private block when creating.
    Result<std::optional<Tag>> resolve(DataSet& ds, const TagPathStep& s, const std::string& path) {
        if (!s.by_creator()) return std::optional<Tag>(s.tag);
        auto byte = static_cast<std::uint8_t>(s.tag.element & 0xFF);
        if (auto t = ds.private_tag(s.tag.group, s.creator, byte)) return t;
        if (!create_) return std::optional<Tag>();
        auto block = ds.reserve_private_block(s.tag.group, s.creator);
        if (!block) return Unexpected(std::move(block.error()).at_tag(path));
        return std::optional<Tag>(
            Tag(s.tag.group, static_cast<std::uint16_t>((*block << 8) | byte)));
    }

    Result<void> walk(DataSet& ds, std::size_t i, const std::string& prefix,
                      const SpecificCharacterSet& inherited) {
        const TagPathStep& s = path_.steps()[i];
        bool last = i + 1 == path_.steps().size();
        std::string here = prefix.empty() ? std::string() : prefix + ".";
        TagPathStep bare = s;
        bare.items = TagPathStep::Items::None;
        here += step_str(bare);
        auto tag = resolve(ds, s, here);
        if (!tag) return Unexpected(tag.error());
        if (!*tag) return {};
        SpecificCharacterSet cs = charset_of(ds, inherited);
        if (last && s.items == TagPathStep::Items::None) {
            Target t{ds, **tag, here, cs, s.creator};
            return leaf_(t);
        }
        Element* e = ds.find(**tag);
        if (!e) {
            if (!create_) return {};
            e = &ds.set(Element(**tag, VR::SQ, Sequence{}));
        }
        if (!e->is_sequence())
            return fail(ErrorCode::InvalidArgument,
                        fmt::format("{} is not a sequence (VR {}), so it has no items",
                                    e->tag().str(), e->vr()),
                        here);
        if (last) {
            ItemTarget t{*e, s, here};
            return item_(t);
        }
        auto& items = e->sequence().items;
        if (s.items == TagPathStep::Items::Index) {
            if (s.index >= items.size()) {
                if (!create_) return {};
                items.resize(s.index + 1);
                e = ds.find(**tag);  // (the vector of ds did not move: resize is on the items)
            }
            return walk(e->sequence().items[s.index], i + 1, fmt::format("{}[{}]", here, s.index),
                        cs);
        }
        for (std::size_t k = 0; k < items.size(); ++k) {
            auto ok = walk(items[k], i + 1, fmt::format("{}[{}]", here, k), cs);
            if (!ok) return ok;
        }
        return {};
    }

    const TagPath& path_;
    bool create_;
    LeafFn leaf_;
    ItemFn item_;
};

/// Removes at every level the elements `pred` selects.
void erase_where(DataSet& ds, const std::string& prefix,
                 const std::function<bool(const DataSet&, Tag)>& pred,
                 const SpecificCharacterSet& inherited, std::vector<Change>& changes) {
    SpecificCharacterSet cs = charset_of(ds, inherited);
    std::vector<Tag> gone;
    for (const Element& e : ds)
        if (pred(ds, e.tag())) gone.push_back(e.tag());
    for (Tag t : gone) {
        changes.push_back(
            {Change::Kind::Deleted, prefix + t.str(), display_value(*ds.find(t), &cs), ""});
        ds.remove(t);
    }
    for (Element& e : ds) {
        if (!e.is_sequence()) continue;
        auto& items = e.sequence().items;
        for (std::size_t k = 0; k < items.size(); ++k)
            erase_where(items[k], fmt::format("{}{}[{}].", prefix, e.tag().str(), k), pred, cs,
                        changes);
    }
}

bool same_value(const Element& a, const Element& b) {
    return a.vr() == b.vr() && a.is_bytes() && b.is_bytes() &&
           std::ranges::equal(a.bytes(), b.bytes());
}

Result<void> apply_edit(DataSet& root, const Edit& edit, const ModifyOptions& options,
                        std::vector<Change>& changes) {
    const TagPath& path = edit.path;
    if (path.empty()) return make_error(ErrorCode::InvalidArgument, "empty tag path");
    if (path.steps().front().tag.group == 0x0002)
        return fail(ErrorCode::InvalidArgument,
                    "the File Meta Information (group 0002) is written from the data set; edit "
                    "SOPInstanceUID, "
                    "SOPClassUID or the transfer syntax instead",
                    path.str());
    std::size_t matched = 0;
    SpecificCharacterSet root_cs;
    switch (edit.op) {
        case EditOp::Set:
        case EditOp::Modify: {
            bool create = edit.op == EditOp::Set;
            Walker w(
                path, create,
                [&](Target& t) -> Result<void> {
                    Element* old = t.ds.find(t.tag);
                    if (!old && !create) return {};
                    ++matched;
                    VR vr;
                    if (old && old->vr() != VR::UN) {
                        vr = old->vr();
                    } else if (auto v = vr_for_new(t.ds, t.tag, t.creator); v) {
                        vr = *v;
                    } else if (old) {
                        vr = VR::UN;
                    } else {
                        return Unexpected(std::move(v.error()).at_tag(t.path));
                    }
                    if (old && old->is_sequence() && vr == VR::SQ && edit.value.empty() &&
                        !edit.binary)
                        return {};  // an existing sequence stays as it is
                    auto e = make_element(t.tag, vr, edit, t.cs);
                    if (!e) return Unexpected(std::move(e.error()).at_tag(t.path));
                    if (old && same_value(*old, *e)) return {};
                    std::string before = old ? display_value(*old, &t.cs) : std::string();
                    std::string after = display_value(*e, &t.cs);
                    bool inserted = old == nullptr;
                    t.ds.set(std::move(*e));
                    changes.push_back({inserted ? Change::Kind::Inserted : Change::Kind::Changed,
                                       t.path, before, after});
                    return {};
                },
                [&](ItemTarget& t) -> Result<void> {
                    if (!edit.value.empty() || edit.binary)
                        return fail(ErrorCode::InvalidArgument,
                                    "an item takes no value: the path ends in [n] or [*]", t.path);
                    auto& items = t.sequence.sequence().items;
                    if (t.step.items == TagPathStep::Items::All) {
                        matched += items.size();
                        return {};
                    }
                    if (t.step.index < items.size()) {
                        ++matched;
                        return {};
                    }
                    if (!create) return {};
                    ++matched;
                    for (std::size_t k = items.size(); k <= t.step.index; ++k)
                        changes.push_back({Change::Kind::Inserted, fmt::format("{}[{}]", t.path, k),
                                           "", "(empty item)"});
                    items.resize(t.step.index + 1);
                    return {};
                });
            if (auto ok = w.run(root, root_cs); !ok) return ok;
            break;
        }
        case EditOp::Delete: {
            Walker w(
                path, false,
                [&](Target& t) -> Result<void> {
                    const Element* old = t.ds.find(t.tag);
                    if (!old) return {};
                    ++matched;
                    changes.push_back(
                        {Change::Kind::Deleted, t.path, display_value(*old, &t.cs), ""});
                    t.ds.remove(t.tag);
                    return {};
                },
                [&](ItemTarget& t) -> Result<void> {
                    auto& items = t.sequence.sequence().items;
                    if (t.step.items == TagPathStep::Items::All) {
                        for (std::size_t k = 0; k < items.size(); ++k)
                            changes.push_back({Change::Kind::Deleted,
                                               fmt::format("{}[{}]", t.path, k), "(item)", ""});
                        matched += items.size();
                        items.clear();
                    } else if (t.step.index < items.size()) {
                        ++matched;
                        changes.push_back({Change::Kind::Deleted,
                                           fmt::format("{}[{}]", t.path, t.step.index), "(item)",
                                           ""});
                        items.erase(items.begin() + static_cast<std::ptrdiff_t>(t.step.index));
                    }
                    return {};
                });
            if (auto ok = w.run(root, root_cs); !ok) return ok;
            break;
        }
        case EditOp::EraseAll: {
            if (path.steps().size() != 1 || path.ends_in_item())
                return fail(ErrorCode::InvalidArgument,
                            "erase-all takes one tag, not a path through items", path.str());
            const TagPathStep& s = path.steps().front();
            std::size_t before = changes.size();
            erase_where(
                root, "",
                [&](const DataSet& ds, Tag t) {
                    if (!s.by_creator()) return t == s.tag;
                    auto pt = ds.private_tag(s.tag.group, s.creator,
                                             static_cast<std::uint8_t>(s.tag.element & 0xFF));
                    return pt && *pt == t;
                },
                root_cs, changes);
            matched = changes.size() - before;
            break;
        }
    }
    if (matched == 0 && !options.ignore_missing && edit.op != EditOp::Set)
        return fail(ErrorCode::NotFound,
                    edit.op == EditOp::Modify
                        ? "no such element to modify (use --set to insert it, or --ignore-missing)"
                        : "no such element to delete (--ignore-missing accepts that)",
                    path.str());
    return {};
}

}  // namespace

Result<Edit> parse_edit(EditOp op, std::string_view argument) {
    Edit edit;
    edit.op = op;
    std::string_view path_text = argument;
    bool takes_value = op == EditOp::Set || op == EditOp::Modify;
    if (takes_value) {
        // The first '=' outside (...), [...] and "...".
        int depth = 0;
        bool quoted = false;
        std::size_t eq = std::string_view::npos;
        for (std::size_t i = 0; i < argument.size(); ++i) {
            char c = argument[i];
            if (c == '"') quoted = !quoted;
            if (quoted) continue;
            if (c == '(' || c == '[') ++depth;
            if (c == ')' || c == ']') --depth;
            if (c == '=' && depth <= 0) {
                eq = i;
                break;
            }
        }
        if (eq == std::string_view::npos)
            return make_error(
                ErrorCode::ParseError,
                fmt::format("\"{}\": expected PATH=VALUE (an empty value is written PATH=)",
                            argument));
        path_text = argument.substr(0, eq);
        edit.value = std::string(argument.substr(eq + 1));
    }
    auto path = TagPath::parse(path_text);
    if (!path) return Unexpected(path.error());
    edit.path = std::move(*path);
    return edit;
}

std::string to_string(const Change& c) {
    switch (c.kind) {
        case Change::Kind::Changed:
            return fmt::format("{}: {} -> {}", c.path, c.old_value, c.new_value);
        case Change::Kind::Inserted:
            return fmt::format("{}: inserted {}", c.path, c.new_value);
        case Change::Kind::Deleted:
            return fmt::format("{}: deleted {}", c.path, c.old_value);
    }
    return c.path;
}

std::string display_value(const Element& e, const SpecificCharacterSet* cs, std::size_t max) {
    auto clip = [max](std::string s) {
        if (s.size() > max) {
            std::size_t n = max;
            while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
                --n;  // whole UTF-8 characters
            s.resize(n);
            s += "...";
        }
        return s;
    };
    if (e.is_sequence()) return fmt::format("(sequence, {} items)", e.sequence().items.size());
    if (e.is_fragments())
        return fmt::format("(encapsulated, {} fragments)", e.fragments().fragments.size());
    if (e.is_deferred()) return fmt::format("({} bytes)", e.deferred().length);
    if (is_string(e.vr())) {
        auto raw = trim_padding(
            std::string_view(reinterpret_cast<const char*>(e.bytes().data()), e.bytes().size()));
        std::string text(raw);
        if (cs && !is_ascii(raw))
            if (auto d = cs->decode(raw, e.vr(), true)) text = *d;
        return clip("[" + text + "]");
    }
    std::string out;
    auto join = [&](auto values) {
        if (!values) return false;
        for (std::size_t i = 0; i < values->size(); ++i) {
            if (i) out += '\\';
            out += fmt::format("{}", (*values)[i]);
            if (out.size() > max) break;
        }
        return true;
    };
    switch (e.vr()) {
        case VR::US:
        case VR::UL:
            join(e.numbers<std::uint32_t>());
            break;
        case VR::SS:
        case VR::SL:
            join(e.numbers<std::int32_t>());
            break;
        case VR::SV:
        case VR::UV:
            join(e.numbers<std::int64_t>());
            break;
        case VR::FL:
        case VR::FD:
            join(e.numbers<double>());
            break;
        case VR::AT:
            for (std::size_t i = 0; i < e.vm(); ++i) {
                auto t = e.tag_value(i);
                if (!t) break;
                if (i) out += '\\';
                out += t->str();
            }
            break;
        default:
            return fmt::format("({} bytes)", e.length());
    }
    return clip(out);
}

// ---- UIDs --------------------------------------------------------------------------------------

std::string generate_uid() {
    thread_local std::mt19937_64 rng([] {
        std::random_device rd;
        std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
        return std::mt19937_64(seq);
    }());
    // 128 random bits as a decimal number (PS3.5 B.2: 2.25.<UUID as integer>).
    std::uint64_t hi = rng(), lo = rng();
    hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x4000ull;              // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // variant 1
    std::array<std::uint32_t, 4> words{
        static_cast<std::uint32_t>(hi >> 32), static_cast<std::uint32_t>(hi),
        static_cast<std::uint32_t>(lo >> 32), static_cast<std::uint32_t>(lo)};
    std::string digits;
    while (std::any_of(words.begin(), words.end(), [](std::uint32_t w) { return w != 0; })) {
        std::uint64_t rem = 0;
        for (auto& w : words) {
            std::uint64_t cur = (rem << 32) | w;
            w = static_cast<std::uint32_t>(cur / 10);
            rem = cur % 10;
        }
        digits.push_back(static_cast<char>('0' + rem));
    }
    std::reverse(digits.begin(), digits.end());
    return "2.25." + digits;
}

void UidMap::collect(const DataSet& ds) {
    static constexpr std::array<Tag, 4> kIdentifying{Tag{0x0008, 0x0018}, Tag{0x0020, 0x000D},
                                                     Tag{0x0020, 0x000E}, Tag{0x0020, 0x0052}};
    for (Tag t : kIdentifying) {
        const Element* e = ds.find(t);
        if (!e || !e->is_bytes()) continue;
        auto v = e->string_value();
        if (!v || trim_spaces(*v).empty()) continue;
        map(trim_spaces(*v));
    }
}

std::string UidMap::map(std::string_view old) {
    std::lock_guard lock(mutex_);
    auto it = map_.find(std::string(old));
    if (it != map_.end()) return it->second;
    std::string fresh = generate_uid();
    map_.emplace(std::string(old), fresh);
    return fresh;
}

std::optional<std::string> UidMap::find(std::string_view old) const {
    std::lock_guard lock(mutex_);
    auto it = map_.find(std::string(old));
    if (it == map_.end()) return std::nullopt;
    return it->second;
}

std::size_t UidMap::size() const {
    std::lock_guard lock(mutex_);
    return map_.size();
}

namespace {
void apply_uids(const UidMap& map, DataSet& ds, const std::string& prefix,
                std::vector<Change>* changes) {
    for (Element& e : ds) {
        if (e.is_sequence()) {
            auto& items = e.sequence().items;
            for (std::size_t k = 0; k < items.size(); ++k)
                apply_uids(map, items[k], fmt::format("{}{}[{}].", prefix, e.tag().str(), k),
                           changes);
            continue;
        }
        if (e.vr() != VR::UI || !e.is_bytes() || e.length() == 0) continue;
        auto values = e.strings();
        if (!values) continue;
        std::vector<std::string> out;
        bool any = false;
        for (std::string_view v : *values) {
            auto fresh = map.find(v);
            any = any || fresh.has_value();
            out.emplace_back(fresh ? *fresh : std::string(v));
        }
        if (!any) continue;
        Element next = Element::from_strings(e.tag(), VR::UI, out);
        if (changes)
            changes->push_back({Change::Kind::Changed, prefix + e.tag().str(), display_value(e),
                                display_value(next)});
        e = std::move(next);
    }
}
}  // namespace

void UidMap::apply(DataSet& ds, std::vector<Change>* changes) const {
    apply_uids(*this, ds, "", changes);
}

// ---- modify ------------------------------------------------------------------------------------

Result<std::vector<Change>> modify(DataSet& ds, const ModifyOptions& options) {
    std::vector<Change> changes;
    if (options.unique) options.unique->apply(ds, &changes);
    SpecificCharacterSet none;
    if (options.erase_private)
        erase_where(
            ds, "", [](const DataSet&, Tag t) { return t.is_private(); }, none, changes);
    if (!options.erase_groups.empty())
        erase_where(
            ds, "",
            [&](const DataSet&, Tag t) {
                return std::find(options.erase_groups.begin(), options.erase_groups.end(),
                                 t.group) != options.erase_groups.end();
            },
            none, changes);
    // Specific Character Set first: the values set after it are encoded in it.
    auto is_charset = [](const Edit& e) {
        return (e.op == EditOp::Set || e.op == EditOp::Modify) && e.path.steps().size() == 1 &&
               e.path.last().tag == kSpecificCharacterSet && !e.path.last().by_creator();
    };
    for (int pass = 0; pass < 2; ++pass)
        for (const Edit& edit : options.edits) {
            if (is_charset(edit) != (pass == 0)) continue;
            if (auto ok = apply_edit(ds, edit, options, changes); !ok)
                return Unexpected(ok.error());
        }
    return changes;
}

}  // namespace dicomkit::deid
