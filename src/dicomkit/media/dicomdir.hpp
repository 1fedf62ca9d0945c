// DICOMDIR files (PS3.10 8, PS3.3 F Basic Directory IOD): building one for a set of Part 10
// files, and reading one by its offsets.
//
// Every offset in a DICOMDIR (0004,1200), (0004,1202), (0004,1400), (0004,1420) counts bytes from
// the first byte of the File Meta Information (PS3.3 F.3.2.2), and the File Meta Information
// starts with the 128-byte File Preamble (PS3.10 7.1): the offset of a Directory Record is the
// position of its Item tag (FFFE,E000) in the file.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <dicomkit/core/dataset.hpp>
#include <dicomkit/io/transfer_syntax.hpp>

namespace dicomkit::media {

inline constexpr std::string_view kMediaStorageDirectoryStorage = "1.2.840.10008.1.3.10";

// ---- building ------------------------------------------------------------------------------

/// One file of the File-set: its File ID components and what was read of it (meta and data set,
/// the pixel data may be left out).
struct InputFile {
    std::vector<std::string> file_id;
    DataSet meta;
    DataSet dataset;
    std::string path;  ///< for messages
};

struct BuildOptions {
    std::string fileset_id;         ///< File-set ID (0004,1130): up to 16 characters of CS; may be empty
    bool undefined_lengths = false; ///< items and the sequence with undefined lengths (else defined)
    bool invent = false;            ///< fill missing type 1 keys with made-up values instead of refusing
};

/// A file the directory could not describe, and why.
struct Refusal {
    std::string path;
    std::string reason;
};

struct BuildResult {
    std::vector<std::uint8_t> bytes;  ///< the DICOMDIR file
    std::size_t records = 0;
    std::vector<Refusal> refused;     ///< files left out (only when `BuildOptions::invent` is off and keys are missing)
    std::vector<std::string> notes;   ///< values invented, ...
};

/// The DICOMDIR for `files` (Explicit VR Little Endian, PATIENT/STUDY/SERIES and an instance
/// record per file). Files lacking type 1 keys are refused (listed in `refused`) unless
/// `invent`; an error when nothing is left, or for a bad File-set ID.
[[nodiscard]] Result<BuildResult> build_dicomdir(const std::vector<InputFile>& files, const BuildOptions& options);

/// The offsets (from the first byte of the file) of the items of the Directory Record Sequence
/// of the Part 10 file in `file_bytes`, in sequence order. `dataset_offset` is where the data
/// set starts, `ts` its transfer syntax (not deflated).
[[nodiscard]] Result<std::vector<std::uint64_t>> record_item_offsets(std::span<const std::uint8_t> file_bytes,
                                                                     std::uint64_t dataset_offset,
                                                                     const io::TransferSyntax& ts,
                                                                     const std::string& name = "<memory>");

// ---- reading -------------------------------------------------------------------------------

struct Record {
    std::uint64_t offset = 0;  ///< of its item in the file
    std::string type;          ///< Directory Record Type (0004,1430)
    DataSet data;              ///< the whole item
    std::vector<Record> children;
};

struct ReadLimits {
    std::size_t max_depth = 32;  ///< levels of lower-level directory entities
};

struct Directory {
    std::string fileset_id;
    DataSet meta;
    std::vector<Record> roots;
    std::size_t records_in_sequence = 0;  ///< items of the Directory Record Sequence
    std::size_t records_reached = 0;      ///< reached from the root by offsets (inactive ones included)
    std::vector<std::string> warnings;    ///< unreferenced records, inactive records, unusual meta
};

/// Reads the DICOMDIR at `path` and builds its record tree by following the offsets. Offsets that
/// point at no record, loops and nesting past the limit are errors naming the offending record.
[[nodiscard]] Result<Directory> read_dicomdir(const std::string& path, const ReadLimits& limits = {});
/// The same from bytes in memory.
[[nodiscard]] Result<Directory> read_dicomdir_bytes(std::vector<std::uint8_t> bytes, const ReadLimits& limits = {},
                                                    std::string name = "<memory>");

/// The Referenced File ID (0004,1500) components of a record (empty when it has none).
[[nodiscard]] std::vector<std::string> referenced_file_id(const DataSet& record);

}  // namespace dicomkit::media
