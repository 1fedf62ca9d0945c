#include <dicomkit/media/file_id.hpp>

#include <fmt/format.h>

namespace dicomkit::media {

std::string component_problem(std::string_view component) {
    if (component.empty()) return "an empty component";
    if (component.size() > kMaxComponentLength)
        return fmt::format("'{}' has {} characters, more than {}", component, component.size(), kMaxComponentLength);
    for (char c : component) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) {
            const auto code = static_cast<unsigned>(static_cast<unsigned char>(c));
            if (c >= 'a' && c <= 'z')
                return fmt::format("'{}' has the lower-case letter '{}'", component, c);
            if (code >= 0x21 && code < 0x7F)
                return fmt::format("'{}' has the character '{}'", component, c);
            return fmt::format("'{}' has the byte 0x{:02X}", component, code);
        }
    }
    return {};
}

Result<std::vector<std::string>> file_id_components(std::string_view relative_path) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const std::size_t slash = relative_path.find('/', start);
        const std::string_view part = relative_path.substr(start, slash == std::string_view::npos
                                                                      ? std::string_view::npos
                                                                      : slash - start);
        if (auto why = component_problem(part); !why.empty())
            return make_error(ErrorCode::InvalidArgument,
                              fmt::format("'{}' cannot be a File ID: {} (components are 1 to {} characters of "
                                          "A-Z, 0-9 and _, PS3.10 8.2); rename it",
                                          relative_path, why, kMaxComponentLength));
        out.emplace_back(part);
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    if (out.size() > kMaxComponents)
        return make_error(ErrorCode::InvalidArgument,
                          fmt::format("'{}' cannot be a File ID: {} components, more than {} (PS3.11)", relative_path,
                                      out.size(), kMaxComponents));
    return out;
}

std::string join_file_id(const std::vector<std::string>& components) {
    std::string s;
    for (const auto& c : components) {
        if (!s.empty()) s += '\\';
        s += c;
    }
    return s;
}

}  // namespace dicomkit::media
