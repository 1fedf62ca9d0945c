// Debian builds OpenJPEG 2.5.0 with its assertions on, and its HT block decoder asserts on some
// corrupt code-blocks (ht_dec.c mel_init, on a MEL segment whose first bytes break the bit
// stuffing of ISO/IEC 15444-15 7.1.3) instead of returning an error: for a file from the network
// that would stop the whole process. While a LibraryCheckScope is alive on a thread, a failed
// assertion on that thread throws LibraryCheckFailed from the assertion's frame instead of
// aborting, so that the decode ends with an error naming the check. This works for a C library
// (its frames have unwind tables and nothing to clean up). C++ frames that call the handler as
// never throwing and have something to clean up end the process as the abort would: OpenJPH
// 0.9's block decoder lets the exception pass, its tile header parser does not, so OpenJPH stays
// for trusted frames. Outside a scope an assertion aborts, as the C library's would.
#pragma once

#include <exception>
#include <string>

namespace dicomkit::pixel::j2k {

class LibraryCheckFailed final : public std::exception {
public:
    explicit LibraryCheckFailed(std::string what) : what_(std::move(what)) {}
    [[nodiscard]] const char* what() const noexcept override { return what_.c_str(); }

private:
    std::string what_;
};

/// Marks the calling thread as running library code whose failed assertions are errors of the
/// data, not of the program. Nests. Only for library code called with threads of its own off
/// (a check failing on a library's worker thread still aborts).
class LibraryCheckScope {
public:
    LibraryCheckScope() noexcept;
    ~LibraryCheckScope();
    LibraryCheckScope(const LibraryCheckScope&) = delete;
    LibraryCheckScope& operator=(const LibraryCheckScope&) = delete;
};

/// How many failed library assertions became errors in this process (for tests and logs).
[[nodiscard]] unsigned long library_checks_failed() noexcept;

}  // namespace dicomkit::pixel::j2k
