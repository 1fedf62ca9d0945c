// The table of transfer syntaxes.
#include <dicomkit/io/transfer_syntax.hpp>

#include <algorithm>
#include <cctype>
#include <string>

namespace dicomkit::io {

namespace {
constexpr TransferSyntax enc(std::string_view uid, std::string_view name, std::string_view kw,
                             bool retired = false) {
    return TransferSyntax{uid, name, kw, true, Endian::Little, false, true, retired};
}
constexpr TransferSyntax native(std::string_view uid, std::string_view name, std::string_view kw,
                                bool deflated = false, bool retired = false) {
    return TransferSyntax{uid, name, kw, true, Endian::Little, deflated, false, retired};
}

constexpr TransferSyntax kAll[] = {
    ts::ImplicitVRLittleEndian,
    ts::ExplicitVRLittleEndian,
    enc("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian",
        "EncapsulatedUncompressedExplicitVRLittleEndian"),
    ts::DeflatedExplicitVRLittleEndian,
    ts::ExplicitVRBigEndian,
    enc("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", "JPEGBaseline8Bit"),
    enc("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 and 4)", "JPEGExtended12Bit"),
    enc("1.2.840.10008.1.2.4.52", "JPEG Extended (Process 3 and 5)", "JPEGExtended35", true),
    enc("1.2.840.10008.1.2.4.53", "JPEG Spectral Selection, Non-Hierarchical (Process 6 and 8)",
        "JPEGSpectralSelectionNonHierarchical68", true),
    enc("1.2.840.10008.1.2.4.54", "JPEG Spectral Selection, Non-Hierarchical (Process 7 and 9)",
        "JPEGSpectralSelectionNonHierarchical79", true),
    enc("1.2.840.10008.1.2.4.55", "JPEG Full Progression, Non-Hierarchical (Process 10 and 12)",
        "JPEGFullProgressionNonHierarchical1012", true),
    enc("1.2.840.10008.1.2.4.56", "JPEG Full Progression, Non-Hierarchical (Process 11 and 13)",
        "JPEGFullProgressionNonHierarchical1113", true),
    enc("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", "JPEGLossless"),
    enc("1.2.840.10008.1.2.4.58", "JPEG Lossless, Non-Hierarchical (Process 15)",
        "JPEGLosslessNonHierarchical15", true),
    enc("1.2.840.10008.1.2.4.59", "JPEG Extended, Hierarchical (Process 16 and 18)",
        "JPEGExtendedHierarchical1618", true),
    enc("1.2.840.10008.1.2.4.60", "JPEG Extended, Hierarchical (Process 17 and 19)",
        "JPEGExtendedHierarchical1719", true),
    enc("1.2.840.10008.1.2.4.61", "JPEG Spectral Selection, Hierarchical (Process 20 and 22)",
        "JPEGSpectralSelectionHierarchical2022", true),
    enc("1.2.840.10008.1.2.4.62", "JPEG Spectral Selection, Hierarchical (Process 21 and 23)",
        "JPEGSpectralSelectionHierarchical2123", true),
    enc("1.2.840.10008.1.2.4.63", "JPEG Full Progression, Hierarchical (Process 24 and 26)",
        "JPEGFullProgressionHierarchical2426", true),
    enc("1.2.840.10008.1.2.4.64", "JPEG Full Progression, Hierarchical (Process 25 and 27)",
        "JPEGFullProgressionHierarchical2527", true),
    enc("1.2.840.10008.1.2.4.65", "JPEG Lossless, Hierarchical (Process 28)", "JPEGLosslessHierarchical28", true),
    enc("1.2.840.10008.1.2.4.66", "JPEG Lossless, Hierarchical (Process 29)", "JPEGLosslessHierarchical29", true),
    enc("1.2.840.10008.1.2.4.70",
        "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])",
        "JPEGLosslessSV1"),
    enc("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression", "JPEGLSLossless"),
    enc("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression", "JPEGLSNearLossless"),
    enc("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)", "JPEG2000Lossless"),
    enc("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression", "JPEG2000"),
    enc("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)",
        "JPEG2000MCLossless"),
    enc("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression", "JPEG2000MC"),
    native("1.2.840.10008.1.2.4.94", "JPIP Referenced", "JPIPReferenced"),
    native("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate", "JPIPReferencedDeflate", true),
    enc("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", "MPEG2MPML"),
    enc("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level", "MPEG2MPHL"),
    enc("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", "MPEG4HP41"),
    enc("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", "MPEG4HP41BD"),
    enc("1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", "MPEG4HP422D"),
    enc("1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", "MPEG4HP423D"),
    enc("1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", "MPEG4HP42STEREO"),
    enc("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1", "HEVCMP51"),
    enc("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1", "HEVCM10P51"),
    enc("1.2.840.10008.1.2.4.110", "JPEG XL Lossless", "JPEGXLLossless"),
    enc("1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression", "JPEGXLJPEGRecompression"),
    enc("1.2.840.10008.1.2.4.112", "JPEG XL", "JPEGXL"),
    enc("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)", "HTJ2KLossless"),
    enc("1.2.840.10008.1.2.4.202",
        "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)", "HTJ2KLosslessRPCL"),
    enc("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression", "HTJ2K"),
    native("1.2.840.10008.1.2.4.204", "JPIP HTJ2K Referenced", "JPIPHTJ2KReferenced"),
    native("1.2.840.10008.1.2.4.205", "JPIP HTJ2K Referenced Deflate", "JPIPHTJ2KReferencedDeflate", true),
    enc("1.2.840.10008.1.2.5", "RLE Lossless", "RLELossless"),
    native("1.2.840.10008.1.2.6.1", "RFC 2557 MIME encapsulation", "RFC2557MIMEEncapsulation", false, true),
    native("1.2.840.10008.1.2.6.2", "XML Encoding", "XMLEncoding", false, true),
    native("1.2.840.10008.1.2.7.1", "SMPTE ST 2110-20 Uncompressed Progressive Active Video",
           "SMPTEST211020UncompressedProgressiveActiveVideo"),
    native("1.2.840.10008.1.2.7.2", "SMPTE ST 2110-20 Uncompressed Interlaced Active Video",
           "SMPTEST211020UncompressedInterlacedActiveVideo"),
    native("1.2.840.10008.1.2.7.3", "SMPTE ST 2110-30 PCM Digital Audio", "SMPTEST211030PCMDigitalAudio"),
    enc("1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression", "DeflatedImageFrameCompression"),
    TransferSyntax{"1.2.840.10008.1.20", "Papyrus 3 Implicit VR Little Endian",
                   "Papyrus3ImplicitVRLittleEndian", false, Endian::Little, false, false, true},
};

std::string_view trim_uid(std::string_view s) {
    while (!s.empty() && (s.back() == '\0' || s.back() == ' ')) s.remove_suffix(1);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}
}  // namespace

std::span<const TransferSyntax> all_transfer_syntaxes() noexcept { return kAll; }

const TransferSyntax* find_transfer_syntax(std::string_view uid) noexcept {
    uid = trim_uid(uid);
    for (const auto& t : kAll)
        if (t.uid == uid) return &t;
    return nullptr;
}

const TransferSyntax* find_transfer_syntax_by_name(std::string_view name) noexcept {
    if (const auto* t = find_transfer_syntax(name)) return t;
    struct Alias {
        std::string_view alias;
        const TransferSyntax* ts;
    };
    static constexpr Alias aliases[] = {
        {"implicit", &kAll[0]}, {"ivrle", &kAll[0]},   {"explicit", &kAll[1]},
        {"evrle", &kAll[1]},    {"deflated", &kAll[3]}, {"deflate", &kAll[3]},
        {"big", &kAll[4]},      {"evrbe", &kAll[4]},
    };
    for (const auto& a : aliases)
        if (iequals(a.alias, name)) return a.ts;
    for (const auto& t : kAll)
        if (iequals(t.keyword, name)) return &t;
    return nullptr;
}

}  // namespace dicomkit::io
