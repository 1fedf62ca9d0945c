// Modules: shared objects of dicomkit's own (dicomkit-postgres.so, dicomkit-openjph.so) that keep
// a library out of the executable until a command needs it. They are looked for in
// $DICOMKIT_MODULE_DIR when set, else beside the running executable, and, for the tests and fuzz
// targets run from a build tree, in that build's apps/dicomkit folder.
#pragma once

#include <string_view>

#include <dicomkit/base/error.hpp>

namespace dicomkit {

/// Opens module `file` (RTLD_NOW | RTLD_LOCAL, never unloaded) and returns the address of its
/// function `entry`. Errors name every path tried and what dlopen said.
[[nodiscard]] Result<void*> load_module(std::string_view file, const char* entry);

}  // namespace dicomkit
