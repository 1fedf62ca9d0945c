// C-MOVE and C-GET as the SCP (PS3.4 C.4.2, C.4.3): the instances come from service::Retrieve;
// C-MOVE sends them over new associations to the Move Destination (proposing each class in the
// syntaxes stored, and uncompressed), C-GET over the requesting one. Each instance goes on a
// context accepted for its class: in its stored syntax, or converted between uncompressed ones;
// a failed sub-operation is named in the final response and logged with its reason.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/net/dimse/transcoder.hpp>
#include <dicomkit/net/ul/transport.hpp>
#include <dicomkit/server/dimse/handlers.hpp>
#include <dicomkit/server/dimse/instance_sender.hpp>
#include <dicomkit/server/service/retrieve.hpp>

namespace dicomkit::server::dimse {

/// PS3.4 C.6.1.1 / C.6.2.1: the MOVE and GET SOP classes of the two information models.
inline constexpr std::string_view kPatientRootMove = "1.2.840.10008.5.1.4.1.2.1.2";
inline constexpr std::string_view kStudyRootMove = "1.2.840.10008.5.1.4.1.2.2.2";
inline constexpr std::string_view kPatientRootGet = "1.2.840.10008.5.1.4.1.2.1.3";
inline constexpr std::string_view kStudyRootGet = "1.2.840.10008.5.1.4.1.2.2.3";

/// Where the configured peer with AE title `ae` listens, if it is one (whether instances may go
/// there is the Authorizer's check_destination).
using FindDestination = std::function<std::optional<Destination>(const std::string& ae)>;

/// A failed C-STORE sub-operation of a C-MOVE or C-GET, for the log: `status` is the C-STORE-RSP
/// status when the peer answered, else absent (the instance could not be sent).
struct SubOperationFailure {
    const net::dimse::RequestContext& rc;
    const net::dimse::Command& rq;
    const std::string& sop_instance_uid;
    std::optional<std::uint16_t> status;
    const std::string& reason;
};
using SubOperationLog = std::function<void(const SubOperationFailure&)>;
/// The instances a request names, when not those service::Retrieve finds in the patient
/// hierarchy (the non-patient models: by SOP Instance UID).
/// The anonymizer of the configured peer with AE title `ae`, when that peer gets de-identified
/// data (null otherwise).
using FindAnonymizer = std::function<std::shared_ptr<const deid::Anonymizer>(const std::string& ae)>;
using Resolve = std::function<service::ServiceResult<std::vector<service::RetrieveItem>>(
    const net::dimse::Command& rq, const DataSet& identifier)>;

/// C-MOVE and C-GET: the caller needs the Authorizer's "retrieve", a C-MOVE's destination its
/// check_destination (0xA801 otherwise); service errors are answered as status_map says for
/// Operation::Move and Operation::Get (a bad identifier 0xA900, the index failing 0xA701).

class RetrieveHandler final : public net::dimse::RetrieveHandler {
public:
    RetrieveHandler(service::Retrieve& retrieve, AuthorizerPtr authorizer, FindDestination destinations,
                    std::string our_ae, SubOperationLog log = {}, Resolve resolve = {})
        : retrieve_(retrieve), authorizer_(std::move(authorizer)), destinations_(std::move(destinations)),
          our_ae_(std::move(our_ae)), log_(std::move(log)), resolve_(std::move(resolve)) {}

    /// PS3.8 9.3.2.2: presentation context IDs are the odd numbers 1-255.
    static constexpr std::size_t kMaxContexts = InstanceSender::kMaxContexts;

    [[nodiscard]] net::dimse::RetrieveOutcome retrieve(const net::dimse::RequestContext& rc,
                                                       const net::dimse::Command& rq, const DataSet& identifier,
                                                       const Progress& progress, const StoreHere* store_here) override;

    /// The transcoder the sub-operations' C-STOREs convert with when the destination did not
    /// accept an instance's stored transfer syntax (null: the uncompressed conversions only).
    void use_transcoder(std::shared_ptr<const net::dimse::Transcoder> transcoder) {
        transcoder_ = std::move(transcoder);
    }
    /// A C-GET by a peer that gets de-identified data: each sub-operation stores a de-identified
    /// copy (a C-MOVE's Destination says it for itself). A failure fails the sub-operation.
    void use_deidentify(FindAnonymizer find) { deidentify_ = std::move(find); }

private:
    service::Retrieve& retrieve_;
    AuthorizerPtr authorizer_;
    FindDestination destinations_;
    std::string our_ae_;
    SubOperationLog log_;
    Resolve resolve_;
    std::shared_ptr<const net::dimse::Transcoder> transcoder_;
    FindAnonymizer deidentify_;
};

}  // namespace dicomkit::server::dimse
