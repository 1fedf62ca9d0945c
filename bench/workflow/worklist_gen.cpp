// bench_worklist_gen DATA_DIR N [DAYS]: N scheduled Modality Worklist items into DATA_DIR/index.db
// through the index's WorklistStore (put_many, 1000 a transaction), no network: patients
// P000000.., names from a list, modalities CT MR US CR DX in turn, start dates over DAYS days
// from 20270101 (default 30), times every 10 minutes from 0700, station AE titles by modality.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>

using namespace dicomkit;

namespace {

std::string date_of(int day) {
    // 2027: 31 days in January, 28 in February, 31 in March...
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int month = 0;
    while (day >= kDays[month % 12]) day -= kDays[month++ % 12];
    char out[48];
    std::snprintf(out, sizeof out, "%04d%02d%02d", 2027 + month / 12, month % 12 + 1, day + 1);
    return out;
}

DataSet item(std::uint64_t i, int days) {
    static const char* const kFamily[] = {"Doe", "Roe", "Smith", "Jones", "Brown", "Miller", "Garcia", "Martin",
                                          "Lee", "Walker", "Young", "King", "Wright", "Lopez", "Hill", "Green"};
    static const char* const kGiven[] = {"John", "Jane", "Ann", "Bob", "Eve", "Max", "Ida", "Tom", "Zoe", "Sam"};
    static const char* const kModality[] = {"CT", "MR", "US", "CR", "DX"};
    char pid[32], name[96], time[32], ae[32], acc[32];
    std::snprintf(pid, sizeof pid, "P%06llu", static_cast<unsigned long long>(i));
    std::snprintf(name, sizeof name, "%s%llu^%s", kFamily[i % 16], static_cast<unsigned long long>(i / 16 % 997),
                  kGiven[i / 7 % 10]);
    const unsigned slot = static_cast<unsigned>(i / 5 % 72);  // 72 slots of 10 minutes a day
    std::snprintf(time, sizeof time, "%02u%02u00", 7 + slot / 6, slot % 6 * 10);
    const char* modality = kModality[i % 5];
    std::snprintf(ae, sizeof ae, "%s%llu", modality, static_cast<unsigned long long>(i / 5 % 4 + 1));
    std::snprintf(acc, sizeof acc, "A%07llu", static_cast<unsigned long long>(i));
    DataSet step;
    step.set_string(tags::Modality, VR::CS, modality);
    step.set_string(tags::ScheduledStationAETitle, VR::AE, ae);
    step.set_string(tags::ScheduledProcedureStepStartDate, VR::DA, date_of(static_cast<int>(i / 5 / 72 % days)));
    step.set_string(tags::ScheduledProcedureStepStartTime, VR::TM, time);
    step.set_string(tags::ScheduledPerformingPhysicianName, VR::PN, "Tech^A");
    step.set_string(tags::ScheduledProcedureStepDescription, VR::LO, std::string(modality) + " exam");
    step.set_string(tags::ScheduledProcedureStepID, VR::SH, std::string("S") + acc);
    step.set_string(tags::ScheduledProcedureStepStatus, VR::CS, "SCHEDULED");
    DataSet ds;
    ds.set_string(tags::PatientID, VR::LO, pid);
    ds.set_string(tags::IssuerOfPatientID, VR::LO, "BENCH");
    ds.set_string(tags::PatientName, VR::PN, name);
    ds.set_string(tags::PatientBirthDate, VR::DA, "19700101");
    ds.set_string(tags::PatientSex, VR::CS, i % 2 ? "F" : "M");
    ds.set_string(tags::AccessionNumber, VR::SH, acc);
    ds.set_string(tags::RequestedProcedureID, VR::SH, std::string("R") + acc);
    ds.set_string(tags::RequestedProcedureDescription, VR::LO, std::string(modality) + " procedure");
    ds.set_string(tags::StudyInstanceUID, VR::UI, "2.25.4242" + std::to_string(i));
    ds.set(Element(tags::ScheduledProcedureStepSequence, VR::SQ, Sequence{{std::move(step)}}));
    return ds;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_worklist_gen DATA_DIR N [DAYS]\n");
        return 2;
    }
    const std::filesystem::path data = argv[1];
    const std::uint64_t n = std::strtoull(argv[2], nullptr, 10);
    const int days = argc > 3 ? std::atoi(argv[3]) : 30;
    std::error_code ec;
    std::filesystem::create_directories(data / "storage", ec);
    auto ix = server::index::sqlite::SqliteIndex::open((data / "index.db").string());
    if (!ix) {
        std::fprintf(stderr, "%s\n", ix.error().to_string().c_str());
        return 1;
    }
    auto* store = (*ix)->worklist();
    const auto cs = SpecificCharacterSet::lenient_parse("");
    std::vector<std::pair<std::string, DataSet>> batch;
    for (std::uint64_t i = 0; i < n; ++i) {
        batch.emplace_back("bench:" + std::to_string(i), item(i, days > 0 ? days : 30));
        if (batch.size() == 1000 || i + 1 == n) {
            if (auto r = store->put_many(batch, cs); !r) {
                std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
                return 1;
            }
            batch.clear();
        }
    }
    return 0;
}
