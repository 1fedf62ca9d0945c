// Mpps: the Modality Performed Procedure Step SOP class as the SCP sees it (PS3.4 F.7): N-CREATE
// (the attributes Table F.7.2-1 makes type 1 for the SCU, status IN PROGRESS, a new SOP Instance
// UID), N-SET (only the attributes the table lets an N-SET carry, only while IN PROGRESS;
// COMPLETED and DISCONTINUED are final and need the end date and time and a Performed Series
// Sequence), and reading for the REST admin, with the performed series' instances looked up in
// the index.
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

namespace dicomkit::server::service {

/// PS3.4 F.7.1: the Modality Performed Procedure Step SOP Class.
inline constexpr std::string_view kMppsSopClass = "1.2.840.10008.3.1.2.3.3";

inline constexpr std::string_view kInProgress = "IN PROGRESS";
inline constexpr std::string_view kCompleted = "COMPLETED";
inline constexpr std::string_view kDiscontinued = "DISCONTINUED";

/// A refused DIMSE-N request: the PS3.7 status (0x0110 processing failure, 0x0111 duplicate SOP
/// instance, 0x0112 no such SOP instance, 0x0120 missing attribute, 0x0121 missing attribute
/// value, 0x0106 invalid attribute value, 0x0213 resource limitation) and why, for the Error
/// Comment and the log.
struct NRefusal {
    std::uint16_t status = 0x0110;
    std::string comment;
};
template <class T>
using NCheck = tl::expected<T, NRefusal>;

/// The F.7.2 checks alone (no store): what create() and set() refuse.
/// N-CREATE: the type 1 attributes present and not empty, the status IN PROGRESS.
[[nodiscard]] NCheck<void> check_mpps_create(const DataSet& attributes);
/// N-SET on an MPPS whose attributes are `current`: the modification list may carry only what
/// Table F.7.2-1 lets an N-SET carry; nothing changes after COMPLETED or DISCONTINUED. Returns the
/// attributes after the change (with the final-state checks when it sets a final status).
[[nodiscard]] NCheck<DataSet> apply_mpps_set(const DataSet& current, const DataSet& modifications);
/// Whether an N-SET may carry `tag` (Table F.7.2-1).
[[nodiscard]] bool mpps_settable(Tag tag) noexcept;

/// One referenced instance of a Performed Series Sequence item and whether the index holds it.
struct PerformedInstance {
    std::string series_uid;
    std::string sop_class_uid;
    std::string sop_instance_uid;
    bool stored = false;
};

/// An MPPS as the REST admin shows it.
struct MppsView {
    index::MppsRecord record;
    DataSet attributes;
    std::vector<PerformedInstance> performed;  ///< filled by get()
};

struct MppsOptions {
    /// Called after a create or set that was kept, with the attributes as they now are (the
    /// worklist item's status follows: Scheduled Step Attributes Sequence gives study and SPS ID).
    std::function<void(const DataSet& mpps)> on_state_change;
    /// Seconds since 1970 (tests set it).
    std::function<std::int64_t()> now;
};

class Mpps {
public:
    /// `archive` answers which performed instances are stored (may be null: none looked up).
    Mpps(index::WorkflowStore& store, index::Index* archive, MppsOptions options = {});

    struct Created {
        std::string sop_instance_uid;
        DataSet attributes;
    };
    /// N-CREATE: `sop_instance_uid` empty: the SCP gives one (2.25). Duplicate UID: 0x0111.
    [[nodiscard]] NCheck<Created> create(std::string sop_instance_uid, const DataSet& attributes);
    /// N-SET: unknown UID 0x0112; see apply_mpps_set. Returns the attributes as they now are.
    [[nodiscard]] NCheck<DataSet> set(const std::string& sop_instance_uid, const DataSet& modifications);
    [[nodiscard]] ServiceResult<std::optional<MppsView>> get(const std::string& sop_instance_uid);
    [[nodiscard]] ServiceResult<std::vector<MppsView>> list(std::size_t limit);

    void on_state_change(std::function<void(const DataSet& mpps)> hook) { options_.on_state_change = std::move(hook); }

private:
    [[nodiscard]] std::int64_t now() const;
    index::WorkflowStore& store_;
    index::Index* archive_;
    MppsOptions options_;
};

/// The Performed Series Sequence's referenced instances (Referenced Image Sequence and
/// Referenced Non-Image Composite SOP Instance Sequence of each item).
[[nodiscard]] std::vector<PerformedInstance> performed_instances(const DataSet& mpps);
/// A new UID under 2.25 (PS3.5 B.2) from 128 random bits.
[[nodiscard]] std::string random_uid();
/// Encodes/decodes a data set as kept in the store (Explicit VR Little Endian).
[[nodiscard]] Result<std::string> encode_for_store(const DataSet& ds);
[[nodiscard]] Result<DataSet> decode_from_store(const std::string& bytes);

}  // namespace dicomkit::server::service
