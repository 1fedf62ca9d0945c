#include <dicomkit/server/service/remove.hpp>

namespace dicomkit::server::service {

ServiceResult<Removed> remove_instances(index::Index& index, storage::BlobStore& blobs,
                                        const std::vector<RetrieveItem>& items) {
    Removed out;
    for (const RetrieveItem& item : items) {
        if (!item.blob.empty()) {
            const auto size = blobs.blob_size(item.blob);
            if (size) {
                if (auto r = blobs.remove(item.blob); !r)
                    return service_error(ErrorKind::OutOfResources,
                                         "cannot remove the file of " + item.sop_instance_uid + ": " + r.error().message);
                out.bytes += *size;
            }
        }
        auto r = index.remove(item.sop_instance_uid);
        if (!r)
            return service_error(ErrorKind::OutOfResources,
                                 "cannot remove " + item.sop_instance_uid + " from the index: " + r.error().message);
        if (*r) ++out.instances;
    }
    return out;
}

}  // namespace dicomkit::server::service
