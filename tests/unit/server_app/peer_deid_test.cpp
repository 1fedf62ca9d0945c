// The de-identifying peers of serve: their key file, made once, and their anonymizers.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <dicomkit/server/app/peer_deid.hpp>

namespace dicomkit::server::app {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir(const std::string& name) {
    const auto d = fs::temp_directory_path() / (name + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

TEST(PeerDeid, TheKeyIsMadeOnceAndKept) {
    const auto dir = fresh_dir("peer_deid_key");
    const std::string key_path = (dir / "deid.key").string();
    bool created = false;
    auto first = read_or_make_key(key_path, created);
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_TRUE(created);
    EXPECT_EQ(first->size(), 64u);
    EXPECT_EQ(fs::status(key_path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
    auto second = read_or_make_key(key_path, created);
    ASSERT_TRUE(second);
    EXPECT_FALSE(created);
    EXPECT_EQ(*second, *first);
    std::ofstream(dir / "empty.key") << "  \n";
    auto empty = read_or_make_key((dir / "empty.key").string(), created);
    ASSERT_FALSE(empty);
    EXPECT_NE(empty.error().message.find("empty.key: the key file is empty"), std::string::npos);
    fs::remove_all(dir);
}

TEST(PeerDeid, OnePerPeerWithARecipe) {
    const auto dir = fresh_dir("peer_deid_load");
    std::ofstream(dir / "r.toml") << "[patient]\nprefix = \"R-\"\n";
    std::ofstream(dir / "bad.toml") << "bogus = 1\n";
    Config c;
    c.data = dir.string();
    Peer research;
    research.ae_title = "RESEARCH";
    research.deidentify = (dir / "r.toml").string();
    Peer pacs;
    pacs.ae_title = "PACS";
    c.peers = {research, pacs};
    auto a = PeerAnonymizers::load(c, nullptr);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_NE(a->find("RESEARCH"), nullptr);
    EXPECT_NE(a->find("RESEARCH  "), nullptr);
    EXPECT_EQ(a->find("PACS"), nullptr);
    EXPECT_TRUE(fs::exists(dir / "deid.key"));
    // The same key file gives the same UIDs in a second load (a restart).
    auto again = PeerAnonymizers::load(c, nullptr);
    ASSERT_TRUE(again);
    EXPECT_EQ(a->find("RESEARCH")->uids().remap("1.2.3.4"), again->find("RESEARCH")->uids().remap("1.2.3.4"));
    c.peers[0].deidentify = (dir / "bad.toml").string();
    c.peers[0].deidentify_from = "serve.toml:7:14: ";
    auto bad = PeerAnonymizers::load(c, nullptr);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("serve.toml:7:14: peers RESEARCH: deidentify: "), std::string::npos)
        << bad.error().message;
    EXPECT_NE(bad.error().message.find("bad.toml"), std::string::npos) << bad.error().message;
    fs::remove_all(dir);
}

}  // namespace
}  // namespace dicomkit::server::app
