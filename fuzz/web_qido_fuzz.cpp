// Fuzz target: a QIDO-RS query string through parse_qido at the level the first byte chooses
// (with path UIDs when its bit 2 is set), the identifier it builds through service::Query::parse
// again, and the identifier written back as a QIDO-RS JSON object (qido_result_json).
#include <cstdint>
#include <cstdlib>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/server/web/qido.hpp>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit;
    using namespace dicomkit::server;
    if (size < 1 || size > 16384) return 0;
    const std::uint8_t choice = data[0];
    const model::Level levels[] = {model::Level::Study, model::Level::Series, model::Level::Image};
    const model::Level level = levels[choice % 3];
    const bool paths = (choice & 4) != 0;
    const std::string_view query(reinterpret_cast<const char*>(data + 1), size - 1);
    auto q =
        web::parse_qido(level, query, paths ? "1.2.3" : "", paths && (choice & 8) ? "1.2.3.4" : "");
    if (!q) return 0;
    if (q->level != level || !q->identifier.contains(tags::QueryRetrieveLevel)) std::abort();
    if (q->include_all && !q->include.empty()) std::abort();
    if (!service::Query::parse(model::Root::Study, q->identifier, true))
        std::abort();  // parse_qido checked it
    (void)web::qido_result_json(q->identifier, *q, "http://127.0.0.1/dicom-web");
    return 0;
}
