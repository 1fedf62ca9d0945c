// Text and JSON forms of an SR document.
#include <dicomkit/sr/render.hpp>

#include <cctype>
#include <cmath>
#include <type_traits>

#include <fmt/format.h>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/dictionary.hpp>

namespace dicomkit::sr {

namespace {

/// A value for a quoted text: CR, LF, TAB and other control characters escaped; UTF-8 kept.
std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (c < 0x20 || c == 0x7F) out += fmt::format("\\x{:02X}", c);
        else out += ch;
    }
    return out;
}

bool all_digits(std::string_view s) {
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return !s.empty();
}

/// "20010213184746" -> "2001-02-13 18:47:46"; a DA, a TM (hhmmss) or a DT; other text as it is.
std::string readable_datetime(std::string_view date, std::string_view time) {
    std::string out;
    if (date.size() >= 8 && all_digits(date.substr(0, 8)))
        out = fmt::format("{}-{}-{}", date.substr(0, 4), date.substr(4, 2), date.substr(6, 2));
    else
        out = std::string(date);
    if (time.size() >= 6 && all_digits(time.substr(0, 6))) {
        if (!out.empty()) out += ' ';
        out += fmt::format("{}:{}:{}", time.substr(0, 2), time.substr(2, 2), time.substr(4, 2));
    } else if (!time.empty()) {
        if (!out.empty()) out += ' ';
        out += time;
    }
    return out;
}

std::string readable_dt(std::string_view dt) {
    if (dt.size() >= 8) return readable_datetime(dt.substr(0, 8), dt.substr(8));
    return std::string(dt);
}

std::string code_text(const Code& c) {
    std::string scheme = c.scheme;
    if (!c.version.empty()) scheme += "[" + c.version + "]";
    return fmt::format("({},{},\"{}\")", c.value, scheme, printable(c.meaning));
}

std::string sop_class_text(const std::string& uid, const TextOptions& o) {
    if (!o.sop_class_uids)
        if (const dict::UidInfo* info = dict::find_uid(uid); info && !info->keyword.empty())
            return std::string(info->keyword);
    return "\"" + uid + "\"";
}

std::string number(double v, bool single) {
    return single ? fmt::format("{}", static_cast<float>(v)) : fmt::format("{}", v);
}

std::string relationship_text(std::string_view rel) {
    std::string out;
    for (char c : rel) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string value_text(const ContentItem& item, const TextOptions& o) {
    switch (item.value_type) {
        case ValueType::Container: return item.continuity;
        case ValueType::Text:
        case ValueType::DateTime:
        case ValueType::Date:
        case ValueType::Time:
        case ValueType::UidRef:
        case ValueType::PName: return "\"" + printable(item.text) + "\"";
        case ValueType::Code: return item.code ? code_text(*item.code) : std::string("invalid code");
        case ValueType::Num: {
            if (!item.numeric) return {};
            const Numeric& n = *item.numeric;
            std::string out = n.has_measured_value
                                  ? fmt::format("\"{}\" {}", printable(n.numeric_value), code_text(n.units))
                                  : std::string("empty");
            if (n.qualifier) out += " " + code_text(*n.qualifier);
            return out;
        }
        case ValueType::Composite:
        case ValueType::Image:
        case ValueType::Waveform: {
            if (!item.sop) return {};
            const SopReference& r = *item.sop;
            std::string out = fmt::format("({},\"{}\"", sop_class_text(r.sop_class_uid, o), r.sop_instance_uid);
            for (auto f : r.frames) out += fmt::format(",{}", f);
            for (auto s : r.segments) out += fmt::format(",{}", s);
            for (std::size_t i = 0; i + 1 < r.channels.size(); i += 2)
                out += fmt::format(",{}/{}", r.channels[i], r.channels[i + 1]);
            out += ')';
            if (r.presentation_class_uid)
                out += fmt::format(",({},\"{}\")", sop_class_text(*r.presentation_class_uid, o),
                                   r.presentation_instance_uid.value_or(""));
            return out;
        }
        case ValueType::Scoord:
        case ValueType::Scoord3D: {
            std::string out = "(" + item.graphic_type;
            if (item.value_type == ValueType::Scoord3D) out += ",\"" + item.frame_of_reference_uid + "\"";
            std::size_t dims = item.value_type == ValueType::Scoord3D ? 3 : 2;
            for (std::size_t i = 0; i < item.graphic_data.size(); i += dims) {
                out += ',';
                for (std::size_t k = i; k < i + dims && k < item.graphic_data.size(); ++k)
                    out += (k > i ? "/" : "") + number(item.graphic_data[k], item.graphic_single);
            }
            return out + ")";
        }
        case ValueType::Tcoord: {
            std::string out = "(" + item.temporal_range_type;
            for (const auto& v : item.temporal_values) out += "," + v;
            return out + ")";
        }
        case ValueType::Table:
        case ValueType::Unknown: return {};
    }
    return {};
}

void text_item(const ContentItem& item, const TextOptions& o, std::string& out) {
    out += item.position;
    out += "  ";
    out += item_line(item, o);
    out += '\n';
    if (o.problems)
        for (const auto& p : item.problems) out += fmt::format("{}  ! {}\n", item.position, p);
    for (const ContentItem& c : item.children) text_item(c, o, out);
}

// ---- JSON

/// A JSON string (log::json_string: ASCII, bytes that are not UTF-8 as U+FFFD).
std::string jstr(std::string_view s) { return log::json_string(s); }

/// Members of one JSON object, written with the indentation of its depth.
class Obj {
public:
    Obj(std::string& out, int indent) : out_(out), indent_(indent) { out_ += "{"; }
    void raw(std::string_view key, const std::string& value) {
        out_ += first_ ? "\n" : ",\n";
        first_ = false;
        out_.append(static_cast<std::size_t>(indent_ + 2), ' ');
        out_ += jstr(key) + ": " + value;
    }
    void str(std::string_view key, std::string_view value) { raw(key, jstr(value)); }
    void str_if(std::string_view key, std::string_view value) {
        if (!value.empty()) str(key, value);
    }
    /// Starts a member whose value the caller writes next (an object or array).
    void key(std::string_view key) {
        out_ += first_ ? "\n" : ",\n";
        first_ = false;
        out_.append(static_cast<std::size_t>(indent_ + 2), ' ');
        out_ += jstr(key) + ": ";
    }
    void close() {
        if (!first_) {
            out_ += '\n';
            out_.append(static_cast<std::size_t>(indent_), ' ');
        }
        out_ += '}';
    }
    int inner() const { return indent_ + 2; }

private:
    std::string& out_;
    int indent_;
    bool first_ = true;
};

std::string jcode(const Code& c) {
    std::string out = "{\"value\": " + jstr(c.value) + ", \"scheme\": " + jstr(c.scheme);
    if (!c.version.empty()) out += ", \"version\": " + jstr(c.version);
    return out + ", \"meaning\": " + jstr(c.meaning) + "}";
}

std::string jnum(double v, bool single = false) {
    return std::isfinite(v) ? number(v, single) : std::string("null");
}

template <typename T>
std::string jnums(const std::vector<T>& v, bool single = false) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ", ";
        if constexpr (std::is_floating_point_v<T>) out += jnum(v[i], single);
        else out += fmt::format("{}", v[i]);
    }
    return out + "]";
}

