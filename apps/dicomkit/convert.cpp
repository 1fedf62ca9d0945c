// `dicomkit convert IN OUT --ts NAME|UID`: rewrite a file in another transfer syntax, transcoding
// its pixel data through the codecs of this build when either syntax is encapsulated.
#include <cstdio>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <dicomkit/base/log.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/json/json.hpp>
#include <dicomkit/json/xml.hpp>
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/transcode.hpp>

#include "commands.hpp"

namespace dicomkit::cli {

namespace {
struct ConvertArgs {
    std::string in, out, ts;
    bool explicit_lengths = false;
    bool undefined_lengths = false;
    bool strict = false;
    int quality = 90;
    double ratio = 10;
    int near = 2;
    bool allow_lossy = false;
    unsigned threads = 0;
};
enum class InputKind { Dicom, Json, Xml };

/// JSON and XML are recognised by their first non-blank character; anything else is DICOM.
InputKind sniff(std::span<const std::uint8_t> bytes) {
    for (std::uint8_t c : bytes.first(std::min<std::size_t>(bytes.size(), 4096))) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
        if (c == 0xEF) continue;  // UTF-8 byte order mark
        if (c == 0xBB || c == 0xBF) continue;
        if (c == '{' || c == '[') return InputKind::Json;
        if (c == '<') return InputKind::Xml;
        return InputKind::Dicom;
    }
    return InputKind::Dicom;
}

/// A DicomFile from a DICOM JSON or XML document (group 0002 in it becomes the meta).
Result<io::DicomFile> read_model(const std::string& path, InputKind kind) {
    auto bytes = read_whole_file(path);
    if (!bytes) return Unexpected(bytes.error());
    std::string_view text(reinterpret_cast<const char*>(bytes->data()), bytes->size());
    Result<DataSet> ds;
    if (kind == InputKind::Json) {
        auto all = json::from_json_array(text);
        if (!all) return Unexpected(std::move(all.error()).in_file(path));
        if (all->size() != 1)
            return Unexpected(std::move(Error(ErrorCode::InvalidArgument,
                                              fmt::format("{} data sets in the document; convert takes one", all->size())))
                                  .in_file(path));
        ds = std::move(all->front());
    } else {
        ds = json::from_xml(text);
        if (!ds) return Unexpected(std::move(ds.error()).in_file(path));
    }
    io::DicomFile f;
    for (const Element& e : *ds) {
        if (e.tag().group == 0x0002) {
            f.meta.set(e);
        } else {
            f.dataset.set(e);
        }
    }
    f.transfer_syntax = io::ts::ExplicitVRLittleEndian;
    f.path = path;
    return f;
}

/// The syntax the pixel data is encoded in: the file's, or, when the data set's encoding was
/// corrected (a meta naming an encapsulated syntax over an implicit VR data set), the meta's
/// when the pixel data is fragments.
const io::TransferSyntax& pixel_syntax(const io::DicomFile& file) {
    const Element* px = file.dataset.find(Tag{0x7FE0, 0x0010});
    if (px && px->is_fragments() && !file.transfer_syntax.encapsulated)
        if (const auto* meta = io::find_transfer_syntax(file.transfer_syntax_uid); meta && meta->encapsulated) return *meta;
    return file.transfer_syntax;
}

/// The pixel data element loaded into memory when it was left in the file.
Result<void> load_pixels(io::DicomFile& file) {
    for (Tag t : {Tag{0x7FE0, 0x0010}, Tag{0x7FE0, 0x0008}, Tag{0x7FE0, 0x0009}}) {
        Element* e = file.dataset.find(t);
        if (!e || !e->is_deferred()) continue;
        auto bytes = io::load_deferred(file, *e);
        if (!bytes) return Unexpected(bytes.error());
        *e = Element(e->tag(), e->vr(), *bytes);
    }
    return {};
}

/// Codec libraries (OpenJPEG above all) allocate and free their large per-frame buffers for every
/// frame. glibc serves blocks of 128 KiB and more by mmap and gives them back at free, so each frame
/// of a multi-frame decode faulted in (and the kernel zeroed) fresh pages again. Served from the heap
/// and not trimmed, the next frame reuses them.
void keep_freed_memory() {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's ceiling for this threshold on 64-bit systems
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

/// Encapsulated frames to a native little endian file, decoded straight into the output (the
/// fragments stay in the mapped input); false when pixel::transcode_to_file does not apply.
Result<bool> convert_streaming(const ConvertArgs& a, io::ReadOptions ro) {
    const io::TransferSyntax* to = pixel::find_syntax(a.ts);
    if (!to || to->encapsulated || to->deflated || to->endian != Endian::Little) return false;
    ro.stop_before = Tag{0x7FE0, 0x0010};
    auto file = io::read_file(a.in, ro);
    if (!file || !file->transfer_syntax.encapsulated || !file->stopped_at) return false;
    const pixel::CodecRegistry codecs = pixel::standard_codecs();
    pixel::TranscodeOptions to_options;
    to_options.threads = a.threads;
    to_options.source = a.in;
    io::FileWriteOptions wo;
    wo.transfer_syntax = to;
    if (a.explicit_lengths) wo.write.lengths = io::LengthEncoding::Explicit;
    if (a.undefined_lengths) wo.write.lengths = io::LengthEncoding::Undefined;
    auto done = pixel::transcode_to_file(*file, *to, codecs, to_options, a.out, wo);
    if (done && *done)
        for (const auto& w : file->diagnostics.warnings) log::warn("{}", w.to_string().c_str());
    return done;
}

}  // namespace

void add_convert(CLI::App& app, Action& run) {
    auto a = std::make_shared<ConvertArgs>();
    CLI::App* cmd = app.add_subcommand("convert", "Rewrite a DICOM file (or a DICOM JSON/XML document) as Part 10 in a transfer syntax");
    cmd->add_option("in", a->in, "Input file")->required();
    cmd->add_option("out", a->out, "Output file")->required();
    cmd->add_option("--ts", a->ts,
                    "Target transfer syntax: UID, keyword (e.g. JPEGLSLossless), or implicit, explicit, big, "
                    "deflated, rle, jpeg, jpeg-extended, jpeg-lossless, jpeg-ls, jpeg-ls-near, j2k, j2k-lossy, "
                    "htj2k, htj2k-lossy, jpegxl, jpegxl-lossless, deflated-frame, encapsulated");
    cmd->add_option("--quality", a->quality, "Lossy JPEG / JPEG XL quality (1-100, default 90)")
        ->check(CLI::Range(1, 100));
    cmd->add_option("--ratio", a->ratio, "Lossy JPEG 2000 / HTJ2K compression ratio (default 10)")
        ->check(CLI::Range(1.0, 10000.0));
    cmd->add_option("--near", a->near, "JPEG-LS near-lossless NEAR (default 2)")->check(CLI::Range(0, 255));
    cmd->add_flag("--allow-lossy", a->allow_lossy, "Allow a target syntax whose encoding loses information");
    cmd->add_option("--threads", a->threads, "Frames transcoded at once (default 0: one per core)");
    cmd->add_flag("--explicit-lengths", a->explicit_lengths, "Write sequences and items with explicit lengths");
    cmd->add_flag("--undefined-lengths", a->undefined_lengths, "Write sequences and items with undefined lengths");
    cmd->add_flag("--strict", a->strict, "Refuse input that deviates from the standard");
    cmd->callback([a, &run] {
        run = [a] {
            keep_freed_memory();
            io::ReadOptions ro;
            ro.strict = a->strict;
            auto head = MappedFile::open(a->in);
            InputKind kind = head ? sniff(head->bytes()) : InputKind::Dicom;
            if (kind == InputKind::Dicom && !a->ts.empty() && a->in != "-") {
                if (auto done = convert_streaming(*a, ro); !done) {
                    log::error("{}", done.error().to_string().c_str());
                    return done.error().code == ErrorCode::UnsupportedTransferSyntax ? 3 : 1;
                } else if (*done) {
                    return 0;
                }
            }
            auto file = kind == InputKind::Dicom ? io::read_file(a->in, ro) : read_model(a->in, kind);
            if (!file) {
                log::error("{}", file.error().to_string().c_str());
                return 1;
            }
            for (const auto& w : file->diagnostics.warnings) log::warn("{}", w.to_string().c_str());
            io::FileWriteOptions wo;
            if (!a->ts.empty()) {
                wo.transfer_syntax = pixel::find_syntax(a->ts);
                if (!wo.transfer_syntax) {
                    log::error("unknown transfer syntax '{}'", a->ts.c_str());
                    return 2;
                }
            }
            const io::TransferSyntax& from = pixel_syntax(*file);
            if (wo.transfer_syntax && *wo.transfer_syntax != from &&
                (wo.transfer_syntax->encapsulated || from.encapsulated)) {
                if (auto ok = load_pixels(*file); !ok) {
                    log::error("{}", ok.error().to_string().c_str());
                    return 1;
                }
                const pixel::CodecRegistry codecs = pixel::standard_codecs();
                pixel::TranscodeOptions to;
                to.encode.quality = a->quality;
                to.encode.compression_ratio = a->ratio;
                to.encode.near_lossless = a->near;
                to.allow_lossy = a->allow_lossy;
                to.threads = a->threads;
                to.source = a->in;
                if (auto ok = pixel::transcode(file->dataset, from, *wo.transfer_syntax, codecs, to); !ok) {
                    log::error("{}", ok.error().to_string().c_str());
                    return ok.error().code == ErrorCode::UnsupportedTransferSyntax ? 3 : 1;  // 3: no codec
                }
            }
            if (a->explicit_lengths) wo.write.lengths = io::LengthEncoding::Explicit;
            if (a->undefined_lengths) wo.write.lengths = io::LengthEncoding::Undefined;
            auto ok = io::write_file(a->out, *file, wo);
            if (!ok) {
                log::error("{}", ok.error().to_string().c_str());
                return 1;
            }
            return 0;
        };
    });
}

}  // namespace dicomkit::cli
