// Writing data sets and Part 10 files in the uncompressed (and deflated) transfer syntaxes,
// and in the encapsulated ones when the pixel data already is encapsulated. PS3.5 7, PS3.10 7.1.
#pragma once

#include <functional>
#include <string>

#include <dicomkit/core/dataset.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/io/transfer_syntax.hpp>

namespace dicomkit::io {

enum class LengthEncoding {
    Keep,       ///< as each sequence and item was read (or built)
    Explicit,   ///< defined lengths everywhere
    Undefined,  ///< undefined lengths with delimiters everywhere
};

enum class GroupLengthPolicy {
    Keep,    ///< write the (gggg,0000) elements the data set has, with recomputed values
    Add,     ///< write a group length for every group
    Remove,  ///< write none (group 0002 always has one)
};

struct WriteOptions {
    LengthEncoding lengths = LengthEncoding::Keep;
    GroupLengthPolicy group_lengths = GroupLengthPolicy::Keep;
    /// Loads deferred values; without it a deferred value is an error.
    std::function<Result<Bytes>(const Element&)> load_deferred;
};

/// Appends the encoding of `ds` in `ts` (ignoring `ts.deflated`: see encode_dataset) to `out`.
[[nodiscard]] Result<void> write_dataset(const DataSet& ds, const TransferSyntax& ts, const WriteOptions& options,
                                         Bytes& out);
/// The encoding of `ds` in `ts`, deflated when `ts` is.
[[nodiscard]] Result<Bytes> encode_dataset(const DataSet& ds, const TransferSyntax& ts,
                                           const WriteOptions& options = {});

struct FileWriteOptions {
    WriteOptions write;
    /// Target transfer syntax; null keeps the file's.
    const TransferSyntax* transfer_syntax = nullptr;
    /// Keep the meta's Media Storage SOP Class and Instance UIDs when it has them, rather than
    /// taking them from the data set (a rewrite that did not change those UIDs stays faithful
    /// to a file whose meta disagrees with its data set).
    bool keep_meta_sop_uids = false;
};

/// The implementation class UID and version name dicomkit writes into file meta information.
inline constexpr std::string_view kImplementationClassUID = "2.25.170933842532773413498619089712576706139";
inline constexpr std::string_view kImplementationVersionName = "DICOMKIT_010";

/// File Meta Information for `ds` in `ts`: elements of `existing` are kept (so a rewrite is
/// faithful) except the transfer syntax, SOP class/instance (taken from the data set when it has
/// them, unless `keep_sop_uids` and `existing` has them) and group length; missing required ones are added.
[[nodiscard]] DataSet make_meta(const DataSet& ds, const TransferSyntax& ts, const DataSet* existing = nullptr,
                                bool keep_sop_uids = false);

/// The whole Part 10 file: preamble (the file's own, else zeros), DICM, meta, data set.
[[nodiscard]] Result<Bytes> encode_file(const DicomFile& file, const FileWriteOptions& options = {});
/// encode_file into `out` (cleared first; its capacity is kept, so a batch reuses one buffer).
[[nodiscard]] Result<void> encode_file_into(const DicomFile& file, Bytes& out, const FileWriteOptions& options = {});
/// Writes a Part 10 file atomically (temporary file, fsync, rename).
[[nodiscard]] Result<void> write_file(const std::string& path, const DicomFile& file,
                                      const FileWriteOptions& options = {});

}  // namespace dicomkit::io
