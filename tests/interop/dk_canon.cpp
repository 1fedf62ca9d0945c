// dk_canon: prints a DICOM file as dicomkit reads it, one canonical line per element, or rewrites it.
//
//   dk_canon [--strict] [--no-resolve-un] FILE
//       one line per element, nested ones included:  PATH <TAB> VR <TAB> VM <TAB> VALUE
//       PATH is e.g. (0008,1140)[0].(0008,1155); group 0002 is printed first.
//       VALUE: strings as their bytes with trailing spaces/NULs trimmed (bytes outside printable
//       ASCII as \xHH, no character set conversion); binary numbers formatted and joined by '\';
//       AT as (gggg,eeee); OF/OD as numbers; OB/OW/OL/OV/UN as "len=N fnv=H" of the little-endian bytes;
//       sequences as "items=N"; encapsulated pixel data as "bot=N frags=K sizes=a,b fnv=H".
//   dk_canon --rewrite IN OUT [--ts NAME|UID]
//       reads IN and writes it with io::write_file, in its own syntax or in --ts.
//
// Exit codes: 0 ok, 1 read or write error (message on stderr with file, offset and tag path),
// 2 usage. Warnings of a lenient read go to stderr as "warning: ..." lines.
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include <dicomkit/core/dataset.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/io/transfer_syntax.hpp>

using namespace dicomkit;

namespace {

/// FNV-1a 64: a small, dependency-free digest the comparison script computes the same way.
std::uint64_t fnv1a(std::span<const std::uint8_t> b, std::uint64_t h = 0xcbf29ce484222325ull) {
    for (std::uint8_t c : b) {
        h ^= c;
        h *= 0x100000001b3ull;
    }
    return h;
}

std::string escape(std::string_view s) {
    std::string out;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c >= 0x7F)
            out += fmt::format("\\x{:02X}", c);
        else
            out.push_back(ch);
    }
    return out;
}

template <typename T>
std::string join_numbers(std::span<const std::uint8_t> b, const char* spec) {
    std::string out;
    for (std::size_t i = 0; i + sizeof(T) <= b.size(); i += sizeof(T)) {
        T v;
        std::memcpy(&v, b.data() + i, sizeof(T));  // values are stored little endian; hosts are too
        if (!out.empty()) out.push_back('\\');
        out += fmt::format(fmt::runtime(spec), v);
    }
    return out;
}

std::string value_text(const Element& e, const Bytes& loaded) {
    std::span<const std::uint8_t> b = e.is_deferred() ? std::span<const std::uint8_t>(loaded) : e.bytes();
    VR vr = e.vr();
    if (is_string(vr)) {
        std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
        return escape(trim_padding(s));
    }
    switch (vr) {
        case VR::US: return join_numbers<std::uint16_t>(b, "{}");
        case VR::SS: return join_numbers<std::int16_t>(b, "{}");
        case VR::UL: return join_numbers<std::uint32_t>(b, "{}");
        case VR::SL: return join_numbers<std::int32_t>(b, "{}");
        case VR::UV: return join_numbers<std::uint64_t>(b, "{}");
        case VR::SV: return join_numbers<std::int64_t>(b, "{}");
        case VR::FL: return join_numbers<float>(b, "{:.9g}");
        case VR::FD: return join_numbers<double>(b, "{:.17g}");
        // dcmdump prints OF/OD as numbers (not always to the last bit): compared numerically.
        case VR::OF: return join_numbers<float>(b, "{:.9g}");
        case VR::OD: return join_numbers<double>(b, "{:.17g}");
        case VR::AT: {
            std::string out;
            for (std::size_t i = 0; i + 4 <= b.size(); i += 4) {
                if (!out.empty()) out.push_back('\\');
                out += Tag(load_le<std::uint16_t>(b.data() + i), load_le<std::uint16_t>(b.data() + i + 2)).str();
            }
            return out;
        }
        default: break;
    }
    return fmt::format("len={} fnv={:016x}", b.size(), fnv1a(b));
}

std::string fragments_text(const PixelFragments& pf) {
    std::string sizes;
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (const Bytes& f : pf.fragments) {
        if (!sizes.empty()) sizes.push_back(',');
        sizes += std::to_string(f.size());
        h = fnv1a(f, h);
    }
    return fmt::format("bot={} frags={} sizes={} fnv={:016x}", pf.basic_offset_table.size(), pf.fragments.size(),
                       sizes, h);
}

bool print_dataset(const io::DicomFile& file, const DataSet& ds, const std::string& prefix) {
    for (const Element& e : ds) {
        std::string path = prefix + e.tag().str();
        if (e.is_sequence()) {
            const auto& items = e.sequence().items;
            std::printf("%s\tSQ\t%zu\titems=%zu\n", path.c_str(), items.size(), items.size());
            for (std::size_t i = 0; i < items.size(); ++i)
                if (!print_dataset(file, items[i], fmt::format("{}[{}].", path, i))) return false;
            continue;
        }
        if (e.is_fragments()) {
            std::printf("%s\t%s\t1\t%s\n", path.c_str(), std::string(to_string(e.vr())).c_str(),
                        fragments_text(e.fragments()).c_str());
            continue;
        }
        Bytes loaded;
        if (e.is_deferred()) {
            auto l = io::load_deferred(file, e);
            if (!l) {
                std::fprintf(stderr, "error: %s\n", l.error().to_string().c_str());
                return false;
            }
            loaded = std::move(*l);
        }
        std::printf("%s\t%s\t%zu\t%s\n", path.c_str(), std::string(to_string(e.vr())).c_str(), e.vm(),
                    value_text(e, loaded).c_str());
    }
    return true;
}

int usage() {
    std::fprintf(stderr,
                 "usage: dk_canon [--strict] [--no-resolve-un] FILE\n"
                 "       dk_canon --rewrite IN OUT [--ts NAME|UID]\n");
    return 2;
}

void print_warnings(const io::DicomFile& f) {
    for (const Error& w : f.diagnostics.warnings) std::fprintf(stderr, "warning: %s\n", w.to_string().c_str());
}

}  // namespace

int main(int argc, char** argv) {
    io::ReadOptions options;
    bool rewrite = false;
    std::string ts_name;
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--strict") {
            options.strict = true;
        } else if (a == "--no-resolve-un") {
            options.resolve_un = false;
        } else if (a == "--rewrite") {
            rewrite = true;
        } else if (a == "--ts" && i + 1 < argc) {
            ts_name = argv[++i];
        } else if (a.starts_with("--")) {
            return usage();
        } else {
            args.emplace_back(a);
        }
    }
    if (args.size() != (rewrite ? 2u : 1u)) return usage();

    auto file = io::read_file(args[0], options);
    if (!file) {
        std::fprintf(stderr, "error: %s\n", file.error().to_string().c_str());
        return 1;
    }
    print_warnings(*file);

    if (rewrite) {
        io::FileWriteOptions wo;
        if (!ts_name.empty()) {
            wo.transfer_syntax = io::find_transfer_syntax_by_name(ts_name);
            if (!wo.transfer_syntax) {
                std::fprintf(stderr, "error: unknown transfer syntax '%s'\n", ts_name.c_str());
                return 2;
            }
        }
        auto ok = io::write_file(args[1], *file, wo);
        if (!ok) {
            std::fprintf(stderr, "error: %s\n", ok.error().to_string().c_str());
            return 1;
        }
        return 0;
    }

    if (!print_dataset(*file, file->meta, "")) return 1;
    if (!print_dataset(*file, file->dataset, "")) return 1;
    return 0;
}
