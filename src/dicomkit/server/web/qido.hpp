// QIDO-RS (PS3.18 10.6): a search's query parameters (8.3.4) as a C-FIND identifier for the
// Study Root model, relational, and its matches as DICOM JSON objects (PS3.18 F.2) with
// Retrieve URL, streamed one by one with offset and limit.
#pragma once

#include <cstdint>
#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/core/tag.hpp>
#include <dicomkit/server/model/query.hpp>
#include <dicomkit/server/service/errors.hpp>
#include <dicomkit/server/service/query.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace dicomkit::server::web {

/// A parsed QIDO-RS request.
struct QidoQuery {
    /// Study, Series or Image (the instance level).
    model::Level level = model::Level::Study;
    /// The C-FIND identifier for service::Query::find with model::Root::Study and relational
    /// matching: Query/Retrieve Level, the matching keys with their values, the unique keys of the
    /// resource path, the default return keys of PS3.18 Tables 10.6.3-3/-4/-5 and the include
    /// fields as empty return keys.
    DataSet identifier;
    /// The includefield attributes (top level), in request order.
    std::vector<Tag> include;
    bool include_all = false;
    /// fuzzymatching=true was asked for. The archive does literal matching only: the front adds
    /// the Warning PS3.18 8.3.4.5 prescribes.
    bool fuzzy = false;
    std::uint64_t limit = 0;  ///< 0: no limit
    std::uint64_t offset = 0;
    /// The Accept Query Parameter (PS3.18 8.3.3.1, `accept=`), decoded; empty when absent.
    std::string accept;
};

struct QidoLimits {
    std::size_t max_query_bytes = 64 * 1024;  ///< the query string
    std::size_t max_params = 256;             ///< key=value pairs
    std::size_t max_value_bytes = 4096;       ///< one decoded value
    std::size_t max_list = 1000;              ///< values of one UID (or modality) list
    std::size_t max_path_depth = 4;           ///< sequence levels of a dotted key
};

/// Parses the query string of a QIDO-RS search (without '?') at `level` (Study for /studies,
/// Series for [/studies/{study}]/series, Image for [/studies/{study}[/series/{series}]]/instances);
/// `study_uid` / `series_uid` are the path's UIDs, which become unique keys with those values.
///
/// Per PS3.18 8.3.4: `&`-separated `name=value`, percent-decoded ('+' is a space); a name is a
/// keyword (PatientName), eight hex digits (00100010) or a dotted path of them into sequences
/// (ReferencedStudySequence.ReferencedSOPInstanceUID: one item holding the key). A value is
/// matched as C-FIND matches it (PS3.4 C.2.2.2: wild cards, DA/TM/DT ranges, universal when
/// empty); for UI, and for Modalities In Study and SOP Classes In Study, commas separate a list.
/// `includefield=all` or a comma list, repeatable; `fuzzymatching=true|false`; `limit`,
/// `offset`. At the study level, Modality and SOP Class UID (series and instance keys) are
/// matched as Modalities In Study and SOP Classes In Study (a study with such a series or
/// instance matches). Other matching keys below the level are an error (C-FIND would ignore
/// them); include fields below the level are not returned (PS3.18 10.6.3.3).
///
/// Errors (HTTP 400): InvalidArgument naming the parameter for an unknown keyword or tag,
/// a private tag, a bad value (a DA that is not a date or range, a UID that is not digits and
/// dots, a backslash in a single-valued key, a value for a binary VR), a bad percent escape,
/// limit/offset that are not numbers, a duplicate key, a path UID that conflicts with a
/// parameter; LimitExceeded over `limits`; InvalidValue when the identifier does not parse
/// (service::Query::parse).
[[nodiscard]] Result<QidoQuery> parse_qido(model::Level level, std::string_view query_string,
                                           std::string_view study_uid = {},
                                           std::string_view series_uid = {},
                                           const QidoLimits& limits = {});

/// The default return keys of PS3.18 Table 10.6.3-3 (Study), -4 (Series), -5 (Instance) for a
/// search at `level`, with the tables of the levels above for an all-series or all-instances
/// search (`above`), limited to what the archive can return (Specific Character Set is set by
/// the index when needed; Retrieve URL and Instance Availability are filled in by
/// qido_result_json).
[[nodiscard]] std::vector<Tag> qido_default_keys(model::Level level, bool above);

/// One match as a DICOM JSON object (PS3.18 F.2.2): the match's attributes but Query/Retrieve
/// Level, with Retrieve URL (0008,1190) = `retrieve_base` + "/studies/{study}[/series/{series}
/// [/instances/{sop}]]" for the query's level (UIDs percent-encoded where not URL-safe) and,
/// when requested, Instance Availability (0008,0056) "ONLINE". Errors from the JSON writer.
[[nodiscard]] Result<std::string> qido_result_json(const DataSet& match, const QidoQuery& query,
                                                   std::string_view retrieve_base);

struct QidoOutcome {
    std::uint64_t matched = 0;   ///< matches seen (the search stops one past offset + limit)
    std::uint64_t returned = 0;  ///< objects handed to emit
    bool truncated = false;      ///< more matches than `limit`: the front adds a Warning header
};

/// Runs `query` through `service` (Study Root, relational), skips `offset` matches, hands at most
/// `limit` objects (qido_result_json) to `emit` one at a time, and stops when one more match
/// shows the result truncated or when `emit` returns false. Service errors come back as they are
/// (the front maps their kind to an HTTP status); a match that cannot be written as JSON is
/// UnableToProcess.
[[nodiscard]] service::ServiceResult<QidoOutcome> run_qido(
    service::Query& service, const QidoQuery& query, std::string_view retrieve_base,
    const std::function<bool(std::string_view json_object)>& emit);

}  // namespace dicomkit::server::web
