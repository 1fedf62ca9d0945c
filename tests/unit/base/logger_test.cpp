// The logger: level filter, timestamp format, JSON escaping, the file sink and its reopening.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <dicomkit/base/log.hpp>

namespace dlog = dicomkit::log;
namespace fs = std::filesystem;
using namespace std::chrono;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// A temporary folder with the logger writing to FOLDER/dk.log; back to the defaults after.
class LogFile : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() / ("dk_log_" + std::to_string(::getpid()) + "_" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir_);
        path_ = dir_ / "dk.log";
        ASSERT_TRUE(dlog::set_file(path_.string()));
    }
    void TearDown() override {
        (void)dlog::set_file("");
        dlog::set_level(dlog::Level::Info);
        dlog::set_format(dlog::Format::Text);
        fs::remove_all(dir_);
    }
    fs::path dir_, path_;
};

}  // namespace

TEST(LogTimestamp, IsIso8601UtcWithMilliseconds) {
    // 2026-12-05T08:00:00.123Z
    const sys_days day = year{2026} / December / 5;
    const auto t = day + hours{8} + milliseconds{123};
    EXPECT_EQ(dlog::timestamp(system_clock::time_point(t)), "2026-12-05T08:00:00.123Z");
    EXPECT_EQ(dlog::timestamp(system_clock::time_point(sys_days(year{1999} / January / 1) + milliseconds{7})),
              "1999-01-01T00:00:00.007Z");
}

TEST(LogFormat, TextIsTimestampLetterMessage) {
    const auto t = system_clock::time_point(sys_days(year{2026} / December / 5) + hours{8} + milliseconds{123});
    const dlog::Fields fields{{"peer", "127.0.0.1"}};
    EXPECT_EQ(dlog::format({t, dlog::Level::Info, "USER@x C-ECHO: 0x0000 Success", &fields}, dlog::Format::Text),
              "2026-12-05T08:00:00.123Z I: USER@x C-ECHO: 0x0000 Success");
    EXPECT_EQ(dlog::format({t, dlog::Level::Warn, "w", nullptr}, dlog::Format::Text), "2026-12-05T08:00:00.123Z W: w");
    EXPECT_EQ(dlog::format({t, dlog::Level::Error, "e", nullptr}, dlog::Format::Text), "2026-12-05T08:00:00.123Z E: e");
}

TEST(LogFormat, JsonHasTimeLevelMessageAndFields) {
    const auto t = system_clock::time_point(sys_days(year{2026} / December / 5) + milliseconds{5});
    const dlog::Fields fields{{"calling_ae", "USER"}, {"status", "0x0000"}, {"level", "ignored"}};
    EXPECT_EQ(dlog::format({t, dlog::Level::Debug, "m", &fields}, dlog::Format::Json),
              R"({"time":"2026-12-05T00:00:00.005Z","level":"debug","message":"m","calling_ae":"USER","status":"0x0000"})");
}

TEST(LogJson, EscapesQuotesBackslashesAndControls) {
    EXPECT_EQ(dlog::json_string("say \"hi\""), R"("say \"hi\"")");
    EXPECT_EQ(dlog::json_string("a\\b"), R"("a\\b")");
    EXPECT_EQ(dlog::json_string("line1\nline2\r\t"), R"("line1\nline2\r\t")");
    EXPECT_EQ(dlog::json_string(std::string("nul\0x\x1f", 6)), R"("nul\u0000x\u001f")");
}

TEST(LogJson, NonAsciiBecomesUnicodeEscapes) {
    EXPECT_EQ(dlog::json_string("M\xc3\xbcller"), R"("M\u00fcller")");           // U+00FC
    EXPECT_EQ(dlog::json_string("\xe5\xb1\xb1\xe7\x94\xb0"), R"("\u5c71\u7530")");  // 山田
    EXPECT_EQ(dlog::json_string("\xf0\x9f\x98\x80"), R"("\ud83d\ude00")");         // U+1F600
    // Not UTF-8: a lone continuation byte, a truncated sequence, an overlong form.
    EXPECT_EQ(dlog::json_string("a\x80z"), R"("a\ufffdz")");
    EXPECT_EQ(dlog::json_string("a\xc3"), R"("a\ufffd")");
    EXPECT_EQ(dlog::json_string("\xc0\xaf"), R"("\ufffd\ufffd")");
}

