#include <dicomkit/rt/reference_check.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/dict/uids.hpp>

namespace dicomkit::rt {

namespace {

constexpr Tag kSopClass = tags::SOPClassUID;
constexpr Tag kSopInstance = tags::SOPInstanceUID;
constexpr Tag kRefClass = tags::ReferencedSOPClassUID;
constexpr Tag kRefInstance = tags::ReferencedSOPInstanceUID;
constexpr Tag kFrameOfReference = tags::FrameOfReferenceUID;
constexpr Tag kSeries = tags::SeriesInstanceUID;
constexpr Tag kReferencedFor = tags::ReferencedFrameOfReferenceUID;
constexpr Tag kFractionGroupSequence{0x300A, 0x0070};
constexpr Tag kBeamSequence{0x300A, 0x00B0};

/// The top-level sequences the check reads; everything else of a data set is dropped.
constexpr Tag kKept[] = {
    tags::ReferencedFrameOfReferenceSequence, tags::StructureSetROISequence, tags::ROIContourSequence,
    kFractionGroupSequence, kBeamSequence, tags::ReferencedRTPlanSequence,
    tags::ReferencedStructureSetSequence, tags::ReferencedDoseSequence,
    tags::ReferencedTreatmentRecordSequence,
};

std::string text(const DataSet& ds, Tag tag) {
    std::string s = ds.string_or(tag);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
    while (!s.empty() && s.front() == ' ') s.erase(s.begin());
    return s;
}

const std::vector<DataSet>* items(const DataSet& ds, Tag tag) {
    const Element* e = ds.find(tag);
    if (!e || !e->is_sequence()) return nullptr;
    return &e->sequence().items;
}

std::string step(const std::string& prefix, Tag seq, std::size_t index) {
    std::string s = prefix;
    if (!s.empty()) s += '>';
    s += seq.str();
    s += '[' + std::to_string(index) + ']';
    return s;
}

std::string leaf(const std::string& prefix, Tag tag) { return prefix.empty() ? tag.str() : prefix + '>' + tag.str(); }

std::string class_name(std::string_view uid) {
    if (const dict::UidInfo* info = dict::find_uid(uid)) return std::string(info->name);
    return std::string(uid);
}

bool is_plan(std::string_view c) { return c == uids::RTPlanStorage || c == uids::RTIonPlanStorage; }

/// The check of one run: the instances by SOP Instance UID, the report being filled.
class Run {
public:
    Run(const std::vector<Instance>& instances, Report& report) : report_(report) {
        for (std::size_t i = 0; i < instances.size(); ++i) {
            const Instance& in = instances[i];
            if (!in.sop_instance.empty()) {
                auto [it, fresh] = by_uid_.emplace(in.sop_instance, i);
                if (!fresh)
                    problem(ProblemKind::DuplicateInstance, i, "(0008,0018)", in.sop_instance,
                            "the same SOP Instance UID as " + instances[it->second].file);
            }
            if (!in.series.empty()) series_.insert(in.series);
            if (!in.study.empty()) studies_.insert(in.study);
        }
    }

    void problem(ProblemKind kind, std::size_t from, std::string path, std::string uid, std::string message) {
        report_.problems.push_back(
            Problem{kind, report_.instances[from].file, std::move(path), std::move(uid), std::move(message)});
    }

