// Reads the SR document header and content tree (PS3.3 C.17.2, C.17.3, C.18).
#include <dicomkit/sr/document.hpp>

#include <array>
#include <utility>

#include <fmt/format.h>

#include <dicomkit/core/charset.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>

namespace dicomkit::sr {

namespace {

// Attributes of PS3.3 C.17 and C.18: the dictionary's constants (dict/tags.hpp); those whose
// keyword is also a name here (a class, a value type) under another name.
using tags::ContentDate;
using tags::ContentTime;
using tags::SOPClassUID;
using tags::Manufacturer;
using tags::CodeValue;
using tags::CodingSchemeDesignator;
using tags::CodingSchemeVersion;
using tags::CodeMeaning;
using tags::MappingResource;
using tags::LongCodeValue;
using tags::URNCodeValue;
using tags::StudyDescription;
using tags::SeriesDescription;
using tags::ReferencedSOPClassUID;
using tags::ReferencedSOPInstanceUID;
using tags::ReferencedFrameNumber;
using tags::ReferencedSOPSequence;
using tags::PatientName;
using tags::PatientID;
using tags::SeriesNumber;
using tags::MeasurementUnitsCodeSequence;
using tags::RelationshipType;
using tags::VerifyingOrganization;
using tags::VerificationDateTime;
using tags::ObservationDateTime;
using tags::ConceptNameCodeSequence;
using tags::ContinuityOfContent;
using tags::VerifyingObserverSequence;
using tags::VerifyingObserverName;
using tags::VerifyingObserverIdentificationCodeSequence;
using tags::ReferencedWaveformChannels;
using tags::TemporalRangeType;
using tags::ReferencedSamplePositions;
using tags::ReferencedTimeOffsets;
using tags::ReferencedDateTime;
using tags::TextValue;
using tags::FloatingPointValue;
using tags::ConceptCodeSequence;
using tags::MeasuredValueSequence;
using tags::NumericValueQualifierCodeSequence;
using tags::NumericValue;
using tags::PredecessorDocumentsSequence;
using tags::CompletionFlag;
using tags::CompletionFlagDescription;
using tags::VerificationFlag;
using tags::ContentTemplateSequence;
using tags::ContentSequence;
using tags::TemplateIdentifier;
using tags::ReferencedContentItemIdentifier;
using tags::ReferencedSegmentNumber;
using tags::GraphicData;
using tags::GraphicType;
using tags::ReferencedFrameOfReferenceUID;
constexpr Tag SpecificCharacterSetTag = tags::SpecificCharacterSet;
constexpr Tag ValueTypeTag = tags::ValueType;
constexpr Tag DateTimeTag = tags::DateTime;
constexpr Tag DateTag = tags::Date;
constexpr Tag TimeTag = tags::Time;
constexpr Tag PersonNameTag = tags::PersonName;
constexpr Tag UIDTag = tags::UID;

constexpr std::array<std::pair<ValueType, std::string_view>, 16> kValueTypes{{
    {ValueType::Container, "CONTAINER"}, {ValueType::Text, "TEXT"}, {ValueType::Code, "CODE"},
    {ValueType::Num, "NUM"}, {ValueType::DateTime, "DATETIME"}, {ValueType::Date, "DATE"},
    {ValueType::Time, "TIME"}, {ValueType::UidRef, "UIDREF"}, {ValueType::PName, "PNAME"},
    {ValueType::Composite, "COMPOSITE"}, {ValueType::Image, "IMAGE"}, {ValueType::Waveform, "WAVEFORM"},
    {ValueType::Scoord, "SCOORD"}, {ValueType::Scoord3D, "SCOORD3D"}, {ValueType::Tcoord, "TCOORD"},
    {ValueType::Table, "TABLE"},
}};

std::string_view raw_view(const Element& e) {
    auto b = e.bytes();
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bool is_text_vr(VR vr) { return vr == VR::LT || vr == VR::ST || vr == VR::UT || vr == VR::UR; }

/// Builds one document; holds the character set and the limits.
class Builder {
public:
    Builder(const DataSet& ds, const BuildOptions& o) : options_(o) {
        if (const Element* e = ds.find(SpecificCharacterSetTag); e && e->is_bytes())
            charset_ = SpecificCharacterSet::lenient_parse(raw_view(*e));
    }

    /// A string value decoded to UTF-8, padding removed ("" when absent or not a string).
    std::string str(const DataSet& ds, Tag tag) const {
        const Element* e = ds.find(tag);
        if (!e || !e->is_bytes()) return {};
        std::string_view raw = raw_view(*e);
        auto d = charset_.decode(raw, e->vr(), true);
        std::string s = d ? std::move(*d) : std::string(raw);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
        if (!is_text_vr(e->vr())) {
            std::size_t i = 0;
            while (i < s.size() && s[i] == ' ') ++i;
            s.erase(0, i);
        }
        return s;
    }

    template <typename T>
    static std::vector<T> nums(const DataSet& ds, Tag tag) {
        const Element* e = ds.find(tag);
        if (!e || !e->is_bytes()) return {};
        auto v = e->numbers<T>();
        return v ? std::move(*v) : std::vector<T>{};
    }

    static const std::vector<DataSet>* items(const DataSet& ds, Tag tag) {
        const Element* e = ds.find(tag);
        if (!e || !e->is_sequence()) return nullptr;
        return &e->sequence().items;
    }

    std::optional<Code> code_in(const DataSet& ds, Tag seq, const std::string& path, ContentItem* item,
                                bool required) const {
        const auto* its = items(ds, seq);
        if (!its || its->empty()) {
            if (required && item)
                item->problems.push_back(fmt::format("{}{}{}: missing or empty", path,
                                                     path.empty() ? "" : ".", seq.str()));
            return std::nullopt;
        }
        const DataSet& c = its->front();
        Code code;
        code.value = str(c, CodeValue);
        if (code.value.empty()) code.value = str(c, LongCodeValue);
        if (code.value.empty()) code.value = str(c, URNCodeValue);
        code.scheme = str(c, CodingSchemeDesignator);
        code.version = str(c, CodingSchemeVersion);
        code.meaning = str(c, CodeMeaning);
        if (item && (code.value.empty() || code.meaning.empty()))
            item->problems.push_back(fmt::format("{}{}{}[0]: incomplete code (no Code Value or Code Meaning)",
                                                 path, path.empty() ? "" : ".", seq.str()));
        return code;
    }

    /// A required attribute of the value type: a problem when it is absent.
    std::string need(const DataSet& ds, Tag tag, const std::string& path, ContentItem& item) const {
        if (!ds.contains(tag))
            item.problems.push_back(fmt::format("{}{}{}: missing ({} content item)", path,
                                                path.empty() ? "" : ".", tag.str(), item.value_type_term));
        return str(ds, tag);
    }

    void read_sop_reference(const DataSet& ds, const std::string& path, ContentItem& item) {
        const auto* its = items(ds, ReferencedSOPSequence);
        std::string seq_path = fmt::format("{}{}{}", path, path.empty() ? "" : ".", ReferencedSOPSequence.str());
        if (!its || its->empty()) {
            item.problems.push_back(seq_path + ": missing or empty");
            return;
        }
        const DataSet& r = its->front();
        SopReference ref;
        ref.sop_class_uid = str(r, ReferencedSOPClassUID);
        ref.sop_instance_uid = str(r, ReferencedSOPInstanceUID);
        if (ref.sop_class_uid.empty() || ref.sop_instance_uid.empty())
            item.problems.push_back(seq_path + "[0]: no Referenced SOP Class or Instance UID");
        ref.frames = nums<std::int64_t>(r, ReferencedFrameNumber);
        ref.segments = nums<std::int64_t>(r, ReferencedSegmentNumber);
        ref.channels = nums<std::uint32_t>(r, ReferencedWaveformChannels);
        if (const auto* ps = items(r, ReferencedSOPSequence); ps && !ps->empty()) {
            ref.presentation_class_uid = str(ps->front(), ReferencedSOPClassUID);
            ref.presentation_instance_uid = str(ps->front(), ReferencedSOPInstanceUID);
        }
        item.sop = std::move(ref);
    }

    void read_value(const DataSet& ds, const std::string& path, ContentItem& item) {
        switch (item.value_type) {
            case ValueType::Container:
                item.continuity = need(ds, ContinuityOfContent, path, item);
                break;
            case ValueType::Text: item.text = need(ds, TextValue, path, item); break;
            case ValueType::DateTime: item.text = need(ds, DateTimeTag, path, item); break;
            case ValueType::Date: item.text = need(ds, DateTag, path, item); break;
            case ValueType::Time: item.text = need(ds, TimeTag, path, item); break;
            case ValueType::UidRef: item.text = need(ds, UIDTag, path, item); break;
            case ValueType::PName: item.text = need(ds, PersonNameTag, path, item); break;
            case ValueType::Code:
                item.code = code_in(ds, ConceptCodeSequence, path, &item, true);
                break;
            case ValueType::Num: {
                Numeric n;
                if (!ds.contains(MeasuredValueSequence))
                    item.problems.push_back(fmt::format("{}{}{}: missing (NUM content item)", path,
                                                        path.empty() ? "" : ".", MeasuredValueSequence.str()));
                const auto* mv = items(ds, MeasuredValueSequence);
                if (mv && !mv->empty()) {
                    const DataSet& m = mv->front();
                    std::string mpath = fmt::format("{}{}{}[0]", path, path.empty() ? "" : ".",
                                                    MeasuredValueSequence.str());
                    n.has_measured_value = true;
                    n.numeric_value = need(m, NumericValue, mpath, item);
                    if (auto f = nums<double>(m, FloatingPointValue); !f.empty()) n.floating_point = f.front();
                    if (auto u = code_in(m, MeasurementUnitsCodeSequence, mpath, &item, true)) n.units = *u;
                }
                n.qualifier = code_in(ds, NumericValueQualifierCodeSequence, path, nullptr, false);
                item.numeric = std::move(n);
                break;
            }
            case ValueType::Composite:
            case ValueType::Image:
            case ValueType::Waveform: read_sop_reference(ds, path, item); break;
            case ValueType::Scoord:
            case ValueType::Scoord3D:
                item.graphic_type = need(ds, GraphicType, path, item);
                if (!ds.contains(GraphicData))
                    item.problems.push_back(fmt::format("{}{}{}: missing ({} content item)", path,
                                                        path.empty() ? "" : ".", GraphicData.str(),
                                                        item.value_type_term));
                if (const Element* g = ds.find(GraphicData); g && g->is_bytes() && g->vr() == VR::FL) {
                    item.graphic_single = true;
                    for (std::size_t i = 0; i < g->bytes().size() / 4; ++i)
                        if (auto v = g->as<float>(i)) item.graphic_data.push_back(*v);
                } else {
                    item.graphic_data = nums<double>(ds, GraphicData);
                }
                if (item.value_type == ValueType::Scoord3D)
                    item.frame_of_reference_uid = need(ds, ReferencedFrameOfReferenceUID, path, item);
                break;
            case ValueType::Tcoord:
                item.temporal_range_type = need(ds, TemporalRangeType, path, item);
                if (ds.contains(ReferencedSamplePositions)) {
                    item.temporal_kind = "samples";
                    for (auto v : nums<std::uint32_t>(ds, ReferencedSamplePositions))
                        item.temporal_values.push_back(std::to_string(v));
                } else if (ds.contains(ReferencedTimeOffsets)) {
                    item.temporal_kind = "offsets";
                    const Element* e = ds.find(ReferencedTimeOffsets);
                    // Shortest form of each decimal string ("1.000000" -> "1"), as written when
                    // one does not parse.
                    if (auto s = e->strings())
                        for (auto v : *s) {
                            Element one = Element::from_string(ReferencedTimeOffsets, VR::DS, v);
                            auto d = one.as<double>();
                            item.temporal_values.push_back(d ? fmt::format("{}", *d) : std::string(v));
                        }
                } else if (ds.contains(ReferencedDateTime)) {
                    item.temporal_kind = "datetimes";
                    const Element* e = ds.find(ReferencedDateTime);
                    if (auto s = e->strings())
                        for (auto v : *s) item.temporal_values.emplace_back(v);
                } else {
                    item.problems.push_back(fmt::format(
                        "{}: TCOORD without Referenced Sample Positions, Time Offsets or DateTime",
                        path.empty() ? "top level" : path));
                }
                break;
            case ValueType::Table:
            case ValueType::Unknown: break;
        }
    }

    /// Reads `ds` into `item` and its children; `depth` 1 is the root.
    void read_item(const DataSet& ds, const std::string& path, std::string position, std::size_t depth,
                   ContentItem& item) {
        ++count_;
        item.position = std::move(position);
        item.tag_path = path;
        item.relationship = str(ds, RelationshipType);
        if (depth > 1 && item.relationship.empty())
            item.problems.push_back(fmt::format("{}.{}: missing Relationship Type", path, RelationshipType.str()));
        item.observation_datetime = str(ds, ObservationDateTime);
        if (const Element* r = ds.find(ReferencedContentItemIdentifier)) {
            item.by_reference = true;
            if (r->is_bytes()) {
                auto v = r->numbers<std::uint32_t>();
                if (v) item.reference = std::move(*v);
            }
            if (item.reference.empty())
                item.problems.push_back(fmt::format("{}.{}: empty or not UL", path,
                                                    ReferencedContentItemIdentifier.str()));
            refs_.push_back(&item);
        } else {
            item.value_type_term = str(ds, ValueTypeTag);
            std::string here = path.empty() ? "top level" : path;
            if (item.value_type_term.empty()) {
                item.problems.push_back(fmt::format("{}: missing Value Type {}", here, ValueTypeTag.str()));
            } else {
                item.value_type = value_type_from(item.value_type_term);
                if (item.value_type == ValueType::Unknown)
                    item.problems.push_back(
                        fmt::format("{}: unknown Value Type '{}'", here, item.value_type_term));
            }
            item.concept_name = code_in(ds, ConceptNameCodeSequence, path, nullptr, false);
            if (item.concept_name && (item.concept_name->value.empty() || item.concept_name->meaning.empty()))
                item.problems.push_back(fmt::format("{}{}{}[0]: incomplete code (no Code Value or Code Meaning)",
                                                    path, path.empty() ? "" : ".", ConceptNameCodeSequence.str()));
            // PS3.3 Table C.17-5 (Document Content Macro): required at the root and for the value
            // types below; COMPOSITE, IMAGE, WAVEFORM, the coordinates and a CONTAINER may do without.
            bool name_required = depth == 1;
            switch (item.value_type) {
                case ValueType::Text: case ValueType::Num: case ValueType::Code: case ValueType::DateTime:
                case ValueType::Date: case ValueType::Time: case ValueType::UidRef: case ValueType::PName:
                    name_required = true;
                    break;
                default: break;
            }
            if (!item.concept_name && name_required)
                item.problems.push_back(fmt::format("{}{}{}: missing (required here)", path,
                                                    path.empty() ? "" : ".", ConceptNameCodeSequence.str()));
            read_value(ds, path, item);
        }
        const auto* kids = items(ds, ContentSequence);
        if (!kids) {
            if (const Element* e = ds.find(ContentSequence); e)
                item.problems.push_back(fmt::format("{}{}{}: not a sequence", path, path.empty() ? "" : ".",
                                                    ContentSequence.str()));
            return;
        }
        if (kids->empty()) return;
        if (item.by_reference)
            item.problems.push_back(fmt::format("{}: a by-reference item with a Content Sequence", path));
        if (depth >= options_.max_depth) {
            item.problems.push_back(fmt::format("{}{}{}: content nested deeper than {} levels not read", path,
                                                path.empty() ? "" : ".", ContentSequence.str(),
                                                options_.max_depth));
            return;
        }
        item.children.reserve(kids->size());
        for (std::size_t i = 0; i < kids->size(); ++i) {
            if (count_ >= options_.max_items) {
                if (!truncated_) {
                    truncated_ = true;
                    item.problems.push_back(
                        fmt::format("more than {} content items: the rest not read", options_.max_items));
                }
                return;
            }
            std::string child_path = fmt::format("{}{}{}[{}]", path, path.empty() ? "" : ".",
                                                 ContentSequence.str(), i);
            item.children.emplace_back();
            read_item((*kids)[i], child_path, fmt::format("{}.{}", item.position, i + 1), depth + 1,
                      item.children.back());
        }
    }

    /// Checks each by-reference item's target against the tree (which is complete now).
    void resolve_references(ContentItem& root) {
        for (ContentItem* r : refs_) {
            if (r->reference.empty()) continue;
            std::string target;
            for (std::size_t i = 0; i < r->reference.size(); ++i)
                target += (i ? "." : "") + std::to_string(r->reference[i]);
            r->target = target;
            const ContentItem* at = r->reference.front() == 1 ? &root : nullptr;
            for (std::size_t i = 1; at && i < r->reference.size(); ++i) {
                std::uint32_t n = r->reference[i];
                at = n >= 1 && n <= at->children.size() ? &at->children[n - 1] : nullptr;
            }
            if (!at)
                r->problems.push_back(fmt::format("{}.{}: by-reference to {}: no such content item", r->tag_path,
                                                  ReferencedContentItemIdentifier.str(), target));
            else if (at->by_reference)
                r->problems.push_back(fmt::format("{}.{}: by-reference to {}, itself a by-reference item",
                                                  r->tag_path, ReferencedContentItemIdentifier.str(), target));
            else if (r->position.compare(0, target.size() + 1, target + ".") == 0)
                r->problems.push_back(fmt::format("{}.{}: by-reference to {}, an item above it", r->tag_path,
                                                  ReferencedContentItemIdentifier.str(), target));
        }
    }

    std::size_t count() const { return count_; }

private:
    BuildOptions options_;
    SpecificCharacterSet charset_;
    std::size_t count_ = 0;
    bool truncated_ = false;
    std::vector<ContentItem*> refs_;  // stable: the tree is not resized once an item is read
};

}  // namespace

std::string_view to_string(ValueType v) noexcept {
    for (const auto& [t, s] : kValueTypes)
        if (t == v) return s;
    return "?";
}

ValueType value_type_from(std::string_view term) noexcept {
    for (const auto& [t, s] : kValueTypes)
        if (s == term) return t;
    return ValueType::Unknown;
}

Result<Document> build_document(const DataSet& ds, const BuildOptions& options) {
    if (!ds.contains(ValueTypeTag) && !ds.contains(ContentSequence))
        return Unexpected(std::move(Error(ErrorCode::InvalidValue,
                                          "not a Structured Report: no Value Type (0040,A040) and no Content "
                                          "Sequence (0040,A730) at the top level"))
                              .at_tag(ValueTypeTag.str()));
    Builder b(ds, options);
    Document doc;
    doc.sop_class_uid = b.str(ds, SOPClassUID);
    const dict::UidInfo* info = dict::find_uid(doc.sop_class_uid);
    doc.sop_class_name = info ? std::string(info->name) : doc.sop_class_uid;
    doc.patient_name = b.str(ds, PatientName);
    doc.patient_id = b.str(ds, PatientID);
    doc.study_description = b.str(ds, StudyDescription);
    doc.series_description = b.str(ds, SeriesDescription);
    doc.series_number = b.str(ds, SeriesNumber);
    doc.manufacturer = b.str(ds, Manufacturer);
    doc.completion_flag = b.str(ds, CompletionFlag);
    doc.completion_description = b.str(ds, CompletionFlagDescription);
    doc.verification_flag = b.str(ds, VerificationFlag);
    if (const auto* v = Builder::items(ds, VerifyingObserverSequence))
        for (const DataSet& o : *v) {
            Verifier ver;
            ver.datetime = b.str(o, VerificationDateTime);
            ver.name = b.str(o, VerifyingObserverName);
            ver.code = b.code_in(o, VerifyingObserverIdentificationCodeSequence, "", nullptr, false);
            ver.organization = b.str(o, VerifyingOrganization);
            doc.verifiers.push_back(std::move(ver));
        }
    if (const auto* p = Builder::items(ds, PredecessorDocumentsSequence)) doc.predecessor_documents = p->size();
    doc.content_date = b.str(ds, ContentDate);
    doc.content_time = b.str(ds, ContentTime);
    if (const auto* t = Builder::items(ds, ContentTemplateSequence); t && !t->empty())
        doc.template_id = fmt::format("TID {} ({})", b.str(t->front(), TemplateIdentifier),
                                      b.str(t->front(), MappingResource));

    b.read_item(ds, "", "1", 1, doc.root);
    if (!doc.root.relationship.empty())
        doc.root.problems.push_back(
            fmt::format("top level: Relationship Type '{}' on the root content item", doc.root.relationship));
    if (doc.root.value_type != ValueType::Container && !doc.root.value_type_term.empty())
        doc.root.problems.push_back(fmt::format("top level: the root content item is {}, not CONTAINER",
                                                doc.root.value_type_term));
    b.resolve_references(doc.root);
    doc.item_count = b.count();
    for_each_item(doc.root, [&](const ContentItem& i, std::size_t) { doc.problem_count += i.problems.size(); });
    return doc;
}

}  // namespace dicomkit::sr
