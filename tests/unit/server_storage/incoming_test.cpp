// The incoming files of server/storage: FileSink (prefix and data, commit, abort, the contents
// kept for the header) and TempFilePool (files made ahead, handed out once, removed with it).
#include <dicomkit/server/storage/incoming.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

using namespace dicomkit;
using namespace dicomkit::server::storage;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("dk_incoming_" + std::to_string(::getpid()) + "_" +
                                            ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() { fs::remove_all(path); }
    std::size_t count() const { return static_cast<std::size_t>(std::distance(fs::directory_iterator(path), {})); }
};

}  // namespace

TEST(TempNames, OnlyTheSinksOwnNamesAreTemporaryFiles) {
    EXPECT_TRUE(is_temp_name(".dk-abc123.part"));
    EXPECT_FALSE(is_temp_name("1.2.3.dcm"));
    EXPECT_FALSE(is_temp_name(".dk-.part"));
    EXPECT_FALSE(is_temp_name("x.dk-abc123.part"));
}

TEST(FileSink, FileSinkCommitWritesPrefixAndData) {
    TempDir dir;
    auto s = FileSink::create(dir.path.string());
    ASSERT_TRUE(s) << s.error().to_string();
    Bytes prefix = {'P', 'R'};
    Bytes big(1'500'000, 7);  // larger than the write buffer
    ASSERT_TRUE((*s)->write_prefix(prefix));
    ASSERT_TRUE((*s)->write(Bytes{1, 2, 3, 4}));
    ASSERT_TRUE((*s)->write(big));
    EXPECT_EQ((*s)->size(), 4u + big.size());
    auto early = (*s)->commit((dir.path / "x.dcm").string());
    EXPECT_FALSE(early);  // not finished yet
    ASSERT_TRUE((*s)->finish());
    ASSERT_TRUE((*s)->commit((dir.path / "x.dcm").string()));
    s->reset();
    EXPECT_EQ(dir.count(), 1u);
    EXPECT_EQ(fs::file_size(dir.path / "x.dcm"), 2u + 4u + big.size());
    std::ifstream f(dir.path / "x.dcm", std::ios::binary);
    char head[6];
    f.read(head, 6);
    EXPECT_EQ(std::string(head, 2), "PR");
    EXPECT_EQ(head[2], 1);
}

TEST(FileSink, FileSinkAbortAndDestructionRemoveTheTempFile) {
    TempDir dir;
    {
        auto s = FileSink::create(dir.path.string());
        ASSERT_TRUE(s);
        ASSERT_TRUE((*s)->write(Bytes(100, 1)));
        EXPECT_TRUE(fs::exists((*s)->temp_path()));
        (*s)->abort();
        EXPECT_EQ(dir.count(), 0u);
    }
    {
        auto s = FileSink::create(dir.path.string());
        ASSERT_TRUE(s);
        ASSERT_TRUE((*s)->write(Bytes(100, 1)));
        ASSERT_TRUE((*s)->finish());  // finished but never committed
    }
    EXPECT_EQ(dir.count(), 0u);
    auto bad = FileSink::create((dir.path / "no" / "such").string());
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, ErrorCode::IoError);
}

namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(FileSinkContents, KeptWhenTheWholeFileWasBuffered) {
    TempDir dir;
    auto s = FileSink::create(dir.path.string());
    ASSERT_TRUE(s);
    (*s)->keep_contents(true);
    const Bytes prefix{'P', 'R', 'E'};
    const Bytes data(9000, 0x22);
    ASSERT_TRUE((*s)->write_prefix(prefix));
    ASSERT_TRUE((*s)->write(data));
    ASSERT_TRUE((*s)->finish());
    auto contents = (*s)->take_contents();
    ASSERT_TRUE(contents.has_value());
    const std::string on_disk = read_all((*s)->temp_path());
    EXPECT_EQ(on_disk.size(), prefix.size() + data.size());
    EXPECT_EQ(std::string(contents->begin(), contents->end()), on_disk);
    EXPECT_FALSE((*s)->take_contents().has_value()) << "taken once";
}

TEST(FileSinkContents, NotKeptWhenPartWentStraightToTheFile) {
    TempDir dir;
    auto s = FileSink::create(dir.path.string());
    ASSERT_TRUE(s);
    (*s)->keep_contents(true);
    ASSERT_TRUE((*s)->write(Bytes(100, 1)));
    ASSERT_TRUE((*s)->write(Bytes(128 * 1024, 2)));  // a large fragment is written directly
    ASSERT_TRUE((*s)->finish());
    EXPECT_FALSE((*s)->take_contents().has_value());
    EXPECT_EQ(read_all((*s)->temp_path()).size(), 100u + 128 * 1024);
}

TEST(FileSinkContents, NotKeptUnlessAsked) {
    TempDir dir;
    auto s = FileSink::create(dir.path.string());
    ASSERT_TRUE(s);
    ASSERT_TRUE((*s)->write(Bytes(100, 1)));
    ASSERT_TRUE((*s)->finish());
    EXPECT_FALSE((*s)->take_contents().has_value());
}

namespace {

/// Waits (bounded: 10 s) until `dir` holds from `lo` to `hi` files.
bool holds(const TempDir& dir, std::size_t lo, std::size_t hi) {
    auto in_range = [&] {
        const std::size_t n = dir.count();
        return n >= lo && n <= hi;
    };
    for (int i = 0; i < 1000 && !in_range(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return in_range();
}
bool holds(const TempDir& dir, std::size_t n) { return holds(dir, n, n); }

}  // namespace

TEST(TempFilePool, MakesFilesAheadHandsThemOutAndRemovesTheRest) {
    TempDir dir;
    std::set<std::string> taken;
    {
        TempFilePool pool(dir.path.string(), 4);
        ASSERT_TRUE(holds(dir, 4)) << dir.count();  // made ahead, before anyone asks
        for (int i = 0; i < 10; ++i) {  // more than it holds: refilled, or made at once
            auto s = FileSink::create(pool);
            ASSERT_TRUE(s) << s.error().to_string();
            const std::string path = (*s)->temp_path();
            EXPECT_EQ(fs::path(path).parent_path(), dir.path);
            EXPECT_TRUE(fs::path(path).filename().string().starts_with(".dk-"));
            EXPECT_TRUE(path.ends_with(".part"));
            EXPECT_TRUE(taken.insert(path).second) << path << " handed out twice";
            ASSERT_TRUE((*s)->write(Bytes(10, 7)));
            ASSERT_TRUE((*s)->finish());
            ASSERT_TRUE((*s)->commit((dir.path / ("f" + std::to_string(i) + ".dcm")).string()));
            EXPECT_EQ(fs::file_size(dir.path / ("f" + std::to_string(i) + ".dcm")), 10u);
        }
        // The ten files, and the pool made up again: it refills to 4 once half are taken (at 2 or
        // fewer), so depending on when its thread last ran it holds 3 or 4.
        ASSERT_TRUE(holds(dir, 10 + 3, 10 + 4)) << dir.count();
        for (const auto& e : fs::directory_iterator(dir.path)) {
            if (e.path().extension() == ".part") {
                EXPECT_EQ(e.file_size(), 0u);
            }
        }
    }
    EXPECT_EQ(dir.count(), 10u);  // the ones never taken are gone with the pool
}

TEST(TempFilePool, AMissingFolderIsAnErrorNamingIt) {
    TempDir dir;
    TempFilePool pool((dir.path / "no" / "such").string(), 2);
    auto s = FileSink::create(pool);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, ErrorCode::IoError);
    EXPECT_NE(s.error().to_string().find("no/such"), std::string::npos) << s.error().to_string();
}
