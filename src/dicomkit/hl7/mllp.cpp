#include <dicomkit/hl7/mllp.hpp>

#include <algorithm>

namespace dicomkit::hl7 {

std::string mllp_frame(std::string_view message) {
    std::string out;
    out.reserve(message.size() + 3);
    out += kMllpStart;
    out.append(message);
    out += kMllpEnd;
    out += kMllpCarriageReturn;
    return out;
}

void MllpDecoder::flush_skipped(std::vector<MllpEvent>& out) {
    if (skipped_ == 0) return;
    out.push_back(MllpEvent{MllpEvent::Kind::Skipped, {}, skipped_});
    skipped_ = 0;
}

void MllpDecoder::feed(std::string_view bytes, std::vector<MllpEvent>& out) {
    std::size_t i = 0;
    while (i < bytes.size()) {
        const char c = bytes[i];
        switch (state_) {
        case State::AfterEnd:
            // The frame ended at 0x1C: a 0x0D belongs to that end; anything else is read anew.
            state_ = State::Outside;
            if (c == kMllpCarriageReturn) {
                ++i;
                continue;
            }
            continue;
        case State::Outside:
            if (c == kMllpStart) {
                flush_skipped(out);
                state_ = State::Inside;
                frame_.clear();
                oversize_bytes_ = 0;
            } else {
                ++skipped_;
            }
            ++i;
            continue;
        case State::Inside: {
            // Copy the run up to the next control byte of the framing at once.
            std::size_t j = i;
            while (j < bytes.size() && bytes[j] != kMllpEnd && bytes[j] != kMllpStart) ++j;
            const std::size_t run = j - i;
            if (frame_.size() + run > max_frame_) {
                oversize_bytes_ = frame_.size() + run;
                if (frame_.size() < head_bytes_)
                    frame_.append(bytes.substr(i, std::min(run, head_bytes_ - frame_.size())));
                if (frame_.size() > head_bytes_) frame_.resize(head_bytes_);
                state_ = State::Oversize;
                i = j;
                continue;
            }
            frame_.append(bytes.substr(i, run));
            i = j;
            if (i == bytes.size()) continue;
            if (bytes[i] == kMllpStart) {  // a new frame before this one ended: drop this one
                skipped_ += frame_.size() + 1;
                flush_skipped(out);
                frame_.clear();
                ++i;
                continue;
            }
            out.push_back(MllpEvent{MllpEvent::Kind::Message, std::move(frame_), 0});
            out.back().size = out.back().data.size();
            frame_.clear();
            state_ = State::AfterEnd;
            ++i;
            continue;
        }
        case State::Oversize: {
            std::size_t j = i;
            while (j < bytes.size() && bytes[j] != kMllpEnd && bytes[j] != kMllpStart) ++j;
            oversize_bytes_ += j - i;
            i = j;
            if (i == bytes.size()) continue;
            out.push_back(MllpEvent{MllpEvent::Kind::TooLarge, std::move(frame_), oversize_bytes_});
            frame_.clear();
            oversize_bytes_ = 0;
            if (bytes[i] == kMllpStart) {
                state_ = State::Inside;
            } else {
                state_ = State::AfterEnd;
            }
            ++i;
            continue;
        }
        }
    }
}

void MllpDecoder::finish(std::vector<MllpEvent>& out) {
    if (state_ == State::Inside) skipped_ += frame_.size() + 1;
    if (state_ == State::Oversize) skipped_ += oversize_bytes_ + 1;
    frame_.clear();
    oversize_bytes_ = 0;
    state_ = State::Outside;
    flush_skipped(out);
}

}  // namespace dicomkit::hl7
