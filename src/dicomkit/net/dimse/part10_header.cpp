// The Part 10 header of a received data set.
#include <dicomkit/net/dimse/part10_header.hpp>

#include <cstring>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>

namespace dicomkit::net::dimse {

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

}  // namespace dicomkit::net::dimse
