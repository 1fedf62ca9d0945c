// FileStore as a BlobStore: blobs written through begin_incoming, placed in a group, read back
// whole and in ranges, discarded and removed without leftovers; ids made from UIDs (bad UIDs
// hashed) and relative to the store.
#include <dicomkit/server/storage/file_store.hpp>
#include <dicomkit/server/storage/naming.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

using namespace dicomkit;
using namespace dicomkit::server::storage;
namespace fs = std::filesystem;

namespace {

class BlobStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("dk_blobs_" + std::to_string(::getpid()) + "_" +
                                             ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        store_ = std::make_unique<FileStore>(root_.string(), true);
        ASSERT_TRUE(store_->make_folders());
    }
    void TearDown() override {
        store_.reset();
        fs::remove_all(root_);
    }
    static Bytes pattern(std::size_t n, std::uint8_t seed) {
        Bytes b(n);
        for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
        return b;
    }
    /// A staged blob of `prefix` + `data`.
    Staged stage(const Bytes& prefix, const Bytes& data) {
        auto blob = store_->begin_incoming();
        EXPECT_TRUE(blob) << blob.error().to_string();
        if (!blob) return {};
        EXPECT_TRUE((*blob)->write_prefix(prefix));
        EXPECT_TRUE((*blob)->write(data));
        EXPECT_EQ((*blob)->size(), data.size());
        EXPECT_TRUE((*blob)->finish());
        auto s = (*blob)->stage();
        EXPECT_TRUE(s) << s.error().to_string();
        return s ? std::move(*s) : Staged{};
    }
    /// Regular files in storage/.incoming that are not empty (the pool's fresh files are).
    std::size_t incoming_written() const {
        std::size_t n = 0;
        for (const auto& e : fs::directory_iterator(root_ / "storage" / ".incoming"))
            if (e.is_regular_file() && e.file_size() > 0) ++n;
        return n;
    }
    std::size_t stored() const {
        std::size_t n = 0;
        for (const auto& e : fs::directory_iterator(root_ / "storage"))
            if (e.is_regular_file()) ++n;
        return n;
    }

    fs::path root_;
    std::unique_ptr<FileStore> store_;
};

}  // namespace

