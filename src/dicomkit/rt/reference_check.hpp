// DICOM-RT reference checking: the graph images <- RTSTRUCT <- RTPLAN <- RTDOSE / treatment records
// (PS3.3 C.8.8.5 Structure Set, C.8.8.6 ROI Contour, C.8.8.9 RT General Plan, C.8.8.3 RT Dose,
// C.8.8.4 RT DVH, C.8.8.17 RT General Treatment Record), each reference resolved against the
// instances given, and the Frames of Reference compared.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/core/dataset.hpp>

namespace dicomkit::rt {

/// One instance given to the check, with the attributes the graph needs.
struct Instance {
    std::string file;  ///< where it came from (a path, or any name the caller chose)
    std::string sop_class;
    std::string sop_instance;
    std::string study;
    std::string series;
    std::string modality;
    std::string frame_of_reference;  ///< (0020,0052), "" when absent
};

/// What a reference points at.
enum class Target {
    Image,          ///< an image of Contour Image Sequence
    Series,         ///< RT Referenced Series Sequence > Series Instance UID
    Study,          ///< RT Referenced Study Sequence > Referenced SOP Instance UID
    StructureSet,   ///< Referenced Structure Set Sequence
    Plan,           ///< Referenced RT Plan Sequence
    Dose,           ///< Referenced Dose Sequence
    TreatmentRecord,///< Referenced Treatment Record Sequence
};
[[nodiscard]] std::string_view to_string(Target t) noexcept;

/// One reference found in an instance.
struct Reference {
    std::size_t from = 0;        ///< index in Report::instances
    Target target = Target::Image;
    std::string path;            ///< "(3006,0010)[0]>(3006,0012)[0]>...>(0008,1155)"
    std::string uid;             ///< the referenced UID
    std::string sop_class;       ///< Referenced SOP Class UID, "" when absent
    std::optional<std::size_t> to;  ///< the instance it resolves to (instance targets only)
    bool resolved = false;
};

enum class ProblemKind {
    Unresolved,          ///< the UID is no instance (series, study) given
    ClassMismatch,       ///< Referenced SOP Class UID differs from the instance's SOP Class UID
    FrameOfReference,    ///< Frames of Reference disagree
    SeriesMismatch,      ///< an image listed under a series is in another series
    MissingUid,          ///< a reference item without its UID
    UnknownRoi,          ///< a Referenced ROI Number that is no ROI Number of the structure set
    DuplicateInstance,   ///< two files with one SOP Instance UID
};
[[nodiscard]] std::string_view to_string(ProblemKind k) noexcept;

struct Problem {
    ProblemKind kind = ProblemKind::Unresolved;
    std::string file;     ///< the referencing file
    std::string path;     ///< the tag path of the reference
    std::string uid;      ///< the UID concerned (the one that resolves nowhere, or the differing one)
    std::string message;  ///< one line for people
};

struct Report {
    std::vector<Instance> instances;
    std::vector<Reference> references;
    std::vector<Problem> problems;
    [[nodiscard]] bool ok() const noexcept { return problems.empty(); }
};

/// Collects instances, then checks every reference among them. Const and reusable: `check` may be
/// called again after more `add`s.
class Checker {
public:
    /// Adds one instance (its data set may stop before Pixel Data). `name` is how problems name it.
    void add(std::string name, const DataSet& dataset);
    [[nodiscard]] Report check() const;
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

private:
    struct Entry {
        Instance instance;
        DataSet refs;  ///< only the top-level reference sequences of the data set
    };
    std::vector<Entry> entries_;
};

/// The text report: a line per problem, then a summary line.
[[nodiscard]] std::string to_text(const Report& report);
/// JSON: {"ok", "nodes": [...], "edges": [...], "problems": [...]}.
[[nodiscard]] std::string to_json(const Report& report);
/// Graphviz dot: a cluster per series, an edge per referencing pair, broken references red and dashed
/// to a node of the UID that resolves nowhere.
[[nodiscard]] std::string to_dot(const Report& report);

/// True for the SOP classes of RT Beams, Brachy, Ion Beams treatment records and the summary record.
[[nodiscard]] bool is_treatment_record(std::string_view sop_class) noexcept;

}  // namespace dicomkit::rt
