// `dicomkit mpps create|set` (a Modality Performed Procedure Step SCU, PS3.4 F) and
// `dicomkit commit` (a Storage Commitment Push Model SCU, PS3.4 J: asks the peer to commit
// files' instances and waits for the N-EVENT-REPORT on its own association, or, with --listen,
// as an SCP on a new association from the peer).
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <dicomkit/base/log.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/json/json.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/serve.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/net/ul/server.hpp>
#include <dicomkit/server/service/commitment.hpp>
#include <dicomkit/server/service/mpps.hpp>

#include "commands.hpp"
#include "key_path.hpp"
#include "net_common.hpp"

namespace dicomkit::cli {

namespace {

namespace nd = net::dimse;
namespace svc = server::service;

const std::vector<std::string> kSyntaxes{"1.2.840.10008.1.2.1", "1.2.840.10008.1.2"};

/// "Key=Value" or "Seq[0].Key=Value" set into `ds` (sequences made with one item).
Result<void> set_key(DataSet& ds, const std::string& k) {
    const auto eq = k.find('=');
    auto path = parse_key_path(std::string_view(k.data(), eq == std::string::npos ? k.size() : eq));
    if (!path) return make_error(ErrorCode::InvalidValue, "-k " + k + ": " + path.error().message);
    set_key_path(ds, *path, eq == std::string::npos ? "" : k.substr(eq + 1));
    return {};
}

std::string today(const char* fmt) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    ::localtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, fmt, &tm);
    return buf;
}

struct MppsArgs {
    std::string host;
    std::uint16_t port = 104;
    std::string uid;
    std::string json_file;
    std::vector<std::string> keys;
    std::string status;
    std::vector<std::string> series_from;
    NetArgs net;
};

Result<DataSet> attributes_of(const MppsArgs& a) {
    DataSet ds;
    if (!a.json_file.empty()) {
        std::ifstream in(a.json_file, std::ios::binary);
        if (!in) return make_error(ErrorCode::IoError, a.json_file + ": cannot be read");
        std::stringstream ss;
        ss << in.rdbuf();
        std::string text = ss.str();
        // A DICOM JSON object, or an array with one.
        auto one = json::from_json(text);
        if (!one) {
            auto many = json::from_json_array(text);
            if (!many || many->size() != 1) return make_error(ErrorCode::InvalidValue, a.json_file + ": " + one.error().message);
            ds = std::move(many->front());
        } else {
            ds = std::move(*one);
        }
    }
    for (const std::string& k : a.keys)
        if (auto r = set_key(ds, k); !r) return tl::unexpected(r.error());
    if (std::any_of(a.keys.begin(), a.keys.end(), [](const std::string& k) {
            return std::any_of(k.begin(), k.end(), [](unsigned char c) { return c >= 0x80; });
        }))
        ds.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 192");
    return ds;
}

/// The Performed Series Sequence of `files`: one item per series, its instances referenced.
Result<Element> performed_series(const std::vector<std::string>& files) {
    std::vector<std::string> order;
    std::map<std::string, DataSet> series;
    io::ReadOptions ro;
    ro.stop_before = tags::PixelData;
    for (const std::string& f : files) {
        auto file = io::read_file(f, ro);
        if (!file) return make_error(file.error().code, f + ": " + file.error().message);
        const DataSet& d = file->dataset;
        const std::string uid = d.string_or(tags::SeriesInstanceUID);
        if (uid.empty()) return make_error(ErrorCode::InvalidValue, f + ": no Series Instance UID");
        auto [it, fresh] = series.try_emplace(uid);
        DataSet& item = it->second;
        if (fresh) {
            order.push_back(uid);
            item.set_string(tags::SeriesInstanceUID, VR::UI, uid);
            item.set_string(tags::SeriesDescription, VR::LO, d.string_or(tags::SeriesDescription));
            item.set_string(tags::ProtocolName, VR::LO, d.string_or(tags::ProtocolName));
            item.set_string(tags::PerformingPhysicianName, VR::PN, "");
            item.set_string(tags::OperatorsName, VR::PN, "");
            item.set_string(tags::RetrieveAETitle, VR::AE, "");
            item.set(Element(tags::ReferencedImageSequence, VR::SQ, Sequence{}));
            item.set(Element(tags::ReferencedNonImageCompositeSOPInstanceSequence, VR::SQ, Sequence{}));
        }
        DataSet ref;
        ref.set_string(tags::ReferencedSOPClassUID, VR::UI, d.string_or(tags::SOPClassUID));
        ref.set_string(tags::ReferencedSOPInstanceUID, VR::UI, d.string_or(tags::SOPInstanceUID));
        const bool image = d.contains(tags::Rows);
        item.find(image ? tags::ReferencedImageSequence : tags::ReferencedNonImageCompositeSOPInstanceSequence)
            ->sequence().items.push_back(std::move(ref));
    }
    Sequence seq;
    for (const std::string& uid : order) seq.items.push_back(std::move(series[uid]));
    return Element(tags::PerformedSeriesSequence, VR::SQ, std::move(seq));
}

