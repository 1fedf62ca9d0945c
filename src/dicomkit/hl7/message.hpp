// HL7 v2 messages in ER7 (the "pipe and hat" encoding, HL7 v2.5 chapter 2.6): segments, fields,
// repetitions, components and subcomponents, the delimiters of MSH-1/MSH-2, escape sequences and
// the character set of MSH-18, decoded to UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>

namespace dicomkit::hl7 {

/// The delimiters of one message: MSH-1 and the encoding characters of MSH-2 (component,
/// repetition, escape, subcomponent and, from v2.7, truncation). A delimiter the message does not
/// declare is '\0' and never matches.
struct Delimiters {
    char field = '|';
    char component = '^';
    char repetition = '~';
    char escape = '\\';
    char subcomponent = '&';
    char truncation = '\0';
};

/// Bounds on what a message may hold; over them parse fails with LimitExceeded.
struct ParseLimits {
    std::size_t max_message_bytes = 1 << 20;  ///< the whole message, before decoding
    std::size_t max_segments = 10'000;
    std::size_t max_fields = 1'000;           ///< per segment
};

/// One segment: its ID and its fields, numbered as HL7 numbers them (field 0 is the segment ID;
/// for MSH, field 1 is the field separator and field 2 the encoding characters). Field text is
/// UTF-8 and still escaped: value() splits and unescapes.
class Segment {
public:
    Segment() = default;
    Segment(std::string id, std::vector<std::string> fields, std::size_t index)
        : id_(std::move(id)), fields_(std::move(fields)), index_(index) {}

    [[nodiscard]] const std::string& id() const noexcept { return id_; }
    /// Position of the segment in its message, from 1 (MSH is 1).
    [[nodiscard]] std::size_t index() const noexcept { return index_; }
    /// The number of fields, the ID included (so the last field is count() - 1).
    [[nodiscard]] std::size_t count() const noexcept { return fields_.size(); }
    /// Field `n` as it stands in the message (escaped, repetitions and components in it); empty
    /// past the last field.
    [[nodiscard]] std::string_view raw(std::size_t n) const noexcept {
        return n < fields_.size() ? std::string_view(fields_[n]) : std::string_view();
    }

private:
    std::string id_;
    std::vector<std::string> fields_;
    std::size_t index_ = 0;
};

/// A parsed message. Positions are 1-based as in HL7 ("PID-5.1.1" is field 5, repetition 1,
/// component 1, subcomponent 1); a position past what is there reads as empty.
class Message {
public:
    Message() = default;
    Message(Delimiters d, std::vector<Segment> segments, std::string charset)
        : delimiters_(d), segments_(std::move(segments)), charset_(std::move(charset)) {}

    [[nodiscard]] const Delimiters& delimiters() const noexcept { return delimiters_; }
    [[nodiscard]] const std::vector<Segment>& segments() const noexcept { return segments_; }
    /// The `nth` (0-based) segment with this ID; nullptr when there is none.
    [[nodiscard]] const Segment* find(std::string_view id, std::size_t nth = 0) const noexcept;

    /// The unescaped text at field/repetition/component/subcomponent (all from 1) of `seg`.
    [[nodiscard]] std::string value(const Segment& seg, std::size_t field, std::size_t repetition = 1,
                                    std::size_t component = 1, std::size_t subcomponent = 1) const;
    /// The same for the first segment with ID `id` (empty when there is none).
    [[nodiscard]] std::string value(std::string_view id, std::size_t field, std::size_t repetition = 1,
                                    std::size_t component = 1, std::size_t subcomponent = 1) const;
    /// Number of repetitions of a field (0 when empty).
    [[nodiscard]] std::size_t repetitions(const Segment& seg, std::size_t field) const;

    /// MSH-9.1, MSH-9.2, MSH-10, MSH-12.1.
    [[nodiscard]] std::string message_type() const { return value("MSH", 9, 1, 1); }
    [[nodiscard]] std::string trigger_event() const { return value("MSH", 9, 1, 2); }
    [[nodiscard]] std::string control_id() const { return value("MSH", 10); }
    [[nodiscard]] std::string version() const { return value("MSH", 12, 1, 1); }
    /// MSH-18 as given ("" when absent).
    [[nodiscard]] const std::string& charset() const noexcept { return charset_; }
    /// The DICOM Specific Character Set term the bytes were decoded from ("" for ASCII).
    [[nodiscard]] const std::string& charset_term() const noexcept { return charset_term_; }
    void set_charset_term(std::string term) { charset_term_ = std::move(term); }

private:
    Delimiters delimiters_;
    std::vector<Segment> segments_;
    std::string charset_;
    std::string charset_term_ = "ISO_IR 192";
};

/// Parses one message. Segments end at CR (LF and CR LF are taken too; empty lines are skipped);
/// the first must be MSH, whose fourth byte is the field separator and whose next up to five
/// bytes (before the next field separator) are the encoding characters. MSH-18 names the
/// character set: empty or "ASCII", "8859/1" .. "8859/9", "8859/15", "UNICODE UTF-8"; the text is
/// decoded to UTF-8. Without MSH-18, bytes outside ASCII are taken as UTF-8 when they are, else
/// as ISO 8859-1. Other character sets (multi-byte, ISO 2022, UTF-16) are Unsupported. Errors
/// name the segment (its position and ID) and the field.
[[nodiscard]] Result<Message> parse(std::string_view bytes, const ParseLimits& limits = {});

/// Undoes the escape sequences of HL7 v2.5 2.7 in `text` (one component or subcomponent):
/// \F\ \S\ \T\ \R\ \E\ give the delimiters, \Xhh..\ the bytes (decoded with `charset_term`,
/// a DICOM Specific Character Set term, "" for ASCII; bytes it cannot decode become U+FFFD),
/// \.br\ a line break (CR LF); the formatting ones (\H\ \N\ \.sp\ ...) are dropped; an
/// unknown or unterminated sequence is kept as it stands.
[[nodiscard]] std::string unescape(std::string_view text, const Delimiters& d,
                                   std::string_view charset_term = "ISO_IR 192");
/// Escapes the delimiters in `text` for writing it into a field (the inverse of unescape for
/// text without line breaks); control characters become spaces.
[[nodiscard]] std::string escape(std::string_view text, const Delimiters& d);

/// The DICOM Specific Character Set term for an MSH-18 value ("" for ASCII, "ISO_IR 100" for
/// 8859/1, "ISO_IR 192" for UNICODE UTF-8); Unsupported for the others, naming them.
[[nodiscard]] Result<std::string> dicom_charset_for(std::string_view msh18);

}  // namespace dicomkit::hl7
