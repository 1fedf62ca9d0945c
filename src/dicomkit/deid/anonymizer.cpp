#include <dicomkit/deid/anonymizer.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <type_traits>

#include <fmt/format.h>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>

namespace dicomkit::deid {

namespace {

constexpr int kMaxDepth = 64;

std::atomic<std::uint64_t> next_anonymizer_id{1};

bool is_string_vr(VR vr) noexcept {
    switch (vr) {
        case VR::AE: case VR::AS: case VR::CS: case VR::DA: case VR::DS: case VR::DT: case VR::IS:
        case VR::LO: case VR::LT: case VR::PN: case VR::SH: case VR::ST: case VR::TM: case VR::UC:
        case VR::UI: case VR::UR: case VR::UT:
            return true;
        default:
            return false;
    }
}

/// UI attributes whose values name classes and syntaxes, not instances: never replaced.
bool names_a_class(Tag t) {
    const std::string_view k = dict::keyword_of(t);
    return k.find("ClassUID") != std::string_view::npos || k.find("TransferSyntaxUID") != std::string_view::npos ||
           k == "CodingSchemeUID" ||
           k == "MappingResourceUID" || k == "ContextGroupExtensionCreatorUID" || k == "ImplementationClassUID";
}

// Days since 1970-01-01 of a civil date and back (H. Hinnant's algorithms).
long days_from_civil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<long>(doe) - 719468;
}
void civil_from_days(long z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    const long era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<int>(yoe) + static_cast<int>(era * 400);
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A DA value (YYYYMMDD, or YYYY / YYYYMM as in DT) moved back by `days`; nullopt when it
/// does not parse.
std::optional<std::string> shift_date(std::string_view v, int days) {
    if (v.size() == 10 && v[4] == '.' && v[7] == '.') {  // ACR-NEMA YYYY.MM.DD
        std::string s{v.substr(0, 4)};
        s += v.substr(5, 2);
        s += v.substr(8, 2);
        return shift_date(s, days);
    }
    if (!all_digits(v) || (v.size() != 8 && v.size() != 6 && v.size() != 4)) return std::nullopt;
    const int y = std::stoi(std::string(v.substr(0, 4)));
    const unsigned m = v.size() >= 6 ? static_cast<unsigned>(std::stoi(std::string(v.substr(4, 2)))) : 1;
    const unsigned d = v.size() == 8 ? static_cast<unsigned>(std::stoi(std::string(v.substr(6, 2)))) : 1;
    if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    int ny;
    unsigned nm, nd;
    civil_from_days(days_from_civil(y, m, d) - days, ny, nm, nd);
    if (ny < 0 || ny > 9999) return std::nullopt;
    std::string out = fmt::format("{:04}{:02}{:02}", ny, nm, nd);
    return out.substr(0, v.size());
}

std::string dummy_text(VR vr) {
    switch (vr) {
        case VR::AE: return "ANONYMOUS";
        case VR::AS: return "000Y";
        case VR::CS: return "ANONYMIZED";
        case VR::DA: return "19000101";
        case VR::DT: return "19000101000000";
        case VR::TM: return "000000";
        case VR::DS: case VR::IS: return "0";
        case VR::PN: return "ANONYMIZED";
        case VR::UR: return "urn:anonymized";
        default: return "ANONYMIZED";
    }
}

}  // namespace

/// Where a nested data set is, as a chain up to the top ("(0008,1115)[0].(0008,114A)[2]."): made
/// into text only for an error, so that walking an item costs no string.
struct ItemPath {
    const ItemPath* parent;
    Tag tag;
    std::size_t index;
};

std::string path_text(const ItemPath* p) {
    if (!p) return {};
    return fmt::format("{}{}[{}].", path_text(p->parent), p->tag.str(), p->index);
}

struct Walker {
    const Anonymizer& a;
    Context& ctx;
    PatientIdentity patient;
    int shift_days = 0;

    Element dummy(const Element& e) const {
        const Tag t = e.tag();
        const VR vr = e.vr();
        if (vr == VR::UI) return remap_uids(e);
        if (is_string_vr(vr)) return Element::from_string(t, vr, dummy_text(vr));
        std::size_t n = e.is_bytes() ? e.bytes().size() : 0;
        if (n == 0) n = vr == VR::FD || vr == VR::SV || vr == VR::UV ? 8 : vr == VR::US || vr == VR::SS || vr == VR::OB || vr == VR::OW ? 2 : 4;
        Bytes zeros(n, 0);
        return Element(t, vr, zeros);
    }

