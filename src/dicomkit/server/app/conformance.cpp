// The conformance statement: a small document (headings, paragraphs, tables) filled from the
// configuration and the acceptor policy, written as Markdown or HTML.
#include <dicomkit/server/app/conformance.hpp>

#include <algorithm>
#include <string_view>
#include <vector>

#include <dicomkit/core/charset.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/ul/server.hpp>
#include <dicomkit/server/dimse/handlers.hpp>
#include <dicomkit/server/dimse/non_patient_handlers.hpp>
#include <dicomkit/server/dimse/retrieve_handler.hpp>
#include <dicomkit/server/service/commitment.hpp>
#include <dicomkit/server/service/mpps.hpp>
#include <dicomkit/server/service/worklist.hpp>

namespace dicomkit::server::app {

namespace {

constexpr std::string_view kExplicitLE = "1.2.840.10008.1.2.1";
constexpr std::string_view kImplicitLE = "1.2.840.10008.1.2";
constexpr std::string_view kExplicitBE = "1.2.840.10008.1.2.2";

std::vector<std::string> uncompressed() {
    return {std::string(kExplicitLE), std::string(kImplicitLE), std::string(kExplicitBE)};
}

}  // namespace

void offer_contexts(net::ul::AcceptorPolicy& p, const Config& c, bool workflow) {
    const std::vector<std::string> ts = uncompressed();
    // PS3.4 F (MPPS) and J (Storage Commitment Push Model): serve is the SCP of both.
    if (workflow)
        for (std::string_view sop : {service::kMppsSopClass, service::kCommitmentSopClass})
            p.syntaxes.push_back({std::string(sop), ts, false, {}});
    for (std::string_view sop : {std::string_view(net::dimse::kVerificationSopClass), dimse::kPatientRootFind,
                                 dimse::kStudyRootFind, dimse::kPatientRootMove, dimse::kStudyRootMove,
                                 dimse::kPatientRootGet, dimse::kStudyRootGet}) {
        p.syntaxes.push_back({std::string(sop), ts, false});
        // PS3.4 C.5.1.1 / C.5.2.1 / C.5.3.1: byte 1, relational queries (FIND) and relational
        // retrieve (MOVE, GET), is supported; the other bytes (date-time, fuzzy matching...) not.
        if (sop != net::dimse::kVerificationSopClass) p.syntaxes.back().extended_negotiation = {1};
    }
    // The non-patient Query/Retrieve models (Color Palette, Hanging Protocol, ...).
    for (const auto& list : {dimse::non_patient_find_classes(), dimse::non_patient_move_classes(),
                             dimse::non_patient_get_classes()})
        for (const auto& sop : list) p.syntaxes.push_back({sop, ts, false, {}});
    // PS3.4 K: the Modality Worklist FIND.
    p.syntaxes.push_back({std::string(service::kModalityWorklistFind), ts, false, {}});
    // Storage: kept in the transfer syntax it comes in (the first proposed), for the SOP classes
    // serve stores (dimse::store_sop_classes, retired ones too) and no others, so that a context
    // is accepted only for what a C-STORE on it will keep.
    p.accept_any_abstract_syntax = true;
    // [storage] accept_unknown_sop_classes (--promiscuous): unknown UIDs too, as storage.
    p.any_abstract_syntax_if = [unknown = c.accept_unknown_sop_classes](std::string_view sop) {
        return dimse::is_store_sop_class(sop, unknown);
    };
    p.any_scp_role_allowed = true;  // C-GET stores back on storage contexts
}

namespace {

/// A document: blocks of headings, paragraphs, lists and tables, written as Markdown or HTML.
class Doc {
public:
    void heading(int level, std::string text) { blocks_.push_back({Kind::Heading, level, {std::move(text)}, {}}); }
    void para(std::string text) { blocks_.push_back({Kind::Para, 0, {std::move(text)}, {}}); }
    void list(std::vector<std::string> items) { blocks_.push_back({Kind::List, 0, std::move(items), {}}); }
    void table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows) {
        rows.insert(rows.begin(), std::move(header));
        blocks_.push_back({Kind::Table, 0, {}, std::move(rows)});
    }