Result<net::ul::Association> open_association(const std::string& host, std::uint16_t port, const NetArgs& net,
                                              std::string_view sop_class) {
    net::ul::AssociationRequest rq;
    rq.calling_ae = net.aet;
    rq.called_ae = net.aec;
    rq.contexts.push_back({1, std::string(sop_class), kSyntaxes});
    net::ul::FailureKind kind = net::ul::FailureKind::None;
    auto a = net::ul::Association::request({host, port}, rq, association_options(net), &kind);
    if (!a) return make_error(a.error().code, host + ":" + std::to_string(port) + ": " + failure_text(kind, a.error()));
    return a;
}

int report_status(const char* what, const nd::NResponseFields& r) {
    const std::string st = nd::describe_status(r.status, nd::CommandField::N_CREATE_RSP);
    if (r.status != nd::status::Success && nd::status_kind(r.status) != nd::StatusKind::Warning) {
        log::error("{}: {}{}{}", what, st.c_str(), r.error_comment.empty() ? "" : ": ", r.error_comment.c_str());
        return 1;
    }
    return 0;
}

int run_mpps_create(const MppsArgs& a) {
    auto ds = attributes_of(a);
    if (!ds) {
        log::error("{}", ds.error().to_string().c_str());
        return 2;
    }
    // What a modality sets itself unless given: the status, the start, its AE title, an ID.
    if (!ds->contains(tags::PerformedProcedureStepStatus))
        ds->set_string(tags::PerformedProcedureStepStatus, VR::CS, svc::kInProgress);
    if (!ds->contains(tags::PerformedProcedureStepStartDate))
        ds->set_string(tags::PerformedProcedureStepStartDate, VR::DA, today("%Y%m%d"));
    if (!ds->contains(tags::PerformedProcedureStepStartTime))
        ds->set_string(tags::PerformedProcedureStepStartTime, VR::TM, today("%H%M%S"));
    if (!ds->contains(tags::PerformedStationAETitle)) ds->set_string(tags::PerformedStationAETitle, VR::AE, a.net.aet);
    if (!ds->contains(tags::PerformedProcedureStepID)) ds->set_string(tags::PerformedProcedureStepID, VR::SH, today("%y%m%d%H%M%S"));
    for (Tag t : {tags::PerformedProcedureStepEndDate, tags::PerformedProcedureStepEndTime})
        if (!ds->contains(t)) ds->set(Element(t, dictionary_vr(t)));
    if (!ds->contains(tags::PerformedSeriesSequence)) ds->set(Element(tags::PerformedSeriesSequence, VR::SQ, Sequence{}));
    auto assoc = open_association(a.host, a.port, a.net, svc::kMppsSopClass);
    if (!assoc) {
        log::error("{}", assoc.error().message.c_str());
        return 1;
    }
    nd::AssociationChannel ch(*assoc);
    nd::NCreateRq rq;
    rq.affected_sop_class_uid = std::string(svc::kMppsSopClass);
    rq.affected_sop_instance_uid = a.uid;  // empty: the SCP gives one
    auto r = nd::n_create(ch, rq, &*ds);
    if (!r) {
        log::error("N-CREATE: {}", r.error().to_string().c_str());
        return 1;
    }
    (void)assoc->release();
    if (int rc = report_status("N-CREATE", r->response); rc) return rc;
    const std::string uid = r->response.affected_sop_instance_uid.empty() ? a.uid : r->response.affected_sop_instance_uid;
    std::printf("%s\n", uid.c_str());
    return 0;
}

