// The IOD, module, condition and value-set tables of the validator, generated from dicom3tools'
// templates of the standard (generated/, by tools/gen_validate_tables.py).
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <string_view>

namespace dicomkit::validate::tables {

/// A string of the tables: its place in one character array (generated/text.cpp). The tables
/// hold no pointers, so the loader has nothing to relocate in them at start-up and they stay in
/// read-only pages that are only read in when validation uses them.
struct Text {
    std::uint32_t offset = 0;
    std::uint32_t size = 0;

    [[nodiscard]] std::string_view view() const noexcept;
    operator std::string_view() const noexcept { return view(); }
    [[nodiscard]] bool empty() const noexcept { return size == 0; }
    friend bool operator==(const Text& a, std::string_view b) noexcept { return a.view() == b; }
    friend auto operator<=>(const Text& a, std::string_view b) noexcept { return a.view() <=> b; }
    friend bool operator==(const Text& a, const Text& b) noexcept { return a.view() == b.view(); }
    friend auto operator<=>(const Text& a, const Text& b) noexcept { return a.view() <=> b.view(); }
};

/// One predicate of a condition (dicom3tools condn.tpl): the element's presence, value or items,
/// looked up in the current item, its parent, the root data set, or a sequence of the root.
enum class TermKind : std::uint8_t {
    ElementPresent,                                  ///< in the current data set
    ElementPresentMasked,                            ///< any tag matching tag under mask `aux`
    ValuePresent,                                    ///< present with a value (at `selector`)
    ElementPresentAbove,                             ///< in the parent data set (or above)
    ElementPresentWithin,                            ///< in an item of sequence `aux` of the current data set
    StringValueMatchWithin,                          ///< ... with value `text`
    ElementPresentInPathFromRoot,                    ///< in an item of root sequence `aux`
    SequencePresentInPathFromRootHasItems,           ///< a sequence with items in an item of root sequence `aux`
    ElementPresentInPathFromRootFirstItem,           ///< in the first item of root sequence `aux`
    SequencePresentInPathFromRootFirstItemHasItems,  ///< a sequence with items in that first item
    ElementPresentInRoot,                            ///< in the root data set
    GroupPresent,                                    ///< any element of the tag's group (group mask in `aux`)
    StringValueMatch,                                ///< value (at `selector`, or any) equals `text`
    StringValueMatchRoot,                            ///< ... in the root data set
    StringValueMatchAbove,                           ///< ... in the parent data set
    BinaryValueMatch,                                ///< numeric value compared with `number` by `cmp`
    BinaryValueMatchRoot,
    TagValueMatch,                                   ///< AT value equals `aux`
    TagValueMatchRoot,
    SequenceHasItems,
    SequenceHasOneItem,
    SequenceHasTwoItems,
    SequenceHasMultipleItems,
    Open,   ///< "(": a nested group starts
    Close,  ///< ")": the group ends and is combined by `op`, negated by `negate`
};

/// How a term combines with what came before it: Or (the default), And, Xor.
enum Op : std::uint8_t { OpOr = 0, OpAnd = 1, OpXor = 2 };
/// BinaryValue comparison operators.
enum Cmp : std::uint8_t { CmpEq = 0, CmpNe, CmpLt, CmpLe, CmpGt, CmpGe };

struct Term {
    TermKind kind;
    std::uint8_t op;
    std::uint8_t negate;
    std::int8_t selector;  ///< value index, -1 any value
    std::uint8_t cmp;
    std::uint32_t tag;     ///< 0xFFFFFFFF for a keyword the dictionary did not know
    std::uint32_t aux;
    Text text;
    double number;
};

struct Condition {
    Text name;
    std::uint16_t first;
    std::uint16_t count;
};

/// Condition indexes that are not rows of conditions(): none, Never, Always.
inline constexpr std::uint16_t kNoCondition = 0xFFFF;
inline constexpr std::uint16_t kNever = 0xFFFE;
inline constexpr std::uint16_t kAlways = 0xFFFD;

/// A set of enumerated values or defined terms: strings() (kind 0) or numbers() (1 binary, 2 AT).
struct ValueSet {
    Text name;
    std::uint8_t kind;
    std::uint32_t first;
    std::uint16_t count;
};

enum RowKind : std::uint8_t { RowAttribute = 0, RowSequence = 1, RowInvoke = 2, RowVerify = 3 };
enum AttrType : std::uint8_t { TypeNone = 0, Type1, Type1C, Type2, Type2C, Type3, Type3C };
enum RowFlags : std::uint8_t {
    FlagNoCondition = 1,     ///< 1C/2C whose condition cannot be checked
    FlagMayBePresent = 2,    ///< "may be present otherwise" (mbpo)
    FlagNotZeroError = 4,
    FlagNotZeroWarning = 8,
    FlagThenError = 16,      ///< Verify: the message is an error when the condition holds
    FlagThenWarning = 32,
};
enum ValueSetKind : std::uint8_t { VsNone = 0, VsStringEnum, VsStringDefined, VsBinaryEnum, VsTagEnum, VsBitMap };

/// One line of a module or macro: an attribute, a sequence (its items' rows in body `body`), a
/// macro invoked (body `body`), or a Verify of an attribute's value under a condition.
struct Row {
    std::uint8_t kind;
    std::uint8_t type;
    std::uint8_t flags;
    std::int8_t selector;
    std::uint8_t vs_kind;
    std::uint32_t tag;
    std::uint16_t condition;
    std::uint16_t value_set;
    std::uint16_t body;
    std::uint16_t vm_min;  ///< sequences: items
    std::uint16_t vm_max;  ///< 0xFFFF: n
    Text message;
};

/// A module, macro or sequence body: rows()[first, first + count).
struct Body {
    Text name;
    std::uint32_t first;
    std::uint32_t count;
};

enum Usage : std::uint8_t { UsageM = 0, UsageC = 1, UsageU = 2 };

struct ModuleRef {
    std::uint16_t body;
    std::uint8_t usage;
    std::uint16_t condition;
    Text ie;
};

struct Iod {
    Text name;
    std::uint16_t condition;
    std::uint16_t first_module;
    std::uint16_t module_count;
};

/// SOP Class UID -> iods() index, sorted by UID.
struct SopClassIod {
    Text uid;
    std::uint16_t iod;
};

/// The Text of characters `s` when the tables hold them (alone or inside a longer string), else an
/// empty one (for tests that build terms by hand).
[[nodiscard]] Text find_text(std::string_view s) noexcept;

[[nodiscard]] std::span<const Term> terms() noexcept;
[[nodiscard]] std::span<const Condition> conditions() noexcept;
[[nodiscard]] std::span<const Text> strings() noexcept;
[[nodiscard]] std::span<const std::int64_t> numbers() noexcept;
[[nodiscard]] std::span<const ValueSet> value_sets() noexcept;
[[nodiscard]] std::span<const Row> rows() noexcept;
[[nodiscard]] std::span<const Body> bodies() noexcept;
[[nodiscard]] std::span<const ModuleRef> module_refs() noexcept;
[[nodiscard]] std::span<const Iod> iods() noexcept;
[[nodiscard]] std::span<const SopClassIod> sop_classes() noexcept;

}  // namespace dicomkit::validate::tables
