// Commitment: Storage Commitment Push Model as the SCP (PS3.4 J.3): an N-ACTION request
// (Action Type 1, Transaction UID, Referenced SOP Sequence) is checked, each instance looked up
// in the index (what the index holds is stored and flushed: Ingest indexes a file only after
// its flush), and the transaction is kept with its result lists until its N-EVENT-REPORT (event
// type 1 all committed, 2 failures exist, J.3.3) has reached the requester.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/core/dataset.hpp>
#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/index/workflow_store.hpp>
#include <dicomkit/server/service/errors.hpp>
#include <dicomkit/server/service/mpps.hpp>

namespace dicomkit::server::service {

/// PS3.4 J.3: the Storage Commitment Push Model SOP Class and its well-known instance.
inline constexpr std::string_view kCommitmentSopClass = "1.2.840.10008.1.20.1";
inline constexpr std::string_view kCommitmentInstance = "1.2.840.10008.1.20.1.1";

/// PS3.4 J.3.3.1.2 Failure Reasons (0008,1197).
inline constexpr std::uint16_t kFailureProcessing = 0x0110;
inline constexpr std::uint16_t kFailureNoSuchObject = 0x0112;
inline constexpr std::uint16_t kFailureClassMismatch = 0x0119;

/// A parsed N-ACTION-RQ of Storage Commitment.
struct CommitmentRequest {
    std::string transaction_uid;
    std::vector<index::CommitmentItem> items;
};
/// Checks an N-ACTION (PS3.4 J.3.2.1): action type 1 (else 0x0123 no such action), Transaction
/// UID and a Referenced SOP Sequence whose items each have both UIDs (else 0x0120 / 0x0121).
[[nodiscard]] NCheck<CommitmentRequest> parse_commitment_request(std::uint16_t action_type, const DataSet* info,
                                                                 std::size_t max_items = 100000);
/// The Event Information of the report (J.3.3.1): Transaction UID, Referenced SOP Sequence
/// (committed) and Failed SOP Sequence (with Failure Reason), and its event type (1 or 2).
[[nodiscard]] DataSet event_information(const index::CommitmentRecord& r);
[[nodiscard]] std::uint16_t event_type(const index::CommitmentRecord& r) noexcept;
/// The other way round (the SCU reading a report): the lists of an Event Information.
[[nodiscard]] index::CommitmentRecord parse_event_information(const DataSet& info);

struct CommitmentOptions {
    std::function<std::int64_t()> now;  ///< seconds since 1970 (tests set it)
};

class Commitment {
public:
    /// `archive`: the index as queries see it (the SettledIndex of serve).
    Commitment(index::WorkflowStore& store, index::Index& archive, CommitmentOptions options = {});

    /// Checks the request, looks each instance up and keeps the transaction (state pending).
    [[nodiscard]] NCheck<index::CommitmentRecord> request(const std::string& requester_ae, std::uint16_t action_type,
                                                          const DataSet* info);
    /// Looks the instances up (committed, or failed with 0x0112 / 0x0119).
    [[nodiscard]] ServiceResult<void> resolve(index::CommitmentRecord& r);
    /// A report attempt ended: delivered (state reported) or not (attempts + 1, and failed once
    /// `give_up`).
    [[nodiscard]] ServiceResult<index::CommitmentRecord> report_done(const std::string& transaction_uid, bool delivered,
                                                                     const std::string& error, bool give_up);
    [[nodiscard]] ServiceResult<std::optional<index::CommitmentRecord>> get(const std::string& transaction_uid);
    [[nodiscard]] ServiceResult<std::vector<index::CommitmentRecord>> list(std::optional<index::CommitmentState> state,
                                                                           std::size_t limit);

private:
    [[nodiscard]] std::int64_t now() const;
    index::WorkflowStore& store_;
    index::Index& archive_;
    CommitmentOptions options_;
};

}  // namespace dicomkit::server::service