    /// A reference item (SOP Instance Reference Macro): resolved, its class compared. Returns the
    /// referenced instance when it resolves.
    std::optional<std::size_t> instance_ref(std::size_t from, Target target, const DataSet& item,
                                            const std::string& item_path) {
        Reference r;
        r.from = from;
        r.target = target;
        r.path = leaf(item_path, kRefInstance);
        r.uid = text(item, kRefInstance);
        r.sop_class = text(item, kRefClass);
        if (r.uid.empty()) {
            problem(ProblemKind::MissingUid, from, r.path, "",
                    "reference item without Referenced SOP Instance UID (" + std::string(to_string(target)) + ")");
            report_.references.push_back(std::move(r));
            return std::nullopt;
        }
        auto it = by_uid_.find(r.uid);
        if (it == by_uid_.end()) {
            problem(ProblemKind::Unresolved, from, r.path, r.uid,
                    "referenced " + std::string(to_string(target)) +
                        (r.sop_class.empty() ? std::string() : " (" + class_name(r.sop_class) + ")") +
                        " is in none of the files given");
            report_.references.push_back(std::move(r));
            return std::nullopt;
        }
        r.to = it->second;
        r.resolved = true;
        const Instance& to = report_.instances[it->second];
        if (!r.sop_class.empty() && !to.sop_class.empty() && r.sop_class != to.sop_class)
            problem(ProblemKind::ClassMismatch, from, leaf(item_path, kRefClass), r.uid,
                    "Referenced SOP Class UID " + class_name(r.sop_class) + " but " + to.file + " is " +
                        class_name(to.sop_class));
        report_.references.push_back(std::move(r));
        return it->second;
    }

    /// Series and study references: resolved when some instance given belongs to them.
    void group_ref(std::size_t from, Target target, std::string uid, std::string path) {
        Reference r;
        r.from = from;
        r.target = target;
        r.path = std::move(path);
        r.uid = std::move(uid);
        const auto& known = target == Target::Series ? series_ : studies_;
        if (r.uid.empty()) {
            problem(ProblemKind::MissingUid, from, r.path, "", std::string(to_string(target)) + " reference without a UID");
        } else if (known.count(r.uid) == 0) {
            problem(ProblemKind::Unresolved, from, r.path, r.uid,
                    "referenced " + std::string(to_string(target)) + " has no instance among the files given");
        } else {
            r.resolved = true;
        }
        report_.references.push_back(std::move(r));
    }

    void same_for(std::size_t from, std::size_t to, const std::string& expected, const std::string& path,
                  const std::string& what) {
        const std::string& actual = report_.instances[to].frame_of_reference;
        if (expected.empty() || actual.empty() || expected == actual) return;
        problem(ProblemKind::FrameOfReference, from, path, actual,
                what + " " + expected + " but " + report_.instances[to].file + " has Frame of Reference UID " + actual);
    }

