// Fuzz target: the data set of a DIMSE-N request of the workflow services (Explicit VR Little
// Endian) through the checks serve applies before anything is kept: the first byte chooses an
// MPPS N-CREATE (check_mpps_create), an MPPS N-SET on an IN PROGRESS step made of the same
// data set (apply_mpps_set, then its result encoded and read back as the store keeps it), or a
// Storage Commitment N-ACTION (parse_commitment_request, its Event Information built and read
// back).
#include <cstdint>
#include <cstdlib>
#include <span>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/server/service/commitment.hpp>
#include <dicomkit/server/service/mpps.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit;
    namespace svc = dicomkit::server::service;
    if (size < 1) return 0;
    const std::uint8_t choice = data[0] % 3;
    auto ds = io::read_dataset(std::span<const std::uint8_t>(data + 1, size - 1), io::ts::ExplicitVRLittleEndian);
    if (!ds) return 0;
    if (choice == 0) {
        auto r = svc::check_mpps_create(*ds);
        if (!r && r.error().comment.empty()) std::abort();  // a refusal always says why
    } else if (choice == 1) {
        DataSet current = *ds;
        current.set_string(tags::PerformedProcedureStepStatus, VR::CS, svc::kInProgress);
        auto next = svc::apply_mpps_set(current, *ds);
        if (next) {
            const std::string s = next->string_or(tags::PerformedProcedureStepStatus);
            if (s != svc::kInProgress && s != svc::kCompleted && s != svc::kDiscontinued) std::abort();
            if (auto bytes = svc::encode_for_store(*next)) (void)svc::decode_from_store(*bytes);
        } else if (next.error().comment.empty()) {
            std::abort();
        }
        (void)svc::performed_instances(*ds);
    } else {
        auto rq = svc::parse_commitment_request(static_cast<std::uint16_t>(1 + (data[0] >> 7)), &*ds, 1000);
        if (rq) {
            server::index::CommitmentRecord rec;
            rec.transaction_uid = rq->transaction_uid;
            for (std::size_t i = 0; i < rq->items.size(); ++i) {
                auto item = rq->items[i];
                if (i % 2) item.failure_reason = svc::kFailureNoSuchObject;
                (i % 2 ? rec.failed : rec.committed).push_back(item);
            }
            const auto back = svc::parse_event_information(svc::event_information(rec));
            if (back.committed.size() != rec.committed.size() || back.failed.size() != rec.failed.size()) std::abort();
            // The store's text form of the lists gives them back.
            if (server::index::split_items(server::index::join_items(rec.failed, true)) != rec.failed) std::abort();
        } else if (rq.error().comment.empty()) {
            std::abort();
        }
    }
    return 0;
}
