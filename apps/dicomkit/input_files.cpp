#include "input_files.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <dicomkit/base/log.hpp>

namespace dicomkit::cli {

bool collect_input_files(const std::vector<std::string>& inputs, std::vector<InputFile>& out) {
    namespace fs = std::filesystem;
    bool ok = true;
    for (const std::string& in : inputs) {
        std::error_code ec;
        auto st = fs::status(in, ec);
        if (ec || !fs::exists(st)) {
            log::error("{}: no such file or folder", in);
            ok = false;
            continue;
        }
        if (!fs::is_directory(st)) {
            out.push_back({in, false});
            continue;
        }
        std::vector<std::string> found;
        for (auto it = fs::recursive_directory_iterator(in, fs::directory_options::skip_permission_denied, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->is_regular_file()) found.push_back(it->path().string());
        if (ec) {
            log::error("{}: {}", in, ec.message());
            ok = false;
        }
        std::sort(found.begin(), found.end());
        for (auto& f : found) out.push_back({std::move(f), true});
    }
    return ok;
}

}  // namespace dicomkit::cli
