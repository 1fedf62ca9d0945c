// Ingest: file attributes into the index.
#include <dicomkit/server/service/ingest.hpp>

#include <filesystem>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dicom_file.hpp>

namespace dicomkit::server::service {

Result<index::AddStatus> Ingest::add_file(const std::string& path) {
    io::ReadOptions options;
    options.stop_before = tags::PixelData;
    options.defer_larger_than = 64 * 1024;
    auto file = io::read_file(path, options);
    if (!file) return tl::unexpected(file.error());
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    auto rel = std::filesystem::path(path).lexically_relative(root_).string();
    if (rel.empty() || rel.starts_with("..")) rel = path;
    index::InstanceFile f{rel, ec ? 0 : static_cast<std::uint64_t>(size), file->transfer_syntax_uid};
    if (f.transfer_syntax.empty()) f.transfer_syntax = std::string(file->transfer_syntax.uid);
    return index_.add(file->dataset, f, policy_);
}

}  // namespace dicomkit::server::service