    [[nodiscard]] std::string markdown() const {
        std::string out;
        for (const Block& b : blocks_) {
            switch (b.kind) {
                case Kind::Heading: out += std::string(static_cast<std::size_t>(b.level), '#') + " " + b.text[0] + "\n\n"; break;
                case Kind::Para: out += b.text[0] + "\n\n"; break;
                case Kind::List:
                    for (const auto& i : b.text) out += "- " + i + "\n";
                    out += "\n";
                    break;
                case Kind::Table:
                    for (std::size_t r = 0; r < b.rows.size(); ++r) {
                        out += "|";
                        for (const auto& cell : b.rows[r]) out += " " + md_cell(cell) + " |";
                        out += "\n";
                        if (r == 0) {
                            out += "|";
                            for (std::size_t k = 0; k < b.rows[0].size(); ++k) out += "---|";
                            out += "\n";
                        }
                    }
                    out += "\n";
                    break;
            }
        }
        return out;
    }

    [[nodiscard]] std::string html(const std::string& title) const {
        std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) +
                          "</title>\n<style>body{font-family:sans-serif;max-width:72em;margin:1em auto;padding:0 1em}"
                          "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #999;padding:.2em .5em;"
                          "text-align:left;vertical-align:top}th{background:#eee}code{font-size:90%}</style></head><body>\n";
        for (const Block& b : blocks_) {
            switch (b.kind) {
                case Kind::Heading: {
                    const std::string h = "h" + std::to_string(b.level);
                    out += "<" + h + ">" + esc(b.text[0]) + "</" + h + ">\n";
                    break;
                }
                case Kind::Para: out += "<p>" + esc(b.text[0]) + "</p>\n"; break;
                case Kind::List:
                    out += "<ul>\n";
                    for (const auto& i : b.text) out += "<li>" + esc(i) + "</li>\n";
                    out += "</ul>\n";
                    break;
                case Kind::Table:
                    out += "<table>\n";
                    for (std::size_t r = 0; r < b.rows.size(); ++r) {
                        out += "<tr>";
                        for (const auto& cell : b.rows[r]) out += (r == 0 ? "<th>" : "<td>") + esc(cell) + (r == 0 ? "</th>" : "</td>");
                        out += "</tr>\n";
                    }
                    out += "</table>\n";
                    break;
            }
        }
        return out + "</body></html>\n";
    }

private:
    enum class Kind { Heading, Para, List, Table };
    struct Block {
        Kind kind;
        int level;
        std::vector<std::string> text;
        std::vector<std::vector<std::string>> rows;
    };
    std::vector<Block> blocks_;

    static std::string esc(std::string_view s) {
        std::string out;
        for (char ch : s) {
            switch (ch) {
                case '&': out += "&amp;"; break;
                case '<': out += "&lt;"; break;
                case '>': out += "&gt;"; break;
                case '"': out += "&quot;"; break;
                default: out += ch;
            }
        }
        return out;
    }
    static std::string md_cell(std::string_view s) {
        std::string out;
        for (char ch : s) {
            if (ch == '|') out += "\\|";
            else if (ch == '\n') out += ' ';
            else out += ch;
        }
        return out;
    }
};

std::string uid_name(std::string_view uid) {
    const dict::UidInfo* u = dict::find_uid(uid);
    if (!u) return "(private or unknown)";
    return std::string(u->name) + (u->retired ? " (retired)" : "");
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? std::string(sep) : "") + items[i];
    return out;
}

std::string ts_list(const std::vector<std::string>& uids) {
    std::vector<std::string> names;
    for (const auto& u : uids) names.push_back(uid_name(u) + " " + u);
    return join(names, "; ");
}

std::string allow_text(const Peer& p) {
    return p.allow.empty() ? std::string("every service") : join(p.allow, ", ");
}

}  // namespace

