// The validation walk: the IOD's modules over the data set and its items, then every element's
// VR, VM and value, then the File Meta Information.
#include <dicomkit/validate/validator.hpp>

#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/validate/condition.hpp>
#include <dicomkit/validate/tables.hpp>
#include <dicomkit/validate/value_rules.hpp>

namespace dicomkit::validate {

namespace {

using namespace tables;

constexpr Tag kSopClassUid{0x0008, 0x0016};
constexpr Tag kSopInstanceUid{0x0008, 0x0018};
constexpr int kMaxDepth = 48;

std::string name_of(Tag tag) {
    std::string_view kw = dict::keyword_of(tag);
    return kw.empty() ? tag.str() : std::string(kw);
}

bool is_empty(const Element& e) {
    if (e.is_sequence()) return e.sequence().items.empty();
    if (e.is_fragments()) return false;
    return e.length() == 0;
}

const char* type_name(std::uint8_t t) {
    switch (t) {
    case Type1: return "1";
    case Type1C: return "1C";
    case Type2: return "2";
    case Type2C: return "2C";
    case Type3: return "3";
    case Type3C: return "3C";
    default: return "?";
    }
}

class Walker {
public:
    Walker(const Options& options, Report& report) : options_(options), report_(report) {}

    void add(Severity sev, std::string_view kind, Tag tag, const std::string& prefix, std::string_view module,
             std::string message) {
        std::string path = prefix + name_of(tag);
        std::string key = std::string(kind) + '|' + path;
        if (!seen_.insert(key).second) return;
        Finding f;
        f.severity = sev;
        f.kind = std::string(kind);
        f.tag = tag;
        f.keyword = std::string(dict::keyword_of(tag));
        f.path = std::move(path);
        f.module = std::string(module);
        f.message = std::move(message);
        report_.findings.push_back(std::move(f));
    }

    [[nodiscard]] const Options& options() const noexcept { return options_; }

    /// The rows of a module, macro or sequence item.
    void body(std::uint16_t index, const Scope& scope, const std::string& prefix, std::string_view module, int depth) {
        auto bodies = tables::bodies();
        if (index >= bodies.size() || depth > kMaxDepth) return;
        const Body& b = bodies[index];
        auto rows = tables::rows().subspan(b.first, b.count);
        for (const Row& r : rows) {
            switch (r.kind) {
            case RowInvoke:
                // A macro may be invoked under a condition (functional groups: shared or per frame).
                if (evaluate_condition(r.condition, scope)) body(r.body, scope, prefix, module, depth + 1);
                break;
            case RowAttribute:
            case RowSequence: attribute(r, scope, prefix, module, depth); break;
            case RowVerify: verify(r, scope, prefix, module); break;
            default: break;
            }
        }
    }