    /// Each value replaced, written straight into the new element's bytes.
    Element remap_uids(const Element& e) const {
        auto whole = e.string_value();
        if (!whole) return Element::from_string(e.tag(), VR::UI, a.uids_.remap(fmt::format("dummy:{}", e.tag().str())));
        Element out(e.tag(), VR::UI);
        std::string& b = out.mutable_bytes();
        std::string_view s = *whole;
        if (!s.empty()) {
            for (;;) {
                const std::size_t pos = s.find('\\');
                a.uids_.remap_append(s.substr(0, pos), b);
                if (pos == std::string_view::npos) break;
                b.push_back('\\');
                s.remove_prefix(pos + 1);
            }
        }
        if (b.size() % 2) b.push_back('\0');
        return out;
    }

    /// Dates moved back (DA, DT) under Modified Dates; TM stays (whole days keep times of day).
    std::optional<Element> shift(const Element& e) const {
        if (e.vr() == VR::TM) return e;
        auto values = e.strings();
        if (!values) return std::nullopt;
        std::vector<std::string> out;
        for (std::string_view v : *values) {
            if (v.empty()) {
                out.emplace_back();
                continue;
            }
            if (e.vr() == VR::DA) {
                auto s = shift_date(v, shift_days);
                if (!s) return std::nullopt;
                out.push_back(*s);
            } else {  // DT: YYYY[MM[DD[...]]]
                const std::size_t date_len = std::min<std::size_t>(v.size(), 8);
                std::string_view date = v.substr(0, date_len);
                if (date_len > 4 && date_len < 8 && date_len != 6) return std::nullopt;
                auto s = shift_date(date, shift_days);
                if (!s) return std::nullopt;
                out.push_back(*s + std::string(v.substr(date_len)));
            }
        }
        return Element::from_strings(e.tag(), e.vr(), out);
    }

    /// Puts a kept element into `out`: moved out of a data set the caller gave up (In = DataSet),
    /// else copied. Private creators are always copied: keeps_private() reads them from `in`.
    template <class E>
    static void keep(E& e, DataSet& out) {
        if constexpr (std::is_const_v<E>) out.set(e);
        else if (e.tag().is_private_creator()) out.set(e);
        else out.set(std::move(e));
    }

    /// In: const DataSet (copied from) or DataSet (kept values moved out).
    template <class In>
    Result<void> walk(In& in, DataSet& out, int depth, const ItemPath* path) {
        if (depth > kMaxDepth)
            return Unexpected(
                std::move(Error(ErrorCode::LimitExceeded, "sequences nested too deep")).at_tag(path_text(path)));
        // Room for what deidentify() adds at the top (identity, method and its codes, temporal
        // information), so that adding them moves no element to a new buffer.
        out.reserve(in.size() + (depth == 0 ? 8 : 0));
        for (auto& e : in) {
            const Tag t = e.tag();
            if (t.group == 0x0002 || t.is_group_length() || t.is_delimiter()) continue;
            if (t.is_private()) {
                if (!a.keeps_private(in, t)) continue;
                if (const TagRule* r = rule_for(t); r && r->mask == 0xFFFFFFFFu && !t.is_private_creator()) {
                    if (auto ok = apply_action(e, r->action, out, depth, path); !ok) return ok;
                    continue;
                }
                keep(e, out);
                continue;
            }
            if (depth == 0 && t == tags::PatientID) {
                out.set(Element::from_string(t, e.vr() == VR::UN ? VR::LO : e.vr(), patient.id));
                continue;
            }
            if (depth == 0 && t == tags::PatientName) {
                out.set(Element::from_string(t, VR::PN, patient.name));
                continue;
            }
            const Action act = a.action_for(t, e.vr());
            if (auto ok = apply_action(e, act, out, depth, path); !ok) return ok;
        }
        return {};
    }

    template <class E>
    Result<void> recurse(E& e, DataSet& out, int depth, const ItemPath* path) {
        if (!e.is_sequence()) {
            keep(e, out);
            return {};
        }
        Sequence seq;
        auto& items = e.sequence().items;
        seq.items.reserve(items.size());
        for (std::size_t i = 0; i < items.size(); ++i) {
            DataSet item;
            item.set_undefined_length(items[i].undefined_length());
            const ItemPath here{path, e.tag(), i};
            if (auto ok = walk(items[i], item, depth + 1, &here); !ok)
                return ok;
            seq.items.push_back(std::move(item));
        }
        Element copy(e.tag(), e.vr(), std::move(seq));
        copy.set_undefined_length(e.undefined_length());
        out.set(std::move(copy));
        return {};
    }