    void structure_set(std::size_t from, const DataSet& ds) {
        std::set<std::string> frames;
        if (const auto* fors = items(ds, tags::ReferencedFrameOfReferenceSequence)) {
            for (std::size_t i = 0; i < fors->size(); ++i) {
                const DataSet& f = (*fors)[i];
                std::string p1 = step("", tags::ReferencedFrameOfReferenceSequence, i);
                std::string frame = text(f, kFrameOfReference);
                if (!frame.empty()) frames.insert(frame);
                const auto* studies = items(f, tags::RTReferencedStudySequence);
                if (!studies) continue;
                for (std::size_t j = 0; j < studies->size(); ++j) {
                    const DataSet& st = (*studies)[j];
                    std::string p2 = step(p1, tags::RTReferencedStudySequence, j);
                    group_ref(from, Target::Study, text(st, kRefInstance), leaf(p2, kRefInstance));
                    const auto* series = items(st, tags::RTReferencedSeriesSequence);
                    if (!series) continue;
                    for (std::size_t k = 0; k < series->size(); ++k) {
                        const DataSet& se = (*series)[k];
                        std::string p3 = step(p2, tags::RTReferencedSeriesSequence, k);
                        std::string series_uid = text(se, kSeries);
                        group_ref(from, Target::Series, series_uid, leaf(p3, kSeries));
                        const auto* images = items(se, tags::ContourImageSequence);
                        if (!images) continue;
                        for (std::size_t l = 0; l < images->size(); ++l) {
                            std::string p4 = step(p3, tags::ContourImageSequence, l);
                            auto to = instance_ref(from, Target::Image, (*images)[l], p4);
                            if (!to) continue;
                            same_for(from, *to, frame, leaf(p4, kRefInstance),
                                     "listed under Frame of Reference UID");
                            const std::string& actual_series = report_.instances[*to].series;
                            if (!series_uid.empty() && !actual_series.empty() && actual_series != series_uid)
                                problem(ProblemKind::SeriesMismatch, from, leaf(p4, kRefInstance),
                                        report_.instances[*to].sop_instance,
                                        "listed under series " + series_uid + " but " + report_.instances[*to].file +
                                            " is in series " + actual_series);
                        }
                    }
                }
            }
        }
        // Each ROI's Frame of Reference is one of the set's (C.8.8.5.1).
        std::map<std::string, std::string> roi_frame;  // ROI Number -> Referenced Frame of Reference UID
        if (const auto* rois = items(ds, tags::StructureSetROISequence)) {
            for (std::size_t i = 0; i < rois->size(); ++i) {
                const DataSet& roi = (*rois)[i];
                std::string number = text(roi, tags::ROINumber);
                std::string frame = text(roi, kReferencedFor);
                if (!number.empty()) roi_frame[number] = frame;
                if (!frame.empty() && !frames.empty() && frames.count(frame) == 0)
                    problem(ProblemKind::FrameOfReference, from,
                            leaf(step("", tags::StructureSetROISequence, i), kReferencedFor), frame,
                            "ROI " + number + "'s Frame of Reference is not in Referenced Frame of Reference Sequence (3006,0010)");
            }
        }
        if (const auto* contours = items(ds, tags::ROIContourSequence)) {
            for (std::size_t i = 0; i < contours->size(); ++i) {
                const DataSet& rc = (*contours)[i];
                std::string p1 = step("", tags::ROIContourSequence, i);
                std::string number = text(rc, tags::ReferencedROINumber);
                std::string frame;
                if (auto it = roi_frame.find(number); it != roi_frame.end()) {
                    frame = it->second;
                } else if (!number.empty()) {
                    problem(ProblemKind::UnknownRoi, from, leaf(p1, tags::ReferencedROINumber), "",
                            "Referenced ROI Number " + number + " is no ROI Number of Structure Set ROI Sequence (3006,0020)");
                }
                const auto* cs = items(rc, tags::ContourSequence);
                if (!cs) continue;
                for (std::size_t j = 0; j < cs->size(); ++j) {
                    std::string p2 = step(p1, tags::ContourSequence, j);
                    const auto* images = items((*cs)[j], tags::ContourImageSequence);
                    if (!images) continue;
                    for (std::size_t k = 0; k < images->size(); ++k) {
                        std::string p3 = step(p2, tags::ContourImageSequence, k);
                        auto to = instance_ref(from, Target::Image, (*images)[k], p3);
                        if (to) same_for(from, *to, frame, leaf(p3, kRefInstance), "ROI " + number + " is in Frame of Reference UID");
                    }
                }
            }
        }
    }

    /// The Frames of Reference a structure set states: its referenced ones and its own.
    static std::set<std::string> frames_of(const Instance& in, const DataSet& ds) {
        std::set<std::string> out;
        if (!in.frame_of_reference.empty()) out.insert(in.frame_of_reference);
        if (const auto* fors = items(ds, tags::ReferencedFrameOfReferenceSequence))
            for (const DataSet& f : *fors)
                if (auto s = text(f, kFrameOfReference); !s.empty()) out.insert(s);
        return out;
    }

