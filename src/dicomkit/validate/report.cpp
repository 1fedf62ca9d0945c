// Reports as text lines and as JSON.
#include <dicomkit/validate/validator.hpp>

#include <fmt/format.h>

#include <dicomkit/base/log.hpp>

namespace dicomkit::validate {

namespace {

std::string hex_tag(Tag t) { return fmt::format("{:04X}{:04X}", t.group, t.element); }

}  // namespace

std::string to_text(std::string_view file, const Report& report) {
    std::string out;
    for (const Finding& f : report.findings) {
        out += fmt::format("{}: {}: {}", file, f.severity == Severity::Error ? "error" : "warning", f.kind);
        if (f.tag != Tag()) out += " " + f.tag.str();
        if (!f.path.empty()) out += " " + f.path;
        if (!f.module.empty()) out += fmt::format(" [{}]", f.module);
        out += fmt::format(": {}\n", f.message);
    }
    out += fmt::format("{}: {} ({}): {} errors, {} warnings\n", file, report.iod.empty() ? "unknown IOD" : report.iod,
                       report.sop_class.empty() ? "no SOP Class UID" : report.sop_class, report.count(Severity::Error),
                       report.count(Severity::Warning));
    return out;
}

std::string to_json(std::string_view file, const Report& report) {
    std::string out = "{\"file\":" + log::json_string(file) + ",\"sop_class\":" + log::json_string(report.sop_class) +
                      ",\"iod\":" + log::json_string(report.iod) + ",\"findings\":[";
    bool first = true;
    for (const Finding& f : report.findings) {
        if (!first) out += ',';
        first = false;
        out += "{\"severity\":";
        out += f.severity == Severity::Error ? "\"error\"" : "\"warning\"";
        out += ",\"kind\":" + log::json_string(f.kind) + ",\"tag\":\"" + hex_tag(f.tag) + "\"";
        out += ",\"keyword\":" + log::json_string(f.keyword) + ",\"path\":" + log::json_string(f.path);
        out += ",\"module\":" + log::json_string(f.module) + ",\"message\":" + log::json_string(f.message) + "}";
    }
    out += "]}";
    return out;
}

}  // namespace dicomkit::validate
