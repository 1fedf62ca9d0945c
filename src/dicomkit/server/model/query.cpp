// Query parsing and the matching rules that do not depend on a backend (PS3.4 C.2.2.2, C.6).
#include <dicomkit/server/model/query.hpp>

#include <algorithm>
#include <array>

#include <dicomkit/core/charset.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/model/entity_level.hpp>
#include <dicomkit/server/model/text.hpp>

namespace dicomkit::server::model {

namespace {

using enum Level;
using enum ValueKind;

/// PS3.4 C.6.1.1.2-5 (Patient Root): the keys the index keeps, per level.
constexpr std::array kKeys{
    KeyInfo{tags::PatientID, Patient, Text, true},
    KeyInfo{tags::PatientName, Patient, PersonName},
    KeyInfo{tags::PatientBirthDate, Patient, Date},
    KeyInfo{tags::PatientSex, Patient, Text},
    KeyInfo{tags::NumberOfPatientRelatedStudies, Patient, Count},
    KeyInfo{tags::NumberOfPatientRelatedSeries, Patient, Count},
    KeyInfo{tags::NumberOfPatientRelatedInstances, Patient, Count},
    KeyInfo{tags::StudyInstanceUID, Study, Uid, true},
    KeyInfo{tags::StudyDate, Study, Date},
    KeyInfo{tags::StudyTime, Study, Time},
    KeyInfo{tags::AccessionNumber, Study, Text},
    KeyInfo{tags::StudyID, Study, Text},
    KeyInfo{tags::StudyDescription, Study, Text},
    KeyInfo{tags::ReferringPhysicianName, Study, PersonName},
    KeyInfo{tags::ModalitiesInStudy, Study, Modalities},
    KeyInfo{tags::SOPClassesInStudy, Study, SopClasses},
    KeyInfo{tags::NumberOfStudyRelatedSeries, Study, Count},
    KeyInfo{tags::NumberOfStudyRelatedInstances, Study, Count},
    KeyInfo{tags::SeriesInstanceUID, Series, Uid, true},
    KeyInfo{tags::Modality, Series, Text},
    KeyInfo{tags::SeriesNumber, Series, Number},
    KeyInfo{tags::SeriesDescription, Series, Text},
    KeyInfo{tags::NumberOfSeriesRelatedInstances, Series, Count},
    KeyInfo{tags::SOPInstanceUID, Image, Uid, true},
    KeyInfo{tags::SOPClassUID, Image, Uid},
    KeyInfo{tags::InstanceNumber, Image, Number},
    KeyInfo{tags::AvailableTransferSyntaxUID, Image, Uid},
};

bool has_wildcard(std::string_view v) { return v.find_first_of("*?") != std::string_view::npos; }

/// PS3.4 C.2.2.2: which matching a (decoded) key value asks for.
Result<Condition> classify(const KeyInfo& key, std::vector<std::string> values) {
    Condition c{&key, Match::Universal, {}};
    if (values.empty() || (values.size() == 1 && values[0].empty())) return c;
    if (key.kind == Count) return c;  // returned, never matched
    if (values.size() > 1) {
        if (key.kind != Uid && key.kind != Modalities && key.kind != SopClasses)
            return make_error(ErrorCode::InvalidValue, "several values for a key that takes one");
        c.match = Match::List;
        c.values = std::move(values);
        return c;
    }
    std::string v = std::move(values[0]);
    const bool dated = key.kind == Date || key.kind == Time;
    if (dated && v.find('-') != std::string::npos) {
        const auto dash = v.find('-');
        c.match = Match::Range;
        c.values = {v.substr(0, dash), v.substr(dash + 1)};
        if (c.values[0].empty() && c.values[1].empty())
            return make_error(ErrorCode::InvalidValue, "range with neither end");
        return c;
    }
    if (key.kind != Uid && key.kind != SopClasses && has_wildcard(v)) {
        if (std::all_of(v.begin(), v.end(), [](char ch) { return ch == '*'; })) return c;  // C.2.2.2.4
        c.match = Match::Wildcard;
    } else {
        c.match = Match::Single;
    }
    c.values = {std::move(v)};
    return c;
}

/// The matching an item key's VR implies (PS3.4 C.2.2.2): PN person names, DA dates, TM and DT
/// ranges whose upper end includes what it is a prefix of, UI UIDs, other strings as text.
ValueKind kind_of(VR vr) {
    switch (vr) {
        case VR::PN: return PersonName;
        case VR::DA: return Date;
        case VR::TM:
        case VR::DT: return Time;
        case VR::UI: return Uid;
        default: return Text;
    }
}

/// The VR of an identifier element: its own, or the dictionary's when the element was read
/// without one (UN).
VR vr_of(const Element& e) {
    if (e.vr() != VR::UN) return e.vr();
    const auto* info = dict::find(e.tag());
    return info ? info->vr() : VR::UN;
}

bool is_sequence_key(const Element& e) { return e.is_sequence() || vr_of(e) == VR::SQ; }

constexpr int kMaxItemDepth = 4;

Result<std::vector<ItemKey>> parse_item(const Element& e, const SpecificCharacterSet& cs, int depth);

/// One key of a sequence key's item.
Result<ItemKey> parse_item_key(const Element& e, const SpecificCharacterSet& cs, int depth) {
    ItemKey k;
    k.key = KeyInfo{e.tag(), Image, kind_of(vr_of(e))};
    if (is_sequence_key(e)) {
        k.sequence = true;
        auto item = parse_item(e, cs, depth + 1);
        if (!item) return tl::unexpected(item.error());
        k.item = std::move(*item);
        return k;
    }
    if (!is_string(vr_of(e))) return k;  // binary values: returned, not matched
    auto c = classify(k.key, decoded_values(e, cs));
    if (!c) return tl::unexpected(std::move(c.error()).at_tag(e.tag().str()));
    k.match = c->match;
    k.values = std::move(c->values);
    return k;
}

/// PS3.4 C.2.2.2.6: the keys of a sequence key's single item; none for a zero-length sequence or
/// an empty item.
Result<std::vector<ItemKey>> parse_item(const Element& e, const SpecificCharacterSet& cs, int depth) {
    std::vector<ItemKey> keys;
    if (!e.is_sequence() || e.sequence().items.empty()) return keys;
    if (depth > kMaxItemDepth)
        return tl::unexpected(Error(ErrorCode::InvalidValue, "sequence keys nested too deep").at_tag(e.tag().str()));
    if (e.sequence().items.size() > 1)
        return tl::unexpected(
            Error(ErrorCode::InvalidValue, "a sequence key has one item (PS3.4 C.2.2.2.6)").at_tag(e.tag().str()));
    for (const Element& x : e.sequence().items.front()) {
        if (x.tag().is_group_length() || x.tag() == tags::SpecificCharacterSet) continue;
        auto k = parse_item_key(x, cs, depth);
        if (!k) return tl::unexpected(std::move(k.error()).at_tag(e.tag().str()));
        keys.push_back(std::move(*k));
    }
    return keys;
}

/// PS3.4 C.4.1.2.1: above the query level only unique keys, with one value (or a UID list).
Result<void> check_hierarchy(const Query& q) {
    const Level top = q.root == Root::Patient ? Patient : Study;
    for (int l = static_cast<int>(top); l < static_cast<int>(q.level); ++l) {
        const auto level = static_cast<Level>(l);
        const auto it = std::find_if(q.conditions.begin(), q.conditions.end(), [&](const Condition& c) {
            return c.key->unique && key_level(*c.key, q.root) == level;
        });
        if (it == q.conditions.end() || (it->match != Match::Single && it->match != Match::List))
            return make_error(ErrorCode::InvalidValue,
                              std::string("the unique key of level ") + std::string(to_string(level)) +
                                  " is required for a " + std::string(to_string(q.level)) + " query");
    }
    return {};
}

}  // namespace

std::string_view to_string(Level l) noexcept {
    switch (l) {
        case Patient: return "PATIENT";
        case Study: return "STUDY";
        case Series: return "SERIES";
        case Image: return "IMAGE";
    }
    return "?";
}

Tag unique_key(Level l) noexcept {
    switch (l) {
        case Patient: return tags::PatientID;
        case Study: return tags::StudyInstanceUID;
        case Series: return tags::SeriesInstanceUID;
        case Image: return tags::SOPInstanceUID;
    }
    return tags::SOPInstanceUID;
}

std::optional<Level> parse_level(std::string_view t) noexcept {
    while (!t.empty() && (t.back() == ' ' || t.back() == '\0')) t.remove_suffix(1);
    for (Level l : {Patient, Study, Series, Image})
        if (t == to_string(l)) return l;
    return std::nullopt;
}

std::span<const KeyInfo> known_keys() noexcept { return kKeys; }

const KeyInfo* find_key(Tag tag) noexcept {
    for (const KeyInfo& k : kKeys)
        if (k.tag == tag) return &k;
    return nullptr;
}

Level level_in_root(Level l, Root root) noexcept { return root == Root::Study && l == Patient ? Study : l; }

bool any_matching(const std::vector<ItemKey>& keys) {
    return std::any_of(keys.begin(), keys.end(), [](const ItemKey& k) {
        return k.sequence ? any_matching(k.item) : k.match != Match::Universal;
    });
}

Element empty_return_key(Tag t) {
    const auto* info = dict::find(t);
    const VR vr = info ? info->vr() : VR::UN;
    if (vr == VR::SQ) return Element(t, VR::SQ, Sequence{});
    return Element::from_bytes(t, vr, {});
}

Result<Query> parse_query(Root root, const DataSet& identifier, ParseOptions options) {
    Query q;
    q.root = root;
    q.relational = options.relational;
    const auto level = parse_level(identifier.string_or(tags::QueryRetrieveLevel));
    if (!level) return make_error(ErrorCode::InvalidValue, "Query/Retrieve Level (0008,0052) missing or unknown");
    if (root == Root::Study && *level == Patient)
        return make_error(ErrorCode::InvalidValue, "the Study Root model has no PATIENT level");
    q.level = *level;
    const auto charset = SpecificCharacterSet::lenient_parse(identifier.string_or(tags::SpecificCharacterSet));
    for (const Element& e : identifier) {
        const Tag t = e.tag();
        if (t == tags::SpecificCharacterSet || t == tags::QueryRetrieveLevel || t.group == 0x0000 ||
            t.group == 0x0002)
            continue;
        q.return_keys.push_back(t);
        const KeyInfo* key = find_key(t);
        if (!key && is_sequence_key(e)) {
            const Level l = entity_level(t);
            const Level in_root = level_in_root(l, root);
            // Below the level: returned empty. Above it, hierarchical: returned, not matched.
            if (t.is_private() || in_root > q.level || (in_root < q.level && !q.relational)) continue;
            auto item = parse_item(e, charset, 1);
            if (!item) return tl::unexpected(item.error());
            if (item->empty()) continue;  // universal: the whole sequence is returned
            SequenceCondition c{t, l, std::move(*item)};
            c.matching = any_matching(c.item);
            q.sequences.push_back(std::move(c));
            continue;
        }
        if (!key) continue;
        if (key_level(*key, root) > q.level) continue;  // below the level: returned empty
        auto c = classify(*key, decoded_values(e, charset));
        if (!c) return tl::unexpected(std::move(c.error()).at_tag(t.str()));
        if (c->match != Match::Universal) q.conditions.push_back(std::move(*c));
    }
    if (q.relational) return q;  // C.4.1.3.2: every key at or above the level is matched
    if (auto h = check_hierarchy(q); !h) return tl::unexpected(h.error());
    // Keys above the level other than the unique keys are returned, not matched (C.4.1.2.1).
    std::erase_if(q.conditions, [&](const Condition& c) {
        const Level kl = key_level(*c.key, root);
        return kl < q.level && !c.key->unique;
    });
    return q;
}

std::string upper_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return out;
}

