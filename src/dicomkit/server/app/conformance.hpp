// The DICOM Conformance Statement of the running configuration (PS3.2 Annex A template): the
// presentation contexts serve accepts are those of the acceptor policy it listens with
// (offer_contexts), the SOP classes it uses as SCU, the transfer syntaxes it stores and
// converts, character sets, security and DICOMweb services. `dicomkit serve --conformance`
// prints it; GET /api/conformance?format=md|html serves it.
#pragma once

#include <cstdint>
#include <string>

#include <dicomkit/net/ul/association.hpp>
#include <dicomkit/pixel/codec_registry.hpp>
#include <dicomkit/server/app/config.hpp>

namespace dicomkit::server::app {

/// The presentation contexts serve's acceptor takes (PS3.7 D.3, PS3.8 9.3.3.2): Verification,
/// the Query/Retrieve, worklist, MPPS and Storage Commitment SOP classes (MPPS and Storage
/// Commitment when `workflow`), each in the uncompressed syntaxes, with relational extended
/// negotiation on the Patient and Study Root models; every storage SOP class in the first
/// transfer syntax proposed (accept_any_abstract_syntax), the SCP role allowed for C-GET.
void offer_contexts(net::ul::AcceptorPolicy& p, const Config& c, bool workflow);

/// What the statement describes besides the configuration: the ports actually listened on (0:
/// as configured), the index and the codecs.
struct ConformanceFacts {
    const Config* config = nullptr;
    const pixel::CodecRegistry* codecs = nullptr;
    bool workflow = true;  ///< MPPS and Storage Commitment are offered
    std::uint16_t dicom_port = 0, tls_port = 0, http_port = 0;
    std::string index_description;
};

enum class DocumentFormat { Markdown, Html };

/// The statement as a Markdown or a self-contained HTML document.
[[nodiscard]] std::string conformance_statement(const ConformanceFacts& facts, DocumentFormat format);

}  // namespace dicomkit::server::app
