// MetadataCache: keys follow the file's identity, least recently used entries go first.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <dicomkit/server/web/metadata_cache.hpp>

namespace dicomkit::server::web {
namespace {

namespace fs = std::filesystem;

TEST(MetadataCache, KeysFollowTheFile) {
    const fs::path dir = fs::temp_directory_path() / ("dk-mcache-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string a = (dir / "a.dcm").string();
    std::ofstream(a) << "one";
    auto k1 = MetadataCache::key_of(a);
    ASSERT_TRUE(k1);
    EXPECT_EQ(MetadataCache::key_of(a), k1);
    // A new copy is a new file renamed over the old name (as storage writes): another key.
    const std::string tmp = (dir / "a.tmp").string();
    std::ofstream(tmp) << "two!";
    fs::rename(tmp, a);
    auto k2 = MetadataCache::key_of(a);
    ASSERT_TRUE(k2);
    EXPECT_NE(*k1, *k2);
    EXPECT_FALSE(MetadataCache::key_of((dir / "missing").string()));
    fs::remove_all(dir);
}

TEST(MetadataCache, LeastRecentlyUsedGoFirst) {
    MetadataCache c(4000);
    c.put("a", std::string(900, 'a'));
    c.put("b", std::string(900, 'b'));
    c.put("c", std::string(900, 'c'));
    ASSERT_TRUE(c.find("a"));  // a is now the most recent
    c.put("d", std::string(900, 'd'));
    c.put("e", std::string(900, 'e'));  // over 4000: b goes, then c
    EXPECT_TRUE(c.find("a"));
    EXPECT_FALSE(c.find("b"));
    EXPECT_TRUE(c.find("e"));
    EXPECT_LE(c.bytes(), 4000u);
    c.put("huge", std::string(3000, 'h'));  // over a quarter of the limit: not kept
    EXPECT_FALSE(c.find("huge"));
    EXPECT_EQ(*c.find("a"), std::string(900, 'a'));
}

}  // namespace
}  // namespace dicomkit::server::web
