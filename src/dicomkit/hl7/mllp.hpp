// MLLP, the Minimal Lower Layer Protocol (HL7 v2.5.1 Transport Specification: MLLP, release 2):
// each message is framed as 0x0B, the message, 0x1C 0x0D. A pure incremental decoder (fed the
// bytes of any read, however split) and the encoder.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dicomkit::hl7 {

inline constexpr char kMllpStart = '\x0B';
inline constexpr char kMllpEnd = '\x1C';
inline constexpr char kMllpCarriageReturn = '\x0D';

/// 0x0B + message + 0x1C 0x0D.
[[nodiscard]] std::string mllp_frame(std::string_view message);

/// What the decoder found in the bytes fed to it.
struct MllpEvent {
    enum class Kind {
        Message,  ///< a whole frame: `data` is the message
        Skipped,  ///< `size` bytes outside any frame (or a frame cut short by a new 0x0B)
        TooLarge  ///< a frame over the limit, dropped: `size` its bytes, `data` its first bytes
    };
    Kind kind = Kind::Message;
    std::string data;
    std::size_t size = 0;
};

class MllpDecoder {
public:
    /// `max_frame`: the largest message accepted; `head_bytes`: how much of an oversized frame is
    /// kept in its TooLarge event (so that its MSH can be answered).
    explicit MllpDecoder(std::size_t max_frame = 1 << 20, std::size_t head_bytes = 4096)
        : max_frame_(max_frame), head_bytes_(head_bytes) {}

    /// Feeds the next bytes; appends what they complete to `out`. A frame ends at 0x1C 0x0D; a
    /// 0x1C followed by anything else also ends it (that byte is then read outside the frame).
    void feed(std::string_view bytes, std::vector<MllpEvent>& out);
    /// Bytes held in an unfinished frame (or counted as outside one) at the end of the input.
    /// `out` gets what is pending as Skipped.
    void finish(std::vector<MllpEvent>& out);
    /// True while inside a frame (between 0x0B and its end).
    [[nodiscard]] bool in_frame() const noexcept { return state_ != State::Outside; }

private:
    enum class State { Outside, Inside, Oversize, AfterEnd };
    void flush_skipped(std::vector<MllpEvent>& out);

    std::size_t max_frame_;
    std::size_t head_bytes_;
    State state_ = State::Outside;
    std::string frame_;
    std::size_t oversize_bytes_ = 0;
    std::size_t skipped_ = 0;
};

}  // namespace dicomkit::hl7
