// WorklistStore: the Modality Worklist items (PS3.4 K) beside the index, one per order, with the
// columns worklist queries filter on. Backends: sqlite/ and postgres/ (schema 006_worklist.sql).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/charset.hpp>
#include <dicomkit/core/dataset.hpp>

namespace dicomkit::server::index {

/// One stored item: its id (the row's key), the order it belongs to, and its attributes (text
/// UTF-8, no Specific Character Set: sql/attributes.hpp's blob).
struct WorklistEntry {
    std::int64_t id = 0;
    std::string order_key;
    DataSet item;
};

/// What find() selects. Every text field is ignored when empty; with a '*' or '?' it is a
/// wild card (PS3.4 C.2.2.2.4), else it must be equal. Person names (patient_name, performing)
/// are compared upper-cased (ASCII). This is the rows' preselection: the service matches the
/// whole identifier on what it gets, so a backend may return more (never fewer).
struct WorklistFilter {
    std::string order_key;
    std::string patient_id, issuer, patient_name, accession;
    std::string modality, station_ae, performing;  ///< of the Scheduled Procedure Step
    std::string study_uid, sps_id, requested_procedure_id;
    std::vector<std::string> study_uids;  ///< one of these, when not empty
    std::string date_low, date_high;      ///< Scheduled Procedure Step Start Date, inclusive ("" open)
    std::vector<std::string> statuses;    ///< Scheduled Procedure Step Status one of these...
    bool exclude_statuses = false;        ///< ...or, when set, none of these
    std::uint64_t limit = 0, offset = 0;  ///< 0: no limit
};

/// One row for find(); returning false stops.
using WorklistFn = std::function<bool(const WorklistEntry& entry)>;

class WorklistStore {
public:
    virtual ~WorklistStore() = default;

    /// Adds `item` (text in `charset`, decoded to UTF-8 as it is stored) under `order_key`, or
    /// replaces the item the order has; returns the row's id (kept when replaced).
    [[nodiscard]] virtual Result<std::int64_t> put(std::string_view order_key, const DataSet& item,
                                                   const SpecificCharacterSet& charset) = 0;
    /// put() for several items, in one transaction where the backend can (an item that fails,
    /// all fail). Returns the ids in order.
    [[nodiscard]] virtual Result<std::vector<std::int64_t>> put_many(
        const std::vector<std::pair<std::string, DataSet>>& items, const SpecificCharacterSet& charset) {
        std::vector<std::int64_t> ids;
        for (const auto& [key, item] : items) {
            auto id = put(key, item, charset);
            if (!id) return tl::unexpected(id.error());
            ids.push_back(*id);
        }
        return ids;
    }
    /// Replaces the item of row `id` (its order key kept); false when there is no such row.
    [[nodiscard]] virtual Result<bool> replace(std::int64_t id, const DataSet& item,
                                               const SpecificCharacterSet& charset) = 0;
    [[nodiscard]] virtual Result<std::optional<WorklistEntry>> get(std::int64_t id) = 0;
    /// The rows `filter` selects, by Scheduled Procedure Step start date and time, then id;
    /// returns how many were handed to `fn`.
    [[nodiscard]] virtual Result<std::uint64_t> find(const WorklistFilter& filter, const WorklistFn& fn) = 0;
    /// Whether there was such a row.
    [[nodiscard]] virtual Result<bool> remove(std::int64_t id) = 0;
};

}  // namespace dicomkit::server::index
