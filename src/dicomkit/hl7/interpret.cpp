#include <dicomkit/hl7/interpret.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>

#include <fmt/format.h>

#include <dicomkit/core/element.hpp>
#include <dicomkit/dict/tags.hpp>

namespace dicomkit::hl7 {

namespace {

Unexpected missing(std::string location, std::string what) {
    Error e(ErrorCode::NotFound, fmt::format("{}: {}", location, what));
    e.tag_path = std::move(location);
    return Unexpected(std::move(e));
}

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
    std::size_t b = 0;
    while (b < s.size() && (s[b] == ' ' || s[b] == '\t')) ++b;
    return s.substr(b);
}

/// At most `n` characters (UTF-8 code points).
std::string cut_chars(std::string s, std::size_t n) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
        if (chars++ == n) {
            s.resize(i);
            break;
        }
    }
    return s;
}

std::size_t max_chars(VR vr) {
    switch (vr) {
    case VR::AE: case VR::CS: case VR::SH: case VR::TM: return 16;
    case VR::DA: return 8;
    case VR::LO: case VR::PN: case VR::UI: return 64;
    case VR::ST: return 1024;
    default: return 10240;
    }
}

/// Sets a string value made fit for its VR: trimmed, a backslash (the value separator) and
/// control characters replaced by spaces, cut to the VR's length. Empty values are skipped.
void put(DataSet& ds, Tag tag, VR vr, std::string value) {
    for (char& c : value)
        if (c == '\\' || (static_cast<unsigned char>(c) < 0x20 && !((vr == VR::LT || vr == VR::ST) && (c == '\r' || c == '\n'))))
            c = ' ';
    value = cut_chars(trim(std::move(value)), max_chars(vr));
    value = trim(std::move(value));
    if (value.empty()) return;
    if (vr == VR::CS) std::transform(value.begin(), value.end(), value.begin(), [](char c) {
            return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        });
    ds.set_string(tag, vr, value);
}

/// A DICOM PN from name parts given as family, given, middle, suffix, prefix (HL7's XPN/XCN
/// order): "family^given^middle^prefix^suffix", trailing empty components dropped.
std::string person_name(std::string family, std::string given, std::string middle, std::string suffix,
                        std::string prefix) {
    std::string parts[5] = {std::move(family), std::move(given), std::move(middle), std::move(prefix), std::move(suffix)};
    for (std::string& p : parts) {
        for (char& c : p)
            if (c == '^' || c == '=' || c == '\\') c = ' ';
        p = trim(std::move(p));
    }
    std::size_t last = 5;
    while (last > 0 && parts[last - 1].empty()) --last;
    std::string out;
    for (std::size_t i = 0; i < last; ++i) {
        if (i) out += '^';
        out += parts[i];
    }
    return out;
}

