// TokenReader: the one place where encoded data set bytes are parsed.
#include <dicomkit/io/token_reader.hpp>

#include <array>

#include <dicomkit/dict/dictionary.hpp>

namespace dicomkit::io {

namespace {
constexpr std::uint64_t kNoEnd = UINT64_MAX;
constexpr Tag kPixelData{0x7FE0, 0x0010};

/// implicit_vr_for() without the per-thread memory.
VR dictionary_vr_for(Tag tag) {
    const dict::AttributeInfo* info = dict::find(tag);
    if (!info || info->vr_count == 0) return dict::implicit_vr(tag);
    if (info->vr_count > 1 && info->allows(VR::OW) && info->allows(VR::OB)) return VR::OW;
    return info->vr();
}

/// The VR an implicit encoding implies: for "OB or OW" OW (PS3.5 A.1), else the first. A function
/// of the tag alone: each thread remembers its recent answers in a small direct-mapped table, as
/// the files of a batch repeat the same attributes.
VR implicit_vr_for(Tag tag) {
    struct Slot {
        std::uint32_t tag = 0;
        VR vr = VR::UN;
        bool used = false;
    };
    thread_local std::array<Slot, 512> cache{};
    const std::uint32_t v = tag.value();
    Slot& slot = cache[(v * 0x9E3779B1u) >> 23];
    if (slot.used && slot.tag == v) return slot.vr;
    const VR vr = dictionary_vr_for(tag);
    slot = Slot{v, vr, true};
    return vr;
}
}  // namespace

TokenReader::TokenReader(std::span<const std::uint8_t> data, TokenReaderConfig config,
                         const ReadOptions& options, Diagnostics* diagnostics)
    : data_(data), config_(std::move(config)), options_(options), diagnostics_(diagnostics) {}

// A frame inherits implicit_le from the one it is pushed on, so the innermost frame tells
// whether any enclosing UN sequence switched to Implicit VR Little Endian.
bool TokenReader::implicit_here() const noexcept {
    return !config_.explicit_vr || (!stack_.empty() && stack_.back().implicit_le);
}

Endian TokenReader::endian_here() const noexcept {
    return !stack_.empty() && stack_.back().implicit_le ? Endian::Little : config_.endian;
}

std::uint16_t TokenReader::u16(std::size_t at) const noexcept { return load<std::uint16_t>(data_.data() + at, endian_here()); }
std::uint32_t TokenReader::u32(std::size_t at) const noexcept { return load<std::uint32_t>(data_.data() + at, endian_here()); }

std::string TokenReader::tag_path(Tag last) const {
    std::string s;
    for (const Frame& f : stack_) {
        if (f.kind == Ctx::Item) {
            s += fmt::format("[{}]", f.item_index);
        } else {
            if (!s.empty()) s += '.';
            s += f.tag.str();
        }
    }
    Tag t = last == Tag(0, 0) ? last_tag_ : last;
    if (!(t == Tag(0, 0))) {
        if (!s.empty() && (stack_.empty() || stack_.back().kind == Ctx::Item)) s += '.';
        if (stack_.empty() || stack_.back().kind == Ctx::Item) s += t.str();
    }
    return s;
}

Error TokenReader::error(ErrorCode code, std::string message, std::uint64_t at, Tag tag) const {
    Error e(code, std::move(message));
    e.offset = config_.base_offset + at;
    e.file = config_.source_name;
    e.tag_path = tag_path(tag);
    return e;
}

Result<void> TokenReader::warn(ErrorCode code, std::string message, std::uint64_t at, Tag tag) {
    Error e = error(code, std::move(message), at, tag);
    if (options_.strict) return Unexpected(std::move(e));
    if (diagnostics_) diagnostics_->warnings.push_back(std::move(e));
    return {};
}

Result<Token> TokenReader::close_frame() {
    Frame f = stack_.back();
    stack_.pop_back();
    Token t;
    t.offset = config_.base_offset + pos_;
    t.tag = f.tag;
    switch (f.kind) {
        case Ctx::Item: t.kind = TokenKind::ItemEnd; break;
        case Ctx::Sequence: t.kind = TokenKind::SequenceEnd; break;
        case Ctx::Fragments: t.kind = TokenKind::FragmentsEnd; break;
    }
    if (f.kind == Ctx::Item) {
        last_tag_ = last_tags_.empty() ? Tag() : last_tags_.back();
        if (!last_tags_.empty()) last_tags_.pop_back();
    } else {
        last_tag_ = f.tag;
    }
    return t;
}

Result<Token> TokenReader::next() {
    if (!stack_.empty()) {
        Frame& f = stack_.back();
        if (f.end != kNoEnd && pos_ >= f.end) return close_frame();
        if (pos_ >= data_.size()) {
            auto w = warn(ErrorCode::Truncated, "data ends inside a sequence or item", pos_, f.tag);
            if (!w) return Unexpected(w.error());
            return close_frame();
        }
        if (f.kind != Ctx::Item) return read_in_container(f);
    }
    if (pos_ >= data_.size()) {
        Token t;
        t.kind = TokenKind::End;
        t.offset = config_.base_offset + pos_;
        return t;
    }
    return read_element();
}

Result<Token> TokenReader::read_in_container(Frame& f) {
    const std::size_t at = pos_;
    if (data_.size() - pos_ < 8) {
        auto w = warn(ErrorCode::Truncated, "item header cut short", at, f.tag);
        if (!w) return Unexpected(w.error());
        pos_ = data_.size();
        return close_frame();
    }
    Tag tag(u16(at), u16(at + 2));
    std::uint32_t len = u32(at + 4);
    if (tag == tags::SequenceDelimitationItem) {
        pos_ = at + 8;
        if (len != 0) {
            auto w = warn(ErrorCode::InvalidLength, fmt::format("sequence delimiter with length {}", len), at, f.tag);
            if (!w) return Unexpected(w.error());
        }
        if (f.end != kNoEnd) {
            auto w = warn(ErrorCode::InvalidTag, "sequence delimiter inside a sequence of defined length", at, f.tag);
            if (!w) return Unexpected(w.error());
        }
        return close_frame();
    }
    if (tag != tags::Item) {
        auto w = warn(ErrorCode::InvalidTag, fmt::format("{} where an item or sequence delimiter must stand", tag),
                      at, f.tag);
        if (!w) return Unexpected(w.error());
        if (f.end == kNoEnd && stack_.size() == 1 && f.kind == Ctx::Fragments) pos_ = data_.size();
        return close_frame();
    }
    Token t;
    t.offset = config_.base_offset + at;
    t.value_offset = config_.base_offset + at + 8;
    t.tag = tag;
    t.length = len;
    pos_ = at + 8;
    std::uint64_t remaining = data_.size() - pos_;
    if (f.kind == Ctx::Fragments) {
        t.kind = TokenKind::Fragment;
        t.vr = VR::OB;
        if (len == kUndefinedLength)
            return Unexpected(error(ErrorCode::InvalidLength, "pixel data fragment of undefined length", at, f.tag));
        std::uint64_t n = len;
        if (len % 2 != 0) {
            // PS3.5 A.4: fragments have an even length. The odd length is kept as read.
            auto w = warn(ErrorCode::InvalidLength, fmt::format("odd fragment length {}", len), at, f.tag);
            if (!w) return Unexpected(w.error());
        }
        if (n > remaining) {
            auto w = warn(ErrorCode::Truncated, fmt::format("fragment of {} bytes with only {} left", len, remaining),
                          at, f.tag);
            if (!w) return Unexpected(w.error());
            n = remaining;
            t.truncated = true;
        }
        t.value = data_.subspan(pos_, n);
        pos_ += n;
        ++f.item_index;
        return t;
    }
    if (stack_.size() >= options_.max_depth)
        return Unexpected(error(ErrorCode::LimitExceeded, "sequences nested too deeply", at, f.tag));
    std::uint64_t end = kNoEnd;
    if (len != kUndefinedLength) {
        if (len > remaining) {
            auto w = warn(ErrorCode::Truncated, fmt::format("item of {} bytes with only {} left", len, remaining), at,
                          f.tag);
            if (!w) return Unexpected(w.error());
            end = data_.size();
        } else {
            end = pos_ + len;
        }
    }
    t.kind = TokenKind::ItemStart;
    std::uint32_t index = f.item_index++;
    bool implicit = f.implicit_le;
    last_tags_.push_back(last_tag_);
    last_tag_ = Tag();
    stack_.push_back(Frame{Ctx::Item, end, tag, index, implicit});
    return t;
}

Result<Token> TokenReader::read_element() {
    const std::size_t at = pos_;
    const std::size_t remaining = data_.size() - at;
    if (remaining < 8) {
        auto w = warn(ErrorCode::Truncated, fmt::format("{} trailing bytes too short for an element header", remaining), at);
        if (!w) return Unexpected(w.error());
        pos_ = data_.size();
        return next();
    }
    // The byte order is the same for the whole header: look it up once.
    const Endian endian = endian_here();
    const std::uint8_t* p = data_.data();
    auto u16 = [&](std::size_t x) { return load<std::uint16_t>(p + x, endian); };
    auto u32 = [&](std::size_t x) { return load<std::uint32_t>(p + x, endian); };
    Tag tag(u16(at), u16(at + 2));
    Token t;
    t.tag = tag;
    t.offset = config_.base_offset + at;
    t.endian = endian;

    if (tag.group == 0xFFFE) {
        std::uint32_t len = u32(at + 4);
        bool in_item = !stack_.empty() && stack_.back().kind == Ctx::Item;
        if (tag == tags::ItemDelimitationItem && in_item) {
            pos_ = at + 8;
            if (stack_.back().end != kNoEnd) {
                auto w = warn(ErrorCode::InvalidTag, "item delimiter inside an item of defined length", at, tag);
                if (!w) return Unexpected(w.error());
            }
            if (len != 0) {
                auto w = warn(ErrorCode::InvalidLength, fmt::format("item delimiter with length {}", len), at, tag);
                if (!w) return Unexpected(w.error());
            }
            return close_frame();
        }
        if (tag == tags::SequenceDelimitationItem && in_item) {
            // The item delimiter is missing: end the item here and let the sequence see the delimiter.
            auto w = warn(ErrorCode::InvalidTag, "sequence delimiter inside an item (item delimiter missing)", at, tag);
            if (!w) return Unexpected(w.error());
            return close_frame();
        }
        auto w = warn(ErrorCode::InvalidTag, fmt::format("stray {} skipped", tag), at, tag);
        if (!w) return Unexpected(w.error());
        pos_ = at + 8;
        return next();
    }

    bool explicit_vr = !implicit_here();
    std::uint32_t length = 0;
    std::size_t header = 8;
    if (explicit_vr) {
        auto vr = vr_from_chars(static_cast<char>(data_[at + 4]), static_cast<char>(data_[at + 5]));
        if (!vr) {
            if (stack_.empty() && !(last_tag_ == Tag()) && tag < last_tag_) {
                auto w = warn(ErrorCode::InvalidTag, "trailing garbage after the data set ignored", at, tag);
                if (!w) return Unexpected(w.error());
                pos_ = data_.size();
                return next();
            }
            auto w = warn(ErrorCode::InvalidVR,
                          fmt::format("VR bytes {:02X} {:02X} are no VR; element read as implicit VR", data_[at + 4],
                                      data_[at + 5]),
                          at, tag);
            if (!w) return Unexpected(w.error());
            explicit_vr = false;
        } else {
            t.vr = *vr;
            if (has_long_length(*vr)) {
                if (remaining < 12) {
                    auto w2 = warn(ErrorCode::Truncated, "element header cut short", at, tag);
                    if (!w2) return Unexpected(w2.error());
                    pos_ = data_.size();
                    return next();
                }
                length = u32(at + 8);
                header = 12;
            } else {
                length = u16(at + 6);
            }
        }
    }
    if (!explicit_vr) {
        t.vr = implicit_vr_for(tag);
        t.vr_from_dictionary = true;
        length = u32(at + 4);
        header = 8;
    }
    pos_ = at + header;
    t.value_offset = config_.base_offset + pos_;
    return element_body(std::move(t), length, explicit_vr);
}

Result<Token> TokenReader::element_body(Token t, std::uint32_t length, bool explicit_vr) {
    const std::size_t at = static_cast<std::size_t>(t.offset - config_.base_offset);
    const Tag tag = t.tag;
    t.length = length;
    bool un_sequence = false;
    // Private creators are LO by PS3.5 7.8.1, so an explicit UN one is resolved like a public tag.
    if (explicit_vr && t.vr == VR::UN && options_.resolve_un && (!tag.is_private() || tag.is_private_creator())) {
        const dict::AttributeInfo* info = dict::find(tag);
        if (info && info->vr_count) {
            if (info->vr() == VR::SQ) {
                un_sequence = true;
            } else if (length != kUndefinedLength) {
                t.vr = implicit_vr_for(tag);
                t.vr_from_un = true;
                t.vr_from_dictionary = true;
                t.endian = Endian::Little;  // UN values are always little endian (PS3.5 6.2.2)
            }
        }
    }
    if (explicit_vr && t.vr == VR::UN && length == kUndefinedLength) un_sequence = true;
    last_tag_ = tag;
    const std::uint64_t remaining = data_.size() - pos_;

    bool container = t.vr == VR::SQ || un_sequence || length == kUndefinedLength;
    if (container) {
        if (stack_.size() >= options_.max_depth)
            return Unexpected(error(ErrorCode::LimitExceeded, "sequences nested too deeply", at, tag));
        std::uint64_t end = kNoEnd;
        if (length != kUndefinedLength) {
            if (length > remaining) {
                auto w = warn(ErrorCode::Truncated,
                              fmt::format("sequence of {} bytes with only {} left", length, remaining), at, tag);
                if (!w) return Unexpected(w.error());
                end = data_.size();
            } else {
                end = pos_ + length;
            }
        }
        bool fragments = length == kUndefinedLength && tag == kPixelData;
        if (!fragments && length == kUndefinedLength && t.vr != VR::SQ && t.vr != VR::UN && explicit_vr) {
            auto w = warn(ErrorCode::InvalidLength,
                          fmt::format("undefined length on VR {}; read as a sequence", t.vr), at, tag);
            if (!w) return Unexpected(w.error());
        }
        bool implicit_le = un_sequence || (stack_.empty() ? false : stack_.back().implicit_le);
        if (un_sequence) t.vr_from_un = true;
        t.kind = fragments ? TokenKind::FragmentsStart : TokenKind::SequenceStart;
        if (!fragments) t.vr = VR::SQ;
        stack_.push_back(Frame{fragments ? Ctx::Fragments : Ctx::Sequence, end, tag, 0, implicit_le});
        return t;
    }

    std::uint64_t n = length;
    if (n > remaining) {
        auto w = warn(ErrorCode::Truncated, fmt::format("value of {} bytes with only {} left", length, remaining), at, tag);
        if (!w) return Unexpected(w.error());
        n = remaining;
        t.truncated = true;
    }
    if (length % 2 != 0) {
        auto w = warn(ErrorCode::InvalidLength, fmt::format("odd value length {}", length), at, tag);
        if (!w) return Unexpected(w.error());
    }
    t.kind = TokenKind::Element;
    t.value = data_.subspan(pos_, n);
    pos_ += n;
    return t;
}

bool TokenReader::skip_current_container() {
    if (stack_.empty()) return false;
    Frame& f = stack_.back();
    if (f.end == kNoEnd) return false;
    pos_ = f.end;
    return true;
}

}  // namespace dicomkit::io
