// The Native DICOM Model (PS3.19 A.1): DataSet to XML text and back.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/json/bulk_data.hpp>

namespace dicomkit::json {

/// The namespace of the PS3.19 A.1.6 schema.
inline constexpr std::string_view kNativeDicomNamespace =
    "http://dicom.nema.org/PS3.19/models/NativeDICOM";

struct XmlOptions {
    /// Spaces per nesting level; 0 writes no white space between elements.
    int indent = 2;
    /// Also write File Meta Information (group 0002) elements.
    bool include_meta = false;
    /// Bytes the Specific Character Set cannot decode become U+FFFD and unknown terms of
    /// (0008,0005) are skipped, instead of both being a CharsetError.
    bool lenient_charset = false;
    /// Declare the schema's namespace on NativeDicomModel (the standard's examples do not).
    bool with_namespace = false;
    /// Decides which values go out as <BulkData uri="..."/>; empty: all values inline.
    BulkDataWriter bulk_data{};
};

struct XmlReadOptions {
    /// Fetches BulkData values; empty: a BulkData element is an Unsupported error.
    BulkDataReader bulk_data{};
    /// Deepest sequence nesting accepted (LimitExceeded beyond).
    std::size_t max_depth = 64;
};

/// Writes `ds` as a Native DICOM Model document (PS3.19 A.1.5), UTF-8, with
/// xml:space="preserve": one <DicomAttribute tag="GGGGEEEE" vr=".." keyword=".."> per element,
/// holding <Value number="n">, <PersonName number="n"> (Alphabetic/Ideographic/Phonetic with
/// FamilyName ... NameSuffix), <Item number="n">, <InlineBinary> or <BulkData uri="..."/>.
/// Private data elements are written as gggg00ee with a privateCreator attribute, as A.1.5
/// requires; their Private Creator elements are written too (as DCMTK does), so the block
/// layout survives a round trip. Empty values of a multi-valued attribute are empty <Value/>.
/// Characters XML 1.0 cannot carry (control characters other than TAB, LF, CR) are an
/// InvalidValue error.
[[nodiscard]] Result<std::string> to_xml(const DataSet& ds, const XmlOptions& options = {});

/// Reads a Native DICOM Model document (with or without the schema namespace). Private
/// attributes in the gggg00ee form are placed in the block their privateCreator reserves.
/// Strings are encoded into the data set's Specific Character Set, switching to ISO_IR 192 as
/// from_json does. Errors carry the tag path; a document type declaration is refused.
[[nodiscard]] Result<DataSet> from_xml(std::string_view text, const XmlReadOptions& options = {});

}  // namespace dicomkit::json