/// XPN (PID-5): family (its first subcomponent) ^ given ^ middle ^ suffix ^ prefix.
std::string xpn(const Message& m, const Segment& s, std::size_t field) {
    return person_name(m.value(s, field, 1, 1, 1), m.value(s, field, 1, 2), m.value(s, field, 1, 3),
                       m.value(s, field, 1, 4), m.value(s, field, 1, 5));
}
/// XCN (PV1-8, ORC-12, OBR-16): ID ^ family ^ given ^ middle ^ suffix ^ prefix.
std::string xcn(const Message& m, const Segment& s, std::size_t field) {
    return person_name(m.value(s, field, 1, 2, 1), m.value(s, field, 1, 3), m.value(s, field, 1, 4),
                       m.value(s, field, 1, 5), m.value(s, field, 1, 6));
}
/// OBR-34 (NDL, v2.3.1 CM): its first component is a name as subcomponents ID & family & given &
/// middle & suffix & prefix.
std::string ndl(const Message& m, const Segment& s, std::size_t field) {
    return person_name(m.value(s, field, 1, 1, 2), m.value(s, field, 1, 1, 3), m.value(s, field, 1, 1, 4),
                       m.value(s, field, 1, 1, 5), m.value(s, field, 1, 1, 6));
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// An HL7 TS/DTM "YYYYMMDD[HHMM[SS[.S...]]][+/-ZZZZ]" as DICOM DA and TM (either empty when
/// the text does not have it).
std::pair<std::string, std::string> date_time(std::string ts) {
    ts = trim(std::move(ts));
    if (auto z = ts.find_first_of("+-"); z != std::string::npos) ts.resize(z);
    if (ts.size() < 8 || !all_digits(std::string_view(ts).substr(0, 8))) return {};
    std::string da = ts.substr(0, 8);
    std::string tm = ts.substr(8);
    std::string_view digits = std::string_view(tm).substr(0, tm.find('.'));
    if (!all_digits(digits) || digits.size() % 2 != 0) tm.clear();
    if (tm.size() > 13) tm.resize(13);  // HHMMSS.FFFFFF
    return {da, tm};
}

std::string sex(std::string s) {
    s = trim(std::move(s));
    if (s == "M" || s == "F" || s == "O") return s;
    if (s == "A" || s == "N") return "O";
    return {};  // U (unknown) and anything else: left empty
}

std::string priority(std::string p) {
    p = trim(std::move(p));
    if (p == "S") return "STAT";
    if (p == "A" || p == "P" || p == "T") return "HIGH";
    if (p == "R") return "ROUTINE";
    if (p == "C") return "MEDIUM";
    return {};
}

/// A code sequence item from a CE/CWE field: code ^ text ^ coding system.
DataSet code_item(const Message& m, const Segment& s, std::size_t field) {
    DataSet item;
    put(item, tags::CodeValue, VR::SH, m.value(s, field, 1, 1));
    std::string scheme = trim(m.value(s, field, 1, 3));
    put(item, tags::CodingSchemeDesignator, VR::SH, scheme.empty() ? std::string("99LOCAL") : scheme);
    std::string meaning = trim(m.value(s, field, 1, 2));
    put(item, tags::CodeMeaning, VR::LO, meaning.empty() ? m.value(s, field, 1, 1) : meaning);
    return item;
}

/// Hierarchic designator macro (PS3.3 Table 10-17) from an HD in components/subcomponents.
DataSet designator(std::string ns, std::string universal, std::string type) {
    DataSet item;
    put(item, tags::LocalNamespaceEntityID, VR::UT, std::move(ns));
    put(item, tags::UniversalEntityID, VR::UT, std::move(universal));
    put(item, tags::UniversalEntityIDType, VR::CS, std::move(type));
    return item;
}

std::uint64_t mix(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

/// Two independent 64-bit hashes of `key` (FNV-1a with different bases, then a finaliser).
std::pair<std::uint64_t, std::uint64_t> hash128(std::string_view key) {
    std::uint64_t a = 0xcbf29ce484222325ULL, b = 0x84222325cbf29ce4ULL;
    for (char c : key) {
        a = (a ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
        b = (b ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
        b = (b << 7) | (b >> 57);
    }
    return {mix(a ^ key.size()), mix(b + 0x9e3779b97f4a7c15ULL)};
}

/// An SH identifier from an order key: the placer ID when it fits, else a hash in base 36.
std::string short_id(std::string_view id, std::string_view key) {
    if (!id.empty() && id.size() <= 16 && id.find('\\') == std::string_view::npos &&
        std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7F; }))
        return std::string(id);
    auto [a, b] = hash128(key);
    static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    std::string out = "H";
    for (int i = 0; i < 15; ++i) {
        std::uint64_t& v = i < 8 ? a : b;
        out += kDigits[v % 36];
        v /= 36;
    }
    return out;
}

struct OrderGroup {
    const Segment* orc = nullptr;
    const Segment* obr = nullptr;
    const Segment* tq1 = nullptr;
    const Segment* ipc = nullptr;
    const Segment* zds = nullptr;
};

Result<std::vector<Event>> interpret_order(const Message& m, bool omi) {
    const Segment* pid = m.find("PID");
    if (!pid) return missing("PID", "the order has no PID segment");
    auto patient = patient_from_pid(m, *pid);
    if (!patient) return tl::unexpected(patient.error());
    const Segment* pv1 = m.find("PV1");

    std::vector<OrderGroup> groups;
    for (const Segment& s : m.segments()) {
        const std::string& id = s.id();
        if (id == "ORC") {
            groups.push_back(OrderGroup{&s});
        } else if (id == "OBR" || id == "TQ1" || id == "IPC" || id == "ZDS") {
            if (groups.empty() || (id == "OBR" && groups.back().obr)) groups.push_back(OrderGroup{});
            OrderGroup& g = groups.back();
            if (id == "OBR") g.obr = &s;
            else if (id == "TQ1" && !g.tq1) g.tq1 = &s;
            else if (id == "IPC" && !g.ipc) g.ipc = &s;
            else if (id == "ZDS" && !g.zds) g.zds = &s;
        }
    }
    if (groups.empty()) return missing("ORC", "the order has no ORC segment");

    std::vector<Event> events;
    for (const OrderGroup& g : groups) {
        // Order control: ORC-1 (an OBR without ORC is a new order).
        std::string control_code = g.orc ? trim(m.value(*g.orc, 1)) : std::string("NW");
        if (control_code.empty()) return missing("ORC-1", "no order control code");
        OrderEvent ev;
        if (control_code == "NW") ev.control = OrderEvent::Control::New;
        else if (control_code == "XO") ev.control = OrderEvent::Control::Change;
        else if (control_code == "CA" || control_code == "OC") ev.control = OrderEvent::Control::Cancel;
        else if (control_code == "DC" || control_code == "OD") ev.control = OrderEvent::Control::Discontinue;
        else if (control_code == "SC") continue;  // a status change: nothing for the worklist
        else {
            Error e(ErrorCode::InvalidValue,
                    fmt::format("ORC-1: order control code '{}' is not handled (NW, XO, CA, OC, DC, OD, SC)", control_code));
            e.tag_path = "ORC-1";
            return tl::unexpected(std::move(e));
        }

        // Placer and filler order numbers (EI: ID ^ namespace ^ universal ID ^ type).
        auto ei = [&](std::size_t orc_field, std::size_t obr_field, std::size_t comp, std::size_t sub = 1) {
            std::string v = g.orc ? trim(m.value(*g.orc, orc_field, 1, comp, sub)) : std::string();
            if (v.empty() && g.obr) v = trim(m.value(*g.obr, obr_field, 1, comp, sub));
            return v;
        };
        const bool placer_from_orc = g.orc && !trim(m.value(*g.orc, 2, 1, 1)).empty();
        const Segment* placer_seg = placer_from_orc ? g.orc : g.obr;
        std::string placer = placer_seg ? trim(m.value(*placer_seg, 2, 1, 1)) : std::string();
        if (placer.empty()) return missing("ORC-2", "no placer order number (ORC-2 or OBR-2)");
        std::string placer_ns = trim(m.value(*placer_seg, 2, 1, 2));
        ev.order_key = placer_ns.empty() ? placer : placer + "^" + placer_ns;

        DataSet& item = ev.item;
        item = *patient;
        // Visit: referring physician (PV1-8), admission ID (PV1-19), location (PV1-3).
        if (pv1) {
            put(item, tags::ReferringPhysicianName, VR::PN, xcn(m, *pv1, 8));
            put(item, tags::AdmissionID, VR::LO, m.value(*pv1, 19, 1, 1));
            std::string loc = trim(m.value(*pv1, 3, 1, 1));
            for (std::size_t c = 2; c <= 3; ++c)
                if (std::string part = trim(m.value(*pv1, 3, 1, c)); !part.empty()) loc += (loc.empty() ? "" : " ") + part;
            put(item, tags::CurrentPatientLocation, VR::LO, loc);
        }
        // Imaging service request.
        put(item, tags::PlacerOrderNumberImagingServiceRequest, VR::LO, placer);
        if (DataSet d = designator(placer_ns, trim(m.value(*placer_seg, 2, 1, 3)), trim(m.value(*placer_seg, 2, 1, 4)));
            !d.empty())
            item.set(Element(tags::OrderPlacerIdentifierSequence, VR::SQ, Sequence{{d}}));
        put(item, tags::FillerOrderNumberImagingServiceRequest, VR::LO, ei(3, 3, 1));
        if (DataSet d = designator(ei(3, 3, 2), ei(3, 3, 3), ei(3, 3, 4)); !d.empty())
            item.set(Element(tags::OrderFillerIdentifierSequence, VR::SQ, Sequence{{d}}));
        std::string requesting = g.orc ? xcn(m, *g.orc, 12) : std::string();
        if (requesting.empty() && g.obr) requesting = xcn(m, *g.obr, 16);
        put(item, tags::RequestingPhysician, VR::PN, requesting);

        // Accession number, requested procedure ID, SPS ID, study UID: IPC (OMI), else OBR-18,
        // OBR-19, OBR-20 and ZDS-1 (ORM, IHE RAD-4 for HL7 v2.3.1), else generated.
        auto from = [&](const Segment* s, std::size_t field, std::size_t comp = 1) {
            return s ? trim(m.value(*s, field, 1, comp)) : std::string();
        };
        std::string accession = from(g.ipc, 1);
        if (accession.empty()) accession = from(g.obr, 18);
        put(item, tags::AccessionNumber, VR::SH, accession);
        if (g.ipc) {
            if (DataSet d = designator(from(g.ipc, 1, 2), from(g.ipc, 1, 3), from(g.ipc, 1, 4)); !d.empty())
                item.set(Element(tags::IssuerOfAccessionNumberSequence, VR::SQ, Sequence{{d}}));
        }
        std::string rp_id = from(g.ipc, 2);
        if (rp_id.empty()) rp_id = from(g.obr, 19);
        if (rp_id.empty()) rp_id = short_id(placer, ev.order_key);
        put(item, tags::RequestedProcedureID, VR::SH, rp_id);
        std::string study_uid = from(g.ipc, 3);
        if (study_uid.empty()) study_uid = from(g.zds, 1);
        if (study_uid.empty()) study_uid = uid_from_key("study:" + ev.order_key);
        put(item, tags::StudyInstanceUID, VR::UI, study_uid);

        // Requested procedure: OBR-4 universal service ID (code ^ text ^ coding system).
        if (g.obr) {
            std::string text = trim(m.value(*g.obr, 4, 1, 2));
            if (text.empty()) text = trim(m.value(*g.obr, 4, 1, 1));
            put(item, tags::RequestedProcedureDescription, VR::LO, text);
            if (!trim(m.value(*g.obr, 4, 1, 1)).empty())
                item.set(Element(tags::RequestedProcedureCodeSequence, VR::SQ, Sequence{{code_item(m, *g.obr, 4)}}));
            std::string reason = trim(m.value(*g.obr, 31, 1, 2));
            if (reason.empty()) reason = trim(m.value(*g.obr, 31, 1, 1));
            put(item, tags::ReasonForTheRequestedProcedure, VR::LO, reason);
        }
        std::string prio = g.tq1 ? priority(m.value(*g.tq1, 9, 1, 1)) : std::string();
        if (prio.empty() && g.obr) prio = priority(m.value(*g.obr, 27, 1, 6));
        if (prio.empty() && g.orc) prio = priority(m.value(*g.orc, 7, 1, 6));
        put(item, tags::RequestedProcedurePriority, VR::CS, prio);

        // The scheduled procedure step.
        DataSet sps;
        std::string modality = from(g.ipc, 5);
        if (modality.empty()) modality = from(g.obr, 24);
        put(sps, tags::Modality, VR::CS, modality);
        put(sps, tags::ScheduledStationAETitle, VR::AE, from(g.ipc, 9));
        put(sps, tags::ScheduledStationName, VR::SH, from(g.ipc, 7));
        std::string location = from(g.ipc, 8, 2);
        if (location.empty()) location = from(g.ipc, 8, 1);
        put(sps, tags::ScheduledProcedureStepLocation, VR::SH, location);
        std::string start = g.tq1 ? trim(m.value(*g.tq1, 7, 1, 1)) : std::string();
        if (start.empty() && g.obr) start = trim(m.value(*g.obr, 27, 1, 4));
        if (start.empty() && g.orc) start = trim(m.value(*g.orc, 7, 1, 4));
        // No quantity/timing: OBR-36 (scheduled date/time), else the order's own time (ORC-9,
        // date/time of transaction), else the message's (MSH-7): an item is scheduled now rather
        // than refused, since the worklist needs a start date to be queried by.
        if (start.empty() && g.obr) start = trim(m.value(*g.obr, 36, 1, 1));
        if (start.empty() && g.orc) start = trim(m.value(*g.orc, 9, 1, 1));
        if (start.empty()) start = trim(m.value("MSH", 7, 1, 1));
        auto [da, tm] = date_time(start);
        put(sps, tags::ScheduledProcedureStepStartDate, VR::DA, da);
        put(sps, tags::ScheduledProcedureStepStartTime, VR::TM, tm);
        if (g.obr) put(sps, tags::ScheduledPerformingPhysicianName, VR::PN, ndl(m, *g.obr, 34));
        if (g.obr) {
            std::string text = trim(m.value(*g.obr, 4, 1, 2));
            put(sps, tags::ScheduledProcedureStepDescription, VR::LO, text);
        }
        if (g.ipc && !from(g.ipc, 6).empty())
            sps.set(Element(tags::ScheduledProtocolCodeSequence, VR::SQ, Sequence{{code_item(m, *g.ipc, 6)}}));
        std::string sps_id = from(g.ipc, 4);
        if (sps_id.empty()) sps_id = from(g.obr, 20);
        if (sps_id.empty()) sps_id = rp_id;
        put(sps, tags::ScheduledProcedureStepID, VR::SH, sps_id);
        put(sps, tags::ScheduledProcedureStepStatus, VR::CS, "SCHEDULED");
        item.set(Element(tags::ScheduledProcedureStepSequence, VR::SQ, Sequence{{sps}}));
        (void)omi;
        events.emplace_back(std::move(ev));
    }
    return events;
}

}  // namespace

std::string_view to_string(OrderEvent::Control c) noexcept {
    switch (c) {
    case OrderEvent::Control::New: return "NW";
    case OrderEvent::Control::Change: return "XO";
    case OrderEvent::Control::Cancel: return "CA";
    case OrderEvent::Control::Discontinue: return "DC";
    }
    return "NW";
}

std::string uid_from_key(std::string_view key) {
    auto [hi, lo] = hash128(key);
    // Shaped as an RFC 9562 version 8 UUID (custom), as PS3.5 B.2 derives 2.25 UIDs from UUIDs.
    hi = (hi & ~0xF000ULL) | 0x8000ULL;
    lo = (lo & ~(3ULL << 62)) | (2ULL << 62);
    unsigned __int128 v = (static_cast<unsigned __int128>(hi) << 64) | lo;
    std::string digits;
    while (v != 0) {
        digits += static_cast<char>('0' + static_cast<int>(v % 10));
        v /= 10;
    }
    if (digits.empty()) digits = "0";
    std::reverse(digits.begin(), digits.end());
    return "2.25." + digits;
}

Result<DataSet> patient_from_pid(const Message& m, const Segment& pid) {
    DataSet ds;
    ds.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 192");
    std::string id = trim(m.value(pid, 3, 1, 1));
    if (id.empty()) return missing("PID-3", "no patient identifier");
    put(ds, tags::PatientID, VR::LO, id);
    put(ds, tags::IssuerOfPatientID, VR::LO, m.value(pid, 3, 1, 4, 1));
    std::string universal = trim(m.value(pid, 3, 1, 4, 2)), type = trim(m.value(pid, 3, 1, 4, 3));
    if (!universal.empty()) {
        DataSet q;
        put(q, tags::UniversalEntityID, VR::UT, universal);
        put(q, tags::UniversalEntityIDType, VR::CS, type);
        put(q, tags::IdentifierTypeCode, VR::CS, m.value(pid, 3, 1, 5));
        ds.set(Element(tags::IssuerOfPatientIDQualifiersSequence, VR::SQ, Sequence{{q}}));
    }
    put(ds, tags::PatientName, VR::PN, xpn(m, pid, 5));
    put(ds, tags::PatientBirthDate, VR::DA, date_time(m.value(pid, 7, 1, 1)).first);
    put(ds, tags::PatientSex, VR::CS, sex(m.value(pid, 8)));
    return ds;
}

Result<std::vector<Event>> interpret_all(const Message& m) {
    const std::string type = trim(m.message_type());
    const std::string trigger = trim(m.trigger_event());
    auto unsupported_event = [&] {
        Error e(ErrorCode::Unsupported,
                fmt::format("MSH-9: event {}^{} is not handled (ORM^O01, OMI^O23, ADT^A08, ADT^A40)", type, trigger));
        e.tag_path = "MSH-9";
        return tl::unexpected(std::move(e));
    };
    if (type == "ORM") {
        if (trigger != "O01") return unsupported_event();
        return interpret_order(m, false);
    }
    if (type == "OMI") {
        if (trigger != "O23") return unsupported_event();
        return interpret_order(m, true);
    }
    if (type == "ADT") {
        const Segment* pid = m.find("PID");
        if (!pid) return missing("PID", "no PID segment");
        if (trigger == "A08") {
            auto p = patient_from_pid(m, *pid);
            if (!p) return tl::unexpected(p.error());
            return std::vector<Event>{PatientUpdate{std::move(*p)}};
        }
        if (trigger == "A40") {
            const Segment* mrg = m.find("MRG");
            if (!mrg) return missing("MRG", "no MRG segment");
            PatientMerge merge;
            merge.old_patient_id = trim(m.value(*mrg, 1, 1, 1));
            if (merge.old_patient_id.empty()) return missing("MRG-1", "no prior patient identifier");
            merge.old_issuer = trim(m.value(*mrg, 1, 1, 4, 1));
            auto p = patient_from_pid(m, *pid);
            if (!p) return tl::unexpected(p.error());
            merge.patient = std::move(*p);
            return std::vector<Event>{std::move(merge)};
        }
        return unsupported_event();
    }
    Error e(ErrorCode::Unsupported,
            fmt::format("MSH-9: message type '{}' is not handled (ORM^O01, OMI^O23, ADT^A08, ADT^A40)", type));
    e.tag_path = "MSH-9";
    return tl::unexpected(std::move(e));
}

Result<Event> interpret(const Message& m) {
    auto all = interpret_all(m);
    if (!all) return tl::unexpected(all.error());
    if (all->empty()) return make_error(ErrorCode::NotFound, "the message asks for nothing (order status change)");
    return std::move(all->front());
}

}  // namespace dicomkit::hl7
