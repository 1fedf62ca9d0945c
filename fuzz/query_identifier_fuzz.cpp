// Fuzz target: a C-FIND identifier as a peer sends it (Explicit VR Little Endian) through
// parse_query (both information models, hierarchical and relational), the SQL built for it in
// both dialects, and matching a row whose attribute blobs hold the identifier's own attributes
// (sequence matching included); or, with bit 8 of the first byte, as the identifier of a
// non-patient model (parse_object_query, then match_object against the identifier itself). The
// first byte chooses model, relational and dialect.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include <dicomkit/core/charset.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/server/index/sql/attributes.hpp>
#include <dicomkit/server/index/sql/find.hpp>
#include <dicomkit/server/model/non_patient.hpp>
#include <dicomkit/server/model/query.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit;
    using namespace dicomkit::server;
    if (size < 1) return 0;
    const std::uint8_t choice = data[0];
    auto identifier = io::read_dataset(std::span<const std::uint8_t>(data + 1, size - 1), io::ts::ExplicitVRLittleEndian);
    if (!identifier) return 0;
    if (choice & 8) {  // Color Palette, Hanging Protocol, ...: every key matched by its VR
        auto oq = model::parse_object_query(*identifier);
        if (oq) (void)model::match_object(*oq, *identifier);
        return 0;
    }
    const auto root = (choice & 1) ? model::Root::Patient : model::Root::Study;
    model::ParseOptions options;
    options.relational = (choice & 2) != 0;
    auto q = model::parse_query(root, *identifier, options);
    if (!q) return 0;
    const auto dialect = (choice & 4) ? index::sql::Dialect::Postgres : index::sql::Dialect::Sqlite;
    const index::sql::FindSql f = index::sql::build_find_sql(*q, dialect);
    if (f.sql.empty()) std::abort();
    const auto cs = SpecificCharacterSet::lenient_parse(identifier->string_or(tags::SpecificCharacterSet));
    const std::array<std::string, 4> blobs = index::sql::level_blobs(*identifier, cs);
    auto match = index::sql::match_identifier(
        *q, f, [](int) { return std::string(); },
        [&](int column) { return blobs[static_cast<std::size_t>(column) % blobs.size()]; });
    (void)match;
    return 0;
}
