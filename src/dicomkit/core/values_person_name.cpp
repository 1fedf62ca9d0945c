// PN values: component groups and components (PS3.5 6.2, 6.2.1).
#include <dicomkit/core/values.hpp>

#include <array>
#include <functional>
#include <vector>

#include <dicomkit/core/values_detail.hpp>

namespace dicomkit {

namespace {

using Group = PersonName::Group;

std::array<const std::string*, 5> components(const Group& g) {
    return {&g.family, &g.given, &g.middle, &g.prefix, &g.suffix};
}

std::array<std::string*, 5> components(Group& g) {
    return {&g.family, &g.given, &g.middle, &g.prefix, &g.suffix};
}

/// Joins `parts` with `delimiter`, leaving out the empty parts at the end (PS3.5 6.2: trailing
/// null components and groups and their delimiters may be omitted).
std::string join_trimmed(const std::vector<std::string>& parts, char delimiter) {
    std::size_t used = parts.size();
    while (used > 0 && parts[used - 1].empty()) --used;
    std::string out;
    for (std::size_t i = 0; i < used; ++i) {
        if (i > 0) out.push_back(delimiter);
        out += parts[i];
    }
    return out;
}

/// Calls `each(index, piece)` for the pieces of `s` between `delimiter`s; false when there are
/// more than `max` pieces.
bool split(std::string_view s, char delimiter, std::size_t max,
           const std::function<void(std::size_t, std::string_view)>& each) {
    std::size_t index = 0;
    for (;;) {
        if (index == max) return false;
        const auto end = s.find(delimiter);
        each(index++, s.substr(0, end));
        if (end == std::string_view::npos) return true;
        s.remove_prefix(end + 1);
    }
}

}  // namespace

bool PersonName::Group::empty() const noexcept {
    return family.empty() && given.empty() && middle.empty() && prefix.empty() && suffix.empty();
}

std::string PersonName::Group::str() const {
    std::vector<std::string> parts;
    for (const std::string* c : components(*this)) parts.push_back(*c);
    return join_trimmed(parts, '^');
}

bool PersonName::empty() const noexcept {
    return alphabetic.empty() && ideographic.empty() && phonetic.empty();
}

std::string PersonName::str() const {
    return join_trimmed({alphabetic.str(), ideographic.str(), phonetic.str()}, '=');
}

Result<PersonName> parse_person_name(std::string_view s) {
    s = detail::without_padding(s);
    if (s.find('\\') != std::string_view::npos)
        return detail::invalid_value("PN", s, "a backslash separates values, it cannot be in one");
    PersonName pn;
    std::array<Group*, 3> groups = {&pn.alphabetic, &pn.ideographic, &pn.phonetic};
    bool components_ok = true;
    const bool groups_ok = split(s, '=', groups.size(), [&](std::size_t g, std::string_view text) {
        auto fields = components(*groups[g]);
        components_ok = components_ok &&
                        split(text, '^', fields.size(), [&](std::size_t c, std::string_view part) {
                            fields[c]->assign(part);
                        });
    });
    if (!groups_ok) return detail::invalid_value("PN", s, "more than 3 component groups");
    if (!components_ok) return detail::invalid_value("PN", s, "more than 5 components in a group");
    return pn;
}

}  // namespace dicomkit
