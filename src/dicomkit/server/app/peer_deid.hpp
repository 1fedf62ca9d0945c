// The de-identification of what serve sends to the peers with `deidentify` set: one
// deid::Anonymizer per such peer, built at start-up from its recipe and a key that stays the
// same across sends, jobs and restarts (so UIDs stay consistent within and across studies).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <dicomkit/base/error.hpp>
#include <dicomkit/deid/anonymizer.hpp>
#include <dicomkit/server/app/config.hpp>

namespace dicomkit::pixel {
class CodecRegistry;
}

namespace dicomkit::server::app {

class PeerAnonymizers {
public:
    /// Reads each de-identifying peer's recipe and key (its deidentify_key_file, else
    /// DATA/deid.key, made once with mode 0600). Errors name the peer and the file.
    /// `codecs` (for cleaning compressed pixels) must outlive the result.
    [[nodiscard]] static Result<PeerAnonymizers> load(const Config& config, const pixel::CodecRegistry* codecs);

    /// The anonymizer of the peer with AE title `ae` (trailing spaces ignored), or null.
    [[nodiscard]] std::shared_ptr<const deid::Anonymizer> find(std::string_view ae) const;
    [[nodiscard]] bool empty() const noexcept { return by_ae_.empty(); }

private:
    std::map<std::string, std::shared_ptr<const deid::Anonymizer>, std::less<>> by_ae_;
};

/// What --check-config can say without writing: each de-identifying peer's recipe parses and its
/// deidentify_key_file (when given) holds a key. Errors name the peer and the file.
[[nodiscard]] Result<void> check_peer_recipes(const Config& config);

/// The key in `path`, trimmed; when the file does not exist, a new random key is written there
/// first (temp + link, mode 0600: two nodes starting at once on a shared folder get one key).
/// `created` tells whether this call made it.
[[nodiscard]] Result<std::string> read_or_make_key(const std::string& path, bool& created);

}  // namespace dicomkit::server::app