    void top_level(std::size_t from, const DataSet& ds, const std::vector<DataSet>& refs_of) {
        const Instance& self = report_.instances[from];
        auto each = [&](Tag seq, Target target, auto&& then) {
            const auto* list = items(ds, seq);
            if (!list) return;
            for (std::size_t i = 0; i < list->size(); ++i) {
                std::string p = step("", seq, i);
                if (auto to = instance_ref(from, target, (*list)[i], p)) then(*to, leaf(p, kRefInstance));
            }
        };
        // RT Plan (plan relationships), RT Dose, treatment records: Referenced RT Plan Sequence.
        each(tags::ReferencedRTPlanSequence, Target::Plan, [&](std::size_t to, const std::string& path) {
            if (self.frame_of_reference.empty() || is_treatment_record(self.sop_class)) return;
            if (!report_.instances[to].frame_of_reference.empty()) {
                same_for(from, to, self.frame_of_reference, path, "this instance has Frame of Reference UID");
                return;
            }
            // A plan without a Frame of Reference: the dose against the plan's structure set.
            const auto* sets = items(refs_of[to], tags::ReferencedStructureSetSequence);
            if (!sets) return;
            for (const DataSet& item : *sets) {
                auto it = by_uid_.find(text(item, kRefInstance));
                if (it == by_uid_.end()) continue;
                auto frames = frames_of(report_.instances[it->second], refs_of[it->second]);
                if (frames.empty() || frames.count(self.frame_of_reference)) continue;
                problem(ProblemKind::FrameOfReference, from, path, self.frame_of_reference,
                        "Frame of Reference UID " + self.frame_of_reference + " is none of the structure set " +
                            report_.instances[it->second].file + "'s, which the plan references");
            }
        });
        // RT Plan (C.8.8.9) and RT Dose's DVH (C.8.8.4): Referenced Structure Set Sequence.
        each(tags::ReferencedStructureSetSequence, Target::StructureSet, [&](std::size_t to, const std::string& path) {
            if (self.frame_of_reference.empty()) return;
            auto frames = frames_of(report_.instances[to], refs_of[to]);
            if (frames.empty() || frames.count(self.frame_of_reference)) return;
            problem(ProblemKind::FrameOfReference, from, path, self.frame_of_reference,
                    "Frame of Reference UID " + self.frame_of_reference + " is none of the structure set " +
                        report_.instances[to].file + "'s");
        });
        each(tags::ReferencedDoseSequence, Target::Dose, [](std::size_t, const std::string&) {});
        each(tags::ReferencedTreatmentRecordSequence, Target::TreatmentRecord, [](std::size_t, const std::string&) {});
        if (!is_plan(self.sop_class)) return;
        // Fraction groups and beams may name the doses computed for them.
        for (Tag outer : {kFractionGroupSequence, kBeamSequence}) {
            const auto* list = items(ds, outer);
            if (!list) continue;
            for (std::size_t i = 0; i < list->size(); ++i) {
                std::string p1 = step("", outer, i);
                const auto* doses = items((*list)[i], tags::ReferencedDoseSequence);
                if (!doses) continue;
                for (std::size_t j = 0; j < doses->size(); ++j)
                    instance_ref(from, Target::Dose, (*doses)[j], step(p1, tags::ReferencedDoseSequence, j));
            }
        }
    }

private:
    Report& report_;
    std::unordered_map<std::string, std::size_t> by_uid_;
    std::set<std::string> series_;
    std::set<std::string> studies_;
};

using log::json_string;

std::string dot_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        if (static_cast<unsigned char>(c) < 0x20) continue;
        out += c;
    }
    return out + '"';
}

std::string base_name(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// References grouped by (from, to or broken UID, target): what the JSON edges and dot edges show.
struct Edge {
    std::size_t from = 0;
    std::optional<std::size_t> to;
    Target target = Target::Image;
    std::string uid;
    std::string path;  ///< the first reference's
    std::size_t count = 0;
    bool resolved = false;
};

std::vector<Edge> edges_of(const Report& r) {
    std::vector<Edge> out;
    std::map<std::tuple<std::size_t, std::string, int>, std::size_t> at;
    for (const Reference& ref : r.references) {
        // Resolved series and study references are drawn through their images.
        if (ref.resolved && !ref.to) continue;
        auto key = std::make_tuple(ref.from, ref.uid, static_cast<int>(ref.target));
        auto [it, fresh] = at.emplace(key, out.size());
        if (fresh) out.push_back(Edge{ref.from, ref.to, ref.target, ref.uid, ref.path, 0, ref.resolved});
        ++out[it->second].count;
    }
    return out;
}

}  // namespace

