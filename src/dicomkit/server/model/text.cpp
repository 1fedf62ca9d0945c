// Decoding element values to UTF-8 for matching and storage in the index.
#include <dicomkit/server/model/text.hpp>

namespace dicomkit::server::model {

std::vector<std::string> decoded_values(const Element& e, const SpecificCharacterSet& charset) {
    if (!e.is_bytes() || !is_string(e.vr())) return {};
    const auto b = e.bytes();
    const std::string_view raw(reinterpret_cast<const char*>(b.data()), b.size());
    auto v = charset.decode_values(raw, e.vr(), true);
    if (!v) return {};
    for (auto& s : *v) {
        while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
        std::size_t i = 0;
        while (i < s.size() && s[i] == ' ') ++i;
        s.erase(0, i);
    }
    if (v->size() == 1 && (*v)[0].empty()) v->clear();
    return std::move(*v);
}

std::string decoded_value(const DataSet& ds, Tag tag, const SpecificCharacterSet& charset) {
    const Element* e = ds.find(tag);
    if (!e) return {};
    auto v = decoded_values(*e, charset);
    return v.empty() ? std::string() : std::move(v[0]);
}

}  // namespace dicomkit::server::model
