// De-identification of data sets and Part 10 files by PS3.15 Annex E: the Basic Application
// Level Confidentiality Profile with the options of E.3, recipe overrides, keyed UID replacement
// and patient pseudonyms. One Anonymizer serves many files at once: apply() is const and keeps no
// state between calls, and the same key gives the same UIDs, IDs and date shifts in every run.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/deid/profile.hpp>
#include <dicomkit/deid/recipe.hpp>
#include <dicomkit/deid/uid_remap.hpp>
#include <dicomkit/io/dicom_file.hpp>

namespace dicomkit::pixel {
class CodecRegistry;
}

namespace dicomkit::deid {

/// One call of apply(): `source` names the data set in errors; the rest is filled in.
struct Context {
    std::string source;
    PatientIdentity original;     ///< Patient ID and Patient's Name as they were
    PatientIdentity replacement;  ///< as written
    bool pixels_cleaned = false;  ///< a Clean Pixel Data region was blanked
};

class Anonymizer {
public:
    /// `key`: the secret that makes replacements repeatable (not empty). `patients`: a mapping
    /// that takes precedence over the recipe's patient rule. `codecs`: needed only to clean the
    /// pixels of encapsulated (compressed) images; it must outlive the Anonymizer.
    [[nodiscard]] static Result<Anonymizer> create(std::string key, Recipe recipe, PatientMap patients = {},
                                                   const pixel::CodecRegistry* codecs = nullptr);

    /// The de-identified copy of a data set (pixel data, if it is to be cleaned, must be native).
    [[nodiscard]] Result<DataSet> apply(const DataSet& ds, Context& context) const;
    /// The de-identified copy of a file: the data set, File Meta Information (Media Storage SOP
    /// Instance UID follows the new SOP Instance UID; source AE titles and private meta
    /// information go), a zero preamble, and pixels cleaned in the file's own transfer syntax.
    [[nodiscard]] Result<io::DicomFile> apply(const io::DicomFile& file, Context& context) const;
    /// The same from a file the caller gives up: kept values are moved out of its data set rather
    /// than copied (what is left of `file` is only fit to be destroyed).
    [[nodiscard]] Result<io::DicomFile> apply(io::DicomFile&& file, Context& context) const;

    /// The identity a patient gets: from the mapping, else from the rule.
    [[nodiscard]] PatientIdentity patient_identity(std::string_view original_id, std::string_view original_name) const;
    /// Days the dates of a patient move back by under Modified Dates (1-3650).
    [[nodiscard]] int date_shift_days(std::string_view original_id) const;
    /// The action for a top-level or nested attribute, after recipe, table, options and the
    /// resolution of combined actions (K for attributes the table does not list).
    [[nodiscard]] Action action_for(Tag tag, VR vr) const;
    /// Whether a private attribute is kept (Retain Safe Private, or a recipe rule K).
    [[nodiscard]] bool keeps_private(const DataSet& item, Tag tag) const;

    [[nodiscard]] const UidRemapper& uids() const noexcept { return uids_; }
    [[nodiscard]] const Recipe& recipe() const noexcept { return recipe_; }
    [[nodiscard]] const Options& options() const noexcept { return recipe_.options; }
    /// The CID 7050 codes (value, meaning) of the profile and options in force.
    [[nodiscard]] std::vector<std::pair<std::string, std::string>> method_codes(bool pixels_cleaned) const;

private:
    Anonymizer(std::string key, Recipe recipe, PatientMap patients, const pixel::CodecRegistry* codecs);
    [[nodiscard]] Result<io::DicomFile> apply_file(const io::DicomFile& file, DataSet* movable, Context& context) const;
    /// `movable`: null, or `ds` itself when its values may be moved out.
    [[nodiscard]] Result<DataSet> deidentify(const DataSet& ds, DataSet* movable, Context& context,
                                             const io::TransferSyntax* ts) const;
    /// action_for() without its per-thread memory.
    [[nodiscard]] Action compute_action(Tag tag, VR vr) const;
    friend struct Walker;

    UidRemapper uids_;
    Recipe recipe_;
    PatientMap patients_;
    OptionSet columns_{};
    std::vector<SafePrivate> safe_private_;
    const pixel::CodecRegistry* codecs_ = nullptr;
    std::uint64_t id_ = 0;  ///< tells the per-thread memory of action_for() of Anonymizers apart
};

/// The rule for this image (modality, rows, columns), or nullptr.
[[nodiscard]] const PixelCleanRule* pixel_rule_for(const DataSet& ds, const std::vector<PixelCleanRule>& rules);
/// Blanks the regions of `rule` in native pixel data (every frame, every sample).
[[nodiscard]] Result<void> blank_native_pixels(DataSet& ds, const PixelCleanRule& rule);
/// Blanks the regions of the matching rule; encapsulated pixel data (`ts` encapsulated) is
/// decoded with `codecs`, blanked and encoded again in `ts`. Returns whether a rule applied.
/// A null `ts` means native pixel data.
[[nodiscard]] Result<bool> clean_pixels(DataSet& ds, const io::TransferSyntax* ts,
                                        const std::vector<PixelCleanRule>& rules,
                                        const pixel::CodecRegistry* codecs, std::string_view source);

}  // namespace dicomkit::deid
