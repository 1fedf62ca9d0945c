// Recipes (TOML through toml++, header-only and without exceptions as in server/app/config.cpp)
// and the patient mapping CSV.
#include <dicomkit/deid/recipe.hpp>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <dicomkit/base/toml.hpp>

#include <dicomkit/dict/dictionary.hpp>

namespace dicomkit::deid {

OptionSet Options::columns() const noexcept {
    OptionSet s{};
    s[static_cast<std::size_t>(OptionColumn::RetainSafePrivate)] = retain_safe_private;
    s[static_cast<std::size_t>(OptionColumn::RetainUIDs)] = retain_uids;
    s[static_cast<std::size_t>(OptionColumn::RetainDeviceIdentity)] = retain_device_identity;
    s[static_cast<std::size_t>(OptionColumn::RetainInstitutionIdentity)] = retain_institution_identity;
    s[static_cast<std::size_t>(OptionColumn::RetainPatientCharacteristics)] = retain_patient_characteristics;
    s[static_cast<std::size_t>(OptionColumn::RetainLongitudinalFullDates)] = dates == DateOption::Full;
    s[static_cast<std::size_t>(OptionColumn::RetainLongitudinalModifiedDates)] = dates == DateOption::Modified;
    s[static_cast<std::size_t>(OptionColumn::CleanDescriptors)] = clean_descriptors;
    s[static_cast<std::size_t>(OptionColumn::CleanStructuredContent)] = clean_structured_content;
    s[static_cast<std::size_t>(OptionColumn::CleanGraphics)] = clean_graphics;
    return s;
}

// Every entry is a row of PS3.15 Table E.3.10-1 (Safe Private Attributes). The NEMA page
// (part15/sect_E.3.10.html) could not be consulted when this was checked; the rows were
// compared with a published transcription of that table (a Python de-identifier's
// safe_private_attributes list, which cites PS3.15 E.3.10). (0019,xx0A) number of images in mosaic
// and (0019,xx0B) slice measurement duration of SIEMENS MR HEADER were here but are not rows of the
// table, so they went. The table lists more rows than these (GE, Hologic, Philips US, ...); a recipe's
// [[safe_private]] adds what a site needs.
const std::vector<SafePrivate>& builtin_safe_private() {
    static const std::vector<SafePrivate> list{
        {0x0019, "SIEMENS MR HEADER", 0x0C},  // b-value
        {0x0019, "SIEMENS MR HEADER", 0x0D},  // diffusion directionality
        {0x0019, "SIEMENS MR HEADER", 0x0E},  // diffusion gradient direction
        {0x0019, "SIEMENS MR HEADER", 0x27},  // b-matrix
        {0x0043, "GEMS_PARM_01", 0x39},       // b-value (slop integers)
        {0x2001, "Philips Imaging DD 001", 0x03},  // diffusion b-factor
        {0x7053, "Philips PET Private Group", 0x00},  // SUV scale factor
        {0x7053, "Philips PET Private Group", 0x09},  // activity concentration scale factor
    };
    return list;
}

namespace {

std::string where(std::string_view file, const toml::source_region& r) {
    return fmt::format("{}:{}:{}: ", file, r.begin.line, r.begin.column);
}

Unexpected bad(std::string_view file, const toml::node& n, std::string_view what) {
    return make_error(ErrorCode::InvalidValue, where(file, n.source()) + std::string(what));
}

/// "(gggg,eeee)", "gggg,eeee" or "ggggeeee", hex digits or x; else a keyword.
std::optional<std::pair<Tag, std::uint32_t>> parse_tag_pattern(std::string_view s) {
    std::string digits;
    for (char c : s)
        if (c != '(' && c != ')' && c != ',' && c != ' ') digits.push_back(c);
    bool hex = digits.size() == 8;
    for (char c : digits)
        if (!std::isxdigit(static_cast<unsigned char>(c)) && c != 'x' && c != 'X') hex = false;
    if (hex && (s.find(',') != std::string_view::npos || s.find_first_of("xX") != std::string_view::npos ||
                !dict::find_keyword(s))) {
        std::uint32_t v = 0, m = 0;
        for (char c : digits) {
            v <<= 4;
            m <<= 4;
            if (c == 'x' || c == 'X') continue;
            v |= static_cast<std::uint32_t>(std::stoul(std::string(1, c), nullptr, 16));
            m |= 0xF;
        }
        return std::pair{Tag(v), m};
    }
    if (auto t = dict::parse_tag_or_keyword(s)) return std::pair{*t, 0xFFFFFFFFu};
    return std::nullopt;
}

Result<bool> flag(std::string_view file, const toml::node& n, std::string_view key) {
    auto v = n.value_exact<bool>();
    if (!v) return bad(file, n, fmt::format("{}: expected true or false", key));
    return *v;
}

Result<std::uint32_t> count(std::string_view file, const toml::node& n, std::string_view key, std::int64_t max) {
    auto v = n.value_exact<std::int64_t>();
    if (!v || *v < 0 || *v > max) return bad(file, n, fmt::format("{}: expected a number 0-{}", key, max));
    return static_cast<std::uint32_t>(*v);
}

/// A number given as an integer or a hex string ("0019", "0x19").
Result<std::uint32_t> hex_number(std::string_view file, const toml::node& n, std::string_view key, std::uint32_t max) {
    if (auto i = n.value_exact<std::int64_t>(); i && *i >= 0 && *i <= max) return static_cast<std::uint32_t>(*i);
    if (auto s = n.value_exact<std::string>()) {
        std::string t = *s;
        if (t.starts_with("0x") || t.starts_with("0X")) t = t.substr(2);
        char* end = nullptr;
        unsigned long v = t.empty() ? 0 : std::strtoul(t.c_str(), &end, 16);
        if (!t.empty() && end && *end == '\0' && v <= max) return static_cast<std::uint32_t>(v);
    }
    return bad(file, n, fmt::format("{}: expected a number up to 0x{:X} (integer or hex string)", key, max));
}

Result<void> read_options(std::string_view file, const toml::table& t, Options& o) {
    for (const auto& [k, node] : t) {
        const std::string key(k.str());
        bool* target = nullptr;
        if (key == "retain_safe_private") target = &o.retain_safe_private;
        else if (key == "retain_uids") target = &o.retain_uids;
        else if (key == "retain_device_identity") target = &o.retain_device_identity;
        else if (key == "retain_institution_identity") target = &o.retain_institution_identity;
        else if (key == "retain_patient_characteristics") target = &o.retain_patient_characteristics;
        else if (key == "clean_descriptors") target = &o.clean_descriptors;
        else if (key == "clean_structured_content") target = &o.clean_structured_content;
        else if (key == "clean_graphics") target = &o.clean_graphics;
        else if (key == "clean_pixel_data") target = &o.clean_pixel_data;
        if (target) {
            auto v = flag(file, node, key);
            if (!v) return Unexpected(v.error());
            *target = *v;
        } else if (key == "retain_dates") {
            auto v = node.value_exact<std::string>();
            if (v && *v == "full") o.dates = DateOption::Full;
            else if (v && *v == "modified") o.dates = DateOption::Modified;
            else if (v && (*v == "remove" || *v == "none")) o.dates = DateOption::Remove;
            else return bad(file, node, "retain_dates: expected \"full\", \"modified\" or \"remove\"");
        } else {
            return bad(file, node, fmt::format("options: unknown key '{}'", key));
        }
    }
    return {};
}

Result<void> read_tags(std::string_view file, const toml::table& t, std::vector<TagRule>& out) {
    for (const auto& [k, node] : t) {
        const std::string key(k.str());
        auto tag = parse_tag_pattern(key);
        if (!tag) return bad(file, node, fmt::format("tags: '{}' is neither a keyword nor (gggg,eeee)", key));
        TagRule r;
        r.tag = tag->first;
        r.mask = tag->second;
        const toml::node* action = &node;
        if (const auto* tbl = node.as_table()) {
            action = tbl->get("action");
            if (!action) return bad(file, node, fmt::format("tags: {}: missing action", key));
            for (const auto& [k2, n2] : *tbl) {
                if (k2.str() == "action") continue;
                if (k2.str() != "value") return bad(file, n2, fmt::format("tags: {}: unknown key '{}'", key, k2.str()));
                auto v = n2.value_exact<std::string>();
                if (!v) return bad(file, n2, fmt::format("tags: {}: value: expected a string", key));
                r.value = *v;
            }
        }
        auto code = action->value_exact<std::string>();
        if (!code) return bad(file, *action, fmt::format("tags: {}: expected an action string (D, Z, X, K, C, U)", key));
        auto a = parse_action(*code);
        if (!a || (*a != Action::D && *a != Action::Z && *a != Action::X && *a != Action::K && *a != Action::C &&
                   *a != Action::U))
            return bad(file, *action, fmt::format("tags: {}: unknown action '{}' (one of D, Z, X, K, C, U)", key, *code));
        if (r.value && *a != Action::D)
            return bad(file, node, fmt::format("tags: {}: a value is only for action D", key));
        r.action = *a;
        out.push_back(std::move(r));
    }
    return {};
}

Result<void> read_pixel_rule(std::string_view file, const toml::table& t, PixelCleanRule& r) {
    for (const auto& [k, node] : t) {
        const std::string key(k.str());
        if (key == "modality") {
            auto v = node.value_exact<std::string>();
            if (!v) return bad(file, node, "clean_pixel: modality: expected a string");
            r.modality = *v;
        } else if (key == "rows" || key == "columns") {
            auto v = count(file, node, key, 65535);
            if (!v) return Unexpected(v.error());
            (key == "rows" ? r.rows : r.columns) = *v;
        } else if (key == "regions") {
            const auto* arr = node.as_array();
            if (!arr) return bad(file, node, "clean_pixel: regions: expected [[x, y, width, height], ...]");
            for (const auto& item : *arr) {
                const auto* rect = item.as_array();
                if (!rect || rect->size() != 4)
                    return bad(file, item, "clean_pixel: a region is [x, y, width, height]");
                std::uint32_t v[4];
                for (std::size_t i = 0; i < 4; ++i) {
                    auto n = count(file, *rect->get(i), "clean_pixel: region", 65535);
                    if (!n) return Unexpected(n.error());
                    v[i] = *n;
                }
                r.regions.push_back({v[0], v[1], v[2], v[3]});
            }
        } else {
            return bad(file, node, fmt::format("clean_pixel: unknown key '{}'", key));
        }
    }
    if (r.regions.empty()) return bad(file, t, "clean_pixel: no regions");
    return {};
}

Result<void> read_safe_private(std::string_view file, const toml::table& t, SafePrivate& s) {
    bool has_group = false, has_element = false;
    for (const auto& [k, node] : t) {
        const std::string key(k.str());
        if (key == "group") {
            auto v = hex_number(file, node, key, 0xFFFF);
            if (!v) return Unexpected(v.error());
            if ((*v & 1) == 0) return bad(file, node, "safe_private: group: a private group is odd");
            s.group = static_cast<std::uint16_t>(*v);
            has_group = true;
        } else if (key == "element") {
            auto v = hex_number(file, node, key, 0xFF);
            if (!v) return Unexpected(v.error());
            s.element = static_cast<std::uint8_t>(*v);
            has_element = true;
        } else if (key == "creator") {
            auto v = node.value_exact<std::string>();
            if (!v || v->empty()) return bad(file, node, "safe_private: creator: expected a string");
            s.creator = *v;
        } else {
            return bad(file, node, fmt::format("safe_private: unknown key '{}'", key));
        }
    }
    if (!has_group || !has_element || s.creator.empty())
        return bad(file, t, "safe_private: needs group, creator and element");
    return {};
}

}  // namespace

namespace {
/// toml++ 3.3 (as Debian ships it) reaches an unreachable point (undefined behaviour) when it
/// asks whether some non-ASCII characters are white space (is_non_ascii_horizontal_whitespace),
/// which it may do for any character it reads, in error paths too. So toml++ is given ASCII only:
/// non-ASCII text in "..." strings becomes \u escapes, in comments '?'; elsewhere (bare keys,
/// '...' strings) it is refused, as are control characters and malformed UTF-8.
Result<std::string> ascii_toml(std::string_view text, std::string_view path) {
    constexpr std::string_view kMultiBasic = "\"\"\"", kMultiLiteral = "'''";
    std::string out;
    out.reserve(text.size());
    std::size_t line = 1, col = 0;
    enum { Plain, Comment, Basic, Literal, MultiBasic, MultiLiteral } state = Plain;
    auto fail = [&](std::string_view what) {
        return make_error(ErrorCode::ParseError, fmt::format("{}:{}:{}: {}", path, line, col, what));
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        ++col;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F)
            return fail(fmt::format("a control character (0x{:02X})", static_cast<unsigned>(c)));
        if (c >= 0x80) {
            if (state == Comment) {
                out.push_back('?');
                continue;
            }
            if (state != Basic && state != MultiBasic)
                return fail("a non-ASCII character outside a \"...\" string (quote the key with \"...\")");
            // One UTF-8 sequence -> \uXXXX or \UXXXXXXXX.
            const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
            if (len == 0 || c >= 0xF5 || i + len > text.size()) return fail("malformed UTF-8");
            char32_t cp = c & (0x7F >> len);
            for (std::size_t k = 1; k < len; ++k) {
                const auto b = static_cast<unsigned char>(text[i + k]);
                if ((b & 0xC0) != 0x80) return fail("malformed UTF-8");
                cp = (cp << 6) | (b & 0x3F);
            }
            const char32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return fail("malformed UTF-8");
            out += cp <= 0xFFFF ? fmt::format("\\u{:04X}", static_cast<std::uint32_t>(cp))
                                : fmt::format("\\U{:08X}", static_cast<std::uint32_t>(cp));
            i += len - 1;
            continue;
        }
        out.push_back(static_cast<char>(c));
        if (c == '\n') {
            ++line;
            col = 0;
            if (state == Comment || state == Basic || state == Literal) state = Plain;
            continue;
        }
        switch (state) {
            case Plain:
                if (c == '#') {
                    state = Comment;
                } else if (text.substr(i, 3) == kMultiBasic) {
                    state = MultiBasic;
                    out += "\"\"";
                    i += 2;
                } else if (text.substr(i, 3) == kMultiLiteral) {
                    state = MultiLiteral;
                    out += "''";
                    i += 2;
                } else if (c == '"') {
                    state = Basic;
                } else if (c == '\'') {
                    state = Literal;
                }
                break;
            case Basic:
            case MultiBasic:
                if (c == '\\') {
                    if (i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0x80 && text[i + 1] != '\n') {
                        out.push_back(text[++i]);
                        ++col;
                    }
                } else if (state == Basic && c == '"') {
                    state = Plain;
                } else if (state == MultiBasic && text.substr(i, 3) == kMultiBasic) {
                    state = Plain;
                    out += "\"\"";
                    i += 2;
                }
                break;
            case Literal:
                if (c == '\'') state = Plain;
                break;
            case MultiLiteral:
                if (text.substr(i, 3) == kMultiLiteral) {
                    state = Plain;
                    out += "''";
                    i += 2;
                }
                break;
            case Comment:
                break;
        }
    }
    return out;
}
}  // namespace

