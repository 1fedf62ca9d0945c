// reconcile(): each state a crash can leave storage and index in (see Ingest::store's order),
// built by hand, comes back consistent.
#include <chrono>
#include <fstream>
#include <sstream>

#include <dicomkit/server/service/reconcile.hpp>

#include "archive_fixture.hpp"

namespace dicomkit::server::service::test {
namespace {

using Names = std::set<std::string>;

void age(const std::string& path, int seconds) {
    fs::last_write_time(path, fs::last_write_time(path) - std::chrono::seconds(seconds));
}

TEST_F(Archive, ReconcileOfAConsistentArchiveChangesNothing) {
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    ASSERT_TRUE(ingest_->store(temp("1.2", 1)));
    auto r = reconcile(*index_, *ingest_, *files_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->files, 2u);
    EXPECT_EQ(r->entries, 2u);
    EXPECT_EQ(r->temp_removed + r->indexed + r->dropped + r->copies_removed + r->unreadable, 0u);
    EXPECT_EQ(names(), (Names{"1.1.dcm", "1.2.dcm"}));
}

TEST_F(Archive, ReconcileRepairsEveryCrashState) {
    // Consistent: 1.1.
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    // A store interrupted while its data set arrived or before the rename: a temporary file,
    // in storage/.incoming, or in storage itself where earlier versions made them.
    temp("1.9", 1);
    put("storage/.dk-oldxxx.part", part10("1.10", 1));
    // A store interrupted after the rename, before the index commit: a file the index lacks.
    put("storage/1.3.dcm", part10("1.3", 1));
    // An entry whose file is gone (e.g. removed by hand).
    ASSERT_TRUE(ingest_->store(temp("1.4", 1)));
    fs::remove(root_ + "/storage/1.4.dcm");
    // A replacement interrupted after its commit, before the old file's removal: the index
    // names the new copy, the old one lingers.
    ASSERT_TRUE(ingest_->store(temp("1.5", 1)));
    age(root_ + "/storage/1.5.dcm", 60);
    ASSERT_TRUE(ingest_->store(temp("1.5", 2)));  // -> 1.5_2.dcm, 1.5.dcm removed
    put("storage/1.5.dcm", part10("1.5", 1));
    age(root_ + "/storage/1.5.dcm", 60);
    // A replacement interrupted before its commit (or whose commit a power loss took back):
    // the index names the old copy, the newer one is there unindexed.
    ASSERT_TRUE(ingest_->store(temp("1.6", 1)));
    age(root_ + "/storage/1.6.dcm", 60);
    put("storage/1.6_2.dcm", part10("1.6", 2));
    // Something that is not DICOM: moved to quarantine, reported.
    put("storage/notes.txt", Bytes(10, 'x'));

    auto r = reconcile(*index_, *ingest_, *files_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->temp_removed, 2u);
    EXPECT_EQ(r->indexed, 2u) << "1.3 and the newer 1.6";
    EXPECT_EQ(r->dropped, 1u) << "1.4";
    EXPECT_EQ(r->copies_removed, 2u) << "the older 1.5 and 1.6";
    EXPECT_EQ(r->quarantined, 1u);
    EXPECT_EQ(r->unreadable, 0u);
    EXPECT_NE(r->warnings.find("notes.txt"), std::string::npos) << r->warnings;
    EXPECT_FALSE(r->kept_missing);

    EXPECT_EQ(names(), (Names{"1.1.dcm", "1.3.dcm", "1.5_2.dcm", "1.6_2.dcm"}));
    EXPECT_TRUE(fs::exists(root_ + "/quarantine/notes.txt"));
    EXPECT_EQ(path_of("1.3"), "1.3.dcm");
    EXPECT_EQ(path_of("1.4"), "");
    EXPECT_EQ(path_of("1.5"), "1.5_2.dcm");
    EXPECT_EQ(indexed_version("1.5"), "2");
    EXPECT_EQ(path_of("1.6"), "1.6_2.dcm");
    EXPECT_EQ(indexed_version("1.6"), "2");

    // Every entry has its file, every DICOM file its entry: a second pass finds nothing.
    r = reconcile(*index_, *ingest_, *files_);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->temp_removed + r->indexed + r->dropped + r->copies_removed, 0u);
    EXPECT_EQ(r->entries, 4u);
}

// A folder shared by the nodes of one PostgreSQL index: what another node may be writing now
// (a recent temporary file) or has placed but not yet indexed (a recent file) is left to it;
// old leftovers are repaired as always.
TEST_F(Archive, SharedReconcileLeavesOtherNodesRecentFilesAlone) {
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    const std::string fresh_temp = temp("1.7", 1);
    const std::string old_temp = temp("1.8", 1);
    age(old_temp, 7200);
    put("storage/1.3.dcm", part10("1.3", 1));  // placed a moment ago by another node
    put("storage/1.4.dcm", part10("1.4", 1));  // placed long ago, its commit lost
    age(root_ + "/storage/1.4.dcm", 600);
    ReconcileOptions o;
    o.shared = true;
    auto r = reconcile(*index_, *ingest_, *files_, o);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->temp_removed, 1u);
    EXPECT_EQ(r->indexed, 1u) << "1.4";
    EXPECT_EQ(r->recent, 2u) << "the fresh temporary file and 1.3";
    EXPECT_TRUE(fs::exists(fresh_temp));
    EXPECT_FALSE(fs::exists(old_temp));
    auto indexed = index_->instance("1.3");
    ASSERT_TRUE(indexed);
    EXPECT_FALSE(indexed->has_value());
    // Not shared: everything not indexed is adopted, every temporary file goes.
    r = reconcile(*index_, *ingest_, *files_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->indexed, 1u) << "1.3";
    EXPECT_EQ(r->temp_removed, 1u);
}