std::string jstrings(const std::vector<std::string>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + jstr(v[i]);
    return out + "]";
}

void json_item(const ContentItem& item, std::string& out, int indent) {
    Obj o(out, indent);
    o.str("position", item.position);
    o.str_if("tagPath", item.tag_path);
    o.str_if("relationship", item.relationship);
    if (item.by_reference) {
        o.str("byReference", item.target);
    } else {
        o.str("valueType", item.value_type_term);
        if (item.concept_name) o.raw("conceptName", jcode(*item.concept_name));
    }
    o.str_if("observationDateTime", item.observation_datetime);
    switch (item.value_type) {
        case ValueType::Container: o.str_if("continuity", item.continuity); break;
        case ValueType::Text:
        case ValueType::DateTime:
        case ValueType::Date:
        case ValueType::Time:
        case ValueType::UidRef:
        case ValueType::PName: o.str("value", item.text); break;
        case ValueType::Code:
            if (item.code) o.raw("value", jcode(*item.code));
            break;
        case ValueType::Num:
            if (item.numeric) {
                const Numeric& n = *item.numeric;
                if (n.has_measured_value) {
                    o.str("value", n.numeric_value);
                    if (n.floating_point) o.raw("floatingPointValue", jnum(*n.floating_point));
                    o.raw("units", jcode(n.units));
                }
                if (n.qualifier) o.raw("qualifier", jcode(*n.qualifier));
            }
            break;
        case ValueType::Composite:
        case ValueType::Image:
        case ValueType::Waveform:
            if (item.sop) {
                const SopReference& r = *item.sop;
                o.str("sopClassUid", r.sop_class_uid);
                o.str("sopInstanceUid", r.sop_instance_uid);
                if (!r.frames.empty()) o.raw("frames", jnums(r.frames));
                if (!r.segments.empty()) o.raw("segments", jnums(r.segments));
                if (!r.channels.empty()) o.raw("channels", jnums(r.channels));
                if (r.presentation_class_uid) {
                    o.str("presentationStateClassUid", *r.presentation_class_uid);
                    o.str("presentationStateInstanceUid", r.presentation_instance_uid.value_or(""));
                }
            }
            break;
        case ValueType::Scoord:
        case ValueType::Scoord3D:
            o.str("graphicType", item.graphic_type);
            o.raw("graphicData", jnums(item.graphic_data, item.graphic_single));
            o.str_if("frameOfReferenceUid", item.frame_of_reference_uid);
            break;
        case ValueType::Tcoord:
            o.str("temporalRangeType", item.temporal_range_type);
            if (!item.temporal_kind.empty()) o.raw(item.temporal_kind, jstrings(item.temporal_values));
            break;
        case ValueType::Table:
        case ValueType::Unknown: break;
    }
    if (!item.problems.empty()) o.raw("problems", jstrings(item.problems));
    if (!item.children.empty()) {
        o.key("children");
        out += "[";
        for (std::size_t i = 0; i < item.children.size(); ++i) {
            out += i ? ",\n" : "\n";
            out.append(static_cast<std::size_t>(o.inner() + 2), ' ');
            json_item(item.children[i], out, o.inner() + 2);
        }
        out += '\n';
        out.append(static_cast<std::size_t>(o.inner()), ' ');
        out += ']';
    }
    o.close();
}

}  // namespace

