// load_module: the module folders ($DICOMKIT_MODULE_DIR, beside the executable, the build tree),
// the entry point, and errors that say where it looked.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

#include <dicomkit/base/module_loader.hpp>
#include <dicomkit/pixel/htj2k/openjph_api.hpp>

namespace fs = std::filesystem;
using dicomkit::load_module;
namespace htj2k = dicomkit::pixel::htj2k;

namespace {

/// Sets DICOMKIT_MODULE_DIR for one test, and puts back what was there.
class ModuleDir {
public:
    explicit ModuleDir(const std::string& dir) {
        if (const char* v = std::getenv("DICOMKIT_MODULE_DIR")) {
            had_ = true;
            old_ = v;
        }
        ::setenv("DICOMKIT_MODULE_DIR", dir.c_str(), 1);
    }
    ~ModuleDir() {
        if (had_) ::setenv("DICOMKIT_MODULE_DIR", old_.c_str(), 1);
        else ::unsetenv("DICOMKIT_MODULE_DIR");
    }

private:
    bool had_ = false;
    std::string old_;
};

TEST(ModuleLoader, FindsTheBuildsModuleAndItsEntryPoint) {
    ::unsetenv("DICOMKIT_MODULE_DIR");
    auto fn = load_module(htj2k::kOpenJphModuleFile, htj2k::kOpenJphModuleEntry);
    ASSERT_TRUE(fn) << fn.error().to_string();
    htj2k::OpenJphApi* api = reinterpret_cast<htj2k::OpenJphEntry>(*fn)();
    ASSERT_NE(api, nullptr);
    // Loaded once: a second call gives the same function.
    auto again = load_module(htj2k::kOpenJphModuleFile, htj2k::kOpenJphModuleEntry);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *fn);
}

TEST(ModuleLoader, AModuleThatIsNotThereIsAnErrorNamingWhereItLooked) {
    ::unsetenv("DICOMKIT_MODULE_DIR");
    auto fn = load_module("dicomkit-no-such-module.so", "entry");
    ASSERT_FALSE(fn);
    const std::string m = fn.error().message;
    EXPECT_NE(m.find("cannot find the module dicomkit-no-such-module.so"), std::string::npos) << m;
    EXPECT_NE(m.find("not there"), std::string::npos) << m;
    EXPECT_NE(m.find("DICOMKIT_MODULE_DIR"), std::string::npos) << m;
}

TEST(ModuleLoader, TheEnvironmentsFolderIsTheOnlyOneSearchedWhenSet) {
    const fs::path dir = fs::temp_directory_path() / ("dk_modules_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    {
        ModuleDir env(dir.string());
        auto fn = load_module(htj2k::kOpenJphModuleFile, htj2k::kOpenJphModuleEntry);
        ASSERT_FALSE(fn);
        EXPECT_NE(fn.error().message.find(dir.string() + "/" + htj2k::kOpenJphModuleFile + ": not there"),
                  std::string::npos)
            << fn.error().message;
    }
    fs::remove_all(dir);
}

TEST(ModuleLoader, AFileThatIsNotAModuleOrLacksTheEntryIsAnError) {
    const fs::path dir = fs::temp_directory_path() / ("dk_modules_bad_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    {
        std::FILE* f = std::fopen((dir / "junk.so").c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs("not an ELF file\n", f);
        std::fclose(f);
    }
    {
        ModuleDir env(dir.string());
        auto junk = load_module("junk.so", "entry");
        ASSERT_FALSE(junk);
        EXPECT_NE(junk.error().message.find("cannot load the module " + (dir / "junk.so").string()), std::string::npos)
            << junk.error().message;
    }
    // A real module asked for a function it does not have.
    auto fn = load_module(htj2k::kOpenJphModuleFile, "no_such_entry");
    ASSERT_FALSE(fn);
    EXPECT_NE(fn.error().message.find("no entry point no_such_entry"), std::string::npos) << fn.error().message;
    fs::remove_all(dir);
}

}  // namespace
