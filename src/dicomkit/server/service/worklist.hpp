// Worklist: the Modality Worklist use cases (PS3.4 K): items put by orders (HL7, the REST admin),
// changed by patient updates and merges and by the procedure step's progress (MPPS), matched by
// the Modality Worklist C-FIND.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/core/dataset.hpp>
#include <dicomkit/server/index/index.hpp>
#include <dicomkit/server/index/worklist_store.hpp>
#include <dicomkit/server/service/errors.hpp>

namespace dicomkit::server::service {

/// PS3.4 K.6.1.2: Modality Worklist Information Model - FIND.
inline constexpr std::string_view kModalityWorklistFind = "1.2.840.10008.5.1.4.31";

struct WorklistOptions {
    /// A C-FIND answers at most this many matches (the rest are left out, and counted).
    std::uint64_t max_matches = 5000;
};

/// One stored item as the REST admin shows it: its id, order key and attributes (text UTF-8).
struct WorklistItem {
    std::string id;
    std::string order_key;
    DataSet item;
};

/// What Worklist::find did.
struct WorklistFound {
    std::uint64_t matches = 0;    ///< handed to the callback
    bool truncated = false;       ///< more matched than WorklistOptions::max_matches
};

class Worklist {
public:
    /// Over `index`'s WorklistStore (Index::worklist()); while it has none, every call fails
    /// with Unsupported.
    explicit Worklist(index::Index& index, WorklistOptions options = {}) : index_(index), options_(options) {}

    /// Adds the item of order `order_key` or replaces it. The item must have Patient ID (0010,0020)
    /// and a Scheduled Procedure Step Sequence (0040,0100) of one item with Modality and
    /// Scheduled Procedure Step Start Date; Study Instance UID and Scheduled Procedure Step ID
    /// are made up when missing, Scheduled Procedure Step Status set to SCHEDULED when missing.
    /// BadIdentifier names what is wrong. Returns the item's id.
    [[nodiscard]] ServiceResult<std::string> put(std::string_view order_key, DataSet item);
    /// Sets the Scheduled Procedure Step Status of the order's item ("CANCELED",
    /// "DISCONTINUED"); the number of items changed (0: no such order).
    [[nodiscard]] ServiceResult<std::size_t> cancel(std::string_view order_key, std::string_view sps_status);
    /// Copies the patient's attributes (every element of `patient` but Specific Character Set)
    /// into the items of the patient with its Patient ID (and Issuer of Patient ID when given).
    [[nodiscard]] ServiceResult<std::size_t> update_patient(const DataSet& patient);
    /// The items of patient `old_id` (of `old_issuer` when not empty) become `patient`'s.
    [[nodiscard]] ServiceResult<std::size_t> merge_patient(std::string_view old_id, std::string_view old_issuer,
                                                           const DataSet& patient);
    /// Sets the Scheduled Procedure Step Status of the step `sps_id` of study `study_uid` (every
    /// step of the study when `sps_id` is empty): STARTED, COMPLETED, DISCONTINUED, ...
    [[nodiscard]] ServiceResult<std::size_t> set_step_status(std::string_view study_uid, std::string_view sps_id,
                                                             std::string_view sps_status);

    /// PS3.4 K.4.1.3, K.6.1.2: the items that match the C-FIND `identifier`, each handed to
    /// `on_match` as the response identifier (the requested keys, zero length when the item has
    /// none; the Scheduled Procedure Step Sequence item reduced to its requested keys; Specific
    /// Character Set ISO_IR 192 when a value is not ASCII); returning false stops. Single value,
    /// wild card, range, UID list and universal matching of PS3.4 C.2.2.2, sequence matching in
    /// the Scheduled Procedure Step Sequence, and Scheduled Procedure Step Start Date and Time
    /// matched together as one date-time range (C.2.2.2.5) when both are. Unless the identifier
    /// matches on Scheduled Procedure Step Status, items that are COMPLETED, CANCELED or
    /// DISCONTINUED are left out.
    [[nodiscard]] ServiceResult<WorklistFound> find(const DataSet& identifier, const index::MatchFn& on_match);

    /// The REST admin: items `filter` selects; one item; removing one.
    [[nodiscard]] ServiceResult<std::vector<WorklistItem>> list(const index::WorklistFilter& filter);
    [[nodiscard]] ServiceResult<std::optional<WorklistItem>> get(std::string_view id);
    [[nodiscard]] ServiceResult<bool> remove(std::string_view id);

private:
    /// Applies `change` to every item `filter` selects and stores the changed ones.
    ServiceResult<std::size_t> change_each(const index::WorklistFilter& filter,
                                           const std::function<bool(DataSet& item)>& change);
    index::Index& index_;
    WorklistOptions options_;
};

/// `ds` with its text decoded from its Specific Character Set to UTF-8 (the element itself
/// left out), as the worklist keeps it.
[[nodiscard]] DataSet worklist_utf8(const DataSet& ds);

}  // namespace dicomkit::server::service