TEST_F(Archive, ReconcileDropsNothingWhenStorageIsEmpty) {
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    ASSERT_TRUE(ingest_->store(temp("1.2", 1)));
    fs::remove(root_ + "/storage/1.1.dcm");
    fs::remove(root_ + "/storage/1.2.dcm");
    auto r = reconcile(*index_, *ingest_, *files_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->kept_missing);
    EXPECT_EQ(r->dropped, 0u);
    EXPECT_NE(r->warnings.find("mounted"), std::string::npos);
    EXPECT_EQ(path_of("1.1"), "1.1.dcm");
}


/// The text of DATA/quarantine/NAME.reason, "" when there is none.
std::string reason_for(const std::string& root, const std::string& name) {
    std::ifstream in(root + "/quarantine/" + name + ".reason");
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Whatever is in storage that serve cannot have placed goes to DATA/quarantine with its reason,
// named in the report; nothing stops reconciliation, nothing is deleted, and what belongs stays
// indexed.
TEST_F(Archive, ReconcileQuarantinesWhatDoesNotBelong) {
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    ASSERT_TRUE(ingest_->store(temp("1.2", 1)));
    Bytes noise(3000);
    for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<std::uint8_t>(i * 7919 + 13);
    put("storage/1.7.dcm", noise);                                // random bytes under an instance's name
    put("storage/readme.txt", Bytes{'h', 'e', 'l', 'l', 'o', '\n'});  // a text file
    Bytes cut = part10("1.8", 1);
    cut.resize(cut.size() - 1);                                   // the last value cut short
    put("storage/1.8.dcm", cut);
    io::DicomFile f;                                              // no Study Instance UID: the index refuses it
    f.dataset.set_string(tags::SOPClassUID, VR::UI, "1.2.840.10008.5.1.4.1.1.7");
    f.dataset.set_string(tags::SOPInstanceUID, VR::UI, "1.9");
    f.dataset.set_string(tags::SeriesInstanceUID, VR::UI, "1.2.3");
    f.meta = io::make_meta(f.dataset, io::ts::ExplicitVRLittleEndian);
    put("storage/1.9.dcm", *io::encode_file(f));
    put("storage/copy of 1.1.dcm", part10("1.1", 5));              // a name serve does not give
    fs::create_directories(root_ + "/storage/sub");               // a folder
    put("storage/sub/1.10.dcm", part10("1.10", 1));
    fs::create_symlink("/etc/hostname", root_ + "/storage/link.dcm");  // a link
    put("storage/.incoming/dropped.dcm", part10("1.11", 1));      // not a temporary file of a store
    put("storage/.incoming/.dk-tzzzzzz.part", part10("1.12", 1));  // one: removed as always

    auto r = reconcile(*index_, *ingest_, *files_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->quarantined, 8u) << r->warnings;
    EXPECT_EQ(r->unreadable, 0u);
    EXPECT_EQ(r->temp_removed, 1u);
    EXPECT_EQ(r->indexed, 0u);
    EXPECT_TRUE(r->index_error.empty()) << r->index_error;
    EXPECT_EQ(names(), (Names{"1.1.dcm", "1.2.dcm"}));
    EXPECT_EQ(path_of("1.1"), "1.1.dcm");
    EXPECT_EQ(indexed_version("1.1"), "1");
    EXPECT_EQ(path_of("1.2"), "1.2.dcm");
    for (const char* uid : {"1.7", "1.8", "1.9", "1.10", "1.11"}) EXPECT_EQ(path_of(uid), "") << uid;
    // Each under its own name with its reason beside it, and a line in the report.
    const std::pair<const char*, const char*> expected[] = {
        {"1.7.dcm", "not a complete DICOM file"},   {"readme.txt", "not a complete DICOM file"},
        {"1.8.dcm", "cut short"},                   {"1.9.dcm", "the index refuses instance 1.9"},
        {"copy of 1.1.dcm", "not a file serve placed"}, {"sub", "a folder in storage"},
        {"link.dcm", "a link or special file"},     {"dropped.dcm", "temporary files of stores"},
    };
    for (const auto& [name, why] : expected) {
        EXPECT_TRUE(fs::exists(root_ + "/quarantine/" + name) || fs::is_symlink(root_ + "/quarantine/" + name))
            << name;
        const std::string reason = reason_for(root_, name);
        EXPECT_NE(reason.find(why), std::string::npos) << name << ": " << reason;
        EXPECT_NE(reason.find("path: " + root_ + "/storage/"), std::string::npos) << reason;
        EXPECT_NE(reason.find("moved: 20"), std::string::npos) << reason;
        EXPECT_NE(r->warnings.find(std::string(name) + ": moved to quarantine/" + name), std::string::npos)
            << name << "\n" << r->warnings;
    }
    EXPECT_TRUE(fs::exists(root_ + "/quarantine/sub/1.10.dcm"));
    // Again: nothing more to do; a second file of the same name goes beside the first.
    put("storage/readme.txt", Bytes{'x'});
    r = reconcile(*index_, *ingest_, *files_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->quarantined, 1u) << r->warnings;
    EXPECT_TRUE(fs::exists(root_ + "/quarantine/readme.txt.1"));
    EXPECT_NE(reason_for(root_, "readme.txt.1").find("not a complete DICOM file"), std::string::npos);
    EXPECT_EQ(r->entries, 2u);
}

// An indexed file that is no longer what was indexed (another size): when it is still the
// instance, indexed again as it is; when not (garbage, another instance), quarantined and its
// entry dropped.
TEST_F(Archive, ReconcileChecksIndexedFilesWhoseSizeChanged) {
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    ASSERT_TRUE(ingest_->store(temp("1.2", 1)));
    ASSERT_TRUE(ingest_->store(temp("1.3", 1)));
    put("storage/1.1.dcm", part10("1.1", 333));  // the same instance, another Instance Number
    put("storage/1.2.dcm", Bytes(100, 0));       // zeros, as a crash of the file system may leave
    put("storage/1.3.dcm", part10("1.3", 7));    // the same size: not opened (the cost stays one listing)
    auto r = reconcile(*index_, *ingest_, *files_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->quarantined, 1u) << r->warnings;
    EXPECT_EQ(r->dropped, 1u);
    EXPECT_EQ(indexed_version("1.1"), "333");
    EXPECT_EQ(path_of("1.2"), "");
    EXPECT_TRUE(fs::exists(root_ + "/quarantine/1.2.dcm"));
    EXPECT_NE(reason_for(root_, "1.2.dcm").find("indexed as 1.2 but no longer that file"), std::string::npos)
        << reason_for(root_, "1.2.dcm");
    EXPECT_EQ(names(), (Names{"1.1.dcm", "1.3.dcm"}));
}

// The index cannot be written (a full disk): reconciliation does not fail the start, says why,
// and leaves the files it could not index where they are, for the next one; nothing is
// quarantined for the index's fault.
TEST_F(Archive, ReconcileStopsAtAnIndexThatCannotBeWritten) {
    ASSERT_TRUE(ingest_->store(temp("1.1", 1)));
    put("storage/1.3.dcm", part10("1.3", 1));
    put("storage/1.4.dcm", part10("1.4", 1));
    auto ro = index::sqlite::SqliteIndex::open_read_only(root_ + "/index.db");
    ASSERT_TRUE(ro) << ro.error().to_string();
    auto r = reconcile(**ro, *ingest_, *files_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_NE(r->index_error.find("read-only"), std::string::npos) << r->index_error;
    EXPECT_EQ(r->indexed, 0u);
    EXPECT_EQ(r->quarantined, 0u) << r->warnings;
    EXPECT_EQ(names(), (Names{"1.1.dcm", "1.3.dcm", "1.4.dcm"}));
    // The read-only index still answers.
    auto f = (*ro)->instance("1.1");
    ASSERT_TRUE(f && *f);
    // Made writable (the disk has room again), the next reconciliation indexes them, and the
    // index's own lookups see it.
    ASSERT_TRUE((*ro)->make_writable());
    r = reconcile(**ro, *ingest_, *files_);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->index_error.empty()) << r->index_error;
    EXPECT_EQ(r->indexed, 2u);
    auto g = (*ro)->instance("1.4");
    ASSERT_TRUE(g && *g);
    EXPECT_EQ((*g)->path, "1.4.dcm");
    EXPECT_EQ(path_of("1.4"), "1.4.dcm");
}

}  // namespace
}  // namespace dicomkit::server::service::test
