// [validation] on_ingest: received instances checked against their IOD (validate::validate)
// before they are stored; what does not match is logged, kept aside in DATA/quarantine/ingest
// with its findings, or refused. The quarantine is listed and emptied through the REST admin.
#pragma once

#include <dicomkit/base/error.hpp>
#include <dicomkit/server/app/config.hpp>
#include <dicomkit/server/service/ingest.hpp>
#include <functional>
#include <string>

namespace dicomkit::server::app {

/// The folder of quarantined instances under the data folder: DATA/quarantine/ingest.
[[nodiscard]] std::string ingest_quarantine_folder(const std::string& data);

/// The transform for `mode` (none for OnIngest::Accept): an instance with an error is stored with
/// a line saying so (Warn), written to `folder` as NAME.dcm (the bytes as received) with NAME.json (the validation report,
/// docs/validation.md, with "received" added) and diverted (Quarantine), or refused with the
/// first error (Reject). `next` (may be empty) runs after the check on what is stored.
[[nodiscard]] service::Transform validation_transform(OnIngest mode, std::string folder,
                                                      std::function<void(const std::string&)> log,
                                                      service::Transform next);

/// GET /api/quarantine: [{"name","received","bytes","sop_class","iod","errors","findings":[...]}],
/// newest first.
[[nodiscard]] std::string quarantine_json(const std::string& folder);
/// DELETE /api/quarantine/{name}: the instance and its report. NotFound for an unknown name,
/// InvalidValue for a name that is not one of the folder's.
[[nodiscard]] Result<void> remove_quarantined(const std::string& folder, const std::string& name);

}  // namespace dicomkit::server::app
