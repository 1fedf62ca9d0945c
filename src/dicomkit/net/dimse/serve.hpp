// The SCP serving loop: receives DIMSE messages on an established association and answers each
// through the Dispatcher (DIMSE-C and DIMSE-N; handlers may send N-EVENT-REPORTs back through
// RequestContext::events), until the peer releases or aborts, or the association breaks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <dicomkit/base/error.hpp>
#include <dicomkit/net/dimse/assembler.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/dispatcher.hpp>

namespace dicomkit::net::dimse {

/// One answered request, for a log: called after its (final) response was sent.
struct RequestEvent {
    const RequestContext& rc;
    const Command& rq;
    const Command& rsp;           ///< the final response as sent (status, counts, Error Comment)
    const DataSet* identifier;    ///< C-FIND, C-MOVE, C-GET: the request's identifier when decoded
    std::chrono::microseconds duration;
    bool by_store_handler;        ///< a C-STORE whose outcome came from the StoreHandler (which logs its own)
    std::uint64_t matches = 0;    ///< C-FIND: Pending responses sent
};

struct ServeOptions {
    AssemblerLimits limits;
    /// Called on the association's thread after each request's final response was sent (not for
    /// C-CANCEL-RQ, which has none).
    std::function<void(const RequestEvent&)> on_request;
};

/// How a served association ended, and what it did.
struct ServeSummary {
    enum class End { Released, Aborted, Closed };
    End end = End::Closed;
    std::uint64_t requests = 0;
    std::uint64_t failures = 0;  ///< responses with a failure status
    std::map<std::string, std::uint64_t> by_command;  ///< requests per command ("C-FIND"...)
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
