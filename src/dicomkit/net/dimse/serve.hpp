// The SCP serving loop: receives DIMSE messages on an established association and answers each
// through the Dispatcher, until the peer releases or aborts, or the association breaks.
#pragma once

#include <cstdint>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/dimse/assembler.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/dispatcher.hpp>

namespace dicomkit::net::dimse {

struct ServeOptions {
    AssemblerLimits limits;
};

/// How a served association ended, and what it did.
struct ServeSummary {
    enum class End { Released, Aborted, Closed };
    End end = End::Closed;
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;  ///< responses with a failure status
};

/// Serves requests until A-RELEASE-RQ (answered), A-ABORT or the connection's end. A protocol
/// error (PS3.8 Annex E violations, a PDV on a context that was not accepted, no PDU within the
/// idle or DIMSE time) aborts the association (A-ABORT, service-provider) and is returned.
/// C-CANCEL-RQ for a C-FIND under way stops it (PS3.7 9.3.2.3); one arriving after the final
/// response is dropped.
[[nodiscard]] Result<ServeSummary> serve(Channel& channel, const Dispatcher& dispatcher, const ServeOptions& options = {});
[[nodiscard]] Result<ServeSummary> serve(ul::Association& association, const Dispatcher& dispatcher,
                                         const ServeOptions& options = {});

}  // namespace dicomkit::net::dimse