int run_mpps_set(const MppsArgs& a) {
    auto ds = attributes_of(a);
    if (!ds) {
        log::error("{}", ds.error().to_string().c_str());
        return 2;
    }
    if (!a.status.empty()) {
        ds->set_string(tags::PerformedProcedureStepStatus, VR::CS, a.status);
        if (a.status != svc::kInProgress) {
            if (!ds->contains(tags::PerformedProcedureStepEndDate))
                ds->set_string(tags::PerformedProcedureStepEndDate, VR::DA, today("%Y%m%d"));
            if (!ds->contains(tags::PerformedProcedureStepEndTime))
                ds->set_string(tags::PerformedProcedureStepEndTime, VR::TM, today("%H%M%S"));
        }
    }
    if (!a.series_from.empty()) {
        auto seq = performed_series(a.series_from);
        if (!seq) {
            log::error("{}", seq.error().message.c_str());
            return 2;
        }
        ds->set(std::move(*seq));
    }
    auto assoc = open_association(a.host, a.port, a.net, svc::kMppsSopClass);
    if (!assoc) {
        log::error("{}", assoc.error().message.c_str());
        return 1;
    }
    nd::AssociationChannel ch(*assoc);
    nd::NSetRq rq;
    rq.requested_sop_class_uid = std::string(svc::kMppsSopClass);
    rq.requested_sop_instance_uid = a.uid;
    auto r = nd::n_set(ch, rq, *ds);
    if (!r) {
        log::error("N-SET: {}", r.error().to_string().c_str());
        return 1;
    }
    (void)assoc->release();
    if (int rc = report_status("N-SET", r->response); rc) return rc;
    std::printf("%s %s\n", a.uid.c_str(), ds->string_or(tags::PerformedProcedureStepStatus, "(status unchanged)").c_str());
    return 0;
}

struct CommitArgs {
    std::string host;
    std::uint16_t port = 104;
    std::vector<std::string> files;
    bool wait = false;
    std::optional<std::uint16_t> listen;
    NetArgs net;
};

/// What the SCU waits for: the report of its transaction.
struct ReportBox {
    std::mutex m;
    std::condition_variable cv;
    std::optional<server::index::CommitmentRecord> report;
    std::uint16_t event_type = 0;
    std::string transaction;

    nd::NReply take(const nd::NEventReportRq& rq, const DataSet* info) {
        if (rq.affected_sop_class_uid != svc::kCommitmentSopClass) return {{0x0122, "not Storage Commitment"}, {}, {}};
        if (!info) return {{0x0120, "no Event Information"}, {}, {}};
        auto r = svc::parse_event_information(*info);
        std::lock_guard lock(m);
        if (r.transaction_uid != transaction)
            return {{0x0110, "unknown Transaction UID " + r.transaction_uid}, {}, {}};
        event_type = rq.event_type_id;
        report = std::move(r);
        cv.notify_all();
        return {};
    }
};

class ReportHandler final : public nd::NHandler {
public:
    explicit ReportHandler(ReportBox& box) : box_(box) {}
    nd::NReply event_report(const nd::RequestContext&, const nd::NEventReportRq& rq, const DataSet* info) override {
        return box_.take(rq, info);
    }

private:
    ReportBox& box_;
};

