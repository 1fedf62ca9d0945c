// Part 10 files (PS3.10 7.1): preamble, "DICM", File Meta Information, and the data set; also
// files without preamble or meta, as real devices write them.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/io/read_options.hpp>
#include <dicomkit/io/transfer_syntax.hpp>

namespace dicomkit::io {

/// The bytes a data set was read from (a mapped file, or inflated memory for deflated files),
/// kept alive for deferred values and frame access. A header read (stop_before) may hold only
/// the first part of the file; the rest is mapped on first use.
class Source {
public:
    MappedFile file;           ///< the file, or its first bytes when `partial`
    Bytes inflated;            ///< the inflated data set of a deflated file
    std::uint64_t dataset_offset = 0;  ///< where the data set starts in the file
    bool partial = false;      ///< `file` holds a prefix of the file at `path`
    std::string path;

    /// The bytes offsets in DeferredValue and tokens refer to: the inflated data set, or the
    /// whole file (mapped now if only a prefix was read). Empty if the file cannot be mapped.
    [[nodiscard]] std::span<const std::uint8_t> all_bytes() const;

private:
    mutable std::once_flag full_once_;
    mutable MappedFile full_;
};

struct DicomFile {
    std::optional<std::array<std::uint8_t, 128>> preamble;  ///< absent when the file had none
    DataSet meta;     ///< group 0002 (empty when the file had no meta)
    DataSet dataset;
    /// The transfer syntax the data set was read with (after any correction of a wrong meta).
    TransferSyntax transfer_syntax = ts::ExplicitVRLittleEndian;
    /// The UID as written in the meta ("" when none): may name a syntax we do not know.
    std::string transfer_syntax_uid;
    Diagnostics diagnostics;
    /// Offset in the data set bytes where reading stopped (ReadOptions::stop_before).
    std::optional<std::uint64_t> stopped_at;
    std::shared_ptr<const Source> source;
    std::string path;
};

/// Reads a file ("-" for standard input). Errors name the file, offset and tag path.
[[nodiscard]] Result<DicomFile> read_file(const std::string& path, const ReadOptions& options = {});
/// Whether the file at `path` starts like a Part 10 file: "DICM" after the 128-byte preamble
/// (PS3.10 7.1). False for a file that cannot be read or is shorter; nothing else is checked.
[[nodiscard]] bool has_part10_preamble(const std::string& path);
/// Reads from bytes already in memory (`name` is used in messages).
[[nodiscard]] Result<DicomFile> read_bytes(std::vector<std::uint8_t> bytes, const ReadOptions& options = {},
                                           std::string name = "<memory>");

/// Reads from bytes the caller keeps and may reuse as soon as this returns: every value is copied
/// (options.defer_larger_than is ignored) and the result has no source, so nothing refers back to
/// `bytes` (a batch reads file after file into one buffer).
[[nodiscard]] Result<DicomFile> read_view(std::span<const std::uint8_t> bytes, const ReadOptions& options = {},
                                          std::string name = "<memory>");

/// Loads a value that was deferred (ReadOptions::defer_larger_than), converted to little endian.
[[nodiscard]] Result<Bytes> load_deferred(const DicomFile& file, const Element& element);
/// The first `max_bytes` of a deferred value (for display), converted to little endian.
[[nodiscard]] Result<Bytes> load_deferred_prefix(const DicomFile& file, const Element& element,
                                                 std::size_t max_bytes);

/// Inflates raw deflate data (RFC 1951, as PS3.5 A.5 uses), bounded by `limit` bytes of output.
[[nodiscard]] Result<Bytes> inflate_raw(std::span<const std::uint8_t> in, std::uint64_t limit);
/// Deflates to raw deflate data.
[[nodiscard]] Result<Bytes> deflate_raw(std::span<const std::uint8_t> in, int level = 6);

}  // namespace dicomkit::io