    /// Whether any attribute of a module body is in the data set (for modules of usage U).
    bool body_present(std::uint16_t index, const DataSet& ds, int depth = 0) const {
        auto bodies = tables::bodies();
        if (index >= bodies.size() || depth > 8) return false;
        const Body& b = bodies[index];
        for (const Row& r : tables::rows().subspan(b.first, b.count)) {
            if (r.kind == RowInvoke) {
                if (body_present(r.body, ds, depth + 1)) return true;
            } else if (r.kind != RowVerify && r.tag != 0xFFFFFFFF && ds.contains(Tag(r.tag))) {
                return true;
            }
        }
        return false;
    }

private:
    void attribute(const Row& r, const Scope& scope, const std::string& prefix, std::string_view module, int depth) {
        if (r.tag == 0xFFFFFFFF) return;
        Tag tag(r.tag);
        const Element* e = scope.current->find(tag);
        bool empty = e && is_empty(*e);
        std::string t = type_name(r.type);
        switch (r.type) {
        case Type1:
            if (!e) add(Severity::Error, "missing-type1", tag, prefix, module, "type 1 attribute missing");
            else if (empty) add(Severity::Error, "empty-type1", tag, prefix, module, "type 1 attribute present but empty");
            break;
        case Type2:
            if (!e) add(Severity::Error, "missing-type2", tag, prefix, module, "type 2 attribute missing");
            break;
        case Type1C:
        case Type2C:
        case Type3C: {
            bool type1 = r.type == Type1C;
            if (r.flags & FlagNoCondition || r.condition == kNoCondition) {
                if (type1 && e && empty)
                    add(Severity::Error, "empty-type1c", tag, prefix, module, "type 1C attribute present but empty");
                break;
            }
            bool required = evaluate_condition(r.condition, scope);
            if (r.type == Type3C) break;
            if (required) {
                if (!e)
                    add(Severity::Error, type1 ? "missing-type1c" : "missing-type2c", tag, prefix, module,
                        "type " + t + " attribute missing and its condition holds");
                else if (type1 && empty)
                    add(Severity::Error, "empty-type1c", tag, prefix, module,
                        "type 1C attribute present but empty and its condition holds");
            } else if (e && !(r.flags & FlagMayBePresent)) {
                add(Severity::Error, "not-allowed", tag, prefix, module,
                    "type " + t + " attribute present although its condition does not hold");
            } else if (type1 && e && empty) {
                add(Severity::Error, "empty-type1c", tag, prefix, module, "type 1C attribute present but empty");
            }
            break;
        }
        default: break;
        }
        if (!e || empty) return;
        if (r.vs_kind != VsNone) value_set(r, *e, prefix, module);
        if (r.flags & (FlagNotZeroError | FlagNotZeroWarning)) not_zero(r, *e, prefix, module);
        if (r.kind == RowSequence && e->is_sequence()) {
            const auto& items = e->sequence().items;
            if (items.size() > r.vm_max || items.size() < r.vm_min) {
                std::string want = r.vm_min == r.vm_max ? std::to_string(r.vm_min)
                                   : r.vm_max == 0xFFFF ? std::to_string(r.vm_min) + " or more"
                                                        : std::to_string(r.vm_min) + " to " + std::to_string(r.vm_max);
                add(Severity::Error, "bad-item-count", tag, prefix, module,
                    std::to_string(items.size()) + " items where " + want + " are allowed");
            }
            std::string kw = name_of(tag);
            for (std::size_t i = 0; i < items.size(); ++i) {
                Scope child{&items[i], &scope, scope.root, scope.meta};
                body(r.body, child, prefix + kw + "[" + std::to_string(i) + "].", module, depth + 1);
            }
        }
    }

    void verify(const Row& r, const Scope& scope, const std::string& prefix, std::string_view module) {
        if (r.tag == 0xFFFFFFFF) return;
        if (!evaluate_condition(r.condition, scope)) return;
        if (r.flags & (FlagThenError | FlagThenWarning)) {
            if (!r.message.empty())
                add(r.flags & FlagThenError ? Severity::Error : Severity::Warning, "message", Tag(r.tag), prefix, module,
                    std::string(r.message));
            return;
        }
        const Element* e = scope.current->find(Tag(r.tag));
        if (!e || is_empty(*e)) return;
        if (r.vs_kind != VsNone) value_set(r, *e, prefix, module);
        if (r.flags & (FlagNotZeroError | FlagNotZeroWarning)) not_zero(r, *e, prefix, module);
    }