std::string_view to_string(Target t) noexcept {
    switch (t) {
        case Target::Image: return "image";
        case Target::Series: return "series";
        case Target::Study: return "study";
        case Target::StructureSet: return "structure set";
        case Target::Plan: return "plan";
        case Target::Dose: return "dose";
        case Target::TreatmentRecord: return "treatment record";
    }
    return "?";
}

std::string_view to_string(ProblemKind k) noexcept {
    switch (k) {
        case ProblemKind::Unresolved: return "unresolved";
        case ProblemKind::ClassMismatch: return "class-mismatch";
        case ProblemKind::FrameOfReference: return "frame-of-reference";
        case ProblemKind::SeriesMismatch: return "series-mismatch";
        case ProblemKind::MissingUid: return "missing-uid";
        case ProblemKind::UnknownRoi: return "unknown-roi";
        case ProblemKind::DuplicateInstance: return "duplicate-instance";
    }
    return "?";
}

bool is_treatment_record(std::string_view c) noexcept {
    return c == uids::RTBeamsTreatmentRecordStorage || c == uids::RTBrachyTreatmentRecordStorage ||
           c == uids::RTTreatmentSummaryRecordStorage || c == uids::RTIonBeamsTreatmentRecordStorage;
}

void Checker::add(std::string name, const DataSet& ds) {
    Entry e;
    e.instance.file = std::move(name);
    e.instance.sop_class = text(ds, kSopClass);
    e.instance.sop_instance = text(ds, kSopInstance);
    e.instance.study = text(ds, tags::StudyInstanceUID);
    e.instance.series = text(ds, kSeries);
    e.instance.modality = text(ds, tags::Modality);
    e.instance.frame_of_reference = text(ds, kFrameOfReference);
    for (Tag t : kKept)
        if (const Element* el = ds.find(t)) e.refs.set(*el);
    entries_.push_back(std::move(e));
}

Report Checker::check() const {
    Report report;
    report.instances.reserve(entries_.size());
    std::vector<DataSet> refs;
    refs.reserve(entries_.size());
    for (const Entry& e : entries_) {
        report.instances.push_back(e.instance);
        refs.push_back(e.refs);
    }
    Run run(report.instances, report);
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (report.instances[i].sop_class == uids::RTStructureSetStorage) run.structure_set(i, refs[i]);
        run.top_level(i, refs[i], refs);
    }
    return report;
}

std::string to_text(const Report& r) {
    std::string out;
    for (const Problem& p : r.problems) {
        out += p.file + ": " + std::string(to_string(p.kind)) + ": " + p.path;
        if (!p.uid.empty()) out += ": " + p.uid;
        out += ": " + p.message + '\n';
    }
    std::size_t resolved = 0;
    for (const Reference& ref : r.references) resolved += ref.resolved ? 1 : 0;
    out += std::to_string(r.instances.size()) + " instances, " + std::to_string(r.references.size()) +
           " references (" + std::to_string(resolved) + " resolved), " + std::to_string(r.problems.size()) +
           (r.problems.size() == 1 ? " problem" : " problems") + (r.ok() ? ": OK\n" : "\n");
    return out;
}

