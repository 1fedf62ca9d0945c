// Building DataSets from tokens: the whole-data-set level of reading.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include <dicomkit/core/dataset.hpp>
#include <dicomkit/io/read_options.hpp>
#include <dicomkit/io/token_reader.hpp>
#include <dicomkit/io/transfer_syntax.hpp>

namespace dicomkit::io {

struct DataSetReadResult {
    DataSet dataset;
    /// Offset (in the source) of the element reading stopped before (ReadOptions::stop_before).
    std::optional<std::uint64_t> stopped_at;
};

/// Reads every token of `reader` into a DataSet. Values are converted to little endian.
[[nodiscard]] Result<DataSetReadResult> read_dataset(TokenReader& reader, const ReadOptions& options,
                                                     Diagnostics* diagnostics = nullptr);

/// Reads a bare data set (no preamble, no meta) encoded in `ts`.
[[nodiscard]] Result<DataSet> read_dataset(std::span<const std::uint8_t> bytes, const TransferSyntax& ts,
                                           const ReadOptions& options = {}, Diagnostics* diagnostics = nullptr);

/// Copies a value from the stream's byte order to little endian for `vr`.
[[nodiscard]] Bytes to_little_endian(std::span<const std::uint8_t> value, VR vr, Endian from);

}  // namespace dicomkit::io
