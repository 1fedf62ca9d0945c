// Query/Retrieve queries as data: levels, information models, the C-FIND keys the server knows and
// the matching requested for each (PS3.4 C.2.2.2, C.6.1, C.6.2), independent of any index backend.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/core/tag.hpp>

namespace dicomkit::server::model {

/// PS3.4 C.6: Query/Retrieve Level (0008,0052).
enum class Level { Patient = 0, Study = 1, Series = 2, Image = 3 };
/// PS3.4 C.6.1 Patient Root and C.6.2 Study Root information models.
enum class Root { Patient, Study };

[[nodiscard]] std::string_view to_string(Level l) noexcept;
[[nodiscard]] std::optional<Level> parse_level(std::string_view text) noexcept;

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

/// A parsed C-FIND identifier.
struct Query {
    Root root = Root::Study;
    Level level = Level::Study;
    std::vector<Condition> conditions;  ///< keys matched (not Universal)
    std::vector<Tag> return_keys;       ///< every key of the identifier, in order (but 0008,0005/0052)
};

/// The level a key has in `root` (Study Root puts the patient keys at the study level).
[[nodiscard]] Level key_level(const KeyInfo& k, Root root) noexcept;

/// Parses an identifier: decodes its text with its Specific Character Set, classifies each key's
/// matching, and checks the hierarchy (PS3.4 C.4.1.2.1: keys above the level must be the unique
/// keys; keys below it are returned with zero length, not matched). Errors are InvalidValue with the reason.
[[nodiscard]] Result<Query> parse_query(Root root, const DataSet& identifier);

/// PS3.4 C.2.2.2.4: whether `value` matches the wild card `pattern` ('*' any run, '?' one
/// character, counted in UTF-8 code points); `fold_case` compares ASCII letters case-insensitively.
[[nodiscard]] bool wildcard_match(std::string_view pattern, std::string_view value, bool fold_case) noexcept;
/// ASCII upper case: the form person names are compared in.
[[nodiscard]] std::string upper_ascii(std::string_view s);

}  // namespace dicomkit::server::model