std::string item_line(const ContentItem& item, const TextOptions& o) {
    std::string out = "<";
    if (!item.relationship.empty()) out += relationship_text(item.relationship) + " ";
    if (item.by_reference) return out + (item.target.empty() ? "?" : item.target) + ">";
    out += item.value_type_term.empty() ? "?" : item.value_type_term;
    out += ':';
    if (item.concept_name) out += code_text(*item.concept_name);
    out += '=';
    out += value_text(item, o);
    out += '>';
    if (!item.observation_datetime.empty()) out += " {" + readable_dt(item.observation_datetime) + "}";
    return out;
}

std::string to_text(const Document& doc, const TextOptions& o) {
    std::string out;
    if (o.header) {
        auto line = [&](std::string_view label, const std::string& value) {
            if (!value.empty()) out += fmt::format("{:<20}: {}\n", label, value);
        };
        out += doc.sop_class_name.empty() ? std::string("SR document") : doc.sop_class_name;
        out += "\n\n";
        std::string patient = doc.patient_name;
        if (!doc.patient_id.empty()) patient += (patient.empty() ? "" : " ") + ("(" + doc.patient_id + ")");
        line("Patient", printable(patient));
        line("Study", printable(doc.study_description));
        std::string series = doc.series_description;
        if (!doc.series_number.empty()) series += (series.empty() ? "" : " ") + ("(#" + doc.series_number + ")");
        line("Series", printable(series));
        line("Manufacturer", printable(doc.manufacturer));
        line("Completion Flag", doc.completion_flag);
        if (!doc.completion_description.empty())
            out += fmt::format("{:<20}  {}\n", "", printable(doc.completion_description));
        if (doc.predecessor_documents) line("Predecessor Docs", std::to_string(doc.predecessor_documents));
        line("Verification Flag", doc.verification_flag);
        for (std::size_t i = 0; i < doc.verifiers.size(); ++i) {
            const Verifier& v = doc.verifiers[i];
            std::string s = readable_dt(v.datetime) + ", " + printable(v.name);
            if (v.code) s += " " + code_text(*v.code);
            s += ", " + printable(v.organization);
            if (i == 0) line("Verifying Observers", s);
            else out += fmt::format("{:<20}  {}\n", "", s);
        }
        line("Content Date/Time", readable_datetime(doc.content_date, doc.content_time));
        if (doc.template_id) line("Template", *doc.template_id);
        out += '\n';
    }
    text_item(doc.root, o, out);
    return out;
}

std::string to_json(const Document& doc) {
    std::string out;
    Obj top(out, 0);
    top.key("document");
    {
        Obj d(out, top.inner());
        d.str("sopClassUid", doc.sop_class_uid);
        d.str_if("sopClass", doc.sop_class_name);
        d.str_if("patientName", doc.patient_name);
        d.str_if("patientId", doc.patient_id);
        d.str_if("studyDescription", doc.study_description);
        d.str_if("seriesDescription", doc.series_description);
        d.str_if("seriesNumber", doc.series_number);
        d.str_if("manufacturer", doc.manufacturer);
        d.str_if("completionFlag", doc.completion_flag);
        d.str_if("completionFlagDescription", doc.completion_description);
        d.str_if("verificationFlag", doc.verification_flag);
        if (!doc.verifiers.empty()) {
            d.key("verifyingObservers");
            out += "[";
            for (std::size_t i = 0; i < doc.verifiers.size(); ++i) {
                const Verifier& v = doc.verifiers[i];
                out += i ? ", " : "";
                out += "{\"dateTime\": " + jstr(v.datetime) + ", \"name\": " + jstr(v.name);
                if (v.code) out += ", \"code\": " + jcode(*v.code);
                out += ", \"organization\": " + jstr(v.organization) + "}";
            }
            out += "]";
        }
        if (doc.predecessor_documents)
            d.raw("predecessorDocuments", std::to_string(doc.predecessor_documents));
        d.str_if("contentDate", doc.content_date);
        d.str_if("contentTime", doc.content_time);
        if (doc.template_id) d.str("template", *doc.template_id);
        d.close();
    }
    top.raw("itemCount", std::to_string(doc.item_count));
    top.raw("problemCount", std::to_string(doc.problem_count));
    top.key("content");
    json_item(doc.root, out, top.inner());
    top.close();
    out += '\n';
    return out;
}

}  // namespace dicomkit::sr
