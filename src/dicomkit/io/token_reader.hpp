// TokenReader: a pull parser over an encoded data set. It yields element headers with their
// value bytes (not copied), and the structure (sequence, item, fragment boundaries) as tokens,
// checking every length against the bytes there are. PS3.5 Section 7.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <dicomkit/base/endian.hpp>
#include <dicomkit/base/error.hpp>
#include <dicomkit/core/tag.hpp>
#include <dicomkit/core/vr.hpp>
#include <dicomkit/io/read_options.hpp>

namespace dicomkit::io {

inline constexpr std::uint32_t kUndefinedLength = 0xFFFFFFFFu;

enum class TokenKind {
    Element,         ///< a value element: `value` holds its bytes in the stream's byte order
    SequenceStart,   ///< an SQ element (or UN/implicit element holding items) begins
    ItemStart,       ///< an item of the current sequence begins
    ItemEnd,
    SequenceEnd,
    FragmentsStart,  ///< encapsulated pixel data begins (PS3.5 A.4)
    Fragment,        ///< one item of encapsulated pixel data (the first is the Basic Offset Table)
    FragmentsEnd,
    End,             ///< no more data
};

struct Token {
    TokenKind kind = TokenKind::End;
    Tag tag;
    VR vr = VR::UN;
    std::uint32_t length = 0;       ///< value length as encoded (kUndefinedLength for undefined)
    std::uint64_t offset = 0;       ///< offset of the element/item header in the source
    std::uint64_t value_offset = 0; ///< offset of the value in the source
    std::span<const std::uint8_t> value;  ///< Element/Fragment bytes (possibly cut short, see `truncated`)
    bool truncated = false;         ///< the value ran past the end of the data (lenient read)
    bool vr_from_un = false;        ///< explicit UN resolved to the dictionary's VR
    bool vr_from_dictionary = false;  ///< the VR is the dictionary's (implicit VR, or resolved UN)
    Endian endian = Endian::Little; ///< byte order of `value`
};

struct TokenReaderConfig {
    bool explicit_vr = true;
    Endian endian = Endian::Little;
    std::uint64_t base_offset = 0;  ///< offset of data[0] in the source, for messages
    std::string source_name;        ///< file name for messages
};

class TokenReader {
public:
    TokenReader(std::span<const std::uint8_t> data, TokenReaderConfig config, const ReadOptions& options,
                Diagnostics* diagnostics = nullptr);

    /// The next token; End once the data is exhausted. Errors carry file, offset and tag path.
    [[nodiscard]] Result<Token> next();

    /// Offset in `data` of the next byte to read.
    [[nodiscard]] std::size_t position() const noexcept { return pos_; }
    /// The file name used in messages.
    [[nodiscard]] const std::string& source_name() const noexcept { return config_.source_name; }
    /// Current nesting: 0 at the top level.
    [[nodiscard]] std::size_t depth() const noexcept { return stack_.size(); }
    /// The tag path of the current position, e.g. "(0008,1140)[0].(0008,1155)".
    [[nodiscard]] std::string tag_path(Tag last = Tag(0, 0)) const;
    /// Skips the value of the SequenceStart/FragmentsStart token just returned, if it had a
    /// defined length (returns false otherwise: the caller must read through it).
    bool skip_current_container();

private:
    enum class Ctx { Sequence, Item, Fragments };
    struct Frame {
        Ctx kind;
        std::uint64_t end;  ///< position where it ends, or UINT64_MAX when undefined length
        Tag tag;            ///< sequence tag (for Sequence/Fragments)
        std::uint32_t item_index = 0;
        bool implicit_le = false;  ///< contents are Implicit VR Little Endian (UN sequences)
    };

    Result<Token> close_frame();
    Result<Token> read_in_container(Frame& f);
    Result<Token> read_element();
    Result<Token> element_body(Token t, std::uint32_t length, bool explicit_vr);
    Result<void> warn(ErrorCode code, std::string message, std::uint64_t at, Tag tag = Tag(0, 0));
    Error error(ErrorCode code, std::string message, std::uint64_t at, Tag tag = Tag(0, 0)) const;
    [[nodiscard]] bool implicit_here() const noexcept;
    [[nodiscard]] Endian endian_here() const noexcept;
    [[nodiscard]] std::uint16_t u16(std::size_t at) const noexcept;
    [[nodiscard]] std::uint32_t u32(std::size_t at) const noexcept;

    std::span<const std::uint8_t> data_;
    TokenReaderConfig config_;
    const ReadOptions& options_;
    Diagnostics* diagnostics_;
    std::size_t pos_ = 0;
    std::vector<Frame> stack_;
    Tag last_tag_;                 ///< last element tag read at the current level (for the path)
    std::vector<Tag> last_tags_;   ///< saved last_tag_ of enclosing levels
};

}  // namespace dicomkit::io
