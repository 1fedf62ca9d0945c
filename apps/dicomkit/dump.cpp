// `dicomkit dump`: print files as text (dcmdump layout), DICOM JSON or Native XML, or an SR
// document's content tree (--sr).
#include <cstdio>
#include <string>
#include <vector>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/json/json.hpp>
#include <dicomkit/json/xml.hpp>
#include <dicomkit/sr/document.hpp>
#include <dicomkit/sr/render.hpp>

#include "commands.hpp"
#include "text_dump.hpp"

namespace dicomkit::cli {

namespace {

struct DumpArgs {
    std::vector<std::string> files;
    std::vector<std::string> tags;
    bool full = false;
    bool stop_before_pixels = false;
    bool json = false;
    bool xml = false;
    bool strict = false;
    bool no_warnings = false;
    bool sr = false;
    std::string format = "text";  ///< --sr: text or json
    bool sr_uids = false;
    std::size_t sr_max_depth = 64;
};

void write_out(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

/// The data set with its meta in front (JSON and XML show both when asked for).
DataSet with_meta(const io::DicomFile& f) {
    DataSet all = f.dataset;
    for (const Element& e : f.meta) all.set(e);
    return all;
}

/// Prints the DICOM JSON or XML model of a file; returns false (with a message) on failure.
bool print_model(const io::DicomFile& file, const std::string& path, const DumpArgs& a, bool first, bool many) {
    DataSet all = with_meta(file);
    Result<std::string> text;
    if (a.json) {
        json::JsonOptions jo;
        jo.indent = 2;
        jo.include_meta = true;
        jo.lenient_charset = true;
        text = json::to_json(all, jo);
    } else {
        json::XmlOptions xo;
        xo.include_meta = true;
        xo.lenient_charset = true;
        text = json::to_xml(all, xo);
    }
    if (!text) {
        log::error("{}: {}", path.c_str(), text.error().to_string().c_str());
        return false;
    }
    std::string out;
    if (a.json && many) out += first ? "[\n" : ",\n";
    out += *text;
    if (!a.json || !many) out += '\n';
    write_out(out);
    return true;
}

/// Prints the SR content tree of a file; returns false (with a message) when it is no SR document.
bool print_sr(const io::DicomFile& file, const std::string& path, const DumpArgs& a, bool first, bool many) {
    sr::BuildOptions bo;
    bo.max_depth = a.sr_max_depth;
    auto doc = sr::build_document(file.dataset, bo);
    if (!doc) {
        log::error("{}: {}", path.c_str(), doc.error().to_string().c_str());
        return false;
    }
    if (!a.no_warnings && doc->problem_count)
        log::warn("{}: {} problem(s) in the content tree (marked '!' in the text, \"problems\" in JSON)",
                  path.c_str(), doc->problem_count);
    std::string out;
    if (a.format == "json") {
        if (many) out += first ? "[\n" : ",\n";
        out += sr::to_json(*doc);
        if (many) out.pop_back();  // the newline: the array's separator follows
    } else {
        if (many) out += "# File: " + path + "\n";
        sr::TextOptions to;
        to.sop_class_uids = a.sr_uids;
        out += sr::to_text(*doc, to);
        if (many) out += '\n';
    }
    write_out(out);
    return true;
}

int dump_one(const std::string& path, const DumpArgs& a, const DumpOptions& o, bool many, bool first) {
    io::ReadOptions ro;
    ro.strict = a.strict;
    if (a.stop_before_pixels) ro.stop_before = Tag(0x7FE0, 0x0010);
    bool model = a.json || a.xml || a.sr;
    if (a.sr) ro.stop_before = Tag(0x7FE0, 0x0010);  // the tree never needs the pixels
    if (!a.full && !model) ro.defer_larger_than = 4096;  // large values are shown cut: never copy them
    auto file = io::read_file(path, ro);
    if (!file) {
        log::error("{}", file.error().to_string().c_str());
        return 1;
    }
    if (!a.no_warnings)
        for (const auto& w : file->diagnostics.warnings) log::warn("{}", w.to_string().c_str());
    if (a.sr) return print_sr(*file, path, a, first, many) ? 0 : 1;
    if (model) return print_model(*file, path, a, first, many) ? 0 : 1;
    DumpOptions opts = o;
    const io::DicomFile& df = *file;
    opts.peek_deferred = [&df](const Element& e, std::size_t max) {
        auto b = io::load_deferred_prefix(df, e, max);
        return b ? *b : Bytes();
    };
    std::string out;
    out.reserve(1 << 16);
    if (many) out += "# File: " + path + "\n";
    if (!file->meta.empty()) {
        out += "# Dicom-Meta-Information-Header\n";
        dump_dataset(file->meta, SpecificCharacterSet(), opts, out);
    }
    out += fmt::format("# Dicom-Data-Set\n# Used TransferSyntax: {}\n", file->transfer_syntax.name);
    dump_dataset(file->dataset, SpecificCharacterSet(), opts, out);
    if (many) out += '\n';
    write_out(out);
    return 0;
}

}  // namespace

void add_dump(CLI::App& app, Action& run) {
    auto a = std::make_shared<DumpArgs>();
    CLI::App* cmd = app.add_subcommand("dump", "Print DICOM files (tag, VR, value, length, VM, keyword)");
    cmd->add_option("files", a->files, "Files to dump ('-' for standard input)")->required();
    cmd->add_option("--tag,-t", a->tags, "Print only this tag (number or keyword; repeatable)");
    cmd->add_flag("--full,-F", a->full, "Do not cut long values");
    cmd->add_flag("--stop-before-pixels", a->stop_before_pixels, "Do not read the pixel data");
    cmd->add_flag("--json", a->json, "Print the DICOM JSON model (PS3.18 F)");
    cmd->add_flag("--xml", a->xml, "Print the Native DICOM Model XML (PS3.19)");
    cmd->add_flag("--strict", a->strict, "Treat every deviation from the standard as an error");
    cmd->add_flag("--no-warnings,-q", a->no_warnings, "Do not print warnings");
    cmd->add_flag("--sr", a->sr, "Print a Structured Report's content tree (like DCMTK's dsrdump)");
    cmd->add_option("--format", a->format, "With --sr: text (default) or json")
        ->check(CLI::IsMember({"text", "json"}));
    cmd->add_flag("--sr-uids", a->sr_uids, "With --sr: referenced SOP classes as UIDs, not keywords");
    cmd->add_option("--sr-max-depth", a->sr_max_depth, "With --sr: content nesting read at most (default 64)")
        ->check(CLI::Range(1, 1000));
    cmd->callback([a, &run] {
        run = [a] {
            DumpOptions o;
            o.full = a->full;
            for (const auto& t : a->tags) {
                auto tag = dict::parse_tag_or_keyword(t);
                if (!tag) {
                    log::error("'{}' is not a tag or keyword", t.c_str());
                    return 2;
                }
                o.only_tags.push_back(*tag);
            }
            if (int(a->json) + int(a->xml) + int(a->sr) > 1) {
                log::error("choose one of --json, --xml and --sr");
                return 2;
            }
            if (a->format != "text" && !a->sr) {
                log::error("--format is for --sr (use --json or --xml for the data set)");
                return 2;
            }
            int rc = 0;
            bool many = a->files.size() > 1;
            bool first = true;
            for (const auto& f : a->files) {
                if (dump_one(f, *a, o, many, first) != 0) {
                    rc = 1;
                } else {
                    first = false;
                }
            }
            if ((a->json || (a->sr && a->format == "json")) && many && !first) write_out("\n]\n");
            std::fflush(stdout);
            return rc;
        };
    });
}

}  // namespace dicomkit::cli
