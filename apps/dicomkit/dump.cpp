// `dicomkit dump`: print files as text (dcmdump layout), DICOM JSON or Native XML.
#include <cstdio>
#include <string>
#include <vector>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/json/json.hpp>
#include <dicomkit/json/xml.hpp>

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

int dump_one(const std::string& path, const DumpArgs& a, const DumpOptions& o, bool many, bool first) {
    io::ReadOptions ro;
    ro.strict = a.strict;
    if (a.stop_before_pixels) ro.stop_before = Tag(0x7FE0, 0x0010);
    bool model = a.json || a.xml;
    if (!a.full && !model) ro.defer_larger_than = 4096;  // large values are shown cut: never copy them
    auto file = io::read_file(path, ro);
    if (!file) {
        log::error("{}", file.error().to_string().c_str());
        return 1;
    }
    if (!a.no_warnings)
        for (const auto& w : file->diagnostics.warnings) log::warn("{}", w.to_string().c_str());
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
            if (a->json && a->xml) {
                log::error("choose one of --json and --xml");
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
            if (a->json && many && !first) write_out("\n]\n");
            std::fflush(stdout);
            return rc;
        };
    });
}

}  // namespace dicomkit::cli