std::string conformance_statement(const ConformanceFacts& f, DocumentFormat format) {
    const Config& c = *f.config;
    net::ul::AcceptorPolicy policy;
    offer_contexts(policy, c, f.workflow);
    const net::ul::AssociationOptions assoc;
    const net::ul::ServerOptions server;
    const std::uint16_t dicom_port = f.dicom_port ? f.dicom_port : c.port;
    const std::uint16_t http_port = f.http_port ? f.http_port : c.http.port;

    Doc d;
    const std::string title = "DICOM Conformance Statement: dicomkit serve, AE " + c.ae_title;
    d.heading(1, title);
    d.para("Written by dicomkit serve --conformance from the running configuration, after the template of "
           "DICOM PS3.2 Annex A. dicomkit is an archive: it stores composite instances, answers queries and "
           "retrieves over DIMSE and DICOMweb, keeps a Modality Worklist" +
           std::string(f.workflow ? ", takes Modality Performed Procedure Steps and commits to storage." : "."));

    // 1 Overview: the network services.
    d.heading(2, "1 Network services");
    std::vector<std::vector<std::string>> overview{
        {"Verification", "Yes", "Yes"},
        {"Storage (" + std::to_string(dimse::store_sop_classes().size()) + " SOP classes, section 3.3)", "Yes (C-MOVE and C-GET sub-operations, send jobs)", "Yes"},
        {"Query/Retrieve: Patient Root and Study Root FIND, MOVE, GET", "Yes (retrieve jobs)", "Yes"},
        {"Query/Retrieve of non-patient objects", "No", "Yes"},
        {"Modality Worklist Information Model - FIND", "No", "Yes"}};
    if (f.workflow) {
        overview.push_back({"Modality Performed Procedure Step", "No", "Yes"});
        overview.push_back({"Storage Commitment Push Model", "Yes (N-EVENT-REPORT of the results)", "Yes"});
    }
    d.table({"Service", "User (SCU)", "Provider (SCP)"}, std::move(overview));
    if (c.http.enabled)
        d.para("DICOMweb (PS3.18): QIDO-RS, WADO-RS, STOW-RS and WADO-URI on the HTTP port (section 7).");

    // 2 Implementation model.
    d.heading(2, "2 Implementation model");
    d.para("One Application Entity, " + c.ae_title + ", listens on the DICOM port(s) and answers every service "
           "above; it also initiates associations for C-MOVE sub-operations (to the Move Destination, a "
           "configured peer), send and retrieve jobs of the REST interface, and Storage Commitment results "
           "sent on a new association. Received instances are written to storage (" + c.data +
           ") and indexed (" + (f.index_description.empty() ? c.index.backend : f.index_description) +
           ") before or as the response is sent, per the configuration.");
    d.table({"Implementation Class UID", "Implementation Version Name"},
            {{assoc.implementation_class_uid, assoc.implementation_version_name}});

    // 3 AE specification.
    d.heading(2, "3 AE specification: " + c.ae_title);
    d.heading(3, "3.1 Association policies");
    std::vector<std::string> general{
        "Application Context Name: 1.2.840.10008.3.1.1.1.",
        "Maximum PDU length received: " + std::to_string(policy.max_pdu_receive) + " bytes.",
        "Associations at once (acceptor): " + std::to_string(server.max_associations) +
            "; further callers are rejected (transient, local limit exceeded).",
        "Asynchronous operations: up to " + std::to_string(64) +
            " operations invoked by the requestor (PS3.7 D.3.3.3); performed one at a time, answered in order.",
        std::string("Called AE Title: ") +
            (c.accept_any_called_ae ? "any is accepted."
                                    : c.ae_title + (c.called_ae_titles.empty() ? "" : ", " + join(c.called_ae_titles, ", ")) +
                                          "; others are rejected (PS3.8 9.3.4, reason 7)."),
        std::string("Calling AE Title: ") +
            (c.accept_unknown ? "any; configured peers keep the services they are allowed."
                              : "only the configured peers (section 5), each allowed the services listed; others are rejected (reason 3)."),
        "Timeouts: A-ASSOCIATE-RQ " + std::to_string(assoc.timeouts.request.count() / 1000) + " s, idle association " +
            std::to_string(assoc.timeouts.idle.count() / 1000) + " s."};
    d.list(std::move(general));

    d.heading(3, "3.2 Presentation contexts accepted");
    std::vector<std::vector<std::string>> accepted;
    for (const auto& s : policy.syntaxes) {
        std::string ext = "None";
        if (!s.extended_negotiation.empty()) ext = "SOP Class Extended Negotiation: relational queries/retrieve (byte 1)";
        accepted.push_back({uid_name(s.abstract_syntax), s.abstract_syntax, ts_list(s.transfer_syntaxes), "SCP", ext});
    }
    accepted.push_back({"Every storage SOP class of section 3.3", "", "The first transfer syntax proposed (any syntax, as received)",
                        "SCP; SCU/SCP role selection accepted (C-GET sub-operations)", "None"});
    d.table({"Abstract syntax", "UID", "Transfer syntaxes (preference order)", "Role", "Extended negotiation"},
            std::move(accepted));

    d.heading(3, "3.3 Storage SOP classes (SCP and SCU)");
    d.para(std::string("Conformance level 2 (full): every element is kept as received, private elements and the "
                       "transfer syntax included. A second copy of a SOP Instance UID is ") +
           (c.duplicates == index::DuplicatePolicy::Keep     ? "dropped, the stored copy kept (Success)"
            : c.duplicates == index::DuplicatePolicy::Reject ? "refused (0x0124)"
                                                             : "stored in place of the old one") +
           ". " +
           (c.accept_unknown_sop_classes ? "SOP classes the dictionary does not know are stored as well. " : "") +
           (c.ingest_transfer_syntax.empty()
                ? std::string("Instances are stored in the transfer syntax they arrive in.")
                : "Instances are converted to " + uid_name(c.ingest_transfer_syntax) + " on ingest" +
                      (c.ingest_allow_lossy ? "." : " unless the result would be lossy.")) +
           " As SCU, contexts are proposed per SOP class in the uncompressed syntaxes and in the stored one; a file "
           "the destination accepts in none of them is converted (section 6).");
    std::vector<std::vector<std::string>> storage;
    for (const auto& uid : dimse::store_sop_classes()) storage.push_back({uid_name(uid), uid});
    d.table({"SOP class", "UID"}, std::move(storage));

    d.heading(3, "3.4 Query/Retrieve");
    d.list({"Levels: PATIENT, STUDY, SERIES, IMAGE (Patient Root); STUDY, SERIES, IMAGE (Study Root); "
            "hierarchical, or relational where extended negotiation agreed it.",
            "Matching (PS3.4 C.2.2.2): single value, universal, wild card (* and ?), range (dates, times, date-times), "
            "UID list, sequence matching.",
            "C-MOVE: to the configured peers only (Move Destination unknown: 0xA801); sub-operations on new "
            "associations; C-CANCEL honoured between sub-operations.",
            "C-GET: sub-operations on the same association, for the storage contexts on which the SCU proposed the SCP role."});
    d.heading(3, "3.5 Modality Worklist");
    d.para("Scheduled Procedure Steps from the REST interface, the command line and HL7 v2 orders are matched as "
           "PS3.4 K.6.1.2 says (single value, wild card, range on the Scheduled Procedure Step Start Date/Time, "
           "sequence matching in the Scheduled Procedure Step Sequence).");
    if (f.workflow) {
        d.heading(3, "3.6 MPPS and Storage Commitment");
        d.list({"MPPS (1.2.840.10008.3.1.2.3.3): N-CREATE and N-SET as PS3.4 F.7.2; COMPLETED and DISCONTINUED "
                "steps are final; the state moves the worklist item.",
                "Storage Commitment Push Model (1.2.840.10008.1.20.1): N-ACTION checked against the index; the "
                "N-EVENT-REPORT goes " +
                    std::string(c.commitment.report_on == "same"  ? "on the requesting association only"
                                : c.commitment.report_on == "new" ? "on a new association to the requester (a configured peer)"
                                                                  : "on the requesting association, else on a new one") +
                    ", retried " + std::to_string(c.commitment.retries) + " times."});
    }

    // 4 Network and security.
    d.heading(2, "4 Network interfaces and security");
    std::vector<std::string> net{"TCP/IP, IPv4 and IPv6 (the address serve binds to: --bind).",
                                 "DICOM port " + std::to_string(dicom_port) + (c.port_tls ? " (TLS)" : "") + "."};
    if (c.tls_port) net.push_back("DICOM TLS port " + std::to_string(f.tls_port ? f.tls_port : *c.tls_port) + ".");
    if (listens_tls(c) || has_tls_peers(c))
        net.push_back(std::string("TLS (PS3.15 B.1, OpenSSL): TLS 1.2 and later; client certificates ") +
                      (c.tls.require_client_cert ? "required and verified against the configured CA." : "not asked for."));
    if (c.http.enabled)
        net.push_back("HTTP" + std::string(c.http.tls ? "S" : "") + " port " + std::to_string(http_port) + ", authentication " +
                      (c.http.auth ? "required (users with hashed passwords, Bearer tokens; roles read, write, admin)" : "off") + ".");
    if (c.hl7.port) net.push_back("HL7 v2 over MLLP on port " + std::to_string(*c.hl7.port) + " (orders and patient updates).");
    d.list(std::move(net));

    // 5 Configuration.
    d.heading(2, "5 Configured peers");
    if (c.peers.empty()) {
        d.para("None.");
    } else {
        std::vector<std::vector<std::string>> peers;
        for (const Peer& p : c.peers)
            peers.push_back({p.ae_title, p.host + ":" + std::to_string(p.port), allow_text(p),
                             std::string(p.tls ? "TLS" : "plain") + (p.check_address ? ", address checked" : "") +
                                 (p.deidentify.empty() ? "" : ", de-identified on the way out")});
        d.table({"AE title", "Address", "Allowed", "Notes"}, std::move(peers));
    }

    // 6 Transfer syntaxes and conversion.
    d.heading(2, "6 Transfer syntaxes converted");
    std::vector<std::vector<std::string>> codecs;
    for (const io::TransferSyntax& ts : io::all_transfer_syntaxes()) {
        if (!ts.encapsulated) continue;
        const bool dec = f.codecs && f.codecs->decoder(ts.uid);
        const bool enc = f.codecs && f.codecs->encoder(ts.uid);
        if (!dec && !enc) continue;
        codecs.push_back({std::string(ts.name), std::string(ts.uid), dec ? "Yes" : "No", enc ? "Yes" : "No"});
    }
    d.table({"Transfer syntax", "UID", "Decoded", "Encoded"}, std::move(codecs));

    // 7 DICOMweb.
    if (c.http.enabled) {
        d.heading(2, "7 DICOMweb services (PS3.18)");
        d.table({"Service", "Resources", "Media types"},
                {{"QIDO-RS", "/dicom-web/studies, /series, /instances at every level and nesting",
                  "application/dicom+json"},
                 {"WADO-RS", "studies, series, instances, metadata, frames, bulkdata, rendered, thumbnail",
                  "multipart/related (application/dicom, application/octet-stream, image/*), application/dicom+json, "
                  "image/jpeg, image/png"},
                 {"STOW-RS", "POST /dicom-web/studies[/{study}]", "multipart/related; type=application/dicom"},
                 {"WADO-URI", "/wado?requestType=WADO", "application/dicom, image/jpeg, image/png"}});
    }

    // 8 Character sets.
    d.heading(2, "8 Character sets");
    std::vector<std::string> terms;
    for (std::string_view t : supported_character_sets()) terms.emplace_back(t);
    d.para("The default repertoire and every defined term of PS3.3 C.12.1.1.2, read and written: " + join(terms, ", ") +
           ". Queries match on the decoded values.");

    return format == DocumentFormat::Html ? d.html(title) : d.markdown();
}

}  // namespace dicomkit::server::app
