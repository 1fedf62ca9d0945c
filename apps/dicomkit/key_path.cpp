#include "key_path.hpp"

#include <dicomkit/dict/dictionary.hpp>

namespace dicomkit::cli {

Result<KeyPath> parse_key_path(std::string_view name) {
    KeyPath path;
    while (!name.empty()) {
        const auto dot = name.find('.');
        std::string_view part = name.substr(0, dot);
        if (const auto open = part.find('['); open != std::string_view::npos) {
            if (part.substr(open) != "[0]") return make_error(ErrorCode::InvalidValue, "only item [0] can be given");
            part = part.substr(0, open);
        }
        const auto tag = dict::parse_tag_or_keyword(part);
        if (!tag) return make_error(ErrorCode::InvalidValue, "unknown keyword or tag " + std::string(part));
        path.push_back(*tag);
        name = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
    }
    if (path.empty()) return make_error(ErrorCode::InvalidValue, "no key");
    return path;
}

VR dictionary_vr(Tag t) {
    const auto* info = dict::find(t);
    return info ? info->vr() : VR::LO;
}

void set_key_path(DataSet& ds, std::span<const Tag> path, const std::string& value) {
    if (path.size() == 1) {
        if (dictionary_vr(path[0]) == VR::SQ) {
            if (!ds.contains(path[0])) ds.set(Element(path[0], VR::SQ, Sequence{}));
        } else {
            ds.set(Element::from_string(path[0], dictionary_vr(path[0]), value));
        }
        return;
    }
    Element* e = ds.find(path[0]);
    if (!e || !e->is_sequence()) e = &ds.set(Element(path[0], VR::SQ, Sequence{}));
    if (e->sequence().items.empty()) e->sequence().items.emplace_back();
    set_key_path(e->sequence().items.front(), path.subspan(1), value);
}

}  // namespace dicomkit::cli
