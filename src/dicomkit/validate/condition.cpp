// Condition evaluation: each term kind of the tables, on the current item, its parent or the root.
#include <dicomkit/validate/condition.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace dicomkit::validate {

namespace {

using tables::Term;
using tables::TermKind;

const Element* find(const DataSet* ds, std::uint32_t tag) {
    return ds ? ds->find(Tag(tag)) : nullptr;
}

bool has_items(const Element* e) {
    return e && e->is_sequence() && !e->sequence().items.empty();
}

std::size_t item_count(const Element* e) {
    return e && e->is_sequence() ? e->sequence().items.size() : 0;
}

/// The string values of `e` (trimmed), when it has a string VR and its value was read.
bool string_match(const Element* e, int selector, std::string_view text) {
    if (!e || !e->is_bytes()) return false;
    if (!is_string(e->vr())) {
        // Numbers compared as text (dicom3tools compares the formatted value).
        auto nums = e->numbers<double>();
        if (!nums) return false;
        for (std::size_t i = 0; i < nums->size(); ++i) {
            if (selector >= 0 && static_cast<std::size_t>(selector) != i) continue;
            std::string s = std::to_string(static_cast<long long>((*nums)[i]));
            if (s == text) return true;
        }
        return false;
    }
    auto values = e->strings();
    if (!values) return false;
    for (std::size_t i = 0; i < values->size(); ++i) {
        if (selector >= 0 && static_cast<std::size_t>(selector) != i) continue;
        if (trim_spaces((*values)[i]) == text) return true;
    }
    return false;
}

bool compare(double v, std::uint8_t cmp, double ref) {
    switch (cmp) {
    case tables::CmpEq: return v == ref;
    case tables::CmpNe: return v != ref;
    case tables::CmpLt: return v < ref;
    case tables::CmpLe: return v <= ref;
    case tables::CmpGt: return v > ref;
    case tables::CmpGe: return v >= ref;
    default: return false;
    }
}

bool binary_match(const Element* e, int selector, std::uint8_t cmp, double ref) {
    if (!e || !e->is_bytes() || e->length() == 0) return false;
    auto nums = e->numbers<double>();
    if (!nums) return false;
    for (std::size_t i = 0; i < nums->size(); ++i) {
        if (selector >= 0 && static_cast<std::size_t>(selector) != i) continue;
        if (compare((*nums)[i], cmp, ref)) return true;
    }
    return false;
}

bool tag_match(const Element* e, int selector, std::uint32_t want) {
    if (!e || !e->is_bytes() || e->vr() != VR::AT) return false;
    std::size_t n = e->length() / 4;
    for (std::size_t i = 0; i < n; ++i) {
        if (selector >= 0 && static_cast<std::size_t>(selector) != i) continue;
        auto t = e->tag_value(i);
        if (t && t->value() == want) return true;
    }
    return false;
}

/// Any element whose tag matches `tag` under `mask` (repeating groups: 60xx, 50xx).
bool present_masked(const DataSet* ds, std::uint32_t tag, std::uint32_t mask) {
    if (!ds) return false;
    for (const Element& e : *ds)
        if ((e.tag().value() & mask) == (tag & mask)) return true;
    return false;
}

bool group_present(const DataSet* ds, std::uint32_t tag, std::uint32_t group_mask) {
    if (!ds) return false;
    std::uint16_t g = static_cast<std::uint16_t>(tag >> 16);
    for (const Element& e : *ds)
        if ((e.tag().group & group_mask) == (g & group_mask)) return true;
    return false;
}

/// The element anywhere in an item and the items nested in it (a path down from a root
/// sequence, as functional groups nest their macros' sequences); with `items`, a sequence with items.
bool in_subtree(const DataSet& ds, std::uint32_t tag, bool items, int depth) {
    if (depth > 16) return false;
    if (const Element* e = ds.find(Tag(tag)); e && (!items || has_items(e))) return true;
    for (const Element& e : ds)
        if (e.is_sequence())
            for (const DataSet& item : e.sequence().items)
                if (in_subtree(item, tag, items, depth + 1)) return true;
    return false;
}

const DataSet* parent_of(const Scope& s) { return s.parent ? s.parent->current : nullptr; }

/// The root data set, or the File Meta Information for a group 0002 tag.
const DataSet* root_for(const Scope& s, std::uint32_t tag) {
    return (tag >> 16) == 0x0002 && s.meta ? s.meta : s.root;
}

}  // namespace

