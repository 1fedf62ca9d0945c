// Query/Retrieve queries as data: levels, information models, the C-FIND keys the server knows and
// the matching requested for each (PS3.4 C.2.2.2, C.6.1, C.6.2), independent of any index backend.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/charset.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/core/tag.hpp>

namespace dicomkit::server::model {

/// PS3.4 C.6: Query/Retrieve Level (0008,0052).
enum class Level { Patient = 0, Study = 1, Series = 2, Image = 3 };
/// PS3.4 C.6.1 Patient Root and C.6.2 Study Root information models.
enum class Root { Patient, Study };

[[nodiscard]] std::string_view to_string(Level l) noexcept;
[[nodiscard]] std::optional<Level> parse_level(std::string_view text) noexcept;
/// PS3.4 C.6.1.1 / C.6.2.1: the unique key of a level (Patient ID, Study, Series or SOP Instance UID).
[[nodiscard]] Tag unique_key(Level l) noexcept;

/// How a key's values are compared (PS3.4 C.2.2.2). Count: returned, never matched; Modalities and
/// SopClasses: a study matches when one of its series' modalities, or of its instances' SOP
/// classes, does (a list of values allowed; SOP classes are UIDs, without wild cards).
enum class ValueKind { Text, PersonName, Date, Time, Uid, Number, Count, Modalities, SopClasses };

/// A key the index materialises: its level in the Patient Root model and how it matches.
struct KeyInfo {
    Tag tag;
    Level level;
    ValueKind kind;
    bool unique = false;  ///< the level's Unique Key (PS3.4 C.6.1.1)
};

/// Every key the index answers; others are returned with zero length.
[[nodiscard]] std::span<const KeyInfo> known_keys() noexcept;
[[nodiscard]] const KeyInfo* find_key(Tag tag) noexcept;

/// PS3.4 C.2.2.2.1-5: the kinds of matching a key value requests.
enum class Match { Universal, Single, List, Wildcard, Range };

/// One key's matching condition; text is UTF-8. Range: values = {low, high}, "" for open.
struct Condition {
    const KeyInfo* key = nullptr;
    Match match = Match::Universal;
    std::vector<std::string> values;
};

/// PS3.4 C.2.2.2.6: one key of a sequence key's item. `key` has the tag and the matching its VR
/// implies (PN person name, DA date, TM and DT time-like ranges, UI UIDs, other strings text);
/// its level is not used. A nested sequence key has `sequence` set and its item's keys in `item`
/// (empty: universal, the whole nested sequence is returned).
struct ItemKey {
    KeyInfo key;
    Match match = Match::Universal;
    std::vector<std::string> values;
    bool sequence = false;
    std::vector<ItemKey> item;
};

/// PS3.4 C.2.2.2.6: a sequence key whose one item has keys. An entity matches when at least one
/// item of its sequence matches all of them; it is returned with the matching items, each holding
/// only the requested keys. When every item key is universal (`matching` false) every entity
/// matches, with all of its items so reduced. A sequence key without item keys (zero length or
/// one empty item) is universal matching and is not a SequenceCondition: the whole sequence is
/// returned.
struct SequenceCondition {
    Tag tag;
    Level level = Level::Image;  ///< the entity level that holds the attribute (entity_level)
    std::vector<ItemKey> item;
    bool matching = false;  ///< some item key (at any depth) is not universal
};

/// A parsed C-FIND identifier.
struct Query {
    Root root = Root::Study;
    Level level = Level::Study;
    std::vector<Condition> conditions;          ///< keys matched (not Universal)
    std::vector<SequenceCondition> sequences;   ///< sequence keys with item keys, at or above the level
    std::vector<Tag> return_keys;               ///< every key of the identifier, in order (but 0008,0005/0052)
    bool relational = false;                    ///< parsed as a relational query
};

/// How an identifier is read.
struct ParseOptions {
    /// PS3.4 C.4.1.2.2, C.4.1.3.2: relational queries (negotiated with SOP Class Extended
    /// Negotiation, C.5.1.1): keys of any level at or above the Query/Retrieve Level are matched,
    /// with any kind of matching, and the unique keys of the levels above may be absent.
    bool relational = false;
};

/// The level an entity level has in `root` (Study Root puts the patient's at the study level).
[[nodiscard]] Level level_in_root(Level l, Root root) noexcept;
/// The level a key has in `root`.
[[nodiscard]] inline Level key_level(const KeyInfo& k, Root root) noexcept { return level_in_root(k.level, root); }

/// A requested key an entity has no value for, as answered: zero length, with the dictionary's
/// VR (an empty sequence for SQ, UN when unknown).
[[nodiscard]] Element empty_return_key(Tag t);

/// Whether some key of a sequence key's item (at any depth) is matching, not universal.
[[nodiscard]] bool any_matching(const std::vector<ItemKey>& keys);

/// Parses an identifier: decodes its text with its Specific Character Set, classifies each key's
/// matching (sequence keys per C.2.2.2.6), and, unless `options.relational`, checks the hierarchy
/// (PS3.4 C.4.1.2.1: keys above the level must be the unique keys, which are matched while the
/// other keys above the level are only returned). Keys below the level are returned with zero
/// length, not matched. Errors are InvalidValue with the reason.
[[nodiscard]] Result<Query> parse_query(Root root, const DataSet& identifier, ParseOptions options = {});

/// The keys of one sequence item (or of a whole identifier treated as one), parsed as
/// parse_query parses a sequence key's item: the matching each key's VR implies.
[[nodiscard]] Result<std::vector<ItemKey>> parse_item_keys(const DataSet& keys, const SpecificCharacterSet& charset);

/// PS3.4 C.2.2.2.1-5 applied to one attribute's values (UTF-8, padding removed): whether they
/// match `match` with `wanted` for a key of `kind`. An empty value matches only universal
/// matching; with several values one of them has to match.
[[nodiscard]] bool values_match(ValueKind kind, Match match, const std::vector<std::string>& wanted,
                                const std::vector<std::string>& values);

/// PS3.4 C.2.2.2.6: `entity_sequence` is the entity's attribute (null when it has none; text in
/// UTF-8). Returns the element to answer with: the items that match all of `c.item` (every item
/// when no key is matching), each with only the requested keys (zero length when the item has
/// not got one; nested sequence keys reduced in the same way); nullopt when `c.matching` and no
/// item matches, i.e. the entity does not match.
[[nodiscard]] std::optional<Element> match_sequence(const SequenceCondition& c, const Element* entity_sequence);

/// PS3.4 C.2.2.2.4: whether `value` matches the wild card `pattern` ('*' any run, '?' one
/// character, counted in UTF-8 code points); `fold_case` compares ASCII letters case-insensitively.
[[nodiscard]] bool wildcard_match(std::string_view pattern, std::string_view value, bool fold_case) noexcept;
/// ASCII upper case: the form person names are compared in.
[[nodiscard]] std::string upper_ascii(std::string_view s);

}  // namespace dicomkit::server::model
