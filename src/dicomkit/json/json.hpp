// The DICOM JSON Model (PS3.18 F.2): DataSet to JSON text and back.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/json/bulk_data.hpp>

namespace dicomkit::json {

struct JsonOptions {
    /// Spaces per nesting level; 0 writes compact JSON without any white space.
    int indent = 0;
    /// Also write File Meta Information (group 0002) elements.
    bool include_meta = false;
    /// Bytes the Specific Character Set cannot decode become U+FFFD and unknown terms of
    /// (0008,0005) are skipped, instead of both being a CharsetError.
    bool lenient_charset = false;
    /// Decides which values go out as BulkDataURI (PS3.18 F.2.6); empty: all values inline.
    /// Deferred values need it: without a URI for them the conversion fails.
    BulkDataWriter bulk_data{};
};

struct JsonReadOptions {
    /// Fetches BulkDataURI values; empty: a BulkDataURI is an Unsupported error.
    BulkDataReader bulk_data{};
    /// An attribute without "vr" takes the dictionary's VR (UN when unknown) instead of being
    /// an error (PS3.18 F.2.2 requires "vr").
    bool infer_missing_vr = false;
    /// Deepest sequence nesting accepted (LimitExceeded beyond).
    std::size_t max_depth = 64;
};

/// Writes `ds` as a DICOM JSON Model object (PS3.18 F.2.2): attributes in tag order keyed
/// "GGGGEEEE", each with "vr" and at most one of "Value", "InlineBinary", "BulkDataURI".
/// - Strings are decoded from the data set's Specific Character Set (an item inherits its
///   parent's unless it has its own) to UTF-8; (0008,0005) itself is written as it is, as the
///   source encoding (F.2.2 note 3).
/// - US, SS, UL, SL, FL, FD are JSON numbers; SV and UV too unless beyond 2^53, then strings
///   (F.2.3). IS and DS values are numbers when their text is a JSON number, else strings that
///   keep the original text (F.2.3: "a JSON String representation can be used to preserve the
///   original format"). Non-finite FL/FD values are the strings "NaN", "Infinity", "-Infinity".
/// - PN values are objects with "Alphabetic", "Ideographic", "Phonetic" (F.2.2); AT values are
///   "GGGGEEEE" strings; SQ values are arrays of objects, an empty item is {}.
/// - Empty values (F.2.5): a zero-length attribute has no "Value"; an empty value among several
///   is null.
/// - OB, OD, OF, OL, OV, OW, UN go as "InlineBinary" base64 of the little-endian Value Field
///   (F.2.7); encapsulated pixel data as its items and delimiter (PS3.5 A.4).
[[nodiscard]] Result<std::string> to_json(const DataSet& ds, const JsonOptions& options = {});

/// Writes several data sets as one top-level array (PS3.18 F.2.1).
[[nodiscard]] Result<std::string> to_json_array(std::span<const DataSet> data_sets,
                                                const JsonOptions& options = {});

/// Reads a DICOM JSON Model object. Errors carry the tag path where they occurred, e.g.
/// "(0008,1140)[0].(0008,1155)": ParseError for malformed JSON (with the byte offset) and for
/// members of the wrong type, InvalidTag for a key that is not eight hex digits, InvalidVR for an
/// unknown "vr", InvalidValue for bad base64 or values their VR cannot hold.
/// Strings are encoded into the data set's Specific Character Set; when they contain text that
/// set cannot represent (or there is none and the text is not ASCII), the data set is encoded in
/// UTF-8 and (0008,0005) becomes "ISO_IR 192".
[[nodiscard]] Result<DataSet> from_json(std::string_view text, const JsonReadOptions& options = {});

/// Reads a top-level array of DICOM JSON Model objects (PS3.18 F.2.1); a single object is taken
/// as an array of one.
[[nodiscard]] Result<std::vector<DataSet>> from_json_array(std::string_view text,
                                                           const JsonReadOptions& options = {});

}  // namespace dicomkit::json
