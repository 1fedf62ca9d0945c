// WorklistFindHandler over service::Worklist with a store that preselects nothing (every item
// handed over): the service's own matching decides, pending responses per match, C-CANCEL,
// errors and refusals as status_map and the Authorizer say.
#include <gtest/gtest.h>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/dimse/worklist_handler.hpp>

#include "../server_service/fake_index.hpp"

namespace dicomkit::server::dimse {
namespace {

/// Items in memory; find hands over all of them, whatever the filter.
class AllItems final : public index::WorklistStore {
public:
    std::vector<index::WorklistEntry> items;
    bool fail = false;
    Result<std::int64_t> put(std::string_view key, const DataSet& item, const SpecificCharacterSet&) override {
        items.push_back({static_cast<std::int64_t>(items.size() + 1), std::string(key), item});
        return items.back().id;
    }
    Result<bool> replace(std::int64_t, const DataSet&, const SpecificCharacterSet&) override { return false; }
    Result<std::optional<index::WorklistEntry>> get(std::int64_t) override { return std::nullopt; }
    Result<std::uint64_t> find(const index::WorklistFilter&, const index::WorklistFn& fn) override {
        if (fail) return make_error(ErrorCode::IoError, "disk on fire");
        std::uint64_t n = 0;
        for (const auto& e : items) {
            ++n;
            if (!fn(e)) break;
        }
        return n;
    }
    Result<bool> remove(std::int64_t) override { return false; }
};

class WithWorklist final : public index::Index {
public:
    AllItems store;
    index::WorklistStore* worklist() noexcept override { return &store; }
    Result<index::AddStatus> add(const DataSet&, const index::InstanceFile&, index::DuplicatePolicy) override {
        return make_error(ErrorCode::Unsupported, "no");
    }
    Result<std::uint64_t> find(const model::Query&, const index::MatchFn&) override { return 0; }
    Result<std::optional<index::InstanceFile>> instance(const std::string&) override { return std::nullopt; }
    Result<bool> remove(const std::string&) override { return false; }
    Result<std::uint64_t> for_each_instance(const index::InstanceFn&) override { return 0; }
};

const net::dimse::RequestContext kCaller{nullptr, "MODALITY", "127.0.0.1:40000"};

net::dimse::Command request() {
    net::dimse::Command rq;
    rq.message_id = 3;
    rq.affected_sop_class_uid = std::string(service::kModalityWorklistFind);
    return rq;
}

DataSet item(const std::string& pid, const std::string& modality, const std::string& status = "SCHEDULED") {
    DataSet step;
    step.set_string(tags::Modality, VR::CS, modality);
    step.set_string(tags::ScheduledProcedureStepStartDate, VR::DA, "20261206");
    step.set_string(tags::ScheduledProcedureStepStatus, VR::CS, status);
    DataSet ds;
    ds.set_string(tags::PatientID, VR::LO, pid);
    ds.set_string(tags::StudyInstanceUID, VR::UI, "1.2." + pid.substr(1));
    ds.set(Element(tags::ScheduledProcedureStepSequence, VR::SQ, Sequence{{step}}));
    return ds;
}

DataSet by_modality(const std::string& modality) {
    DataSet step;
    step.set_string(tags::Modality, VR::CS, modality);
    DataSet q;
    q.set_string(tags::PatientID, VR::LO, "");
    q.set(Element(tags::ScheduledProcedureStepSequence, VR::SQ, Sequence{{step}}));
    return q;
}

class WorklistHandlerTest : public ::testing::Test {
protected:
    void SetUp() override {
        for (auto [pid, mod, st] : {std::tuple{"P1", "CT", "SCHEDULED"}, {"P2", "MR", "SCHEDULED"},
                                    {"P3", "CT", "STARTED"}, {"P4", "CT", "DISCONTINUED"}})
            (void)ix_.store.put(pid, item(pid, mod, st), SpecificCharacterSet::lenient_parse(""));
    }
    WithWorklist ix_;
    service::Worklist worklist_{ix_};
};

TEST_F(WorklistHandlerTest, OnePendingResponsePerMatch) {
    WorklistFindHandler h(worklist_, std::make_shared<service::AllowAll>());
    std::vector<std::string> got;
    auto o = h.find(kCaller, request(), by_modality("CT"), [&](const DataSet& m) {
        got.push_back(m.string_or(tags::PatientID));
        return true;
    });
    EXPECT_EQ(o.status, 0x0000);
    EXPECT_EQ(got, (std::vector<std::string>{"P1", "P3"}));  // P4 is DISCONTINUED
}

TEST_F(WorklistHandlerTest, CancelIsFE00) {
    WorklistFindHandler h(worklist_, std::make_shared<service::AllowAll>());
    int n = 0;
    auto o = h.find(kCaller, request(), by_modality("CT"), [&](const DataSet&) { return ++n < 1; });
    EXPECT_EQ(o.status, net::dimse::status::Cancel);
    EXPECT_EQ(n, 1);
}

TEST_F(WorklistHandlerTest, ErrorsAndRefusals) {
    WorklistFindHandler h(worklist_, std::make_shared<service::AllowAll>());
    DataSet bad = by_modality("CT");
    bad.set_string(tags::PatientBirthDate, VR::DA, "-");
    EXPECT_EQ(h.find(kCaller, request(), bad, [](const DataSet&) { return true; }).status, 0xA900);
    ix_.store.fail = true;
    EXPECT_EQ(h.find(kCaller, request(), by_modality("CT"), [](const DataSet&) { return true; }).status & 0xFF00,
              0xA700);
    ix_.store.fail = false;
    service::AccessPolicy p;
    p.peers.push_back({"OTHER", "127.0.0.1", false, false, {service::Action::Store}});
    p.peers.push_back({"MODALITY", "127.0.0.1", false, false, {service::Action::Query}});
    WorklistFindHandler strict(worklist_, std::make_shared<service::PolicyAuthorizer>(p));
    const net::dimse::RequestContext other{nullptr, "OTHER", "127.0.0.1:1"};
    EXPECT_EQ(strict.find(other, request(), by_modality("CT"), [](const DataSet&) { return true; }).status, 0x0124);
    EXPECT_EQ(strict.find(kCaller, request(), by_modality("CT"), [](const DataSet&) { return true; }).status, 0x0000);
}

}  // namespace
}  // namespace dicomkit::server::dimse