bool evaluate_term(const Term& t, const Scope& s) {
    const DataSet* cur = s.current == s.root ? root_for(s, t.tag) : s.current;
    switch (t.kind) {
    case TermKind::ElementPresent: return find(cur, t.tag) != nullptr;
    case TermKind::ElementPresentMasked: return present_masked(cur, t.tag, t.aux);
    case TermKind::ValuePresent: {
        const Element* e = find(cur, t.tag);
        if (!e) return false;
        if (e->is_sequence()) return !e->sequence().items.empty();
        std::size_t vm = e->vm();
        return t.selector < 0 ? vm > 0 : vm > static_cast<std::size_t>(t.selector);
    }
    case TermKind::ElementPresentAbove:
        for (const Scope* p = s.parent; p; p = p->parent)
            if (find(p->current, t.tag)) return true;
        return false;
    case TermKind::ElementPresentWithin:
    case TermKind::StringValueMatchWithin: {
        const Element* seq = find(cur, t.aux);
        if (!seq || !seq->is_sequence()) return false;
        for (const DataSet& item : seq->sequence().items) {
            const Element* e = item.find(Tag(t.tag));
            if (t.kind == TermKind::ElementPresentWithin ? e != nullptr : string_match(e, t.selector, t.text))
                return true;
        }
        return false;
    }
    case TermKind::ElementPresentInPathFromRoot:
    case TermKind::SequencePresentInPathFromRootHasItems: {
        const Element* seq = find(s.root, t.aux);
        if (!seq || !seq->is_sequence()) return false;
        bool items = t.kind == TermKind::SequencePresentInPathFromRootHasItems;
        for (const DataSet& item : seq->sequence().items)
            if (in_subtree(item, t.tag, items, 0)) return true;
        return false;
    }
    case TermKind::ElementPresentInPathFromRootFirstItem:
    case TermKind::SequencePresentInPathFromRootFirstItemHasItems: {
        const Element* seq = find(s.root, t.aux);
        if (!has_items(seq)) return false;
        return in_subtree(seq->sequence().items.front(), t.tag,
                          t.kind == TermKind::SequencePresentInPathFromRootFirstItemHasItems, 0);
    }
    case TermKind::ElementPresentInRoot: return find(root_for(s, t.tag), t.tag) != nullptr;
    case TermKind::GroupPresent: return group_present(cur, t.tag, t.aux);
    case TermKind::StringValueMatch: return string_match(find(cur, t.tag), t.selector, t.text);
    case TermKind::StringValueMatchRoot: return string_match(find(root_for(s, t.tag), t.tag), t.selector, t.text);
    case TermKind::StringValueMatchAbove: return string_match(find(parent_of(s), t.tag), t.selector, t.text);
    case TermKind::BinaryValueMatch: return binary_match(find(cur, t.tag), t.selector, t.cmp, t.number);
    case TermKind::BinaryValueMatchRoot: return binary_match(find(root_for(s, t.tag), t.tag), t.selector, t.cmp, t.number);
    case TermKind::TagValueMatch: return tag_match(find(cur, t.tag), t.selector, t.aux);
    case TermKind::TagValueMatchRoot: return tag_match(find(root_for(s, t.tag), t.tag), t.selector, t.aux);
    case TermKind::SequenceHasItems: return item_count(find(cur, t.tag)) > 0;
    case TermKind::SequenceHasOneItem: return item_count(find(cur, t.tag)) == 1;
    case TermKind::SequenceHasTwoItems: return item_count(find(cur, t.tag)) == 2;
    case TermKind::SequenceHasMultipleItems: return item_count(find(cur, t.tag)) > 1;
    case TermKind::Open:
    case TermKind::Close: return false;
    }
    return false;
}

namespace {

bool combine(bool acc, std::uint8_t op, bool v) {
    switch (op) {
    case tables::OpAnd: return acc && v;
    case tables::OpXor: return acc != v;
    default: return acc || v;
    }
}

}  // namespace

bool evaluate_terms(std::span<const Term> terms, const Scope& scope) {
    // A stack of partial results, one per open group; conditions nest at most a few levels.
    bool stack[16] = {};
    std::size_t depth = 0;
    for (const Term& t : terms) {
        if (t.kind == TermKind::Open) {
            if (depth + 1 < std::size(stack)) stack[++depth] = false;
            continue;
        }
        if (t.kind == TermKind::Close) {
            if (depth == 0) continue;
            bool inner = stack[depth--];
            stack[depth] = combine(stack[depth], t.op, t.negate ? !inner : inner);
            continue;
        }
        bool v = evaluate_term(t, scope);
        stack[depth] = combine(stack[depth], t.op, t.negate ? !v : v);
    }
    return stack[0];
}

bool evaluate_condition(std::uint16_t index, const Scope& scope) {
    if (index == tables::kNoCondition || index == tables::kAlways) return true;
    if (index == tables::kNever) return false;
    auto conds = tables::conditions();
    if (index >= conds.size()) return true;
    const tables::Condition& c = conds[index];
    return evaluate_terms(tables::terms().subspan(c.first, c.count), scope);
}

std::uint16_t find_condition(std::string_view name) noexcept {
    if (name == "Never") return tables::kNever;
    if (name == "Always") return tables::kAlways;
    auto conds = tables::conditions();
    for (std::size_t i = 0; i < conds.size(); ++i)
        if (conds[i].name == name) return static_cast<std::uint16_t>(i);
    return tables::kNoCondition;
}

}  // namespace dicomkit::validate
