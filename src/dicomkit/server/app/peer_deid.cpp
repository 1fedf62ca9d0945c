// PeerAnonymizers: recipes and keys of the de-identifying peers.
#include <dicomkit/server/app/peer_deid.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <dicomkit/core/element.hpp>

namespace dicomkit::server::app {

namespace {

namespace fs = std::filesystem;

std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

Result<std::string> read_key(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::IoError, path + ": cannot read the key: " + std::strerror(errno));
    std::ostringstream ss;
    ss << in.rdbuf();
    std::string key = trim(ss.str());
    if (key.empty()) return make_error(ErrorCode::InvalidValue, path + ": the key file is empty");
    return key;
}

}  // namespace

Result<std::string> read_or_make_key(const std::string& path, bool& created) {
    created = false;
    std::error_code ec;
    if (fs::exists(path, ec)) return read_key(path);
    std::random_device rd;
    std::string key;
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 32; ++i) {
        const unsigned b = rd() & 0xFF;
        key += kHex[b >> 4];
        key += kHex[b & 15];
    }
    const std::string temp = path + ".tmp" + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return make_error(ErrorCode::IoError, temp + ": cannot create the key: " + std::strerror(errno));
    const std::string line = key + "\n";
    const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
    const int write_errno = errno;
    ::close(fd);
    if (!written) {
        ::unlink(temp.c_str());
        return make_error(ErrorCode::IoError, temp + ": cannot write the key: " + std::strerror(write_errno));
    }
    // link() never replaces: when another node made the key meanwhile, both use that one.
    const int linked = ::link(temp.c_str(), path.c_str());
    const int link_errno = errno;
    ::unlink(temp.c_str());
    if (linked != 0 && link_errno != EEXIST)
        return make_error(ErrorCode::IoError, path + ": cannot create the key: " + std::strerror(link_errno));
    created = linked == 0;
    return read_key(path);
}

Result<void> check_peer_recipes(const Config& config) {
    for (const Peer& p : config.peers) {
        if (p.deidentify.empty()) continue;
        const auto fail = [&](const Error& e) {
            return make_error(e.code, p.deidentify_from + "peers " + p.ae_title + ": deidentify: " + e.to_string());
        };
        if (auto recipe = deid::read_recipe(p.deidentify); !recipe) return fail(recipe.error());
        if (!p.deidentify_key_file.empty())
            if (auto key = read_key(p.deidentify_key_file); !key) return fail(key.error());
    }
    return {};
}

Result<PeerAnonymizers> PeerAnonymizers::load(const Config& config, const pixel::CodecRegistry* codecs) {
    PeerAnonymizers out;
    for (const Peer& p : config.peers) {
        if (p.deidentify.empty()) continue;
        const auto fail = [&](const Error& e) {
            return make_error(e.code, p.deidentify_from + "peers " + p.ae_title + ": deidentify: " + e.to_string());
        };
        auto recipe = deid::read_recipe(p.deidentify);
        if (!recipe) return fail(recipe.error());
        const std::string key_path = p.deidentify_key_file.empty()
                                         ? (fs::path(config.data) / "deid.key").string()
                                         : p.deidentify_key_file;
        bool created = false;
        auto key = read_or_make_key(key_path, created);
        if (!key) return fail(key.error());
        auto a = deid::Anonymizer::create(std::move(*key), std::move(*recipe), {}, codecs);
        if (!a) return fail(a.error());
        out.by_ae_[p.ae_title] = std::make_shared<const deid::Anonymizer>(std::move(*a));
    }
    return out;
}

std::shared_ptr<const deid::Anonymizer> PeerAnonymizers::find(std::string_view ae) const {
    auto it = by_ae_.find(trim_padding(ae));
    return it == by_ae_.end() ? nullptr : it->second;
}

}  // namespace dicomkit::server::app
