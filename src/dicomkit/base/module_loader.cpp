// load_module: dlopen over the module folders.
#include <dicomkit/base/module_loader.hpp>

#include <cstdlib>
#include <string>
#include <vector>

#include <dlfcn.h>
#include <limits.h>
#include <unistd.h>

namespace dicomkit {

namespace {
std::vector<std::string> module_folders() {
    std::vector<std::string> dirs;
    if (const char* env = std::getenv("DICOMKIT_MODULE_DIR"); env && *env) {
        dirs.emplace_back(env);
        return dirs;
    }
    char exe[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        std::string path(exe, static_cast<std::size_t>(n));
        if (const auto slash = path.rfind('/'); slash != std::string::npos) dirs.push_back(path.substr(0, slash));
    }
#ifdef DICOMKIT_BUILD_MODULE_DIR
    if (dirs.empty() || dirs.front() != DICOMKIT_BUILD_MODULE_DIR) dirs.emplace_back(DICOMKIT_BUILD_MODULE_DIR);
#endif
    return dirs;
}
}  // namespace

Result<void*> load_module(std::string_view file, const char* entry) {
    std::string why;
    for (const std::string& dir : module_folders()) {
        const std::string path = dir + "/" + std::string(file);
        if (::access(path.c_str(), F_OK) != 0) {
            why += (why.empty() ? "" : "; ") + path + ": not there";
            continue;
        }
        void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
        if (!handle) {
            const char* e = ::dlerror();
            return make_error(ErrorCode::IoError, "cannot load the module " + path + ": " + (e ? e : "unknown error"));
        }
        void* fn = ::dlsym(handle, entry);
        if (!fn) return make_error(ErrorCode::IoError, path + ": no entry point " + entry);
        return fn;
    }
    return make_error(ErrorCode::IoError, "cannot find the module " + std::string(file) + " (" + why +
                                              "; DICOMKIT_MODULE_DIR names its folder)");
}

}  // namespace dicomkit
