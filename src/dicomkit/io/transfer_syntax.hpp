// Transfer syntax descriptors (PS3.5 Section 10, PS3.6 Table A-1): how a data set is encoded.
#pragma once

#include <span>
#include <string_view>

#include <dicomkit/base/endian.hpp>

namespace dicomkit::io {

struct TransferSyntax {
    std::string_view uid;
    std::string_view name;
    std::string_view keyword;
    bool explicit_vr = true;
    Endian endian = Endian::Little;
    bool deflated = false;      ///< the whole data set after the meta is deflate-compressed
    bool encapsulated = false;  ///< pixel data is encapsulated (fragments)
    bool retired = false;

    [[nodiscard]] constexpr bool operator==(const TransferSyntax& o) const noexcept { return uid == o.uid; }
    /// Native (not encapsulated, not deflated) encodings that any data set can be written in.
    [[nodiscard]] constexpr bool is_uncompressed() const noexcept { return !encapsulated && !deflated; }
};

namespace ts {
inline constexpr TransferSyntax ImplicitVRLittleEndian{"1.2.840.10008.1.2", "Implicit VR Little Endian",
                                                       "ImplicitVRLittleEndian", false};
inline constexpr TransferSyntax ExplicitVRLittleEndian{"1.2.840.10008.1.2.1", "Explicit VR Little Endian",
                                                       "ExplicitVRLittleEndian"};
inline constexpr TransferSyntax DeflatedExplicitVRLittleEndian{
    "1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", "DeflatedExplicitVRLittleEndian",
    true, Endian::Little, true};
inline constexpr TransferSyntax ExplicitVRBigEndian{"1.2.840.10008.1.2.2", "Explicit VR Big Endian",
                                                    "ExplicitVRBigEndian", true, Endian::Big,
                                                    false, false, true};
}  // namespace ts

/// Every transfer syntax of PS3.6 Table A-1.
[[nodiscard]] std::span<const TransferSyntax> all_transfer_syntaxes() noexcept;

/// Looks up a transfer syntax by UID (trailing NUL/space ignored). nullptr when unknown.
[[nodiscard]] const TransferSyntax* find_transfer_syntax(std::string_view uid) noexcept;

/// Looks up by UID, keyword ("ExplicitVRLittleEndian") or a short name the CLI accepts
/// ("implicit", "explicit", "big", "deflated").
[[nodiscard]] const TransferSyntax* find_transfer_syntax_by_name(std::string_view name) noexcept;

}  // namespace dicomkit::io