TEST(LogParse, LevelsAndFormats) {
    EXPECT_EQ(*dlog::parse_level("debug"), dlog::Level::Debug);
    EXPECT_EQ(*dlog::parse_level("info"), dlog::Level::Info);
    EXPECT_EQ(*dlog::parse_level("warn"), dlog::Level::Warn);
    EXPECT_EQ(*dlog::parse_level("warning"), dlog::Level::Warn);
    EXPECT_EQ(*dlog::parse_level("error"), dlog::Level::Error);
    EXPECT_FALSE(dlog::parse_level("loud"));
    EXPECT_EQ(*dlog::parse_format("json"), dlog::Format::Json);
    EXPECT_EQ(*dlog::parse_format("text"), dlog::Format::Text);
    EXPECT_FALSE(dlog::parse_format("xml"));
}

TEST_F(LogFile, LevelFiltersRecordsBelowIt) {
    dlog::set_level(dlog::Level::Warn);
    dlog::debug("d {}", 1);
    dlog::info("i {}", 2);
    dlog::warn("w {}", 3);
    dlog::error("e {}", 4);
    EXPECT_FALSE(dlog::enabled(dlog::Level::Info));
    const std::string text = slurp(path_);
    EXPECT_EQ(text.find(": d 1"), std::string::npos);
    EXPECT_EQ(text.find(": i 2"), std::string::npos);
    EXPECT_NE(text.find(" W: w 3\n"), std::string::npos);
    EXPECT_NE(text.find(" E: e 4\n"), std::string::npos);
    dlog::set_level(dlog::Level::Debug);
    dlog::debug("d {}", 5);
    EXPECT_NE(slurp(path_).find(" D: d 5\n"), std::string::npos);
}

TEST_F(LogFile, EventsAndDiagnosticsBothGoToTheFile) {
    dlog::set_format(dlog::Format::Json);
    dlog::write(dlog::Level::Info, "an event", {{"command", "C-ECHO"}}, dlog::Stream::Event);
    dlog::write(dlog::Level::Warn, "a \"diagnostic\"\n");
    const std::string text = slurp(path_);
    EXPECT_NE(text.find(R"("level":"info","message":"an event","command":"C-ECHO"})" "\n"), std::string::npos);
    EXPECT_NE(text.find(R"("level":"warn","message":"a \"diagnostic\"\n"})" "\n"), std::string::npos);
}

TEST_F(LogFile, ReopenStartsANewFileAfterARename) {
    dlog::info("before rotation");
    fs::rename(path_, dir_ / "dk.log.1");
    dlog::info("still to the renamed file");
    ASSERT_TRUE(dlog::reopen());
    dlog::info("after reopen");
    const std::string old = slurp(dir_ / "dk.log.1"), now = slurp(path_);
    EXPECT_NE(old.find("I: before rotation"), std::string::npos);
    EXPECT_NE(old.find("I: still to the renamed file"), std::string::npos);
    EXPECT_EQ(old.find("after reopen"), std::string::npos);
    EXPECT_NE(now.find("I: after reopen"), std::string::npos);
    EXPECT_EQ(now.find("before rotation"), std::string::npos);
}

TEST_F(LogFile, AppendsToAnExistingFile) {
    dlog::info("first");
    ASSERT_TRUE(dlog::set_file(path_.string()));
    dlog::info("second");
    const std::string text = slurp(path_);
    EXPECT_LT(text.find("first"), text.find("second"));
}

TEST(LogFileErrors, AnUnwritablePathIsAnError) {
    auto r = dlog::set_file("/nonexistent-dir/dk.log");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("/nonexistent-dir/dk.log"), std::string::npos);
}
