// QIDO-RS query parameters -> C-FIND identifier, and matches -> DICOM JSON (PS3.18 8.3.4, 10.6).
#include <algorithm>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/json/json.hpp>
#include <dicomkit/server/model/entity_level.hpp>
#include <dicomkit/server/web/qido.hpp>
#include <map>
#include <optional>
#include <span>

namespace dicomkit::server::web {

namespace {

using model::Level;

Unexpected bad(std::string param, std::string why) {
    return make_error(ErrorCode::InvalidArgument, "query parameter \"" + param + "\": " + why);
}

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// application/x-www-form-urlencoded decoding: %XX escapes, '+' a space.
std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out.push_back(' ');
        } else if (s[i] == '%') {
            if (i + 2 >= s.size()) return std::nullopt;
            const int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

/// A tag from a keyword or eight hexadecimal digits, known to the dictionary.
std::optional<Tag> parse_attribute(std::string_view s) {
    if (s.size() == 8 &&
        std::all_of(s.begin(), s.end(), [](char c) { return hex_digit(c) >= 0; })) {
        std::uint32_t v = 0;
        for (char c : s) v = v * 16 + static_cast<std::uint32_t>(hex_digit(c));
        const Tag t(static_cast<std::uint16_t>(v >> 16), static_cast<std::uint16_t>(v & 0xFFFF));
        if (t.is_private()) return t;
        return dict::find(t) ? std::optional<Tag>(t) : std::nullopt;
    }
    if (const auto* info = dict::find_keyword(s)) return info->tag;
    return std::nullopt;
}

VR vr_of(Tag t) {
    const auto* info = dict::find(t);
    return info ? info->vr() : VR::UN;
}

/// The Study Root level of an attribute: the index's own keys' level, else its entity's.
Level level_of(Tag t) {
    if (const auto* k = model::find_key(t)) return model::key_level(*k, model::Root::Study);
    return model::level_in_root(model::entity_level(t), model::Root::Study);
}

bool is_uid_text(std::string_view s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || c == '.';
    });
}

bool is_date_text(std::string_view s) {
    return s.empty() || (s.size() == 8 && std::all_of(s.begin(), s.end(),
                                                      [](char c) { return c >= '0' && c <= '9'; }));
}

/// One key of the identifier tree: a value (nullopt: an empty return key) or a sequence's item.
struct Node {
    std::optional<std::string> value;
    bool sequence = false;
    std::map<Tag, Node> item;
};

