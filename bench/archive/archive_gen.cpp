// bench_archive_gen: the generated archives of bench/archive/run.sh, all from one template instance
// with generated identities (see identity() for what varies and how):
//   bench_archive_gen files TEMPLATE OUT_DIR N [FIRST]  N Part 10 files (Explicit VR LE, no fsync)
//   bench_archive_gen index TEMPLATE DATA_DIR N [FIRST] N instances into DATA_DIR/index.db (the
//       index `dicomkit serve --data DATA_DIR` opens) through Index::add, as service::Ingest adds
//       a stored file: the template's attributes up to the pixel data with the generated identity,
//       and a file entry storage/<SOP Instance UID>.dcm of the template's size; no file is written.
// FIRST (default 0) is the number of the first instance, so that an archive can be grown in steps.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/server/index/sqlite/sqlite_index.hpp>

namespace {

namespace fs = std::filesystem;
using namespace dicomkit;

// The hierarchy: 5 instances per series, 2 series per study, 2 studies per patient.
constexpr std::uint64_t kPerSeries = 5, kSeriesPerStudy = 2, kStudiesPerPatient = 2;
// UIDs under 2.25 (PS3.5 B.2) with a fixed 128-bit-sized number of this generator, then the level
// and the number: distinct per instance, series, study; the same in every run.
constexpr const char* kUidRoot = "2.25.207353417366432871140982381903861254";

// 100 family names (DOE is one) and 50 given names, 5 of which start with J: "DOE^J*" matches one
// patient in 1000, a family name one in 100.
constexpr const char* kFamily[] = {
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ", "MARTINEZ",
    "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR", "MOORE", "JACKSON", "MARTIN",
    "LEE", "PEREZ", "THOMPSON", "WHITE", "HARRIS", "SANCHEZ", "CLARK", "RAMIREZ", "LEWIS", "ROBINSON",
    "WALKER", "YOUNG", "ALLEN", "KING", "WRIGHT", "SCOTT", "TORRES", "NGUYEN", "HILL", "FLORES",
    "GREEN", "ADAMS", "NELSON", "BAKER", "HALL", "RIVERA", "CAMPBELL", "MITCHELL", "CARTER", "ROBERTS",
    "MULLER", "SCHMIDT", "SCHNEIDER", "FISCHER", "WEBER", "MEYER", "WAGNER", "BECKER", "SCHULZ", "HOFFMANN",
    "LAMBERT", "BERNARD", "DUBOIS", "GIRARD", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEROY", "MOREAU",
    "ROSSI", "RUSSO", "FERRARI", "ESPOSITO", "BIANCHI", "ROMANO", "COLOMBO", "RICCI", "MARINO", "GRECO",
    "JANSEN", "DEVRIES", "VANDIJK", "BAKKER", "VISSER", "SMIT", "MEIJER", "DEBOER", "MULDER", "DEGROOT",
    "NOWAK", "KOWALSKI", "WISNIEWSKI", "WOJCIK", "KOWALCZYK", "KAMINSKI", "LEWANDOWSKI", "ZIELINSKI", "DOE", "ROE"};
constexpr const char* kGiven[] = {
    "JOHN", "JANE", "JAMES", "JULIA", "JOSE", "MARY", "ROBERT", "PATRICIA", "MICHAEL", "LINDA",
    "WILLIAM", "ELIZABETH", "DAVID", "BARBARA", "RICHARD", "SUSAN", "THOMAS", "SARAH", "CHARLES", "KAREN",
    "CHRISTOPHER", "NANCY", "DANIEL", "LISA", "MATTHEW", "BETTY", "ANTHONY", "MARGARET", "MARK", "SANDRA",
    "DONALD", "ASHLEY", "STEVEN", "KIMBERLY", "PAUL", "EMILY", "ANDREW", "DONNA", "KEVIN", "MICHELLE",
    "BRIAN", "CAROL", "GEORGE", "AMANDA", "EDWARD", "MELISSA", "RONALD", "DEBORAH", "TIMOTHY", "STEPHANIE"};
constexpr const char* kDescriptions[] = {"CT HEAD", "MR BRAIN", "CT CHEST", "MR KNEE", "CT ABDOMEN", "MR SPINE"};

std::string pad(std::uint64_t v, int width) {
    std::string s = std::to_string(v);
    return std::string(width > static_cast<int>(s.size()) ? width - s.size() : 0, '0') + s;
}

/// YYYYMMDD of day `d` after 2015-01-01 (proleptic Gregorian).
std::string date_after_2015(std::uint64_t d) {
    int y = 2015, m = 1;
    auto leap = [](int yr) { return (yr % 4 == 0 && yr % 100 != 0) || yr % 400 == 0; };
    const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (;;) {
        const int in_year = leap(y) ? 366 : 365;
        if (d < static_cast<std::uint64_t>(in_year)) break;
        d -= in_year;
        ++y;
    }
    for (;;) {
        const int in_month = mdays[m - 1] + (m == 2 && leap(y) ? 1 : 0);
        if (d < static_cast<std::uint64_t>(in_month)) break;
        d -= in_month;
        ++m;
    }
    return pad(y, 4) + pad(m, 2) + pad(d + 1, 2);
}

/// Sets the attributes that make instance `i` distinct: UIDs, patient (ID PATnnnnnnn, name from
/// the lists, birth date, sex), study (date spread over the 10 years from 2015 in a scattered
/// order, time, accession number, ID, description), series (number, description) and instance
/// number. The rest (SOP class, modality, pixel data) is the template's.
void identity(DataSet& ds, std::uint64_t i) {
    const std::uint64_t series = i / kPerSeries, study = series / kSeriesPerStudy, patient = study / kStudiesPerPatient;
    const std::string root = kUidRoot;
    ds.remove(tags::SpecificCharacterSet);  // the generated values are ASCII
    ds.set_string(tags::SOPInstanceUID, VR::UI, root + ".3." + std::to_string(i));
    ds.set_string(tags::SeriesInstanceUID, VR::UI, root + ".2." + std::to_string(series));
    ds.set_string(tags::StudyInstanceUID, VR::UI, root + ".1." + std::to_string(study));
    ds.set_string(tags::PatientID, VR::LO, "PAT" + pad(patient, 7));
    const std::size_t nf = std::size(kFamily), ng = std::size(kGiven);
    ds.set_string(tags::PatientName, VR::PN,
                  std::string(kFamily[patient % nf]) + "^" + kGiven[(patient / nf) % ng]);
    ds.set_string(tags::PatientBirthDate, VR::DA, date_after_2015(patient % 3650).replace(0, 2, "19"));
    ds.set_string(tags::PatientSex, VR::CS, patient % 2 ? "F" : "M");
    ds.set_string(tags::StudyDate, VR::DA, date_after_2015((study * 7919) % 3652));
    ds.set_string(tags::StudyTime, VR::TM, pad((study % 24) * 10000 + (study * 7 % 60) * 100 + study % 60, 6));
    ds.set_string(tags::AccessionNumber, VR::SH, "ACC" + pad(study, 9));
    ds.set_string(tags::StudyID, VR::SH, std::to_string(study % 100000));
    ds.set_string(tags::StudyDescription, VR::LO, kDescriptions[study % std::size(kDescriptions)]);
    ds.set_string(tags::ReferringPhysicianName, VR::PN, std::string(kFamily[(study * 31) % nf]) + "^REF");
    ds.set_string(tags::SeriesNumber, VR::IS, std::to_string(series % kSeriesPerStudy + 1));
    ds.set_string(tags::SeriesDescription, VR::LO, "SERIES " + std::to_string(series % kSeriesPerStudy + 1));
    ds.set_string(tags::InstanceNumber, VR::IS, std::to_string(i % kPerSeries + 1));
}

int fail(const std::string& what) {
    std::fprintf(stderr, "bench_archive_gen: %s\n", what.c_str());
    return 1;
}

int make_files(const std::string& tmpl, const std::string& out, std::uint64_t n, std::uint64_t first) {
    auto file = io::read_file(tmpl);
    if (!file) return fail(tmpl + ": " + file.error().to_string());
    std::error_code ec;
    fs::create_directories(out, ec);
    io::FileWriteOptions wo;
    wo.transfer_syntax = &io::ts::ExplicitVRLittleEndian;
    for (std::uint64_t i = first; i < first + n; ++i) {
        io::DicomFile f = *file;
        f.meta = {};  // rebuilt with this instance's SOP Instance UID
        identity(f.dataset, i);
        auto bytes = io::encode_file(f, wo);
        if (!bytes) return fail(bytes.error().to_string());
        const std::string path = out + "/i" + pad(i, 8) + ".dcm";
        std::ofstream o(path, std::ios::binary);
        o.write(reinterpret_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
        if (!o) return fail(path + ": cannot write");
    }
    return 0;
}

int make_index(const std::string& tmpl, const std::string& data, std::uint64_t n, std::uint64_t first) {
    io::ReadOptions ro;  // what service::Ingest reads of a stored file
    ro.stop_before = tags::PixelData;
    ro.defer_larger_than = 64 * 1024;
    auto file = io::read_file(tmpl, ro);
    if (!file) return fail(tmpl + ": " + file.error().to_string());
    std::error_code ec;
    const auto size = fs::file_size(tmpl, ec);
    fs::create_directories(fs::path(data) / "storage", ec);
    auto ix = server::index::sqlite::SqliteIndex::open((fs::path(data) / "index.db").string());
    if (!ix) return fail(ix.error().to_string());
    const std::string ts = file->transfer_syntax_uid.empty() ? std::string(file->transfer_syntax.uid)
                                                            : file->transfer_syntax_uid;
    const auto t0 = std::chrono::steady_clock::now();
    auto last = t0;
    for (std::uint64_t i = first; i < first + n; ++i) {
        DataSet ds = file->dataset;
        identity(ds, i);
        server::index::InstanceFile entry{"storage/" + ds.string_or(tags::SOPInstanceUID) + ".dcm",
                                          ec ? 0 : static_cast<std::uint64_t>(size), ts};
        auto r = (*ix)->add(ds, entry, server::index::DuplicatePolicy::Replace);
        if (!r) return fail("instance " + std::to_string(i) + ": " + r.error().to_string());
        const auto now = std::chrono::steady_clock::now();
        if (now - last > std::chrono::seconds(30)) {
            std::fprintf(stderr, "  %llu of %llu indexed\n", static_cast<unsigned long long>(i - first + 1),
                         static_cast<unsigned long long>(n));
            last = now;
        }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("indexed %llu instances in %.1f s (%.0f instances/s)\n", static_cast<unsigned long long>(n), s,
                static_cast<double>(n) / s);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::fprintf(stderr, "usage: bench_archive_gen files|index TEMPLATE DIR N [FIRST]\n");
        return 2;
    }
    const std::string mode = argv[1];
    const std::uint64_t n = std::strtoull(argv[4], nullptr, 10);
    const std::uint64_t first = argc > 5 ? std::strtoull(argv[5], nullptr, 10) : 0;
    if (mode == "files") return make_files(argv[2], argv[3], n, first);
    if (mode == "index") return make_index(argv[2], argv[3], n, first);
    return fail("unknown mode " + mode);
}
