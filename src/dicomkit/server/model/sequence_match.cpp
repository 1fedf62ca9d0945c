// Matching outside SQL: one attribute's values against a condition (PS3.4 C.2.2.2.1-5), and
// sequence matching (C.2.2.2.6) over the items of an entity's sequence.
#include <algorithm>

#include <dicomkit/core/charset.hpp>
#include <dicomkit/server/model/query.hpp>
#include <dicomkit/server/model/text.hpp>

namespace dicomkit::server::model {

namespace {

/// The index keeps text in UTF-8 (sql/attributes), so items are read as such.
const SpecificCharacterSet& utf8() {
    static const SpecificCharacterSet cs = SpecificCharacterSet::lenient_parse("ISO_IR 192");
    return cs;
}

bool one_value_matches(ValueKind kind, Match match, const std::vector<std::string>& wanted, const std::string& v) {
    const bool fold = kind == ValueKind::PersonName;
    switch (match) {
        case Match::Universal: return true;
        case Match::Single: return fold ? upper_ascii(v) == upper_ascii(wanted[0]) : v == wanted[0];
        case Match::List: return std::find(wanted.begin(), wanted.end(), v) != wanted.end();
        case Match::Wildcard: return wildcard_match(wanted[0], v, fold);
        case Match::Range:
            if (v.empty()) return false;
            if (!wanted[0].empty() && v < wanted[0]) return false;
            // As in SQL (sql/find.cpp): a time's upper end includes everything it is a prefix of.
            if (!wanted[1].empty())
                return kind == ValueKind::Time ? v < wanted[1] + "~" : v <= wanted[1];
            return true;
    }
    return false;
}

bool item_matches(const std::vector<ItemKey>& keys, const DataSet& item);

/// The items of `seq` that match `keys` (all when none is matching), each reduced to the keys.
std::vector<DataSet> matching_items(const std::vector<ItemKey>& keys, const Element* seq);

bool key_matches(const ItemKey& k, const DataSet& item) {
    const Element* e = item.find(k.key.tag);
    if (k.sequence) {
        if (!any_matching(k.item)) return true;
        if (!e || !e->is_sequence()) return false;
        const auto& items = e->sequence().items;
        return std::any_of(items.begin(), items.end(), [&](const DataSet& x) { return item_matches(k.item, x); });
    }
    if (k.match == Match::Universal) return true;
    if (!e) return false;
    return values_match(k.key.kind, k.match, k.values, decoded_values(*e, utf8()));
}

bool item_matches(const std::vector<ItemKey>& keys, const DataSet& item) {
    return std::all_of(keys.begin(), keys.end(), [&](const ItemKey& k) { return key_matches(k, item); });
}

/// An item with only the requested keys; nested sequence keys with item keys reduced likewise.
DataSet reduce(const std::vector<ItemKey>& keys, const DataSet& item) {
    DataSet out;
    for (const ItemKey& k : keys) {
        const Element* e = item.find(k.key.tag);
        if (!e) {
            out.set(empty_return_key(k.key.tag));
        } else if (k.sequence && !k.item.empty() && e->is_sequence()) {
            out.set(Element(k.key.tag, VR::SQ, Sequence(matching_items(k.item, e))));
        } else {
            out.set(*e);
        }
    }
    return out;
}

std::vector<DataSet> matching_items(const std::vector<ItemKey>& keys, const Element* seq) {
    std::vector<DataSet> out;
    if (!seq || !seq->is_sequence()) return out;
    for (const DataSet& item : seq->sequence().items)
        if (item_matches(keys, item)) out.push_back(reduce(keys, item));
    return out;
}

}  // namespace

bool values_match(ValueKind kind, Match match, const std::vector<std::string>& wanted,
                  const std::vector<std::string>& values) {
    if (match == Match::Universal) return true;
    return std::any_of(values.begin(), values.end(),
                       [&](const std::string& v) { return one_value_matches(kind, match, wanted, v); });
}

std::optional<Element> match_sequence(const SequenceCondition& c, const Element* entity_sequence) {
    std::vector<DataSet> items = matching_items(c.item, entity_sequence);
    if (c.matching && items.empty()) return std::nullopt;
    return Element(c.tag, VR::SQ, Sequence(std::move(items)));
}

}  // namespace dicomkit::server::model