bool wildcard_match(std::string_view p, std::string_view v, bool fold) noexcept {
    auto eq = [fold](char a, char b) {
        if (fold) {
            if (a >= 'a' && a <= 'z') a = static_cast<char>(a - 'a' + 'A');
            if (b >= 'a' && b <= 'z') b = static_cast<char>(b - 'a' + 'A');
        }
        return a == b;
    };
    auto cp_len = [](std::string_view s, std::size_t i) -> std::size_t {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        return std::min(n, s.size() - i);
    };
    std::size_t pi = 0, vi = 0, star_p = std::string_view::npos, star_v = 0;
    while (vi < v.size()) {
        if (pi < p.size() && p[pi] == '*') {
            star_p = pi++;
            star_v = vi;
        } else if (pi < p.size() && p[pi] == '?') {
            ++pi;
            vi += cp_len(v, vi);
        } else if (pi < p.size() && eq(p[pi], v[vi])) {
            ++pi;
            ++vi;
        } else if (star_p != std::string_view::npos) {
            pi = star_p + 1;
            star_v += cp_len(v, star_v);
            vi = star_v;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

}  // namespace dicomkit::server::model

namespace dicomkit::server::model {

Result<std::vector<ItemKey>> parse_item_keys(const DataSet& keys, const SpecificCharacterSet& charset) {
    Element wrapper(Tag(0xFFFE, 0xE000), VR::SQ, Sequence{{keys}});
    return parse_item(wrapper, charset, 1);
}

}  // namespace dicomkit::server::model
