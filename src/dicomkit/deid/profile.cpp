#include <dicomkit/deid/profile.hpp>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace dicomkit::deid {

const ProfileEntry* find_profile_entry(Tag tag) noexcept {
    auto table = profile_table();
    const std::uint32_t v = tag.value();
    auto it = std::lower_bound(table.begin(), table.end(), v,
                               [](const ProfileEntry& e, std::uint32_t value) { return e.tag < value; });
    for (; it != table.end() && it->tag == v; ++it)
        if (it->mask == 0xFFFFFFFFu) return &*it;
    // The few repeating-group rows, found once.
    static const std::vector<const ProfileEntry*> masked = [table] {
        std::vector<const ProfileEntry*> m;
        for (const ProfileEntry& e : table)
            if (e.mask != 0xFFFFFFFFu) m.push_back(&e);
        return m;
    }();
    for (const ProfileEntry* e : masked)
        if (e->matches(tag)) return e;
    return nullptr;
}

Action effective_action(const ProfileEntry& entry, const OptionSet& options) noexcept {
    Action a = entry.basic;
    bool retained = false;
    for (std::size_t i = 0; i < kOptionColumns; ++i) {
        if (!options[i] || entry.options[i] == Action::None) continue;
        if (entry.options[i] == Action::K) {
            a = Action::K;
            retained = true;
        } else if (!retained) {
            a = entry.options[i];
        }
    }
    return a;
}

Action resolve(Action a) noexcept {
    switch (a) {
        case Action::XZ: return Action::Z;
        case Action::ZD:
        case Action::XD:
        case Action::XZD: return Action::D;
        case Action::XZU: return Action::U;
        default: return a;
    }
}

std::string_view action_code(Action a) noexcept {
    switch (a) {
        case Action::None: return "";
        case Action::D: return "D";
        case Action::Z: return "Z";
        case Action::X: return "X";
        case Action::K: return "K";
        case Action::C: return "C";
        case Action::U: return "U";
        case Action::ZD: return "Z/D";
        case Action::XZ: return "X/Z";
        case Action::XD: return "X/D";
        case Action::XZD: return "X/Z/D";
        case Action::XZU: return "X/Z/U*";
    }
    return "";
}

Result<Action> parse_action(std::string_view code) {
    std::string up(code);
    for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (Action a : {Action::D, Action::Z, Action::X, Action::K, Action::C, Action::U, Action::ZD, Action::XZ,
                     Action::XD, Action::XZD, Action::XZU})
        if (action_code(a) == up) return a;
    return make_error(ErrorCode::InvalidArgument,
                      fmt::format("unknown action '{}' (one of D, Z, X, K, C, U)", code));
}

}  // namespace dicomkit::deid
