// [storage] accept_unknown_sop_classes (serve --promiscuous): the config key and which SOP
// classes serve then stores.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <unistd.h>
#include <fstream>

#include <dicomkit/server/app/config.hpp>
#include <dicomkit/server/dimse/handlers.hpp>

namespace dicomkit::server::app {
namespace {

std::string write(const std::string& name, const std::string& text) {
    auto path = (std::filesystem::temp_directory_path() / ("dicomkit_unknown_sop_" + name + std::to_string(::getpid()) + ".toml")).string();
    std::ofstream(path) << text;
    return path;
}

TEST(Config, AcceptUnknownSopClasses) {
    EXPECT_FALSE(Config{}.accept_unknown_sop_classes) << "known storage classes only by default";
    const auto path = write("on", "[storage]\naccept_unknown_sop_classes = true\nduplicates = \"keep\"\n");
    auto c = load_config(path);
    ASSERT_TRUE(c) << c.error().to_string();
    EXPECT_TRUE(c->accept_unknown_sop_classes);
    std::filesystem::remove(path);

    const auto off = write("off", "[storage]\naccept_unknown_sop_classes = false\n");
    auto c2 = load_config(off);
    ASSERT_TRUE(c2) << c2.error().to_string();
    EXPECT_FALSE(c2->accept_unknown_sop_classes);
    std::filesystem::remove(off);

    const auto bad = write("bad", "[storage]\naccept_unknown_sop_classes = 1\n");
    auto e = load_config(bad);
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find(":2:30: storage.accept_unknown_sop_classes: expected true or false"),
              std::string::npos)
        << e.error().message;
    std::filesystem::remove(bad);

    // In [server] it is an unknown key: the schema is checked.
    const auto wrong = write("wrong", "[server]\naccept_unknown_sop_classes = true\n");
    auto w = load_config(wrong);
    ASSERT_FALSE(w);
    EXPECT_NE(w.error().message.find("unknown key server.accept_unknown_sop_classes"), std::string::npos)
        << w.error().message;
    std::filesystem::remove(wrong);
}

TEST(StoreSopClasses, UnknownOnlyWhenAsked) {
    const std::string philips = "1.3.46.670589.5.0.1.1";
    const std::string uuid = "2.25.329800735698586629295641978511506172918";
    const std::string ct = "1.2.840.10008.5.1.4.1.1.2";
    EXPECT_TRUE(dimse::is_store_sop_class(ct, false));
    EXPECT_FALSE(dimse::is_store_sop_class(philips, false));
    EXPECT_FALSE(dimse::is_store_sop_class(uuid, false));
    EXPECT_TRUE(dimse::is_store_sop_class(philips, true));
    EXPECT_TRUE(dimse::is_store_sop_class(uuid, true));
    // Known classes that are not storage stay refused: Verification, Study Root FIND, Storage
    // Commitment; and what is no valid UID (PS3.5 9.1).
    for (const char* other : {"1.2.840.10008.1.1", "1.2.840.10008.5.1.4.1.2.2.1", "1.2.840.10008.1.20.1"})
        EXPECT_FALSE(dimse::is_store_sop_class(other, true)) << other;
    for (const char* bad : {"", "1.02.3", "1..2", "abc", "1.2.3."})
        EXPECT_FALSE(dimse::is_store_sop_class(bad, true)) << bad;
}

}  // namespace
}  // namespace dicomkit::server::app