Result<Recipe> parse_recipe(std::string_view text, std::string_view path) {
    auto ascii = ascii_toml(text, path);
    if (!ascii) return Unexpected(ascii.error());
    toml::parse_result parsed = toml::parse(*ascii, path);
    if (!parsed) {
        const auto& e = parsed.error();
        return make_error(ErrorCode::ParseError, where(path, e.source()) + std::string(e.description()));
    }
    const toml::table& root = parsed.table();
    Recipe r;
    r.path = std::string(path);
    for (const auto& [k, node] : root) {
        const std::string key(k.str());
        if (key == "options" || key == "tags" || key == "patient") {
            const auto* t = node.as_table();
            if (!t) return bad(path, node, fmt::format("{}: expected a table [{}]", key, key));
            if (key == "options") {
                if (auto ok = read_options(path, *t, r.options); !ok) return Unexpected(ok.error());
            } else if (key == "tags") {
                if (auto ok = read_tags(path, *t, r.tags); !ok) return Unexpected(ok.error());
            } else {
                for (const auto& [pk, pn] : *t) {
                    if (pk.str() == "prefix") {
                        auto v = pn.value_exact<std::string>();
                        if (!v || v->size() > 54) return bad(path, pn, "patient: prefix: expected a string (at most 54 characters)");
                        r.patient.prefix = *v;
                    } else if (pk.str() == "digits") {
                        auto v = count(path, pn, "patient: digits", 18);
                        if (!v) return Unexpected(v.error());
                        if (*v < 4) return bad(path, pn, "patient: digits: at least 4");
                        r.patient.digits = static_cast<int>(*v);
                    } else {
                        return bad(path, pn, fmt::format("patient: unknown key '{}'", pk.str()));
                    }
                }
            }
        } else if (key == "clean_pixel" || key == "safe_private") {
            const auto* arr = node.as_array();
            if (!arr) return bad(path, node, fmt::format("{}: expected an array of tables [[{}]]", key, key));
            for (const auto& item : *arr) {
                const auto* t = item.as_table();
                if (!t) return bad(path, item, fmt::format("{}: expected a table", key));
                if (key == "clean_pixel") {
                    PixelCleanRule rule;
                    if (auto ok = read_pixel_rule(path, *t, rule); !ok) return Unexpected(ok.error());
                    r.pixel_rules.push_back(std::move(rule));
                } else {
                    SafePrivate s;
                    if (auto ok = read_safe_private(path, *t, s); !ok) return Unexpected(ok.error());
                    r.safe_private.push_back(std::move(s));
                }
            }
        } else if (key == "method") {
            auto v = node.value_exact<std::string>();
            if (!v || v->size() > 64) return bad(path, node, "method: expected a string (at most 64 characters)");
            r.method = *v;
        } else {
            return bad(path, node, fmt::format("unknown key '{}' (options, tags, patient, clean_pixel, safe_private, method)", key));
        }
    }
    return r;
}