    template <class E>
    Result<void> apply_action(E& e, Action act, DataSet& out, int depth, const ItemPath* path) {
        const Tag t = e.tag();
        const VR vr = e.vr();
        switch (act) {
            case Action::X:
                return {};
            case Action::Z:
                if (vr == VR::SQ || e.is_sequence()) out.set(Element(t, VR::SQ, Sequence{}));
                else out.set(Element(t, vr));
                return {};
            case Action::D: {
                if (e.is_sequence()) return recurse(e, out, depth, path);
                if (const TagRule* r = rule_for(t); r && r->value) {
                    out.set(Element::from_string(t, vr, *r->value));
                    return {};
                }
                out.set(dummy(e));
                return {};
            }
            case Action::U:
                if (e.is_sequence()) return recurse(e, out, depth, path);
                if (vr == VR::UI) out.set(remap_uids(e));
                else out.set(dummy(e));
                return {};
            case Action::C:
                if (e.is_sequence()) return recurse(e, out, depth, path);
                if ((vr == VR::DA || vr == VR::DT || vr == VR::TM) && a.options().dates == DateOption::Modified) {
                    if (auto s = shift(e)) out.set(std::move(*s));
                    else out.set(dummy(e));
                    return {};
                }
                if (vr == VR::UI) {
                    out.set(remap_uids(e));
                    return {};
                }
                // No automated cleaning of free text or graphics exists: text becomes a dummy
                // value, binary data (overlays, curves) is removed.
                if (is_string_vr(vr)) out.set(dummy(e));
                return {};
            case Action::K:
            default:
                if (e.is_sequence()) return recurse(e, out, depth, path);
                keep(e, out);
                return {};
        }
    }