    void value_set(const Row& r, const Element& e, const std::string& prefix, std::string_view module) {
        auto sets = tables::value_sets();
        if (r.value_set >= sets.size() || !e.is_bytes()) return;
        const ValueSet& vs = sets[r.value_set];
        bool enumerated = r.vs_kind != VsStringDefined;
        auto complain = [&](std::string value) {
            if (enumerated)
                add(Severity::Error, "bad-enumerated-value", Tag(r.tag), prefix, module,
                    "value \"" + value + "\" is not one of the enumerated values (" + std::string(vs.name) + ")");
            else
                add(Severity::Warning, "unknown-defined-term", Tag(r.tag), prefix, module,
                    "value \"" + value + "\" is not one of the defined terms (" + std::string(vs.name) + ")");
        };
        if (vs.kind == 0) {
            if (!is_string(e.vr())) return;
            auto values = e.strings();
            if (!values) return;
            auto strs = tables::strings().subspan(vs.first, vs.count);
            for (std::size_t i = 0; i < values->size(); ++i) {
                if (r.selector >= 0 && static_cast<std::size_t>(r.selector) != i) continue;
                std::string_view v = trim_spaces((*values)[i]);
                if (v.empty()) continue;
                if (std::find(strs.begin(), strs.end(), v) == strs.end()) complain(std::string(v));
            }
            return;
        }
        if (r.vs_kind == VsBitMap) return;
        auto nums = tables::numbers().subspan(vs.first, vs.count);
        if (vs.kind == 2) {
            if (e.vr() != VR::AT) return;
            for (std::size_t i = 0; i < e.length() / 4; ++i) {
                if (r.selector >= 0 && static_cast<std::size_t>(r.selector) != i) continue;
                auto t = e.tag_value(i);
                if (t && std::find(nums.begin(), nums.end(), static_cast<std::int64_t>(t->value())) == nums.end())
                    complain(t->str());
            }
            return;
        }
        auto values = e.numbers<double>();
        if (!values) return;
        for (std::size_t i = 0; i < values->size(); ++i) {
            if (r.selector >= 0 && static_cast<std::size_t>(r.selector) != i) continue;
            auto v = static_cast<std::int64_t>((*values)[i]);
            if (std::find(nums.begin(), nums.end(), v) == nums.end()) complain(std::to_string(v));
        }
    }

    void not_zero(const Row& r, const Element& e, const std::string& prefix, std::string_view module) {
        if (!e.is_bytes()) return;
        auto values = e.numbers<double>();
        if (!values) return;
        for (double v : *values) {
            if (v == 0) {
                bool err = r.flags & FlagNotZeroError;
                add(err ? Severity::Error : Severity::Warning, "zero-value", Tag(r.tag), prefix, module,
                    "value is zero where it should not be");
                return;
            }
        }
    }

