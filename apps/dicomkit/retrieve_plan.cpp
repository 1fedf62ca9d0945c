// Planning a C-GET: C-FIND down to the instances, the contexts per SOP class, associations.
#include "retrieve_plan.hpp"

#include <algorithm>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_reader.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/channel.hpp>
#include <dicomkit/net/dimse/data_sink.hpp>
#include <dicomkit/net/dimse/data_source.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/model/query.hpp>

namespace dicomkit::cli {

namespace {

namespace dimse = net::dimse;

using server::model::Level;
using server::model::parse_level;

std::string text(const DataSet& ds, Tag t) { return std::string(trim_padding(ds.string_or(t))); }

/// One C-FIND on the association; each match's identifier goes to `out`.
Result<void> find_once(dimse::Channel& ch, const net::ul::AcceptedContext& ctx, const std::string& sop,
                       std::uint16_t message_id, const DataSet& q, std::vector<DataSet>& out) {
    const auto* ts = io::find_transfer_syntax(ctx.transfer_syntax);
    if (!ts) return make_error(ErrorCode::Unsupported, "accepted transfer syntax unknown");
    auto bytes = io::encode_dataset(q, *ts);
    if (!bytes) return tl::unexpected(bytes.error());
    dimse::Command rq;
    rq.field = dimse::CommandField::C_FIND_RQ;
    rq.message_id = message_id;
    rq.affected_sop_class_uid = sop;
    rq.priority = 0;
    rq.has_dataset = true;
    dimse::MemorySource src(std::move(*bytes));
    if (auto r = dimse::send_message(ch, ctx.id, rq, &src); !r) return r;
    for (;;) {
        auto m = dimse::receive_message(ch, ch.timeouts().dimse);
        if (!m) return tl::unexpected(m.error());
        const std::uint16_t st = m->command.status.value_or(dimse::status::ProcessingFailure);
        const auto kind = dimse::status_kind(st);
        if (kind == dimse::StatusKind::Pending) {
            auto* sink = dynamic_cast<dimse::MemorySink*>(m->dataset.get());
            if (!sink) continue;
            auto ds = io::read_dataset(sink->bytes(), *ts);
            if (!ds) return tl::unexpected(ds.error());
            out.push_back(std::move(*ds));
            continue;
        }
        if (kind == dimse::StatusKind::Success) return {};
        std::string why = dimse::describe_status(st, dimse::CommandField::C_FIND_RSP);
        if (!m->command.error_comment.empty()) why += " (" + m->command.error_comment + ")";
        return make_error(ErrorCode::Unsupported, "C-FIND at " + std::string(text(q, tags::QueryRetrieveLevel)) +
                                                      " level: " + why);
    }
}

struct Finder {
    dimse::Channel& ch;
    const net::ul::AcceptedContext& ctx;
    std::string sop;
    bool patient_root;
    std::uint16_t next_id = 1;