    const TagRule* rule_for(Tag t) const {
        const TagRule* masked = nullptr;
        for (const TagRule& r : a.recipe_.tags) {
            if (r.mask == 0xFFFFFFFFu && r.tag == t) return &r;
            if (!masked && r.mask != 0xFFFFFFFFu && r.matches(t)) masked = &r;
        }
        return masked;
    }
};

Result<Anonymizer> Anonymizer::create(std::string key, Recipe recipe, PatientMap patients,
                                      const pixel::CodecRegistry* codecs) {
    if (key.empty()) return make_error(ErrorCode::InvalidArgument, "the de-identification key is empty");
    if (recipe.options.clean_pixel_data && recipe.pixel_rules.empty())
        return make_error(ErrorCode::InvalidArgument,
                          "Clean Pixel Data needs the regions to blank: [[clean_pixel]] in a recipe");
    return Anonymizer(std::move(key), std::move(recipe), std::move(patients), codecs);
}

Anonymizer::Anonymizer(std::string key, Recipe recipe, PatientMap patients, const pixel::CodecRegistry* codecs)
    : uids_(std::move(key)), recipe_(std::move(recipe)), patients_(std::move(patients)), codecs_(codecs),
      id_(next_anonymizer_id.fetch_add(1, std::memory_order_relaxed)) {
    columns_ = recipe_.options.columns();
    safe_private_ = builtin_safe_private();
    safe_private_.insert(safe_private_.end(), recipe_.safe_private.begin(), recipe_.safe_private.end());
}

PatientIdentity Anonymizer::patient_identity(std::string_view original_id, std::string_view original_name) const {
    if (auto it = patients_.find(original_id); it != patients_.end()) return it->second;
    std::uint64_t modulus = 1;
    for (int i = 0; i < recipe_.patient.digits; ++i) modulus *= 10;
    const std::string basis = original_id.empty() ? fmt::format("name:{}", original_name) : std::string(original_id);
    const std::uint64_t n = uids_.keyed_number("patient-id", basis, modulus);
    std::string id = fmt::format("{}{:0{}}", recipe_.patient.prefix, n, recipe_.patient.digits);
    return {id, id};
}

int Anonymizer::date_shift_days(std::string_view original_id) const {
    return 1 + static_cast<int>(uids_.keyed_number("date-shift", original_id, 3650));
}

Action Anonymizer::action_for(Tag tag, VR vr) const {
    // A function of the tag and whether the VR is UI alone: each thread remembers the answers of
    // the Anonymizer it used last in a small direct-mapped table, so that the attributes every
    // file repeats cost one look rather than the recipe, the table and the dictionary.
    struct Slot {
        std::uint64_t key = 0;  // 0: empty
        Action action = Action::None;
    };
    struct Cache {
        std::uint64_t owner = 0;
        std::array<Slot, 1024> slots{};
    };
    thread_local Cache cache;
    if (cache.owner != id_) {
        cache.slots.fill(Slot{});
        cache.owner = id_;
    }
    const std::uint64_t key = (std::uint64_t{1} << 40) | (std::uint64_t{tag.value()} << 1) | (vr == VR::UI ? 1u : 0u);
    Slot& slot = cache.slots[(tag.value() * 0x9E3779B1u) >> 22];
    if (slot.key == key) return slot.action;
    const Action act = compute_action(tag, vr);
    slot = Slot{key, act};
    return act;
}

Action Anonymizer::compute_action(Tag tag, VR vr) const {
    const TagRule* masked = nullptr;
    for (const TagRule& r : recipe_.tags) {
        if (r.mask == 0xFFFFFFFFu && r.tag == tag) return r.action;
        if (!masked && r.mask != 0xFFFFFFFFu && r.matches(tag)) masked = &r;
    }
    if (masked) return masked->action;
    if (const ProfileEntry* entry = find_profile_entry(tag)) return resolve(effective_action(*entry, columns_));
    if (vr == VR::UI && !names_a_class(tag)) return recipe_.options.retain_uids ? Action::K : Action::U;
    return Action::K;
}

bool Anonymizer::keeps_private(const DataSet& item, Tag tag) const {
    if (tag.is_private_creator()) {
        // A creator stays when an element of its block stays.
        const std::uint16_t first = static_cast<std::uint16_t>(tag.element << 8);
        for (const Element& e : item) {
            const Tag t = e.tag();
            if (t.group != tag.group || t.element < first || t.element > (first | 0xFF)) continue;
            if (keeps_private(item, t)) return true;
        }
        return false;
    }
    for (const TagRule& r : recipe_.tags)
        if (r.mask == 0xFFFFFFFFu && r.tag == tag) return r.action != Action::X;
    if (!recipe_.options.retain_safe_private || tag.element < 0x1000) return false;
    const std::string creator = item.private_creator_of(tag);
    if (creator.empty()) return false;
    for (const SafePrivate& s : safe_private_)
        if (s.group == tag.group && s.element == (tag.element & 0xFF) && s.creator == creator) return true;
    return false;
}

std::vector<std::pair<std::string, std::string>> Anonymizer::method_codes(bool pixels_cleaned) const {
    const Options& o = recipe_.options;
    std::vector<std::pair<std::string, std::string>> c{{"113100", "Basic Application Confidentiality Profile"}};
    if (pixels_cleaned) c.emplace_back("113101", "Clean Pixel Data Option");
    if (o.clean_graphics) c.emplace_back("113103", "Clean Graphics Option");
    if (o.clean_structured_content) c.emplace_back("113104", "Clean Structured Content Option");
    if (o.clean_descriptors) c.emplace_back("113105", "Clean Descriptors Option");
    if (o.dates == DateOption::Full)
        c.emplace_back("113106", "Retain Longitudinal Temporal Information Full Dates Option");
    if (o.dates == DateOption::Modified)
        c.emplace_back("113107", "Retain Longitudinal Temporal Information Modified Dates Option");
    if (o.retain_patient_characteristics) c.emplace_back("113108", "Retain Patient Characteristics Option");
    if (o.retain_device_identity) c.emplace_back("113109", "Retain Device Identity Option");
    if (o.retain_uids) c.emplace_back("113110", "Retain UIDs Option");
    if (o.retain_safe_private) c.emplace_back("113111", "Retain Safe Private Option");
    if (o.retain_institution_identity) c.emplace_back("113112", "Retain Institution Identity Option");
    return c;
}

Result<DataSet> Anonymizer::apply(const DataSet& ds, Context& context) const {
    return deidentify(ds, nullptr, context, nullptr);
}

Result<io::DicomFile> Anonymizer::apply(const io::DicomFile& file, Context& context) const {
    return apply_file(file, nullptr, context);
}

Result<io::DicomFile> Anonymizer::apply(io::DicomFile&& file, Context& context) const {
    return apply_file(file, &file.dataset, context);
}

Result<io::DicomFile> Anonymizer::apply_file(const io::DicomFile& file, DataSet* movable, Context& context) const {
    if (context.source.empty()) context.source = file.path;
    io::DicomFile out;
    out.transfer_syntax = file.transfer_syntax;
    out.transfer_syntax_uid = file.transfer_syntax_uid;
    out.path = file.path;
    out.source = file.source;  // deferred values are written from the original bytes
    auto ds = deidentify(file.dataset, movable, context, &file.transfer_syntax);
    if (!ds) return Unexpected(ds.error());
    out.dataset = std::move(*ds);
    // File Meta Information: only what describes the object; Media Storage SOP Instance UID
    // follows the data set, source and sending AE titles and private information go.
    for (Tag t : {Tag{0x0002, 0x0001}, Tag{0x0002, 0x0002}, Tag{0x0002, 0x0010}})
        if (const Element* e = file.meta.find(t)) out.meta.set(*e);
    // Only a UI value stands in the meta: a malformed data set may hold something else there (a
    // sequence, read leniently), which the File Meta Information cannot carry.
    if (const Element* sop = out.dataset.find(tags::SOPInstanceUID); sop && sop->vr() == VR::UI) {
        Element m = *sop;
        m.set_tag(Tag{0x0002, 0x0003});
        out.meta.set(std::move(m));
    } else if (const Element* e = file.meta.find(Tag{0x0002, 0x0003})) {
        out.meta.set(Element::from_string(Tag{0x0002, 0x0003}, VR::UI,
                                          recipe_.options.retain_uids ? std::string(e->string_value().value_or(""))
                                                                      : uids_.remap(e->string_value().value_or(""))));
    }
    return out;
}

Result<DataSet> Anonymizer::deidentify(const DataSet& ds, DataSet* movable, Context& context,
                                       const io::TransferSyntax* ts) const {
    context.original.id = ds.string_or(tags::PatientID);
    context.original.name = ds.string_or(tags::PatientName);
    // The shift is asked for only when dates are shifted.
    Walker w{*this, context, patient_identity(context.original.id, context.original.name),
             recipe_.options.dates == DateOption::Modified ? date_shift_days(context.original.id) : 0};
    context.replacement = w.patient;
    DataSet out;
    if (auto ok = movable ? w.walk(*movable, out, 0, nullptr) : w.walk(ds, out, 0, nullptr); !ok)
        return Unexpected(std::move(ok.error()).in_file(context.source));
    // The identity elements the table keeps empty (Type 2) still name the new patient.
    if (!out.contains(tags::PatientID)) out.set(Element::from_string(tags::PatientID, VR::LO, w.patient.id));
    if (!out.contains(tags::PatientName)) out.set(Element::from_string(tags::PatientName, VR::PN, w.patient.name));
    if (recipe_.options.clean_pixel_data) {
        auto cleaned = clean_pixels(out, ts, recipe_.pixel_rules, codecs_, context.source);
        if (!cleaned) return Unexpected(std::move(cleaned.error()).in_file(context.source));
        context.pixels_cleaned = *cleaned;
    }
    if (context.pixels_cleaned) out.set(Element::from_string(tags::BurnedInAnnotation, VR::CS, "NO"));
    out.set(Element::from_string(tags::PatientIdentityRemoved, VR::CS, "YES"));
    const auto codes = method_codes(context.pixels_cleaned);
    std::string method = recipe_.method;
    if (method.empty()) {
        method = "PS3.15 E Basic Profile";
        if (codes.size() > 1) method += fmt::format(" + {} option{}", codes.size() - 1, codes.size() > 2 ? "s" : "");
    }
    out.set(Element::from_string(tags::DeidentificationMethod, VR::LO, method));
    Sequence seq;
    for (const auto& [value, meaning] : codes) {
        DataSet item;
        item.set(Element::from_string(tags::CodeValue, VR::SH, value));
        item.set(Element::from_string(tags::CodingSchemeDesignator, VR::SH, "DCM"));
        item.set(Element::from_string(tags::CodeMeaning, VR::LO, meaning));
        seq.items.push_back(std::move(item));
    }
    out.set(Element(tags::DeidentificationMethodCodeSequence, VR::SQ, std::move(seq)));
    const char* longitudinal = recipe_.options.dates == DateOption::Full       ? "UNMODIFIED"
                               : recipe_.options.dates == DateOption::Modified ? "MODIFIED"
                                                                               : "REMOVED";
    out.set(Element::from_string(tags::LongitudinalTemporalInformationModified, VR::CS, longitudinal));
    return out;
}

}  // namespace dicomkit::deid
