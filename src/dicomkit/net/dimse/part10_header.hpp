// The Part 10 header a receiver writes before a data set that arrived over DIMSE (PS3.10 7.1):
// preamble, "DICM" and the File Meta Information of the request.
#pragma once

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/element.hpp>
#include <dicomkit/net/dimse/dispatcher.hpp>

namespace dicomkit::net::dimse {

/// Preamble, "DICM" and File Meta Information for a data set received in `rc`'s transfer syntax:
/// SOP class/instance from the command, the calling AE title as Source Application Entity Title.
[[nodiscard]] Result<Bytes> part10_header(const RequestContext& rc, const Command& rq);

}  // namespace dicomkit::net::dimse