    const Options& options_;
    Report& report_;
    std::unordered_set<std::string> seen_;
};

/// VR, VM and value rules of every element, at every level.
void check_elements(Walker& w, const DataSet& ds, const std::string& prefix, std::string_view where, int depth) {
    if (depth > kMaxDepth) return;
    for (const Element& e : ds) {
        Tag tag = e.tag();
        if (tag.is_private()) continue;
        if (e.is_sequence()) {
            std::string kw = name_of(tag);
            const auto& items = e.sequence().items;
            for (std::size_t i = 0; i < items.size(); ++i)
                check_elements(w, items[i], prefix + kw + "[" + std::to_string(i) + "].", where, depth + 1);
        }
        if (tag.element == 0x0000) continue;  // group lengths
        const dict::AttributeInfo* info = dict::find(tag);
        if (!info || info->vr_count == 0) continue;
        if (info->retired && w.options().warn_retired)
            w.add(Severity::Warning, "retired", tag, prefix, where, "retired attribute (PS3.6)");
        VR vr = e.vr();
        if (vr != VR::UN && !info->allows(vr)) {
            std::string want;
            for (std::uint8_t i = 0; i < info->vr_count; ++i) {
                if (i) want += " or ";
                want += to_string(info->vrs[i]);
            }
            w.add(Severity::Error, "bad-vr", tag, prefix, where,
                  "VR " + std::string(to_string(vr)) + " where the dictionary says " + want);
            continue;
        }
        if (!e.is_bytes() || e.length() == 0 || vr == VR::SQ || vr == VR::UN) continue;
        if (std::size_t size = value_size(vr); size > 1 && e.length() % size != 0) {
            w.add(Severity::Error, "bad-value", tag, prefix, where,
                  "value length " + std::to_string(e.length()) + " is not a multiple of " + std::to_string(size));
            continue;
        }
        std::size_t vm = e.vm();
        if (vm != 0 && !vm_allows(info->vm, vm))
            w.add(Severity::Error, "bad-vm", tag, prefix, where,
                  "VM " + std::to_string(vm) + " where the dictionary says " + std::string(info->vm));
        if (!is_string(vr)) continue;
        if (is_multi_valued_string(vr)) {
            auto values = e.strings();
            if (!values) continue;
            for (std::string_view v : *values) {
                std::string_view t = vr == VR::UI ? v : trim_spaces(v);
                if (vr == VR::UI && t.empty()) continue;
                if (auto bad = check_string_value(vr, t)) {
                    w.add(Severity::Error, "bad-value", tag, prefix, where, *bad + ": \"" + std::string(t) + "\"");
                    break;
                }
            }
        } else if (auto text = e.string_value()) {
            if (auto bad = check_string_value(vr, *text)) w.add(Severity::Error, "bad-value", tag, prefix, where, *bad);
        }
    }
}

void check_meta(Walker& w, const DataSet& meta, const DataSet& ds) {
    const std::string none;
    constexpr std::string_view module = "FileMetaInformation";
    if (meta.empty()) {
        w.add(Severity::Warning, "file-meta", Tag(0x0002, 0x0000), none, module,
              "no File Meta Information (PS3.10 7.1): not a Part 10 file");
        return;
    }
    for (std::uint16_t el : {0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x0012}) {
        Tag t(0x0002, el);
        const Element* e = meta.find(t);
        if (!e) w.add(Severity::Error, "missing-type1", t, none, module, "type 1 attribute missing");
        else if (is_empty(*e)) w.add(Severity::Error, "empty-type1", t, none, module, "type 1 attribute present but empty");
    }
    if (const Element* v = meta.find(Tag(0x0002, 0x0001)); v && v->is_bytes() && v->length() == 2) {
        auto b = v->bytes();
        if (b[0] != 0x00 || b[1] != 0x01)
            w.add(Severity::Error, "file-meta", Tag(0x0002, 0x0001), none, module,
                  "File Meta Information Version is not 00H 01H (PS3.10 7.1)");
    }
    auto same = [&](Tag m, Tag d, const char* what) {
        std::string a = meta.string_or(m), b = ds.string_or(d);
        if (!a.empty() && !b.empty() && a != b)
            w.add(Severity::Error, "file-meta", m, none, module,
                  std::string(what) + " \"" + a + "\" differs from " + name_of(d) + " \"" + b + "\"");
    };
    same(Tag(0x0002, 0x0002), kSopClassUid, "Media Storage SOP Class UID");
    same(Tag(0x0002, 0x0003), kSopInstanceUid, "Media Storage SOP Instance UID");
    check_elements(w, meta, none, module, 0);
}

/// The tags a module body names at its own level (macros expanded, sequences not entered).
void collect_tags(std::uint16_t index, std::vector<std::uint32_t>& out, int depth) {
    auto bodies = tables::bodies();
    if (index >= bodies.size() || depth > 16) return;
    const Body& b = bodies[index];
    for (const Row& r : tables::rows().subspan(b.first, b.count)) {
        if (r.kind == RowInvoke) collect_tags(r.body, out, depth + 1);
        else if (r.kind != RowVerify && r.tag != 0xFFFFFFFF) out.push_back(r.tag);
    }
}

/// PS3.3 A.1 and PS3.4 B.1.1: attributes of none of the IOD's modules make the instance one of a
/// Standard Extended SOP Class; a warning, as dciodvfy gives it.
void check_not_in_iod(Walker& w, const Iod& iod, const DataSet& ds) {
    std::vector<std::uint32_t> tags;
    for (const ModuleRef& m : tables::module_refs().subspan(iod.first_module, iod.module_count))
        collect_tags(m.body, tags, 0);
    std::sort(tags.begin(), tags.end());
    for (const Element& e : ds) {
        Tag t = e.tag();
        if (t.is_private() || t.element == 0x0000 || t.group == 0x0002 || t.group == 0xFFFA || t.group == 0xFFFC)
            continue;
        if (std::binary_search(tags.begin(), tags.end(), t.value())) continue;
        // Repeating groups (overlays 60xx, curves 50xx) are named once, with group xx = 00.
        if ((t.group & 0xFF00) == 0x6000 || (t.group & 0xFF00) == 0x5000)
            if (std::binary_search(tags.begin(), tags.end(), (t.value() & 0xFF00FFFFu))) continue;
        w.add(Severity::Warning, "not-in-iod", t, std::string(), "",
              "attribute of none of the modules of " + std::string(iod.name) +
                  " (a Standard Extended SOP Class, PS3.4 B.1.1)");
    }
}

}  // namespace

bool Report::has_errors() const noexcept { return count(Severity::Error) > 0; }

std::size_t Report::count(Severity s) const noexcept {
    return static_cast<std::size_t>(
        std::count_if(findings.begin(), findings.end(), [s](const Finding& f) { return f.severity == s; }));
}

std::string_view iod_for_sop_class(std::string_view uid) noexcept {
    auto map = tables::sop_classes();
    auto it = std::lower_bound(map.begin(), map.end(), uid,
                               [](const SopClassIod& a, std::string_view b) { return a.uid < b; });
    if (it == map.end() || it->uid != uid) return {};
    return tables::iods()[it->iod].name;
}

Report validate(const DataSet& meta, const DataSet& ds, const Options& options) {
    Report report;
    Walker w(options, report);
    report.sop_class = ds.string_or(kSopClassUid);
    if (report.sop_class.empty()) report.sop_class = meta.string_or(Tag(0x0002, 0x0002));
    Scope root{&ds, nullptr, &ds, &meta};
    const Iod* iod = nullptr;
    auto iods = tables::iods();
    auto map = tables::sop_classes();
    auto it = std::lower_bound(map.begin(), map.end(), std::string_view(report.sop_class),
                               [](const SopClassIod& a, std::string_view b) { return a.uid < b; });
    if (it != map.end() && it->uid == report.sop_class) {
        iod = &iods[it->iod];
    } else if (!report.sop_class.empty()) {
        for (const Iod& candidate : iods)
            if (candidate.condition != kNoCondition && evaluate_condition(candidate.condition, root)) {
                iod = &candidate;
                break;
            }
    }
    if (!iod) {
        w.add(Severity::Warning, "unknown-sop-class", kSopClassUid, std::string(), "",
              report.sop_class.empty() ? "no SOP Class UID: the IOD is unknown, only the encoding is checked"
                                       : "SOP Class " + report.sop_class + " has no IOD in the tables: only the encoding is checked");
    } else {
        report.iod = std::string(iod->name);
        auto bodies = tables::bodies();
        for (const ModuleRef& m : tables::module_refs().subspan(iod->first_module, iod->module_count)) {
            std::string_view name = bodies[m.body].name;
            if (name == "FileMetaInformation") continue;  // checked from the meta below
            bool check = false;
            if (m.usage == UsageM) check = true;
            else if (m.condition != kNoCondition) check = evaluate_condition(m.condition, root);
            else check = w.body_present(m.body, ds);
            if (check) w.body(m.body, root, std::string(), name, 0);
        }
        if (options.warn_not_in_iod) check_not_in_iod(w, *iod, ds);
    }
    check_elements(w, ds, std::string(), "", 0);
    check_meta(w, meta, ds);
    return report;
}

}  // namespace dicomkit::validate
