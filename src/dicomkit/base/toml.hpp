// toml++ as dicomkit uses it: header-only, without exceptions (parse results carry the error and
// its position), and with the library's internal "assume" checks made inert.
//
// Debian's toml++ 3.3 states a precondition of its key parser as TOML_ASSERT_ASSUME: an assert()
// in builds without NDEBUG, __builtin_assume under clang with NDEBUG. A table header whose first
// character is not a key character ("[=]", "[[", "[ #", "[" then a line end) reaches the key
// parser against that precondition: the parser's own error path ("expected bare key starting
// character or string delimiter") handles it, but the assert aborts the process first and the
// assume makes it undefined behaviour. Both are replaced by nothing, so such a file is an error
// naming its line and column in every build. Include this instead of <toml++/toml.h>.
#pragma once

#define TOML_EXCEPTIONS 0
#define TOML_HEADER_ONLY 1
#include <toml++/impl/preprocessor.h>
#undef TOML_ASSERT
#define TOML_ASSERT(expr) static_cast<void>(0)
#undef TOML_ASSERT_ASSUME
#define TOML_ASSERT_ASSUME(expr) static_cast<void>(0)
#include <toml++/toml.h>