int run_commit(const CommitArgs& a) {
    DataSet info;
    const std::string transaction = svc::random_uid();
    info.set_string(tags::TransactionUID, VR::UI, transaction);
    Sequence refs;
    io::ReadOptions ro;
    ro.stop_before = tags::PixelData;
    for (const std::string& f : a.files) {
        auto file = io::read_file(f, ro);
        if (!file) {
            log::error("{}: {}", f.c_str(), file.error().to_string().c_str());
            return 2;
        }
        DataSet ref;
        ref.set_string(tags::ReferencedSOPClassUID, VR::UI, file->dataset.string_or(tags::SOPClassUID));
        ref.set_string(tags::ReferencedSOPInstanceUID, VR::UI, file->dataset.string_or(tags::SOPInstanceUID));
        refs.items.push_back(std::move(ref));
    }
    info.set(Element(tags::ReferencedSOPSequence, VR::SQ, std::move(refs)));

    ReportBox box;
    box.transaction = transaction;
    // --listen: an SCP for the report on a new association, started before the request.
    nd::Dispatcher dispatcher;
    std::unique_ptr<net::ul::Server> listener;
    if (a.listen) {
        dispatcher.on_echo(std::make_shared<nd::SuccessEchoHandler>());
        dispatcher.on_n(nd::CommandField::N_EVENT_REPORT_RQ, std::make_shared<ReportHandler>(box),
                        {std::string(svc::kCommitmentSopClass)});
        net::ul::ServerOptions so;
        so.port = *a.listen;
        so.policy.ae_title = a.net.aet;
        so.policy.accept_any_called_ae = true;
        // The peer, SCP of Storage Commitment, proposes the SCP role on this association.
        so.policy.syntaxes.push_back({std::string(svc::kCommitmentSopClass), kSyntaxes, true, {}});
        so.policy.syntaxes.push_back({std::string(nd::kVerificationSopClass), kSyntaxes, false, {}});
        so.association = association_options(a.net);
        auto s = net::ul::Server::start(so, [&dispatcher](net::ul::Association& as) { (void)nd::serve(as, dispatcher); });
        if (!s) {
            log::error("--listen {}: {}", *a.listen, s.error().to_string().c_str());
            return 1;
        }
        listener = std::move(*s);
    }
    auto assoc = open_association(a.host, a.port, a.net, svc::kCommitmentSopClass);
    if (!assoc) {
        log::error("{}", assoc.error().message.c_str());
        return 1;
    }
    nd::AssociationChannel ch(*assoc);
    nd::NOptions no;
    no.on_event_report = [&box](const nd::NEventReportRq& rq, const DataSet* d) { return box.take(rq, d); };
    nd::NActionRq rq;
    rq.requested_sop_class_uid = std::string(svc::kCommitmentSopClass);
    rq.requested_sop_instance_uid = std::string(svc::kCommitmentInstance);
    rq.action_type_id = 1;
    auto r = nd::n_action(ch, rq, &info, no);
    if (!r) {
        log::error("N-ACTION: {}", r.error().to_string().c_str());
        return 1;
    }
    if (r->response.status != nd::status::Success) {
        log::error("N-ACTION: {}{}{}", nd::describe_status(r->response.status, nd::CommandField::N_ACTION_RSP).c_str(),
                   r->response.error_comment.empty() ? "" : ": ", r->response.error_comment.c_str());
        (void)assoc->release();
        return 1;
    }
    std::printf("transaction %s: %zu instance(s) asked\n", transaction.c_str(), a.files.size());
    std::fflush(stdout);
    if (!a.wait) {
        (void)assoc->release();
        return 0;
    }
    const double wait_s = a.net.timeout_s;
    const auto timeout = std::chrono::milliseconds(static_cast<std::int64_t>(wait_s * 1000));
    if (!a.listen) {
        bool have = false;
        {
            std::lock_guard lock(box.m);
            have = box.report.has_value();
        }
        if (!have) {
            auto n = nd::receive_event_reports(ch, no, timeout, 1);
            if (!n) log::error("waiting for the N-EVENT-REPORT: {}", n.error().to_string().c_str());
        }
        (void)assoc->release();
    } else {
        (void)assoc->release();
        std::unique_lock lock(box.m);
        box.cv.wait_for(lock, timeout, [&box] { return box.report.has_value(); });
    }
    if (listener) listener->stop();
    std::lock_guard lock(box.m);
    if (!box.report) {
        log::error("no N-EVENT-REPORT for transaction {} within {} s", transaction.c_str(), wait_s);
        return 3;
    }
    std::printf("committed %zu, failed %zu (event type %u)\n", box.report->committed.size(), box.report->failed.size(),
                box.event_type);
    for (const auto& f : box.report->failed)
        std::printf("failed %s %s reason 0x%04X\n", f.sop_class_uid.c_str(), f.sop_instance_uid.c_str(), f.failure_reason);
    return box.report->failed.empty() ? 0 : 1;
}

}  // namespace

