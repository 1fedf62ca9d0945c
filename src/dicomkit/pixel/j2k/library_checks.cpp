// The C library's assertion handler, replaced for this program (see library_checks.hpp). This
// file must not see <assert.h>: the C library declares the handler as never throwing.
#include <dicomkit/pixel/j2k/library_checks.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace dicomkit::pixel::j2k {
namespace {
thread_local unsigned scope_depth = 0;
std::atomic<unsigned long> failed{0};
}  // namespace

LibraryCheckScope::LibraryCheckScope() noexcept { ++scope_depth; }
LibraryCheckScope::~LibraryCheckScope() { --scope_depth; }

unsigned long library_checks_failed() noexcept { return failed.load(std::memory_order_relaxed); }

}  // namespace dicomkit::pixel::j2k

// Called by assert() in any code of the process that was compiled with assertions on, through
// the dynamic symbol table (an executable's definition comes before the C library's).
extern "C" [[noreturn]] void __assert_fail(const char* assertion, const char* file, unsigned int line,
                                           const char* function) {
    using namespace dicomkit::pixel::j2k;
    const char* a = assertion != nullptr ? assertion : "?";
    const char* f = file != nullptr ? file : "?";
    const char* fn = function != nullptr ? function : "?";
    if (scope_depth > 0) {
        failed.fetch_add(1, std::memory_order_relaxed);
        throw LibraryCheckFailed(std::string(f) + ":" + std::to_string(line) + ": " + fn + ": check `" + a +
                                 "' failed");
    }
    std::fprintf(stderr, "%s:%u: %s: Assertion `%s' failed.\n", f, line, fn, a);
    std::fflush(stderr);
    std::abort();
}

// Under LeakSanitizer: a decode that a failed check interrupted leaves OpenJPEG's job record
// of the code-block behind (about 120 bytes, freed by nobody); that is not a leak of this program.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DICOMKIT_LEAK_CHECKS 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define DICOMKIT_LEAK_CHECKS 1
#endif
#ifdef DICOMKIT_LEAK_CHECKS
extern "C" const char* __lsan_default_suppressions() { return "leak:libopenjp2.so\n"; }
#endif
