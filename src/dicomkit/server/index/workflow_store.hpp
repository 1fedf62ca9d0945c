// WorkflowStore: the records of the workflow services beside the index (schema 007): Modality
// Performed Procedure Steps (PS3.4 F) and Storage Commitment transactions (PS3.4 J). Data sets
// travel as their encoded bytes: this layer never reads them. Backends: sqlite/, postgres/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>

namespace dicomkit::server::index {

/// One Modality Performed Procedure Step.
struct MppsRecord {
    std::string sop_instance_uid;
    std::string status;                  ///< Performed Procedure Step Status: IN PROGRESS, COMPLETED, DISCONTINUED
    std::string dataset;                 ///< the attributes, Explicit VR Little Endian
    std::vector<std::string> study_uids; ///< of its Scheduled Step Attributes Sequence
    std::int64_t created = 0;            ///< seconds since 1970
    std::int64_t updated = 0;
    bool operator==(const MppsRecord&) const = default;
};

/// A SOP instance of a commitment request (Referenced SOP Sequence item), with the Failure
/// Reason (0008,1197) when it could not be committed (0 otherwise).
struct CommitmentItem {
    std::string sop_class_uid;
    std::string sop_instance_uid;
    std::uint16_t failure_reason = 0;
    bool operator==(const CommitmentItem&) const = default;
};

/// The state of a commitment transaction's report to its requester.
enum class CommitmentState { Pending, Reported, Failed };
[[nodiscard]] const char* to_string(CommitmentState s) noexcept;
[[nodiscard]] std::optional<CommitmentState> parse_commitment_state(const std::string& s) noexcept;

/// One Storage Commitment transaction.
struct CommitmentRecord {
    std::string transaction_uid;
    std::string requester_ae;
    CommitmentState state = CommitmentState::Pending;
    std::vector<CommitmentItem> requested;
    std::vector<CommitmentItem> committed;
    std::vector<CommitmentItem> failed;
    int attempts = 0;            ///< reports tried
    std::string last_error;      ///< why the last report failed
    std::int64_t created = 0;
    std::int64_t updated = 0;
    bool operator==(const CommitmentRecord&) const = default;
};

class WorkflowStore {
public:
    virtual ~WorkflowStore() = default;

    /// Adds an MPPS; false (nothing written) when its SOP Instance UID is there already.
    [[nodiscard]] virtual Result<bool> add_mpps(const MppsRecord& r) = 0;
    /// Replaces status, data set, studies and updated time of the MPPS with r's UID, only while
    /// its status is still `expected_status` (so that two N-SETs cannot both pass the check);
    /// false when none matched.
    [[nodiscard]] virtual Result<bool> update_mpps(const MppsRecord& r, const std::string& expected_status) = 0;
    [[nodiscard]] virtual Result<std::optional<MppsRecord>> mpps(const std::string& sop_instance_uid) = 0;
    /// The newest first (by updated time), at most `limit`.
    [[nodiscard]] virtual Result<std::vector<MppsRecord>> list_mpps(std::size_t limit) = 0;

    /// Adds or replaces (a requester may reuse a Transaction UID after a report) a transaction.
    [[nodiscard]] virtual Result<void> put_commitment(const CommitmentRecord& r) = 0;
    [[nodiscard]] virtual Result<std::optional<CommitmentRecord>> commitment(const std::string& transaction_uid) = 0;
    /// The newest first, at most `limit`; only those in `state` when given.
    [[nodiscard]] virtual Result<std::vector<CommitmentRecord>> list_commitments(std::optional<CommitmentState> state,
                                                                                 std::size_t limit) = 0;
};

/// The text forms the backends keep the lists in: one item a line, fields split by a backslash
/// (no UID holds one): "class\instance" or "class\instance\reason" (hexadecimal).
[[nodiscard]] std::string join_items(const std::vector<CommitmentItem>& items, bool with_reason);
[[nodiscard]] std::vector<CommitmentItem> split_items(const std::string& text);
[[nodiscard]] std::string join_uids(const std::vector<std::string>& uids);
[[nodiscard]] std::vector<std::string> split_uids(const std::string& text);

}  // namespace dicomkit::server::index
