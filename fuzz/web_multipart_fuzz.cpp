// Fuzz target: a multipart/related body through MultipartParser, fed whole and again in chunks of
// a size the first input byte chooses; both feeds must give the same parts, headers and data (a
// delimiter split between chunks must not change the result), and the same outcome.
#include <cstdint>
#include <cstdlib>
#include <dicomkit/server/web/multipart.hpp>
#include <span>
#include <string>
#include <vector>

namespace {

struct Seen {
    std::vector<std::string> headers;  // the raw fields of each part, joined
    std::vector<std::string> data;
    std::size_t ends = 0;
    bool ok = false;
};

Seen run(std::span<const std::uint8_t> body, std::size_t chunk) {
    using namespace dicomkit;
    using namespace dicomkit::server::web;
    Seen s;
    MultipartCallbacks cb{[&](const PartHeaders& h) -> Result<void> {
                              std::string joined;
                              for (const auto& [n, v] : h.fields) joined += n + ":" + v + "\n";
                              s.headers.push_back(std::move(joined));
                              s.data.emplace_back();
                              return {};
                          },
                          [&](std::span<const std::uint8_t> d) -> Result<void> {
                              if (d.empty() || s.data.empty()) std::abort();
                              s.data.back().append(reinterpret_cast<const char*>(d.data()),
                                                   d.size());
                              return {};
                          },
                          [&]() -> Result<void> {
                              ++s.ends;
                              return {};
                          }};
    auto p = MultipartParser::create("bnd", std::move(cb),
                                     MultipartLimits{.max_parts = 64, .max_header_bytes = 2048});
    if (!p) std::abort();
    for (std::size_t i = 0; i < body.size(); i += chunk) {
        if (!p->feed(body.subspan(i, std::min(chunk, body.size() - i)))) return s;
    }
    s.ok = static_cast<bool>(p->finish());
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1 || size > 65536) return 0;
    const std::size_t chunk = data[0] % 32 + 1;
    const std::span<const std::uint8_t> body(data + 1, size - 1);
    const Seen whole = run(body, std::max<std::size_t>(body.size(), 1));
    const Seen pieces = run(body, chunk);
    if (whole.ok != pieces.ok) std::abort();
    if (whole.ok &&
        (whole.headers != pieces.headers || whole.data != pieces.data || whole.ends != pieces.ends))
        std::abort();
    for (const auto& d : whole.data)
        if (d.find("\r\n--bnd") != std::string::npos) std::abort();  // a delimiter is never data
    return 0;
}
