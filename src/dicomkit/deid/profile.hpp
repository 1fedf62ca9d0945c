// The PS3.15 Annex E Basic Application Level Confidentiality Profile and its options as data
// (Table E.1-1, generated into generated/profile_table.cpp by tools/gen_deid_profile.py), and
// how an attribute's action is chosen for a set of options.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/tag.hpp>

namespace dicomkit::deid {

/// The action codes of PS3.15 E.1.1. The combined ones (Z/D, X/Z, X/D, X/Z/D, X/Z/U*) depend on
/// the attribute's type in the IOD; resolve() picks one without the IOD (docs/deid.md).
enum class Action : std::uint8_t {
    None,  ///< no entry in an option column
    D,     ///< replace with a non-zero length dummy value consistent with the VR
    Z,     ///< replace with a zero length value
    X,     ///< remove
    K,     ///< keep (sequences: keep, their items cleaned)
    C,     ///< clean: replace with values of similar meaning known not to identify
    U,     ///< replace UIDs with UIDs consistent within a set of instances
    ZD,    ///< Z unless D is required (Type 2 versus Type 1)
    XZ,    ///< X unless Z is required (Type 3 versus Type 2)
    XD,    ///< X unless D is required (Type 3 versus Type 1)
    XZD,   ///< X unless Z or D is required
    XZU,   ///< X unless Z or replacement of the contained instance UIDs is required
};

/// The option columns of Table E.1-1, in the order of ProfileEntry::options.
enum class OptionColumn : std::uint8_t {
    RetainSafePrivate,
    RetainUIDs,
    RetainDeviceIdentity,
    RetainInstitutionIdentity,
    RetainPatientCharacteristics,
    RetainLongitudinalFullDates,
    RetainLongitudinalModifiedDates,
    CleanDescriptors,
    CleanStructuredContent,
    CleanGraphics,
};
inline constexpr std::size_t kOptionColumns = 10;

/// One row of Table E.1-1. A tag t matches when (t.value() & mask) == tag (repeating groups such
/// as (50xx,xxxx) and (60xx,3000) have x digits 0 in `tag` and 0 bits in `mask`).
struct ProfileEntry {
    std::uint32_t tag;
    std::uint32_t mask;
    Action basic;
    std::array<Action, kOptionColumns> options;
    std::string_view name;

    [[nodiscard]] constexpr bool matches(Tag t) const noexcept { return (t.value() & mask) == tag; }
};

/// All rows, sorted by tag (generated).
[[nodiscard]] std::span<const ProfileEntry> profile_table() noexcept;

/// The row for `tag`: an exact row first, then a repeating-group row; nullptr when the table has
/// none (private tags have none: the private rule of the anonymizer stands for them).
[[nodiscard]] const ProfileEntry* find_profile_entry(Tag tag) noexcept;

/// The options in force, as columns of the table.
using OptionSet = std::array<bool, kOptionColumns>;

/// The action for a row under `options`: the Basic Profile's action, replaced by the action of
/// each option in force that has one for the row; a K (retain) of any option in force wins over
/// a C (clean) of another.
[[nodiscard]] Action effective_action(const ProfileEntry& entry, const OptionSet& options) noexcept;

/// A combined action made single without knowing the IOD: the attribute is kept present when
/// it is there, so that no Type 1 or 2 attribute goes missing, and its value carries nothing:
/// X/Z -> Z, Z/D, X/D and X/Z/D -> D, X/Z/U* -> U (the sequence kept, its UIDs replaced, its
/// other attributes handled by the table). Single actions are returned unchanged.
[[nodiscard]] Action resolve(Action a) noexcept;

/// "D", "X/Z/U*", ...
[[nodiscard]] std::string_view action_code(Action a) noexcept;
/// The action for a code (case-insensitive); InvalidArgument when unknown.
[[nodiscard]] Result<Action> parse_action(std::string_view code);

}  // namespace dicomkit::deid
