// IOD validation (PS3.3): the IOD of a SOP Class, each of its modules checked at every nesting
// level against the tables generated from the standard; VR, VM and values against PS3.5/PS3.6;
// the File Meta Information against PS3.10 7.1.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/core/dataset.hpp>
#include <dicomkit/core/tag.hpp>

namespace dicomkit::validate {

enum class Severity : std::uint8_t { Error, Warning };

/// One thing found wrong. `kind` is a short stable word (missing-type1, empty-type1,
/// missing-type2, missing-type1c, empty-type1c, missing-type2c, not-allowed, bad-vr, bad-vm,
/// bad-value, bad-enumerated-value, unknown-defined-term, bad-item-count, zero-value, retired,
/// file-meta, unknown-sop-class, message, not-in-iod); `path` the keyword path with item indexes
/// ("ReferencedSeriesSequence[0].SeriesInstanceUID"), `module` the module (or macro) checked.
struct Finding {
    Severity severity = Severity::Error;
    std::string kind;
    Tag tag;
    std::string keyword;
    std::string path;
    std::string module;
    std::string message;
};

struct Report {
    std::string sop_class;  ///< as found ("" when absent)
    std::string iod;        ///< the IOD checked ("" when the SOP Class is unknown)
    std::vector<Finding> findings;

    [[nodiscard]] bool has_errors() const noexcept;
    [[nodiscard]] std::size_t count(Severity s) const noexcept;
};

struct Options {
    /// Warn about retired attributes (PS3.6 RET).
    bool warn_retired = true;
    /// Warn about top-level attributes of none of the IOD's modules (Standard Extended SOP Class).
    bool warn_not_in_iod = true;
};

/// Validates a data set and its File Meta Information (`meta` empty when the file had none).
/// The data set is only read: nothing is copied.
[[nodiscard]] Report validate(const DataSet& meta, const DataSet& dataset, const Options& options = {});

/// The IOD name for a SOP Class UID ("" when the tables do not know it).
[[nodiscard]] std::string_view iod_for_sop_class(std::string_view uid) noexcept;

/// One line per finding: "error: missing-type1 (0010,0010) PatientName in Patient: ...".
[[nodiscard]] std::string to_text(std::string_view file, const Report& report);
/// One JSON object: {"file","sop_class","iod","findings":[...]} (docs/validation.md).
[[nodiscard]] std::string to_json(std::string_view file, const Report& report);

}  // namespace dicomkit::validate
