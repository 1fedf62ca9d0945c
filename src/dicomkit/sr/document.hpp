// Structured Report documents (PS3.3 C.17): the SR Document General Module's header and the
// content tree of the SR Document Content Module (C.17.3), read from a data set into plain values
// for display. Reading never fails on a content item: what is wrong with one is recorded on it
// (`ContentItem::problems`, naming the tag path) and the rest of the tree is still read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>

namespace dicomkit::sr {

/// PS3.3 Table C.17.3-7 (Value Type) plus Unknown for a value the reader does not know.
enum class ValueType {
    Container, Text, Code, Num, DateTime, Date, Time, UidRef, PName, Composite, Image, Waveform,
    Scoord, Scoord3D, Tcoord, Table, Unknown
};
/// The defined term ("CONTAINER", "NUM", ...); "?" for Unknown.
[[nodiscard]] std::string_view to_string(ValueType v) noexcept;
/// The value type of a defined term, Unknown when it is none.
[[nodiscard]] ValueType value_type_from(std::string_view term) noexcept;

/// A coded entry (PS3.3 Table 8.8-1): Code Value, or Long Code Value, or URN Code Value.
struct Code {
    std::string value;
    std::string scheme;
    std::string version;
    std::string meaning;
    [[nodiscard]] bool empty() const noexcept {
        return value.empty() && scheme.empty() && meaning.empty();
    }
};

/// A Referenced SOP Sequence item (COMPOSITE, IMAGE, WAVEFORM; PS3.3 Tables C.18.3-1..C.18.5-1).
struct SopReference {
    std::string sop_class_uid;
    std::string sop_instance_uid;
    std::vector<std::int64_t> frames;         ///< Referenced Frame Number (0008,1160)
    std::vector<std::int64_t> segments;       ///< Referenced Segment Number (0062,000B)
    std::vector<std::uint32_t> channels;      ///< Referenced Waveform Channels (0040,A0B0), pairs
    /// IMAGE: the presentation state the item's nested Referenced SOP Sequence names.
    std::optional<std::string> presentation_class_uid;
    std::optional<std::string> presentation_instance_uid;
};

/// A NUM item's value (PS3.3 Table C.18.1-1): Measured Value Sequence (empty or one item) and
/// Numeric Value Qualifier Code Sequence.
struct Numeric {
    bool has_measured_value = false;
    std::string numeric_value;                ///< (0040,A30A) DS as written
    std::optional<double> floating_point;     ///< (0040,A161) FD
    Code units;                               ///< Measurement Units Code Sequence
    std::optional<Code> qualifier;            ///< Numeric Value Qualifier Code Sequence
};

/// One content item. A by-reference item (Referenced Content Item Identifier) has
/// `by_reference` set and no value; `target` is the position it points to.
struct ContentItem {
    std::string position;      ///< "1.2.3": the root is "1", its second child "1.2"
    std::string tag_path;      ///< where it is: "(0040,A730)[1].(0040,A730)[2]"; "" for the root
    std::string relationship;  ///< Relationship Type as written; "" for the root
    std::string value_type_term;  ///< Value Type as written (may be empty when it is missing)
    ValueType value_type = ValueType::Unknown;
    std::optional<Code> concept_name;
    std::string observation_datetime;

    bool by_reference = false;
    std::vector<std::uint32_t> reference;  ///< Referenced Content Item Identifier values
    std::string target;                    ///< the position it names ("1.3.2")

    std::string text;        ///< TEXT, DATETIME, DATE, TIME, UIDREF, PNAME (UTF-8)
    std::string continuity;  ///< CONTAINER: SEPARATE or CONTINUOUS
    std::optional<Code> code;        ///< CODE
    std::optional<Numeric> numeric;  ///< NUM
    std::optional<SopReference> sop;  ///< COMPOSITE, IMAGE, WAVEFORM
    std::string graphic_type;         ///< SCOORD, SCOORD3D
    std::vector<double> graphic_data;
    bool graphic_single = false;         ///< Graphic Data is FL (printed with float precision)
    std::string frame_of_reference_uid;  ///< SCOORD3D
    std::string temporal_range_type;     ///< TCOORD
    std::string temporal_kind;           ///< "samples", "offsets" or "datetimes"
    std::vector<std::string> temporal_values;

    /// What is wrong here, each naming the tag path; empty when nothing is.
    std::vector<std::string> problems;
    std::vector<ContentItem> children;
};

/// One Verifying Observer Sequence item.
struct Verifier {
    std::string datetime;
    std::string name;
    std::optional<Code> code;
    std::string organization;
};

/// The document: what the SR Document General Module says about it, and the content tree.
struct Document {
    std::string sop_class_uid;
    std::string sop_class_name;  ///< from the dictionary; the UID when it is unknown
    std::string patient_name;
    std::string patient_id;
    std::string study_description;
    std::string series_description;
    std::string series_number;
    std::string manufacturer;
    std::string completion_flag;
    std::string completion_description;
    std::string verification_flag;
    std::vector<Verifier> verifiers;
    std::size_t predecessor_documents = 0;
    std::string content_date;
    std::string content_time;
    std::optional<std::string> template_id;  ///< Content Template Sequence: "TID 1500 (DCMR)"

    ContentItem root;
    std::size_t item_count = 0;   ///< content items in the tree (by-reference ones included)
    std::size_t problem_count = 0;
};

struct BuildOptions {
    /// Content items nested deeper than this (the root is depth 1) are not read: the item at
    /// the limit records the problem instead of its children.
    std::size_t max_depth = 64;
    /// Content items read at most; the rest are left out with a problem on the root.
    std::size_t max_items = 1'000'000;
};

/// The document in `ds`. Fails only when `ds` is no SR document at all: no Value Type
/// (0040,A040) at the top level and no Content Sequence (0040,A730). Everything else is read,
/// the problems recorded on the items (missing Value Type, unknown value types, by-reference
/// items that name no item, missing value attributes, nesting too deep).
[[nodiscard]] Result<Document> build_document(const DataSet& ds, const BuildOptions& options = {});

/// Calls `fn(item, depth)` for each content item in document order, the root at depth 0.
template <typename Fn>
void for_each_item(const ContentItem& item, Fn&& fn, std::size_t depth = 0) {
    fn(item, depth);
    for (const ContentItem& c : item.children) for_each_item(c, fn, depth + 1);
}

}  // namespace dicomkit::sr
