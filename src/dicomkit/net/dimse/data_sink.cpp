// DataSink implementations: memory with a limit.
#include <dicomkit/net/dimse/data_sink.hpp>

#include <string>

namespace dicomkit::net::dimse {

Result<void> MemorySink::write(std::span<const std::uint8_t> bytes) {
    if (bytes_.size() + bytes.size() > limit_)
        return make_error(ErrorCode::LimitExceeded,
                          "data set larger than the in-memory limit of " + std::to_string(limit_) + " bytes");
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    return {};
}

}  // namespace dicomkit::net::dimse
