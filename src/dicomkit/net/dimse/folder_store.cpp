// FolderStoreHandler: received instances as Part 10 files.
#include <dicomkit/net/dimse/folder_store.hpp>

#include <cstdio>
#include <cstring>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>

namespace dicomkit::net::dimse {

bool is_valid_uid(std::string_view uid) noexcept {
    if (uid.empty() || uid.size() > 64) return false;
    std::size_t start = 0;  // of the current component
    for (std::size_t i = 0; i <= uid.size(); ++i) {
        if (i < uid.size() && uid[i] != '.') {
            if (uid[i] < '0' || uid[i] > '9') return false;
            continue;
        }
        if (i == start) return false;                             // empty component
        if (i - start > 1 && uid[start] == '0') return false;     // leading zero (but "0" itself)
        start = i + 1;
    }
    return true;
}

std::string instance_file_name(std::string_view uid) {
    if (is_valid_uid(uid)) return std::string(uid) + ".dcm";
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a 64
    for (unsigned char c : uid) h = (h ^ c) * 1099511628211ull;
    char buf[32];
    std::snprintf(buf, sizeof buf, "x%016llx.dcm", static_cast<unsigned long long>(h));
    return buf;
}

Result<Bytes> part10_header(const RequestContext& rc, const Command& rq) {
    if (!rc.context) return make_error(ErrorCode::InvalidArgument, "no presentation context");
    DataSet ids;
    ids.set_string(tags::SOPClassUID, VR::UI, rq.affected_sop_class_uid);
    ids.set_string(tags::SOPInstanceUID, VR::UI, rq.affected_sop_instance_uid);
    io::TransferSyntax ts;
    ts.uid = rc.context->transfer_syntax;
    DataSet meta = io::make_meta(ids, ts);
    if (!rc.calling_ae.empty()) meta.set_string(tags::SourceApplicationEntityTitle, VR::AE, rc.calling_ae);
    Bytes out(132, 0);
    std::memcpy(out.data() + 128, "DICM", 4);
    if (auto r = io::write_dataset(meta, io::ts::ExplicitVRLittleEndian, {}, out); !r) return tl::unexpected(r.error());
    return out;
}

Result<std::unique_ptr<DataSink>> FolderStoreHandler::begin(const RequestContext& rc, const Command& rq) {
    auto header = part10_header(rc, rq);
    if (!header) return tl::unexpected(header.error());
    auto sink = pool_ ? FileSink::create(*pool_) : FileSink::create(folder_);
    if (sink) (*sink)->set_durable(durable_);
    if (!sink) return tl::unexpected(sink.error());
    if (auto r = (*sink)->write_prefix(*header); !r) return tl::unexpected(r.error());
    return std::unique_ptr<DataSink>(std::move(*sink));
}

Outcome FolderStoreHandler::end(const RequestContext& rc, const Command& rq, std::unique_ptr<DataSink> sink) {
    auto* file = dynamic_cast<FileSink*>(sink.get());
    std::string path = folder_ + "/" + instance_file_name(rq.affected_sop_instance_uid);
    Outcome o;
    if (!file) {
        o = {status::OutOfResources, "not a file sink"};
    } else if (!lenient_uids_ && !is_valid_uid(rq.affected_sop_instance_uid)) {
        // PS3.5 9.1; the data set is dropped (the sink removes its temporary file).
        file->abort();
        o = {status::DataSetDoesNotMatchSOPClass, "invalid SOP Instance UID (0008,0018)"};
        path.clear();
    } else if (auto r = file->commit(path); !r) {
        o = {status::OutOfResources, r.error().message};
    }
    if (log_) log_(StoredEvent{rc, rq, sink->size(), o, path});
    return o;
}

}  // namespace dicomkit::net::dimse