void add_mpps(CLI::App& app, Action& run) {
    CLI::App* mpps = app.add_subcommand("mpps", "Modality Performed Procedure Step SCU (N-CREATE, N-SET)");
    mpps->require_subcommand(1);
    {
        auto a = std::make_shared<MppsArgs>();
        CLI::App* cmd = mpps->add_subcommand("create", "N-CREATE an MPPS (status IN PROGRESS); prints its SOP Instance UID");
        cmd->add_option("host", a->host, "Peer host name or address")->required();
        cmd->add_option("port", a->port, "Peer port")->required();
        cmd->add_option("--uid", a->uid, "SOP Instance UID to create (default: the SCP gives one)");
        cmd->add_option("--json", a->json_file, "The attributes as DICOM JSON (PS3.18 F)")->check(CLI::ExistingFile);
        cmd->add_option("-k,--attribute", a->keys, "Attribute Key=Value (Seq[0].Key=Value into a sequence's item)");
        add_net_options(cmd, a->net, true);
        cmd->callback([a, &run] { run = [a] { return run_mpps_create(*a); }; });
    }
    {
        auto a = std::make_shared<MppsArgs>();
        CLI::App* cmd = mpps->add_subcommand("set", "N-SET an MPPS (e.g. to COMPLETED with its performed series)");
        cmd->add_option("host", a->host, "Peer host name or address")->required();
        cmd->add_option("port", a->port, "Peer port")->required();
        cmd->add_option("uid", a->uid, "SOP Instance UID of the MPPS")->required();
        cmd->add_option("--status", a->status, "New Performed Procedure Step Status")
            ->check(CLI::IsMember({"IN PROGRESS", "COMPLETED", "DISCONTINUED"}));
        cmd->add_option("--json", a->json_file, "Modifications as DICOM JSON (PS3.18 F)")->check(CLI::ExistingFile);
        cmd->add_option("-k,--attribute", a->keys, "Attribute Key=Value (Seq[0].Key=Value into a sequence's item)");
        cmd->add_option("--series-from", a->series_from, "DICOM files: the Performed Series Sequence is built from them")
            ->check(CLI::ExistingFile);
        add_net_options(cmd, a->net, true);
        cmd->callback([a, &run] { run = [a] { return run_mpps_set(*a); }; });
    }
}

void add_commit(CLI::App& app, Action& run) {
    auto a = std::make_shared<CommitArgs>();
    CLI::App* cmd = app.add_subcommand("commit", "Storage Commitment SCU: ask a peer to commit files' instances");
    cmd->add_option("host", a->host, "Peer host name or address")->required();
    cmd->add_option("port", a->port, "Peer port")->required();
    cmd->add_option("files", a->files, "DICOM files whose SOP instances are to be committed")->required()->check(CLI::ExistingFile);
    cmd->add_flag("--wait", a->wait,
                  "Wait (--timeout seconds) for the N-EVENT-REPORT (exit 1 when instances failed, 3 on timeout)");
    cmd->add_option("--listen", a->listen, "Take the report as SCP on this port (a new association from the peer)");
    add_net_options(cmd, a->net, true);
    cmd->callback([a, &run] { run = [a] { return run_commit(*a); }; });
}

}  // namespace dicomkit::cli