TEST_F(BlobStoreTest, RoundTrip) {
    const Bytes prefix{'D', 'I', 'C', 'M'}, data = pattern(700'000, 3);  // more than the write buffer
    Staged s = stage(prefix, data);
    const BlobId id = store_->id_for("1.2.3.4");
    EXPECT_EQ(id, "1.2.3.4.dcm");
    ASSERT_TRUE(store_->seal({&s}));
    ASSERT_TRUE(store_->place(s, id));
    ASSERT_TRUE(store_->sync_names());
    auto r = store_->open(id);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ((*r)->size(), prefix.size() + data.size());
    auto all = (*r)->read_all();
    ASSERT_TRUE(all);
    Bytes want = prefix;
    want.insert(want.end(), data.begin(), data.end());
    EXPECT_EQ(*all, want);
    ASSERT_TRUE((*r)->local_path());
    EXPECT_EQ(fs::path(*(*r)->local_path()), root_ / "storage" / "1.2.3.4.dcm");
    EXPECT_EQ(store_->blob_size(id), want.size());
    EXPECT_EQ(incoming_written(), 0u);
}

TEST_F(BlobStoreTest, RangeReads) {
    const Bytes data = pattern(5000, 9);
    Staged s = stage({}, data);
    ASSERT_TRUE(store_->place(s, "r.dcm"));
    auto r = store_->open("r.dcm");
    ASSERT_TRUE(r);
    auto mid = (*r)->read_range(1000, 17);
    ASSERT_TRUE(mid);
    EXPECT_EQ(*mid, Bytes(data.begin() + 1000, data.begin() + 1017));
    auto tail = (*r)->read_range(4990, 100);  // cut at the end
    ASSERT_TRUE(tail);
    EXPECT_EQ(*tail, Bytes(data.end() - 10, data.end()));
    auto past = (*r)->read_range(6000, 10);
    ASSERT_TRUE(past);
    EXPECT_TRUE(past->empty());
    auto missing = store_->open("nothing.dcm");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST_F(BlobStoreTest, AGroupIsSealedAndPlacedTogether) {
    const std::size_t n = store_->group_size() + 2;  // a group flushed with one flush of everything
    std::vector<Staged> group;
    for (std::size_t i = 0; i < n; ++i) group.push_back(stage({}, pattern(100 + i, static_cast<std::uint8_t>(i))));
    std::vector<const Staged*> ptrs;
    for (const Staged& s : group) ptrs.push_back(&s);
    bool everything = false;
    ASSERT_TRUE(store_->seal(ptrs, &everything));
    EXPECT_TRUE(everything);
    for (std::size_t i = 0; i < n; ++i) ASSERT_TRUE(store_->place(group[i], store_->id_for("1.9." + std::to_string(i))));
    ASSERT_TRUE(store_->sync_names());
    EXPECT_EQ(stored(), n);
    EXPECT_EQ(incoming_written(), 0u);
    for (std::size_t i = 0; i < n; ++i) {
        auto r = store_->open("1.9." + std::to_string(i) + ".dcm");
        ASSERT_TRUE(r);
        EXPECT_EQ(*(*r)->read_all(), pattern(100 + i, static_cast<std::uint8_t>(i)));
    }
    // A small group is flushed file by file, not as a whole.
    Staged one = stage({}, pattern(10, 1));
    everything = true;
    ASSERT_TRUE(store_->seal({&one}, &everything));
    EXPECT_FALSE(everything);
    store_->discard(one);
}

TEST_F(BlobStoreTest, DiscardAndAbandonLeaveNothing) {
    Staged s = stage({'P'}, pattern(2000, 5));
    EXPECT_EQ(incoming_written(), 1u);
    store_->discard(s);
    EXPECT_EQ(incoming_written(), 0u);
    {
        auto blob = store_->begin_incoming();
        ASSERT_TRUE(blob);
        ASSERT_TRUE((*blob)->write(pattern(100, 1)));
        ASSERT_TRUE((*blob)->finish());  // finished, never staged
    }
    {
        auto blob = store_->begin_incoming();
        ASSERT_TRUE(blob);
        ASSERT_TRUE((*blob)->write(pattern(100, 1)));
        (*blob)->abort();
    }
    EXPECT_EQ(incoming_written(), 0u);
    EXPECT_EQ(stored(), 0u);
}

TEST_F(BlobStoreTest, RemoveTakesTheBlobAwayAndAMissingOneIsNoError) {
    Staged s = stage({}, pattern(10, 2));
    ASSERT_TRUE(store_->place(s, "1.5.dcm"));
    EXPECT_TRUE(store_->exists("1.5.dcm"));
    ASSERT_TRUE(store_->remove("1.5.dcm"));
    EXPECT_FALSE(store_->exists("1.5.dcm"));
    EXPECT_TRUE(store_->remove("1.5.dcm"));
    EXPECT_EQ(stored(), 0u);
}

TEST_F(BlobStoreTest, KeptContentsComeWithTheStagedBlob) {
    auto blob = store_->begin_incoming();
    ASSERT_TRUE(blob);
    (*blob)->keep_contents(true);
    ASSERT_TRUE((*blob)->write_prefix(Bytes{'H'}));
    ASSERT_TRUE((*blob)->write(Bytes{1, 2, 3}));
    ASSERT_TRUE((*blob)->finish());
    auto s = (*blob)->stage();
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->contents);
    EXPECT_EQ(*s->contents, (Bytes{'H', 1, 2, 3}));
    auto r = store_->open_staged(*s);
    ASSERT_TRUE(r);
    EXPECT_EQ(*(*r)->read_all(), (Bytes{'H', 1, 2, 3}));
    store_->discard(*s);
}

TEST_F(BlobStoreTest, IdsComeFromUidsAndBadUidsAreHashed) {
    EXPECT_EQ(store_->id_for("1.2.840.1"), "1.2.840.1.dcm");
    EXPECT_EQ(store_->id_for("1.2.840.1", "1.2.840.1.dcm"), "1.2.840.1_2.dcm");  // the other slot
    EXPECT_EQ(store_->id_for("1.2.840.1", "1.2.840.1_2.dcm"), "1.2.840.1.dcm");
    for (const char* bad : {"../../etc/passwd", "1.2/3", "", "1..2", ".1.2", "1.2.", "a.b", "1.2.3 ",
                            "1234567890123456789012345678901234567890123456789012345678901234.5"}) {
        SCOPED_TRACE(bad);
        const BlobId id = store_->id_for(bad);
        EXPECT_EQ(id.size(), 1u + 16u + 4u) << id;
        EXPECT_EQ(id.front(), 'x');
        EXPECT_EQ(id.find('/'), std::string::npos);
        EXPECT_EQ(id.find(".."), std::string::npos);
    }
    EXPECT_NE(store_->id_for("1.2/3"), store_->id_for("1.2/4"));
    // Leading zeros break PS3.5 9.1 but make a safe name; they keep the name earlier versions gave.
    EXPECT_FALSE(is_valid_uid("1.02.3"));
    EXPECT_TRUE(is_nameable_uid("1.02.3"));
    EXPECT_EQ(store_->id_for("1.02.3"), "1.02.3.dcm");
    EXPECT_TRUE(is_valid_uid("1.0.3"));
    EXPECT_EQ(instance_file_name("1.2.3"), "1.2.3.dcm");
    EXPECT_EQ(instance_file_name("a/b")[0], 'x');
    EXPECT_EQ(instance_file_name("1.02.3")[0], 'x');  // folders of received files: PS3.5 9.1 names only
    EXPECT_EQ(instance_file_name("1.02.3").substr(0, 17) + ".dcm", instance_file_name("1.02.3"));
}

TEST_F(BlobStoreTest, IdsAreRelativeToTheStore) {
    const BlobId id = store_->id_for("1.2.3");
    EXPECT_FALSE(fs::path(id).is_absolute());
    EXPECT_EQ(id.find('/'), std::string::npos);
    EXPECT_EQ(store_->display(id), "storage/1.2.3.dcm");
    EXPECT_EQ(fs::path(store_->absolute(id)), root_ / "storage" / "1.2.3.dcm");
    // The same store moved elsewhere names the same blob by the same id.
    Staged s = stage({}, pattern(20, 4));
    ASSERT_TRUE(store_->place(s, id));
    store_.reset();
    const fs::path moved = root_.string() + "_moved";
    fs::remove_all(moved);
    fs::rename(root_, moved);
    FileStore again(moved.string(), false);
    auto r = again.open(id);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*(*r)->read_all(), pattern(20, 4));
    fs::remove_all(moved);
}

TEST_F(BlobStoreTest, FreeBytesAreReported) {
    auto f = store_->free_bytes();
    ASSERT_TRUE(f);
    EXPECT_GT(*f, 0u);
}
