// What a de-identification run does beyond the table: the PS3.15 options in force, per-tag
// overrides, the pixel regions to blank, the safe private attributes to keep, how patients are
// renamed. Read from a TOML recipe (docs/deid.md) and the command line; a CSV maps patients.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/tag.hpp>
#include <dicomkit/deid/profile.hpp>

namespace dicomkit::deid {

enum class DateOption : std::uint8_t {
    Remove,    ///< the Basic Profile's actions (dummy or removed dates)
    Full,      ///< Retain Longitudinal Temporal Information with Full Dates
    Modified,  ///< ... with Modified Dates: shifted by a keyed number of days per patient
};

/// The options of PS3.15 E.3 in force.
struct Options {
    bool retain_safe_private = false;
    bool retain_uids = false;
    bool retain_device_identity = false;
    bool retain_institution_identity = false;
    bool retain_patient_characteristics = false;
    DateOption dates = DateOption::Remove;
    bool clean_descriptors = false;
    bool clean_structured_content = false;
    bool clean_graphics = false;
    bool clean_pixel_data = false;

    /// The options as the columns of Table E.1-1.
    [[nodiscard]] OptionSet columns() const noexcept;
};

/// An override of the table for one tag (or a repeating-group mask).
struct TagRule {
    Tag tag;
    std::uint32_t mask = 0xFFFFFFFF;
    Action action = Action::K;
    std::optional<std::string> value;  ///< D: the replacement value (else a dummy for the VR)
    [[nodiscard]] bool matches(Tag t) const noexcept { return (t.value() & mask) == tag.value(); }
};

/// A rectangle of pixels to blank (columns x, rows y, from the top left).
struct PixelRegion {
    std::uint32_t x = 0, y = 0, width = 0, height = 0;
};

/// Regions to blank in images of a modality (empty: any) and size (0: any).
struct PixelCleanRule {
    std::string modality;
    std::uint32_t rows = 0, columns = 0;
    std::vector<PixelRegion> regions;
};

/// A private attribute known to be safe (PS3.15 E.3.10): element `element` (the low byte) of the
/// block that `creator` reserved in odd `group`.
struct SafePrivate {
    std::uint16_t group = 0;
    std::string creator;
    std::uint8_t element = 0;
};

/// The safe private attributes kept by Retain Safe Private Option without a recipe: a few vendor
/// attributes of the kind PS3.15 Table E.3.10-1 lists (diffusion b-values and directions, PET
/// SUV scale factors), not generated from that table (the attribute list the profile table comes
/// from lacks it); a recipe adds more.
[[nodiscard]] const std::vector<SafePrivate>& builtin_safe_private();

struct PatientIdentity {
    std::string id, name;
};

/// How a patient is renamed when the mapping does not list it: prefix + `digits` digits keyed on
/// the original Patient ID; the name is the new ID.
struct PatientRule {
    std::string prefix = "ANON";
    int digits = 10;
};

struct Recipe {
    std::string path;  ///< where it was read from ("" when built in code)
    Options options;
    std::vector<TagRule> tags;
    std::vector<PixelCleanRule> pixel_rules;
    std::vector<SafePrivate> safe_private;
    PatientRule patient;
    std::string method;  ///< De-identification Method (0012,0063) text; "" for the default
};

/// Parses a recipe (TOML). Errors name `path`, the line and column, and what is wrong.
/// Non-ASCII text is accepted in "..." strings and comments only (see recipe.cpp).
[[nodiscard]] Result<Recipe> parse_recipe(std::string_view text, std::string_view path = "<recipe>");
[[nodiscard]] Result<Recipe> read_recipe(const std::string& path);

/// original Patient ID -> new identity.
using PatientMap = std::map<std::string, PatientIdentity, std::less<>>;

/// Parses a CSV with the header original_id,new_id,new_name (RFC 4180 quoting; a new_name may
/// be empty: then the new ID); a fourth column original_name (as --map-out writes) is ignored.
/// Errors name `path` and the line.
[[nodiscard]] Result<PatientMap> parse_patient_map(std::string_view text, std::string_view path = "<csv>");
[[nodiscard]] Result<PatientMap> read_patient_map(const std::string& path);

/// One CSV field, quoted when it needs to be.
[[nodiscard]] std::string csv_field(std::string_view s);

}  // namespace dicomkit::deid