/// A value as the identifier holds it (PS3.18 8.3.4.1): checked against its VR; comma lists
/// become backslash lists for UIDs and the study's modality and SOP class lists.
Result<std::string> key_value(const std::string& param, Tag tag, std::string_view value,
                              const QidoLimits& limits) {
    if (value.size() > limits.max_value_bytes)
        return make_error(ErrorCode::LimitExceeded,
                          "query parameter \"" + param + "\": value too long");
    if (value.empty()) return std::string();
    const VR vr = vr_of(tag);
    if (!is_string(vr))
        return bad(param, "a " + std::string(to_string(vr)) + " attribute cannot be matched");
    const bool list =
        vr == VR::UI || tag == tags::ModalitiesInStudy || tag == tags::SOPClassesInStudy;
    if (!list) {
        if (value.find('\\') != std::string_view::npos)
            return bad(param, "one value expected (a backslash)");
        if (vr == VR::DA) {
            const auto dash = value.find('-');
            const bool ok = dash == std::string_view::npos
                                ? is_date_text(value) && !value.empty()
                                : is_date_text(value.substr(0, dash)) &&
                                      is_date_text(value.substr(dash + 1)) && value.size() > 1;
            if (!ok) return bad(param, "not a date (YYYYMMDD) or date range");
        }
        if (vr == VR::TM || vr == VR::DT) {
            if (!std::all_of(value.begin(), value.end(), [](char c) {
                    return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == ':';
                }))
                return bad(param, "not a time or time range");
        }
        return std::string(value);
    }
    std::string out;
    std::size_t n = 0, start = 0;
    for (;;) {
        const auto comma = value.find(',', start);
        const std::string_view v =
            value.substr(start, comma == std::string_view::npos ? value.npos : comma - start);
        if (++n > limits.max_list)
            return make_error(ErrorCode::LimitExceeded,
                              "query parameter \"" + param + "\": list too long");
        if (vr == VR::UI && !is_uid_text(v))
            return bad(param, "\"" + std::string(v) + "\" is not a UID");
        if (v.empty() || v.find('\\') != std::string_view::npos)
            return bad(param, "an empty or bad list value");
        if (!out.empty()) out += '\\';
        out += v;
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return out;
}

/// The sequence item tree as data set elements.
DataSet to_dataset(const std::map<Tag, Node>& keys) {
    DataSet ds;
    for (const auto& [tag, node] : keys) {
        if (node.sequence) {
            std::vector<DataSet> items;
            if (!node.item.empty()) items.push_back(to_dataset(node.item));
            ds.set(Element(tag, VR::SQ, Sequence(std::move(items))));
        } else if (node.value && !node.value->empty()) {
            ds.set(Element::from_string(tag, vr_of(tag), *node.value));
        } else {
            ds.set(model::empty_return_key(tag));
        }
    }
    return ds;
}

bool non_ascii(const std::map<Tag, Node>& keys) {
    for (const auto& [tag, node] : keys) {
        if (node.value && std::any_of(node.value->begin(), node.value->end(),
                                      [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
            return true;
        if (non_ascii(node.item)) return true;
    }
    return false;
}

/// Parses the request's parameters into a tree of keys.
class Builder {
  public:
    Builder(Level level, const QidoLimits& limits) : level_(level), limits_(limits) {}

    Result<void> match(const std::string& name, std::string_view value) {
        std::vector<Tag> path;
        std::size_t start = 0;
        for (;;) {
            const auto dot = name.find('.', start);
            const std::string part =
                name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
            auto t = parse_attribute(part);
            if (!t) return bad(name, "unknown attribute \"" + part + "\"");
            if (t->is_private()) return bad(name, "private attributes are not supported");
            path.push_back(*t);
            if (path.size() > limits_.max_path_depth) return bad(name, "sequences nested too deep");
            if (dot == std::string::npos) break;
            start = dot + 1;
        }
        for (std::size_t i = 0; i + 1 < path.size(); ++i)
            if (vr_of(path[i]) != VR::SQ)
                return bad(name, "\"" + path[i].str() + "\" is not a sequence");
        if (path.size() == 1 && vr_of(path[0]) == VR::SQ && !value.empty())
            return bad(name, "a sequence is matched through its item's keys (Sequence.Key=value)");
        // PS3.18 10.6.1: OHIF and others send series and instance keys to /studies.
        if (level_ == Level::Study && path.size() == 1) {
            if (path[0] == tags::Modality) path[0] = tags::ModalitiesInStudy;
            if (path[0] == tags::SOPClassUID) path[0] = tags::SOPClassesInStudy;
        }
        if (level_of(path[0]) > level_) {
            if (value.empty()) return {};  // a return key below the level: not returned
            return bad(name, "a " + std::string(model::to_string(level_of(path[0]))) +
                                 " attribute cannot be matched in a " +
                                 std::string(model::to_string(level_)) + " search");
        }
        auto v = key_value(name, path.back(), value, limits_);
        if (!v) return tl::unexpected(v.error());
        Node* node = nullptr;
        std::map<Tag, Node>* where = &keys_;
        for (std::size_t i = 0; i < path.size(); ++i) {
            node = &(*where)[path[i]];
            if (i + 1 < path.size()) {
                if (node->value && !node->value->empty())
                    return bad(name, "a sequence with a value");
                node->sequence = true;
                where = &node->item;
                if (where->size() >= 64)
                    return make_error(ErrorCode::LimitExceeded, "too many item keys");
            }
        }
        if (path.size() == 1 && vr_of(path[0]) == VR::SQ) {
            node->sequence = true;
            return {};
        }
        if (node->value && !node->value->empty() && !v->empty()) return bad(name, "given twice");
        if (!node->value || node->value->empty()) node->value = std::move(*v);
        return {};
    }

    /// An empty return key unless the key is there already; `ours`: filled in by
    /// qido_result_json whatever its level.
    void include(Tag t, bool ours = false) {
        if (!ours && level_of(t) > level_) return;  // PS3.18 10.6.3.3: not returned
        Node& n = keys_[t];
        if (vr_of(t) == VR::SQ) n.sequence = true;
        if (!n.value && !n.sequence) n.value = std::string();
    }

    /// A path UID: a unique key with its value.
    Result<void> unique(Tag t, std::string_view uid, const char* what) {
        if (!is_uid_text(uid))
            return make_error(ErrorCode::InvalidArgument,
                              std::string(what) + " in the path is not a UID");
        Node& n = keys_[t];
        if (n.value && !n.value->empty() && *n.value != uid)
            return make_error(
                ErrorCode::InvalidArgument,
                std::string(what) + " is given in the path and, differently, as a query parameter");
        n.value = std::string(uid);
        return {};
    }

    std::map<Tag, Node>& keys() { return keys_; }

  private:
    Level level_;
    const QidoLimits& limits_;
    std::map<Tag, Node> keys_;
};

std::optional<std::uint64_t> parse_count(std::string_view s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

constexpr Tag kStudyKeys[] = {tags::StudyDate,
                              tags::StudyTime,
                              tags::AccessionNumber,
                              tags::InstanceAvailability,
                              tags::ModalitiesInStudy,
                              tags::ReferringPhysicianName,
                              tags::TimezoneOffsetFromUTC,
                              tags::RetrieveURL,
                              tags::PatientName,
                              tags::PatientID,
                              tags::PatientBirthDate,
                              tags::PatientSex,
                              tags::StudyInstanceUID,
                              tags::StudyID,
                              tags::NumberOfStudyRelatedSeries,
                              tags::NumberOfStudyRelatedInstances};
constexpr Tag kSeriesKeys[] = {tags::Modality,
                               tags::TimezoneOffsetFromUTC,
                               tags::SeriesDescription,
                               tags::RetrieveURL,
                               tags::SeriesInstanceUID,
                               tags::SeriesNumber,
                               tags::NumberOfSeriesRelatedInstances,
                               tags::PerformedProcedureStepStartDate,
                               tags::PerformedProcedureStepStartTime,
                               tags::RequestAttributesSequence};
constexpr Tag kInstanceKeys[] = {tags::SOPClassUID,
                                 tags::SOPInstanceUID,
                                 tags::InstanceAvailability,
                                 tags::TimezoneOffsetFromUTC,
                                 tags::RetrieveURL,
                                 tags::InstanceNumber,
                                 tags::Rows,
                                 tags::Columns,
                                 tags::BitsAllocated,
                                 tags::NumberOfFrames};

/// PS3.18 8.3.4.3 includefield=all: every key the index keeps at or above the level (the
/// patient's relation counts aside: the Study Root model has no patient level).
void include_all(Builder& b, Level level) {
    for (const model::KeyInfo& k : model::known_keys()) {
        if (k.level == Level::Patient && k.kind == model::ValueKind::Count) continue;
        if (model::key_level(k, model::Root::Study) <= level) b.include(k.tag);
    }
}

std::string url_segment(std::string_view uid) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : uid) {
        const bool safe = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                          (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '_' || c == '~';
        if (safe) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
            out.push_back(kHex[static_cast<unsigned char>(c) & 0xF]);
        }
    }
    return out;
}

}  // namespace

std::vector<Tag> qido_default_keys(Level level, bool above) {
    std::vector<Tag> out;
    const auto add = [&](std::span<const Tag> keys) {
        for (Tag t : keys) {
            const bool ours = t == tags::RetrieveURL || t == tags::InstanceAvailability;
            if (!ours && level_of(t) > level)
                continue;  // the index has no such value at this level
            if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
        }
    };
    if (level == Level::Study || (above && level != Level::Study)) add(kStudyKeys);
    if (level == Level::Series || (above && level == Level::Image)) add(kSeriesKeys);
    if (level == Level::Image) add(kInstanceKeys);
    // The Retrieve URL of a series or instance needs the UIDs above it.
    if (level >= Level::Series) add(std::span<const Tag>(&tags::StudyInstanceUID, 1));
    if (level >= Level::Image) add(std::span<const Tag>(&tags::SeriesInstanceUID, 1));
    return out;
}

Result<QidoQuery> parse_qido(Level level, std::string_view query_string, std::string_view study_uid,
                             std::string_view series_uid, const QidoLimits& limits) {
    if (level != Level::Study && level != Level::Series && level != Level::Image)
        return make_error(ErrorCode::InvalidArgument,
                          "QIDO-RS searches studies, series or instances");
    if (query_string.size() > limits.max_query_bytes)
        return make_error(ErrorCode::LimitExceeded, "query string too long");
    QidoQuery q;
    q.level = level;
    Builder b(level, limits);
    std::vector<std::pair<std::string, std::string>> includes;
    std::size_t count = 0, start = 0;
    bool seen_limit = false, seen_offset = false, seen_fuzzy = false;
    while (start <= query_string.size()) {
        const auto amp = query_string.find('&', start);
        const std::string_view pair = query_string.substr(
            start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
        start = amp == std::string_view::npos ? query_string.size() + 1 : amp + 1;
        if (pair.empty()) continue;
        if (++count > limits.max_params)
            return make_error(ErrorCode::LimitExceeded, "too many query parameters");
        const auto eq = pair.find('=');
        auto name = percent_decode(pair.substr(0, eq));
        auto value =
            percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
        if (!name || !value)
            return bad(std::string(pair.substr(0, std::min<std::size_t>(eq, 64))),
                       "bad percent escape");
        if (value->size() > limits.max_value_bytes && *name != "includefield")
            return make_error(ErrorCode::LimitExceeded,
                              "query parameter \"" + *name + "\": value too long");
        if (*name == "includefield") {
            includes.emplace_back(*name, std::move(*value));
        } else if (*name == "fuzzymatching") {
            if (seen_fuzzy || (*value != "true" && *value != "false"))
                return bad(*name, "true or false, once");
            seen_fuzzy = true;
            q.fuzzy = *value == "true";
        } else if (*name == "limit" || *name == "offset") {
            auto n = parse_count(*value);
            bool& seen = *name == "limit" ? seen_limit : seen_offset;
            if (!n || seen) return bad(*name, "a non-negative number, once");
            seen = true;
            (*name == "limit" ? q.limit : q.offset) = *n;
        } else if (*name == "accept") {
            q.accept = std::move(*value);
        } else if (*name == "charset") {
            // PS3.18 8.3.3.2: the response is UTF-8 whatever is asked.
        } else {
            auto r = b.match(*name, *value);
            if (!r) return tl::unexpected(r.error());
        }
    }
    for (const auto& [name, list] : includes) {
        std::size_t s = 0;
        for (;;) {
            const auto comma = list.find(',', s);
            const std::string item =
                list.substr(s, comma == std::string::npos ? std::string::npos : comma - s);
            if (item == "all") {
                q.include_all = true;
            } else {
                auto t = parse_attribute(item);
                if (!t) return bad(name, "unknown attribute \"" + item + "\"");
                if (t->is_private()) return bad(name, "private attributes are not supported");
                if (q.include.size() >= limits.max_params)
                    return make_error(ErrorCode::LimitExceeded, "too many include fields");
                q.include.push_back(*t);
                b.include(*t);
            }
            if (comma == std::string::npos) break;
            s = comma + 1;
        }
    }
    if (q.include_all && !q.include.empty())
        return bad("includefield", "\"all\" excludes other include fields (PS3.18 8.3.4.3)");
    if (!study_uid.empty()) {
        auto r = b.unique(tags::StudyInstanceUID, study_uid, "the Study Instance UID");
        if (!r) return tl::unexpected(r.error());
    }
    if (!series_uid.empty()) {
        if (study_uid.empty())
            return make_error(ErrorCode::InvalidArgument, "a series UID without its study's");
        auto r = b.unique(tags::SeriesInstanceUID, series_uid, "the Series Instance UID");
        if (!r) return tl::unexpected(r.error());
    }
    // All series / all instances carry the levels above; a study's instances the series'.
    const bool above = study_uid.empty();
    const auto defaults = [&](Level l, bool a) {
        for (Tag t : qido_default_keys(l, a))
            b.include(t, t == tags::RetrieveURL || t == tags::InstanceAvailability);
    };
    defaults(level, above);
    if (level == Level::Image && !above && series_uid.empty())
        defaults(Level::Series, false);  // 10.6.3.3.3
    if (q.include_all) include_all(b, level);
    // Table 10.6.3-4: Request Attributes Sequence with these two of its item's keys.
    if (auto it = b.keys().find(tags::RequestAttributesSequence);
        it != b.keys().end() && it->second.item.empty()) {
        it->second.item[tags::ScheduledProcedureStepID].value = std::string();
        it->second.item[tags::RequestedProcedureID].value = std::string();
    }
    DataSet ds = to_dataset(b.keys());
    if (non_ascii(b.keys())) ds.set_string(tags::SpecificCharacterSet, VR::CS, "ISO_IR 192");
    ds.set_string(tags::QueryRetrieveLevel, VR::CS, model::to_string(level));
    auto parsed = service::Query::parse(model::Root::Study, ds, true);
    if (!parsed)
        return make_error(ErrorCode::InvalidValue,
                          "the query cannot be matched: " + parsed.error().message);
    q.identifier = std::move(ds);
    return q;
}

Result<std::string> qido_result_json(const DataSet& match, const QidoQuery& query,
                                     std::string_view retrieve_base) {
    DataSet out = match;
    out.remove(tags::QueryRetrieveLevel);
    std::string url(retrieve_base);
    url += "/studies/" + url_segment(match.string_or(tags::StudyInstanceUID));
    if (query.level >= Level::Series)
        url += "/series/" + url_segment(match.string_or(tags::SeriesInstanceUID));
    if (query.level >= Level::Image)
        url += "/instances/" + url_segment(match.string_or(tags::SOPInstanceUID));
    out.set_string(tags::RetrieveURL, VR::UR, url);
    if (const Element* a = out.find(tags::InstanceAvailability); a && a->length() == 0)
        out.set_string(tags::InstanceAvailability, VR::CS, "ONLINE");
    json::JsonOptions options;
    options.lenient_charset = true;
    return json::to_json(out, options);
}

service::ServiceResult<QidoOutcome> run_qido(
    service::Query& service, const QidoQuery& query, std::string_view retrieve_base,
    const std::function<bool(std::string_view json_object)>& emit) {
    QidoOutcome out;
    std::optional<service::ServiceError> failure;
    auto n = service.find(
        model::Root::Study, query.identifier,
        [&](const DataSet& m) {
            ++out.matched;
            if (out.matched <= query.offset) return true;
            if (query.limit != 0 && out.returned >= query.limit) {
                out.truncated = true;
                return false;
            }
            auto js = qido_result_json(m, query, retrieve_base);
            if (!js) {
                failure = service::ServiceError{service::ErrorKind::UnableToProcess,
                                                js.error().to_string()};
                return false;
            }
            ++out.returned;
            return emit(*js);
        },
        true);
    if (!n) return tl::unexpected(n.error());
    if (failure) return tl::unexpected(*failure);
    return out;
}

}  // namespace dicomkit::server::web