    /// The entities at `level` under `keys`, then everything below each.
    Result<void> descend(const DataSet& keys, Level level, std::vector<FoundInstance>& out) {
        DataSet q = keys;
        q.set_string(tags::QueryRetrieveLevel, VR::CS, std::string(server::model::to_string(level)));
        if (!q.find(server::model::unique_key(level))) q.set_string(server::model::unique_key(level), VR::UI, "");
        if (level == Level::Image) {
            q.set_string(tags::SOPClassUID, VR::UI, "");
            q.set_string(tags::AvailableTransferSyntaxUID, VR::UI, "");
        }
        std::vector<DataSet> matches;
        if (auto r = find_once(ch, ctx, sop, next_id++, q, matches); !r) return r;
        for (const DataSet& m : matches) {
            DataSet child = keys;
            // The match's own unique key, and those above it when a relational answer adds them.
            for (Level l : {Level::Patient, Level::Study, Level::Series, Level::Image}) {
                if (l > level || (l == Level::Patient && !patient_root)) continue;
                if (const Element* e = m.find(server::model::unique_key(l)); e && !text(m, server::model::unique_key(l)).empty()) child.set(*e);
            }
            if (level == Level::Image) {
                FoundInstance f;
                f.sop_class_uid = text(m, tags::SOPClassUID);
                f.sop_instance_uid = text(m, tags::SOPInstanceUID);
                f.patient_id = text(child, tags::PatientID);
                f.study_uid = text(child, tags::StudyInstanceUID);
                f.series_uid = text(child, tags::SeriesInstanceUID);
                f.transfer_syntax = text(m, tags::AvailableTransferSyntaxUID);
                if (!f.sop_instance_uid.empty()) out.push_back(std::move(f));
                continue;
            }
            if (text(child, server::model::unique_key(level)).empty()) continue;  // nothing to descend by
            if (auto r = descend(child, static_cast<Level>(static_cast<int>(level) + 1), out); !r) return r;
        }
        return {};
    }
};

/// The syntax key of an instance's transfer syntax (see AssociationPlan::units).
std::string key_of(const std::string& ts) { return classify({ts}).other.empty() ? std::string() : ts; }

/// One unit of packing: contexts that go on one association together.
struct Unit {
    std::string cls;
    std::string key;
    std::vector<net::pdu::PresentationContextRq> contexts;
};

std::vector<Unit> units_of(const std::string& cls, const ClassSyntaxes& s) {
    std::vector<Unit> out;
    if (!s.uncompressed.empty())
        out.push_back({cls, "", {{0, cls, std::vector<std::string>(s.uncompressed.rbegin(), s.uncompressed.rend())}}});
    for (const auto& ts : s.other) out.push_back({cls, ts, {{0, cls, {ts}}}});
    if (!s.whole || out.size() <= 1) return out;
    Unit all{cls, "*", {}};
    for (auto& u : out) all.contexts.push_back(std::move(u.contexts.front()));
    return {std::move(all)};
}

void add_unit(AssociationPlan& a, Unit u) {
    if (a.classes.insert(u.cls).second) a.roles.push_back({u.cls, false, true});
    a.units.insert({u.cls, u.key});
    for (auto& c : u.contexts) a.contexts.push_back(std::move(c));
}

}  // namespace

Result<std::vector<FoundInstance>> find_instances(const FindTarget& t, const DataSet& identifier) {
    const auto level = parse_level(trim_padding(identifier.string_or(tags::QueryRetrieveLevel)));
    if (!level) return make_error(ErrorCode::InvalidValue, "Query/Retrieve Level missing or unknown");
    if (!t.patient_root && *level == Level::Patient)
        return make_error(ErrorCode::InvalidValue, "the Study Root model has no PATIENT level");
    const std::string sop = t.patient_root ? "1.2.840.10008.5.1.4.1.2.1.1" : "1.2.840.10008.5.1.4.1.2.2.1";
    net::ul::AssociationRequest arq;
    arq.calling_ae = t.calling_ae;
    arq.called_ae = t.called_ae;
    arq.contexts.push_back({1, sop, {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2"}});
    if (t.relational) arq.extended_negotiations.push_back({sop, {1}});
    net::ul::FailureKind kind = net::ul::FailureKind::None;
    auto assoc = net::ul::Association::request(t.peer, arq, t.options, &kind);
    if (!assoc) return tl::unexpected(assoc.error());
    dimse::AssociationChannel ch(*assoc);
    const auto* ctx = ch.find_context(sop, {});
    if (!ctx) {
        (void)assoc->release();
        return make_error(ErrorCode::Unsupported, "the peer did not accept C-FIND (" + sop + ")");
    }
    DataSet keys;
    for (Level l : {Level::Patient, Level::Study, Level::Series, Level::Image}) {
        if (l > *level || (l == Level::Patient && !t.patient_root)) continue;
        if (const Element* e = identifier.find(server::model::unique_key(l))) keys.set(*e);
    }
    Finder f{ch, *ctx, sop, t.patient_root};
    std::vector<FoundInstance> out;
    auto r = f.descend(keys, *level, out);
    (void)assoc->release();
    if (!r) return tl::unexpected(r.error());
    return out;
}

const std::vector<std::string>& default_compressed_syntaxes() {
    static const std::vector<std::string> v = {
        "1.2.840.10008.1.2.4.50",  "1.2.840.10008.1.2.4.51",  "1.2.840.10008.1.2.4.57",
        "1.2.840.10008.1.2.4.70",  "1.2.840.10008.1.2.4.80",  "1.2.840.10008.1.2.4.81",
        "1.2.840.10008.1.2.4.90",  "1.2.840.10008.1.2.4.91",  "1.2.840.10008.1.2.4.201",
        "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203", "1.2.840.10008.1.2.5",
        "1.2.840.10008.1.2.1.99"};
    return v;
}

const std::vector<std::string>& uncompressed_syntaxes() {
    static const std::vector<std::string> v = {"1.2.840.10008.1.2.1", "1.2.840.10008.1.2"};
    return v;
}

ClassSyntaxes classify(const std::vector<std::string>& list) {
    ClassSyntaxes s;
    for (const auto& ts : list) {
        if (ts == "1.2.840.10008.1.2.1" || ts == "1.2.840.10008.1.2") s.uncompressed.insert(ts);
        else if (!ts.empty()) s.other.insert(ts);
    }
    return s;
}

SyntaxPlan plan_from_instances(const std::vector<FoundInstance>& found, const std::vector<std::string>& forced) {
    SyntaxPlan plan;
    const ClassSyntaxes forced_set = classify(forced);
    for (const auto& f : found) {
        if (f.sop_class_uid.empty()) continue;
        ClassSyntaxes& s = plan[f.sop_class_uid];
        if (!forced.empty()) {
            s = forced_set;  // whole: the instances' syntaxes say nothing of where they arrive
            continue;
        }
        s.uncompressed.insert(uncompressed_syntaxes().begin(), uncompressed_syntaxes().end());
        // Whatever the peer stored, an uncompressed form is proposed; a syntax it cannot convert
        // to needs a context of its own (Explicit VR Big Endian and deflate included).
        if (f.transfer_syntax.empty()) {
            s.other.insert(default_compressed_syntaxes().begin(), default_compressed_syntaxes().end());
        } else if (!classify({f.transfer_syntax}).other.empty()) {
            s.other.insert(f.transfer_syntax);
        }
    }
    // A class whose every instance's syntax is known may have its contexts on several associations.
    if (forced.empty())
        for (auto& entry : plan) {
            const std::string& cls = entry.first;
            entry.second.whole = std::any_of(found.begin(), found.end(), [&](const FoundInstance& f) {
                return f.sop_class_uid == cls && f.transfer_syntax.empty();
            });
        }
    return plan;
}

bool AssociationPlan::holds(const FoundInstance& f) const {
    return units.contains({f.sop_class_uid, "*"}) || units.contains({f.sop_class_uid, key_of(f.transfer_syntax)});
}

std::vector<AssociationPlan> pack(const SyntaxPlan& plan, std::size_t max_storage, std::vector<std::string>& warnings) {
    std::vector<AssociationPlan> out;
    max_storage = std::max<std::size_t>(max_storage, 1);
    for (const auto& [cls, s] : plan) {
        for (Unit& u : units_of(cls, s)) {
            if (u.contexts.size() > max_storage) {
                warnings.push_back(cls + " needs " + std::to_string(u.contexts.size()) + " contexts, " +
                                   std::to_string(max_storage) + " fit in one association: the first are proposed");
                u.contexts.resize(max_storage);
            }
            std::size_t i = 0;
            while (i < out.size() && out[i].contexts.size() + u.contexts.size() > max_storage) ++i;
            if (i == out.size()) out.emplace_back();
            add_unit(out[i], std::move(u));
        }
    }
    return out;
}

AssociationPlan broad_plan(std::size_t max_storage) {
    static const char* const kImages[] = {
        "1.2.840.10008.5.1.4.1.1.2",   "1.2.840.10008.5.1.4.1.1.4",     "1.2.840.10008.5.1.4.1.1.7",
        "1.2.840.10008.5.1.4.1.1.1",   "1.2.840.10008.5.1.4.1.1.1.1",   "1.2.840.10008.5.1.4.1.1.6.1",
        "1.2.840.10008.5.1.4.1.1.1.2", "1.2.840.10008.5.1.4.1.1.12.1"};
    static const char* const kCompressed[] = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.70",
                                              "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90",
                                              "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.5"};
    static const char* const kOthers[] = {
        "1.2.840.10008.5.1.4.1.1.4.1",   "1.2.840.10008.5.1.4.1.1.2.1",   "1.2.840.10008.5.1.4.1.1.128",
        "1.2.840.10008.5.1.4.1.1.20",    "1.2.840.10008.5.1.4.1.1.9.1.1", "1.2.840.10008.5.1.4.1.1.481.1",
        "1.2.840.10008.5.1.4.1.1.481.2", "1.2.840.10008.5.1.4.1.1.481.3", "1.2.840.10008.5.1.4.1.1.481.5",
        "1.2.840.10008.5.1.4.1.1.88.11", "1.2.840.10008.5.1.4.1.1.88.22", "1.2.840.10008.5.1.4.1.1.88.33",
        "1.2.840.10008.5.1.4.1.1.66.4",  "1.2.840.10008.5.1.4.1.1.104.1"};
    AssociationPlan a;
    auto room = [&] { return a.contexts.size() < max_storage; };
    for (const char* c : kImages) {
        ClassSyntaxes s;
        s.uncompressed.insert(uncompressed_syntaxes().begin(), uncompressed_syntaxes().end());
        for (const char* ts : kCompressed) s.other.insert(ts);
        if (a.contexts.size() + s.contexts() > max_storage) break;
        for (Unit& u : units_of(c, s)) add_unit(a, std::move(u));
    }
    std::vector<std::string> rest(std::begin(kOthers), std::end(kOthers));
    for (const auto& c : dict::storage_sop_classes())
        if (std::find(rest.begin(), rest.end(), c.uid) == rest.end()) rest.emplace_back(c.uid);
    for (const auto& c : rest) {
        if (!room()) break;
        if (a.classes.contains(c)) continue;
        ClassSyntaxes s;
        s.uncompressed.insert(uncompressed_syntaxes().begin(), uncompressed_syntaxes().end());
        for (Unit& u : units_of(c, s)) add_unit(a, std::move(u));
    }
    return a;
}

std::vector<DataSet> image_identifiers(const std::vector<FoundInstance>& found, bool patient_root, bool relational,
                                       std::size_t per_request) {
    std::map<std::tuple<std::string, std::string, std::string>, std::vector<std::string>> groups;
    for (const auto& f : found)
        groups[relational ? std::tuple<std::string, std::string, std::string>{}
                          : std::tuple{f.patient_id, f.study_uid, f.series_uid}]
            .push_back(f.sop_instance_uid);
    std::vector<DataSet> out;
    for (const auto& [key, uids] : groups) {
        for (std::size_t i = 0; i < uids.size(); i += per_request) {
            DataSet ds;
            ds.set_string(tags::QueryRetrieveLevel, VR::CS, "IMAGE");
            if (!relational) {
                if (patient_root) ds.set_string(tags::PatientID, VR::LO, std::get<0>(key));
                ds.set_string(tags::StudyInstanceUID, VR::UI, std::get<1>(key));
                ds.set_string(tags::SeriesInstanceUID, VR::UI, std::get<2>(key));
            }
            const auto end = std::min(uids.size(), i + per_request);
            ds.set(Element::from_strings(tags::SOPInstanceUID, VR::UI,
                                         std::vector<std::string>(uids.begin() + static_cast<std::ptrdiff_t>(i),
                                                                  uids.begin() + static_cast<std::ptrdiff_t>(end))));
            out.push_back(std::move(ds));
        }
    }
    return out;
}

}  // namespace dicomkit::cli
