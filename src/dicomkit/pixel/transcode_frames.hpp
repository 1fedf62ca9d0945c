// The output side of transcode(): 1-bit frames packed into a native value (PS3.5 8.1.1), and the
// offset tables of encapsulated pixel data (PS3.5 A.4). Frames are read through FrameSet.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/pixel/codec.hpp>
#include <dicomkit/pixel/pixel_info.hpp>

namespace dicomkit::pixel::detail {

/// Packs 1-bit frames one after the other without padding (PS3.5 8.1.1), padded to even length.
[[nodiscard]] Bytes pack_bit_frames(const std::vector<Bytes>& frames, const PixelInfo& info);

/// The Basic Offset Table of fragments of `sizes` bytes (each an item: 8 bytes of header and its
/// value), or the Extended Offset Table's offsets and lengths when a frame starts past 4 GiB
/// (the Basic one empty then).
struct OffsetTables {
    Bytes basic;
    std::vector<std::uint64_t> extended_offsets;
    std::vector<std::uint64_t> extended_lengths;
};
[[nodiscard]] OffsetTables offset_tables(std::span<const std::uint64_t> sizes);

/// The threads for_each_frame() uses for `n` frames when asked for `threads` (0: one per core).
[[nodiscard]] inline unsigned resolved_threads(unsigned threads, std::uint64_t n) noexcept {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    return static_cast<unsigned>(std::max<std::uint64_t>(1, std::min<std::uint64_t>(threads, n)));
}

/// Runs work(i, worker) for i in [0, n) on up to `threads` threads (0: hardware concurrency);
/// `worker` (below resolved_threads()) tells the calling thread, for buffers of its own. The
/// error of the lowest frame wins.
template <typename Work>
Result<void> for_each_frame(std::uint32_t n, unsigned threads, Work&& work) {
    threads = resolved_threads(threads, n);
    std::atomic<std::uint32_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex mutex;
    std::optional<std::pair<std::uint32_t, Error>> first_error;
    auto run = [&](unsigned worker) {
        for (std::uint32_t i; !failed.load(std::memory_order_relaxed) && (i = next.fetch_add(1)) < n;) {
            Result<void> r = work(i, worker);
            if (r) continue;
            std::lock_guard lock(mutex);
            if (!first_error || i < first_error->first) first_error.emplace(i, std::move(r.error()));
            failed = true;
        }
    };
    if (threads <= 1) {
        run(0);
    } else {
        std::vector<std::thread> pool;
        pool.reserve(threads - 1);
        for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run, t);
        run(0);
        for (auto& t : pool) t.join();
    }
    if (first_error) return Unexpected(std::move(first_error->second));
    return {};
}


}  // namespace dicomkit::pixel::detail
