// DIMSE handlers of the server: C-STORE into storage + index, C-FIND over the index, each checked
// against what the calling AE may do (PS3.4 B.2.2, C.4.1).
#pragma once

#include <functional>
#include <vector>
#include <memory>
#include <string>
#include <string_view>

#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/service/authorizer.hpp>
#include <dicomkit/server/service/ingest.hpp>
#include <dicomkit/server/service/query.hpp>

namespace dicomkit::server::dimse {

/// PS3.4 C.6.1.1.2 / C.6.2.1.1: the FIND SOP classes of the two information models.
inline constexpr std::string_view kPatientRootFind = "1.2.840.10008.5.1.4.1.2.1.1";
inline constexpr std::string_view kStudyRootFind = "1.2.840.10008.5.1.4.1.2.2.1";

/// Who decides what a caller may do; shared by the handlers (thread-safe, const).
using AuthorizerPtr = std::shared_ptr<const service::Authorizer>;

/// The caller of a request, as the Authorizer sees it. The handlers do not learn whether the
/// association is TLS: the checks per request do not depend on it (admission, which does, is
/// decided where the port is known).
[[nodiscard]] service::Caller caller_of(const net::dimse::RequestContext& rc);

/// C-ECHO (PS3.4 A.4): Success for a caller the Authorizer allows "echo", 0x0124 otherwise.
class AuthorizedEchoHandler final : public net::dimse::EchoHandler {
public:
    explicit AuthorizedEchoHandler(AuthorizerPtr authorizer) : authorizer_(std::move(authorizer)) {}
    [[nodiscard]] net::dimse::Outcome echo(const net::dimse::RequestContext& rc, const net::dimse::Command& rq) override;

private:
    AuthorizerPtr authorizer_;
};

/// PS3.4 B.2.3 has no status for "a copy of this SOP Instance is stored already"; under the
/// "reject" policy the answer is 0x0124 Refused: Not Authorized (PS3.7 C.5.x, one of the general
/// statuses PS3.7 9.1.1.1.9 lists for C-STORE), with the reason in the Error Comment. A refusal
/// by policy is what is meant, and it is final: A7xx (Out of Resources) would make many SCUs try
/// again and again, A9xx and Cxxx say that the data set is at fault, which it is not, and 0x0111
/// Duplicate SOP Instance is defined for N-CREATE only.
inline constexpr std::uint16_t kDuplicateRejectedStatus = net::dimse::status::NotAuthorized;

/// One received instance, for the log: `stored` is null when the store failed.
struct StoreEvent {
    const net::dimse::RequestContext& rc;
    const net::dimse::Command& rq;
    std::uint64_t bytes;
    const net::dimse::Outcome& outcome;
    const service::Stored* stored;
};
using StoreLog = std::function<void(const StoreEvent&)>;

/// The SOP classes serve stores: every storage SOP class of PS3.4 B.5 and GG, and the retired
/// ones (PS3.6 Table A-1: "... Storage", retired), which old devices still send.
[[nodiscard]] const std::vector<std::string>& store_sop_classes();
[[nodiscard]] bool is_store_sop_class(std::string_view uid);
/// Whether serve stores `uid`: a storage SOP class, or with `unknown_too` (serve --promiscuous,
/// [storage] accept_unknown_sop_classes) also a valid UID (PS3.5 9.1) that the dictionary does not
/// know as anything (private SOP classes, 2.25 UIDs). Known non-storage classes never are.
[[nodiscard]] bool is_store_sop_class(std::string_view uid, bool unknown_too);

/// C-STORE into storage and the index: the data set streams into an incoming blob of the store
/// (Ingest::begin_incoming, after the Part 10 header), then service::Ingest seals, places and
/// indexes it (with whatever else arrived meanwhile)
/// following the duplicate policy, and only then is the response sent. Statuses come from
/// status_map (Operation::Store). Refused before anything is stored, with the reason in the
/// Error Comment and the log (PS3.4 B.2.3): a calling AE the Authorizer does not allow "store"
/// (0x0124), a SOP class that is not a storage one (0x0122), a data set cut short or followed by garbage (0xC000), one whose UIDs are missing, invalid (PS3.5 9.1,
/// unless lenient) or other than the request's (0xA900). A duplicate under "keep" is answered Success (the
/// archive holds the instance; PS3.4 B.2.2), under "reject" kDuplicateRejectedStatus.
class IndexingStoreHandler final : public net::dimse::StoreHandler {
public:
    /// The incoming blobs are not flushed one by one: Ingest seals each group of them at once
    /// (when the store is durable).
    IndexingStoreHandler(service::Ingest& ingest, AuthorizerPtr authorizer, StoreLog log = {})
        : ingest_(ingest), authorizer_(std::move(authorizer)), log_(std::move(log)) {}
    /// Also store SOP classes the dictionary does not know (is_store_sop_class's `unknown_too`).
    void accept_unknown_sop_classes(bool on) noexcept { accept_unknown_sop_classes_ = on; }

    [[nodiscard]] Result<std::unique_ptr<net::dimse::DataSink>> begin(const net::dimse::RequestContext& rc,
                                                                      const net::dimse::Command& rq) override;
    [[nodiscard]] net::dimse::Outcome end(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                          std::unique_ptr<net::dimse::DataSink> sink) override;
    /// Hands the file to Ingest; `done` comes once the group the file is in is stored and
    /// indexed (or placed, when Ingest answers before indexing): from Ingest's committing
    /// thread, or from this one (when nothing more follows and no group is being committed,
    /// this thread commits).
    void end_async(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                   std::unique_ptr<net::dimse::DataSink> sink, Completion done, bool more_follow) override;

private:
    service::Ingest& ingest_;
    AuthorizerPtr authorizer_;
    StoreLog log_;
    bool accept_unknown_sop_classes_ = false;
};

/// PS3.4 C.5.1.1 / C.5.2.1 / C.5.3.1: whether byte 1 of the SOP Class Extended Negotiation
/// agreed on the request's presentation context is 1 (relational queries, or relational
/// retrieve for MOVE and GET).
[[nodiscard]] bool relational_negotiated(const net::dimse::RequestContext& rc);

/// C-FIND on the Patient Root and Study Root FIND SOP classes; relational queries on contexts
/// where they were negotiated (PS3.4 C.4.1.2.2). A caller the Authorizer does not allow "query"
/// is refused (0x0124); service errors are answered as status_map says for Operation::Find (a
/// bad identifier 0xA900, the index failing 0xA700).
class QueryFindHandler final : public net::dimse::FindHandler {
public:
    /// The transfer syntax an instance is stored in (empty when unknown).
    using StoredSyntax = std::function<std::string(const std::string& sop_instance_uid)>;
    /// `stored_syntax`, when given, answers Available Transfer Syntax UID (0008,3002) at the IMAGE
    /// level (an SCU about to retrieve learns which contexts to propose).
    QueryFindHandler(service::Query& query, AuthorizerPtr authorizer, StoredSyntax stored_syntax = {})
        : query_(query), authorizer_(std::move(authorizer)), stored_syntax_(std::move(stored_syntax)) {}
    [[nodiscard]] net::dimse::Outcome find(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                           const DataSet& identifier, const Emit& emit) override;

private:
    service::Query& query_;
    AuthorizerPtr authorizer_;
    StoredSyntax stored_syntax_;
};

}  // namespace dicomkit::server::dimse
