// PS3.5 9.1 UID syntax.
#include <dicomkit/server/model/uid_check.hpp>

namespace dicomkit::server::model {

std::optional<std::string> uid_problem(std::string_view uid) {
    if (uid.empty()) return "empty";
    if (uid.size() > 64) return std::to_string(uid.size()) + " bytes, more than 64";
    std::size_t start = 0;
    for (std::size_t i = 0; i <= uid.size(); ++i) {
        if (i < uid.size() && uid[i] != '.') {
            const char c = uid[i];
            if (c < '0' || c > '9') return "a byte other than a digit or '.' at " + std::to_string(i);
            continue;
        }
        if (i == start) return "an empty component at " + std::to_string(i);
        if (i - start > 1 && uid[start] == '0') return "a component with a leading zero at " + std::to_string(start);
        start = i + 1;
    }
    return std::nullopt;
}

}  // namespace dicomkit::server::model
