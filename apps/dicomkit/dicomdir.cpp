// `dicomkit dicomdir create|list`: DICOMDIR files of a File-set (PS3.10, PS3.11, PS3.3 F).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <dicomkit/base/log.hpp>
#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/media/dicomdir.hpp>
#include <dicomkit/media/file_id.hpp>

#include "commands.hpp"

namespace dicomkit::cli {
namespace {

namespace fs = std::filesystem;

struct CreateArgs {
    std::string folder;
    std::string output;
    std::string fileset_id;
    bool skip_invalid = false;
    bool invent = false;
    bool undefined_lengths = false;
};

struct ListArgs {
    std::string path;
    std::string format = "text";
};

// The value of a key as one line of text (sequences as their item count).
std::string key_text(const Element& e) {
    if (e.is_sequence()) return fmt::format("({} items)", e.sequence().items.size());
    if (!e.is_bytes()) return "(bulk)";
    if (is_string(e.vr())) {
        auto s = e.string_value();
        return s ? std::string(*s) : std::string("(unreadable)");
    }
    if (e.vr() == VR::US) {
        auto v = e.as<std::uint16_t>();
        return v ? std::to_string(*v) : "";
    }
    if (e.vr() == VR::UL) {
        auto v = e.as<std::uint32_t>();
        return v ? std::to_string(*v) : "";
    }
    return fmt::format("({} bytes)", e.bytes().size());
}

bool is_structural(Tag tag) {
    return tag.group == 0x0004 && tag != tags::ReferencedFileID && tag != tags::ReferencedSOPClassUIDInFile &&
           tag != tags::ReferencedSOPInstanceUIDInFile && tag != tags::ReferencedTransferSyntaxUIDInFile;
}

void print_text(const media::Record& r, int depth, std::string& out) {
    out += fmt::format("{:{}}{} @{}", "", depth * 2, r.type, r.offset);
    const auto id = media::referenced_file_id(r.data);
    if (!id.empty()) out += fmt::format(" file={}", media::join_file_id(id));
    out += '\n';
    for (const Element& e : r.data) {
        if (is_structural(e.tag()) || e.tag() == tags::ReferencedFileID) continue;
        const auto kw = dict::keyword_of(e.tag());
        out += fmt::format("{:{}}  {} {}={}\n", "", depth * 2, e.tag().str(), kw.empty() ? "?" : std::string(kw),
                           key_text(e));
    }
    for (const auto& c : r.children) print_text(c, depth + 1, out);
}

nlohmann::json to_json(const media::Record& r) {
    nlohmann::json j;
    j["type"] = r.type;
    j["offset"] = r.offset;
    nlohmann::json keys = nlohmann::json::object();
    for (const Element& e : r.data) {
        if (is_structural(e.tag()) || e.tag() == tags::ReferencedFileID) continue;
        const auto kw = dict::keyword_of(e.tag());
        keys[kw.empty() ? e.tag().str() : std::string(kw)] = key_text(e);
    }
    j["keys"] = std::move(keys);
    const auto id = media::referenced_file_id(r.data);
    if (!id.empty()) j["file_id"] = id;
    nlohmann::json children = nlohmann::json::array();
    for (const auto& c : r.children) children.push_back(to_json(c));
    j["children"] = std::move(children);
    return j;
}

int run_list(const ListArgs& a) {
    auto dir = media::read_dicomdir(a.path);
    if (!dir) {
        log::error("{}", dir.error().to_string().c_str());
        return 1;
    }
    if (a.format == "json") {
        nlohmann::json j;
        j["fileset_id"] = dir->fileset_id;
        j["records_in_sequence"] = dir->records_in_sequence;
        j["records_reached"] = dir->records_reached;
        j["warnings"] = dir->warnings;
        nlohmann::json roots = nlohmann::json::array();
        for (const auto& r : dir->roots) roots.push_back(to_json(r));
        j["records"] = std::move(roots);
        const std::string s = j.dump(2) + "\n";
        std::fwrite(s.data(), 1, s.size(), stdout);
    } else {
        std::string out = fmt::format("File-set ID: {}\nrecords: {} in the sequence, {} reached by offsets\n",
                                      dir->fileset_id, dir->records_in_sequence, dir->records_reached);
        for (const auto& r : dir->roots) print_text(r, 0, out);
        std::fwrite(out.data(), 1, out.size(), stdout);
    }
    for (const auto& w : dir->warnings) log::warn("{}: {}", a.path.c_str(), w.c_str());
    return 0;
}

int run_create(const CreateArgs& a) {
    std::error_code ec;
    if (!fs::is_directory(a.folder, ec)) {
        log::error("{}: not a folder", a.folder.c_str());
        return 1;
    }
    const fs::path output = a.output.empty() ? fs::path(a.folder) / "DICOMDIR" : fs::path(a.output);
    const fs::path base = fs::weakly_canonical(fs::absolute(output).parent_path(), ec);
    const fs::path output_abs = base / output.filename();
    std::vector<fs::path> paths;
    for (auto it = fs::recursive_directory_iterator(a.folder, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
        if (it->is_regular_file(ec)) paths.push_back(it->path());
    if (ec) {
        log::error("{}: {}", a.folder.c_str(), ec.message().c_str());
        return 1;
    }
    std::sort(paths.begin(), paths.end());
    std::vector<media::InputFile> inputs;
    std::vector<std::string> bad_ids;
    std::size_t not_dicom = 0;
    for (const auto& p : paths) {
        const fs::path abs = fs::weakly_canonical(fs::absolute(p), ec);
        if (abs == output_abs || abs.filename() == "DICOMDIR") continue;
        io::ReadOptions ro;
        ro.stop_before = tags::PixelData;
        auto file = io::read_file(p.string(), ro);
        if (!file || file->meta.empty()) {
            log::warn("{}: {}, left out", p.string().c_str(),
                      file ? "no File Meta Information (not a Part 10 file)" : file.error().message.c_str());
            ++not_dicom;
            continue;
        }
        const fs::path rel = abs.lexically_relative(base);
        if (rel.empty() || *rel.begin() == "..") {
            log::error("{}: not under {}, the DICOMDIR's folder", p.string().c_str(), base.string().c_str());
            return 1;
        }
        auto id = media::file_id_components(rel.generic_string());
        if (!id) {
            bad_ids.push_back(p.string() + ": " + id.error().message);
            continue;
        }
        inputs.push_back({std::move(*id), std::move(file->meta), std::move(file->dataset), p.string()});
    }
    for (const auto& b : bad_ids) {
        if (a.skip_invalid)
            log::warn("{}, left out (--skip-invalid)", b.c_str());
        else
            log::error("{}", b.c_str());
    }
    if (!bad_ids.empty() && !a.skip_invalid) {
        log::error("{} file(s) have paths that are not valid File IDs; nothing written (rename them, or pass "
                   "--skip-invalid to leave them out)",
                   bad_ids.size());
        return 1;
    }
    media::BuildOptions bo;
    bo.fileset_id = a.fileset_id;
    bo.invent = a.invent;
    bo.undefined_lengths = a.undefined_lengths;
    auto built = media::build_dicomdir(inputs, bo);
    if (!built) {
        log::error("{}", built.error().to_string().c_str());
        return 1;
    }
    for (const auto& n : built->notes) log::warn("{}", n.c_str());
    for (const auto& r : built->refused) log::error("{}: {}", r.path.c_str(), r.reason.c_str());
    if (!built->refused.empty()) {
        log::error("{} file(s) cannot be described; nothing written (--invent fills missing type 1 keys)",
                   built->refused.size());
        return 1;
    }
    if (auto w = write_file_atomic(output.string(), built->bytes); !w) {
        log::error("{}: {}", output.string().c_str(), w.error().to_string().c_str());
        return 1;
    }
    log::info("{}: {} records for {} files ({} not DICOM, left out)", output.string().c_str(), built->records,
              inputs.size(), not_dicom);
    return 0;
}

}  // namespace

void add_dicomdir(CLI::App& app, Action& run) {
    CLI::App* cmd = app.add_subcommand("dicomdir", "Create and list DICOMDIR files (PS3.10 media)");
    cmd->require_subcommand(1);
    auto c = std::make_shared<CreateArgs>();
    CLI::App* create = cmd->add_subcommand("create", "Write a DICOMDIR for the Part 10 files under a folder");
    create->add_option("folder", c->folder, "The File-set's folder")->required();
    create->add_option("--output,-o", c->output, "The DICOMDIR to write (default FOLDER/DICOMDIR)");
    create->add_option("--fileset-id", c->fileset_id, "File-set ID (up to 16 of A-Z 0-9 _ space)");
    create->add_flag("--skip-invalid", c->skip_invalid, "Leave out files whose path is not a valid File ID");
    create->add_flag("--invent", c->invent, "Fill missing type 1 keys with made-up values instead of refusing");
    create->add_flag("--undefined-lengths", c->undefined_lengths,
                     "Write the records with undefined lengths (default: defined)");
    create->callback([c, &run] { run = [c] { return run_create(*c); }; });
    auto l = std::make_shared<ListArgs>();
    CLI::App* list = cmd->add_subcommand("list", "Print the record tree of a DICOMDIR, following its offsets");
    list->add_option("dicomdir", l->path, "The DICOMDIR file")->required();
    list->add_option("--format", l->format, "text or json")->check(CLI::IsMember({"text", "json"}));
    list->callback([l, &run] { run = [l] { return run_list(*l); }; });
}

}  // namespace dicomkit::cli