std::string to_json(const Report& r) {
    std::string out = "{\n  \"ok\": ";
    out += r.ok() ? "true" : "false";
    out += ",\n  \"nodes\": [";
    for (std::size_t i = 0; i < r.instances.size(); ++i) {
        const Instance& in = r.instances[i];
        out += i ? ",\n    " : "\n    ";
        out += "{\"id\": " + std::to_string(i) + ", \"file\": " + json_string(in.file) +
               ", \"sop_class\": " + json_string(in.sop_class) + ", \"sop_class_name\": " +
               json_string(class_name(in.sop_class)) + ", \"sop_instance\": " + json_string(in.sop_instance) +
               ", \"study\": " + json_string(in.study) + ", \"series\": " + json_string(in.series) +
               ", \"modality\": " + json_string(in.modality) + ", \"frame_of_reference\": " +
               json_string(in.frame_of_reference) + "}";
    }
    out += r.instances.empty() ? "],\n  \"edges\": [" : "\n  ],\n  \"edges\": [";
    auto edges = edges_of(r);
    for (std::size_t i = 0; i < edges.size(); ++i) {
        const Edge& e = edges[i];
        out += i ? ",\n    " : "\n    ";
        out += "{\"from\": " + std::to_string(e.from) + ", \"to\": " + (e.to ? std::to_string(*e.to) : "null") +
               ", \"target\": " + json_string(to_string(e.target)) + ", \"uid\": " + json_string(e.uid) +
               ", \"path\": " + json_string(e.path) + ", \"count\": " + std::to_string(e.count) +
               ", \"resolved\": " + (e.resolved ? "true" : "false") + "}";
    }
    out += edges.empty() ? "],\n  \"problems\": [" : "\n  ],\n  \"problems\": [";
    for (std::size_t i = 0; i < r.problems.size(); ++i) {
        const Problem& p = r.problems[i];
        out += i ? ",\n    " : "\n    ";
        out += "{\"kind\": " + json_string(to_string(p.kind)) + ", \"file\": " + json_string(p.file) +
               ", \"path\": " + json_string(p.path) + ", \"uid\": " + json_string(p.uid) +
               ", \"message\": " + json_string(p.message) + "}";
    }
    out += r.problems.empty() ? "]\n}\n" : "\n  ]\n}\n";
    return out;
}

std::string to_dot(const Report& r) {
    std::string out = "digraph rt {\n  rankdir=RL;\n  node [shape=box, fontsize=10];\n";
    std::map<std::string, std::vector<std::size_t>> by_series;
    for (std::size_t i = 0; i < r.instances.size(); ++i) by_series[r.instances[i].series].push_back(i);
    std::size_t cluster = 0;
    for (const auto& [series, members] : by_series) {
        out += "  subgraph cluster_" + std::to_string(cluster++) + " {\n    label=" +
               dot_string((r.instances[members.front()].modality.empty() ? std::string("series")
                                                                        : r.instances[members.front()].modality) +
                          " series " + series) +
               ";\n";
        for (std::size_t i : members) {
            const Instance& in = r.instances[i];
            out += "    n" + std::to_string(i) + " [label=" +
                   dot_string(in.modality + "\n" + base_name(in.file) + "\n" + in.sop_instance) + "];\n";
        }
        out += "  }\n";
    }
    std::map<std::string, std::size_t> missing;
    for (const Edge& e : edges_of(r)) {
        if (e.to) {
            out += "  n" + std::to_string(e.from) + " -> n" + std::to_string(*e.to);
            if (e.count > 1) out += " [label=\"" + std::to_string(e.count) + "\"]";
            out += ";\n";
            continue;
        }
        auto [it, fresh] = missing.emplace(e.uid, missing.size());
        std::string id = "m" + std::to_string(it->second);
        if (fresh)
            out += "  " + id + " [label=" + dot_string("missing " + std::string(to_string(e.target)) + "\n" + e.uid) +
                   ", color=red, fontcolor=red, style=dashed];\n";
        out += "  n" + std::to_string(e.from) + " -> " + id + " [color=red, style=dashed, label=" +
               dot_string(e.path) + "];\n";
    }
    out += "}\n";
    return out;
}

}  // namespace dicomkit::rt
