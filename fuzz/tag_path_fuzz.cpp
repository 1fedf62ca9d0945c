// Fuzz target: tag path text (deid::TagPath::parse) and PATH=VALUE edits (deid::parse_edit);
// a path that parses must print to a form that parses to the same path, and an edit that parses
// is applied to a small data set with sequences, a private block and a character set.
#include <cstdint>
#include <cstdlib>
#include <dicomkit/deid/modify.hpp>
#include <dicomkit/deid/tag_path.hpp>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dicomkit;
    if (size < 1) return 0;
    std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    auto path = deid::TagPath::parse(text);
    if (path) {
        auto again = deid::TagPath::parse(path->str());
        if (!again || !(*again == *path)) std::abort();
    }
    auto op = static_cast<deid::EditOp>(data[0] % 4);
    auto edit = deid::parse_edit(op, text);
    if (!edit) return 0;
    DataSet ds;
    ds.set_string(Tag(0x0008, 0x0005), VR::CS, (data[0] & 4) ? "ISO_IR 100" : "ISO_IR 192");
    ds.set_string(Tag(0x0010, 0x0010), VR::PN, "Doe^John");
    DataSet item;
    item.set_string(Tag(0x0008, 0x1155), VR::UI, "1.2.3");
    ds.set(Element(Tag(0x0008, 0x1140), VR::SQ, Sequence{{item, item}}));
    ds.set_string(Tag(0x0029, 0x0010), VR::LO, "ACME RT 1.0");
    ds.set_string(Tag(0x0029, 0x1010), VR::LO, "x");
    deid::ModifyOptions o;
    o.edits.push_back(std::move(*edit));
    o.ignore_missing = (data[0] & 8) != 0;
    auto changes = deid::modify(ds, o);
    if (changes)
        for (const auto& c : *changes) (void)deid::to_string(c);
    return 0;
}