namespace {
Result<std::string> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(ErrorCode::IoError, fmt::format("{}: cannot open", path));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

Result<Recipe> read_recipe(const std::string& path) {
    auto text = slurp(path);
    if (!text) return Unexpected(text.error());
    return parse_recipe(*text, path);
}

Result<PatientMap> parse_patient_map(std::string_view text, std::string_view path) {
    PatientMap map;
    std::size_t line = 1, pos = 0;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::size_t> row_lines;
    std::vector<std::string> row;
    std::string field;
    bool quoted = false, field_started = false;
    std::size_t row_line = 1;
    auto end_field = [&] {
        row.push_back(std::move(field));
        field.clear();
        field_started = false;
    };
    auto end_row = [&] {
        end_field();
        if (!(row.size() == 1 && row[0].empty())) {
            rows.push_back(std::move(row));
            row_lines.push_back(row_line);
        }
        row.clear();
    };
    while (pos < text.size()) {
        char c = text[pos++];
        if (quoted) {
            if (c == '"') {
                if (pos < text.size() && text[pos] == '"') {
                    field.push_back('"');
                    ++pos;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') ++line;
                field.push_back(c);
            }
            continue;
        }
        if (c == '"' && !field_started) {
            quoted = true;
            field_started = true;
        } else if (c == ',') {
            end_field();
        } else if (c == '\r') {
            continue;
        } else if (c == '\n') {
            end_row();
            ++line;
            row_line = line;
        } else {
            field.push_back(c);
            field_started = true;
        }
    }
    if (quoted) return make_error(ErrorCode::ParseError, fmt::format("{}:{}: unterminated quoted field", path, line));
    if (!field.empty() || !row.empty()) end_row();
    if (rows.empty()) return make_error(ErrorCode::ParseError, fmt::format("{}: empty; expected the header original_id,new_id,new_name", path));
    const auto& h = rows[0];
    if (h.size() < 2 || h[0] != "original_id" || h[1] != "new_id" || (h.size() > 2 && h[2] != "new_name") ||
        (h.size() > 3 && h[3] != "original_name") || h.size() > 4)
        return make_error(ErrorCode::ParseError,
                          fmt::format("{}:{}: expected the header original_id,new_id,new_name[,original_name]", path,
                                      row_lines[0]));
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& r = rows[i];
        if (r.size() < 2 || r.size() > h.size())
            return make_error(ErrorCode::ParseError, fmt::format("{}:{}: expected {} fields, found {}", path,
                                                                 row_lines[i], h.size(), r.size()));
        if (r[0].empty() || r[1].empty())
            return make_error(ErrorCode::ParseError, fmt::format("{}:{}: empty original_id or new_id", path, row_lines[i]));
        if (r[1].size() > 64)
            return make_error(ErrorCode::ParseError, fmt::format("{}:{}: new_id longer than 64 characters", path, row_lines[i]));
        PatientIdentity id{r[1], r.size() > 2 && !r[2].empty() ? r[2] : r[1]};
        if (!map.emplace(r[0], std::move(id)).second)
            return make_error(ErrorCode::ParseError,
                              fmt::format("{}:{}: original_id '{}' listed twice", path, row_lines[i], r[0]));
    }
    return map;
}

Result<PatientMap> read_patient_map(const std::string& path) {
    auto text = slurp(path);
    if (!text) return Unexpected(text.error());
    return parse_patient_map(*text, path);
}

std::string csv_field(std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

}  // namespace dicomkit::deid
