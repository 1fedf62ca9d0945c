// [validation] on_ingest: the transform that checks each received instance against its IOD, and
// the quarantine folder it keeps what does not match in.
#include <algorithm>
#include <chrono>
#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/base/log.hpp>
#include <dicomkit/server/app/ingest_validation.hpp>
#include <dicomkit/server/app/jobs.hpp>
#include <dicomkit/validate/validator.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <system_error>

namespace dicomkit::server::app {

namespace {

namespace fs = std::filesystem;

/// A file name for the instance: its SOP Instance UID when that is digits and dots (PS3.5 9.1),
/// else one made of the time.
std::string name_for(const std::string& uid) {
    const bool plain = !uid.empty() && uid.size() <= 64 &&
                       std::all_of(uid.begin(), uid.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) &&
                       uid.front() != '.';
    if (plain) return uid;
    return "instance-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

/// "3 errors, first: missing-type1 (0008,0060) Modality in General Series".
std::string summary(const validate::Report& r) {
    const auto errors = r.count(validate::Severity::Error);
    std::string out = std::to_string(errors) + (errors == 1 ? " error" : " errors");
    for (const auto& f : r.findings)
        if (f.severity == validate::Severity::Error) {
            out += ", first: " + f.kind + " " + f.tag.str() + (f.keyword.empty() ? "" : " " + f.keyword) +
                   (f.module.empty() ? "" : " in " + f.module) + (f.message.empty() ? "" : ": " + f.message);
            break;
        }
    return out;
}

bool valid_name(const std::string& name) {
    return !name.empty() && name.size() <= 80 && name.front() != '.' &&
           std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.' || c == '-';
           });
}

}  // namespace

std::string ingest_quarantine_folder(const std::string& data) { return (fs::path(data) / "quarantine" / "ingest").string(); }

service::Transform validation_transform(OnIngest mode, std::string folder, std::function<void(const std::string&)> log,
                                        service::Transform next) {
    if (mode == OnIngest::Accept) return next;
    return [mode, folder = std::move(folder), log = std::move(log), next = std::move(next)](io::DicomFile& file) {
        validate::Options options;
        options.warn_retired = false;
        options.warn_not_in_iod = false;
        const validate::Report report = validate::validate(file.meta, file.dataset, options);
        if (report.has_errors()) {
            const std::string uid = file.dataset.string_or(Tag{0x0008, 0x0018});
            const std::string what = summary(report);
            if (mode == OnIngest::Reject) return service::TransformResult::refused("does not match its IOD: " + what);
            if (mode == OnIngest::Quarantine) {
                // The bytes as received are kept (Ingest hands them to `keep`), not an encoding of
                // the parsed data set: what a device sent is what gets looked at.
                const std::string name = name_for(uid);
                std::string report_json = validate::to_json(name + ".dcm", report);
                auto keep = [folder, name, what, uid, log, report_json = std::move(report_json)](
                                std::span<const std::uint8_t> received) -> Result<void> {
                    std::error_code ec;
                    fs::create_directories(folder, ec);
                    if (auto w = write_file_atomic(folder + "/" + name + ".dcm", received); !w) return w;
                    auto j = nlohmann::json::parse(report_json, nullptr, false);
                    if (j.is_discarded()) j = nlohmann::json::object();
                    j["received"] = iso_utc(std::chrono::system_clock::now());
                    j["bytes"] = received.size();
                    const std::string text = j.dump();
                    auto w = write_file_atomic(folder + "/" + name + ".json",
                                               std::span<const std::uint8_t>(
                                                   reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
                    if (!w) {
                        fs::remove(folder + "/" + name + ".dcm", ec);
                        return w;
                    }
                    if (log)
                        log("W: validation: " + log::printable(uid) + " kept in quarantine as " + name + ".dcm: " +
                            log::printable(what));
                    return {};
                };
                return service::TransformResult::diverted(name + ": " + what, std::move(keep));
            }
            if (log) log("W: validation: " + log::printable(uid) + " stored though it does not match its IOD: " + log::printable(what));
        }
        return next ? next(file) : service::TransformResult::unchanged();
    };
}

std::string quarantine_json(const std::string& folder) {
    std::vector<std::pair<std::string, nlohmann::json>> items;
    std::error_code ec;
    for (auto it = fs::directory_iterator(folder, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        const fs::path p = it->path();
        if (p.extension() != ".json") continue;
        auto bytes = read_whole_file(p.string());
        if (!bytes) continue;
        auto j = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) continue;
        nlohmann::json out;
        out["name"] = p.stem().string();
        out["received"] = j.value("received", "");
        out["bytes"] = j.value("bytes", 0);
        out["sop_class"] = j.value("sop_class", "");
        out["iod"] = j.value("iod", "");
        std::size_t errors = 0;
        if (j.contains("findings") && j["findings"].is_array())
            for (const auto& f : j["findings"]) errors += f.value("severity", "") == "error" ? 1 : 0;
        out["errors"] = errors;
        out["findings"] = j.contains("findings") ? j["findings"] : nlohmann::json::array();
        items.emplace_back(out["received"].get<std::string>(), std::move(out));
    }
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    auto arr = nlohmann::json::array();
    for (auto& [_, j] : items) arr.push_back(std::move(j));
    return arr.dump();
}

Result<void> remove_quarantined(const std::string& folder, const std::string& name) {
    if (!valid_name(name)) return make_error(ErrorCode::InvalidValue, "not a name of the quarantine");
    std::error_code ec;
    const bool had = fs::exists(fs::path(folder) / (name + ".json"), ec);
    if (!had) return make_error(ErrorCode::NotFound, "nothing named " + name + " in the quarantine");
    fs::remove(fs::path(folder) / (name + ".dcm"), ec);
    if (ec) return make_error(ErrorCode::IoError, name + ".dcm: " + ec.message());
    fs::remove(fs::path(folder) / (name + ".json"), ec);
    if (ec) return make_error(ErrorCode::IoError, name + ".json: " + ec.message());
    return {};
}

}  // namespace dicomkit::server::app
