// What a C-GET will receive and how to ask for it: the instances an identifier names (found
// with C-FIND, level by level down to IMAGE), the storage presentation contexts each SOP class
// needs (SCP role, PS3.7 D.3.3.4), and their division into associations of at most 128 contexts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/net/ul/association.hpp>

namespace dicomkit::cli {

/// One instance an identifier names, as the peer's C-FIND described it.
struct FoundInstance {
    std::string sop_class_uid;
    std::string sop_instance_uid;
    std::string patient_id;  ///< Patient Root only
    std::string study_uid;
    std::string series_uid;
    std::string transfer_syntax;  ///< Available Transfer Syntax UID (0008,3002) when answered
};

/// Where and how to ask: the peer, our AE, the association options, the model.
struct FindTarget {
    net::ul::ConnectTarget peer;
    std::string calling_ae;
    std::string called_ae;
    net::ul::AssociationOptions options;
    bool patient_root = false;
    bool relational = false;
};

/// Runs C-FINDs on one association from the identifier's level down to IMAGE (PS3.4 C.4.1.2.1:
/// each query carries the unique keys of the levels above it), asking at IMAGE for SOP Class
/// UID, SOP Instance UID and Available Transfer Syntax UID. Only the identifier's unique keys
/// (Patient ID, Study, Series and SOP Instance UIDs) are used. An error when the association or
/// a query is refused.
[[nodiscard]] Result<std::vector<FoundInstance>> find_instances(const FindTarget& target, const DataSet& identifier);

/// The storage syntaxes a class may arrive in: `uncompressed` go into one context (the peer picks
/// one, and the SCP converts between them), each of `other` (encapsulated, deflated, big endian)
/// gets a context of its own, since an SCP cannot convert to or from them.
struct ClassSyntaxes {
    std::set<std::string> uncompressed;
    std::set<std::string> other;
    /// Which instance arrives in which syntax is not known: the class's contexts stay together on
    /// one association. Otherwise each context may go on another.
    bool whole = true;
    [[nodiscard]] std::size_t contexts() const { return (uncompressed.empty() ? 0 : 1) + other.size(); }
};
using SyntaxPlan = std::map<std::string, ClassSyntaxes>;  ///< SOP class -> syntaxes

/// The compressed syntaxes proposed for a class whose instances' syntax is not known: those in
/// common use that `get` stores as received.
[[nodiscard]] const std::vector<std::string>& default_compressed_syntaxes();
/// Explicit and Implicit VR Little Endian.
[[nodiscard]] const std::vector<std::string>& uncompressed_syntaxes();

/// Splits `syntax_list` (UIDs) into a ClassSyntaxes.
[[nodiscard]] ClassSyntaxes classify(const std::vector<std::string>& syntax_list);

/// The plan for found instances: per class, the uncompressed syntaxes and, per compressed
/// syntax seen, a context; a class with an instance of unknown syntax gets the defaults.
/// `forced` (from --ts), when not empty, replaces all of that.
[[nodiscard]] SyntaxPlan plan_from_instances(const std::vector<FoundInstance>& found,
                                             const std::vector<std::string>& forced);

/// One association's share: its SOP classes and the contexts to propose for them.
struct AssociationPlan {
    std::set<std::string> classes;
    /// (SOP class, syntax key): "*" all of the class's syntaxes, "" the uncompressed ones, else
    /// the UID of the syntax whose context this association proposes.
    std::set<std::pair<std::string, std::string>> units;
    std::vector<net::pdu::PresentationContextRq> contexts;
    std::vector<net::pdu::RoleSelection> roles;
    /// Whether `f` arrives on this association (its class, in a syntax proposed here).
    [[nodiscard]] bool holds(const FoundInstance& f) const;
};

/// Packs the contexts into associations of at most `max_storage_contexts` each (first fit, in
/// order): those of a `whole` class together, the others each where it fits. A whole class
/// needing more than that keeps its first ones; `warnings` names it.
[[nodiscard]] std::vector<AssociationPlan> pack(const SyntaxPlan& plan, std::size_t max_storage_contexts,
                                                std::vector<std::string>& warnings);

/// The proposal when nothing is known of what will arrive (the peer refused the C-FIND): common
/// image classes in the common compressed syntaxes and uncompressed, then other storage classes
/// uncompressed, `max_storage_contexts` contexts in all.
[[nodiscard]] AssociationPlan broad_plan(std::size_t max_storage_contexts);

/// Hierarchical IMAGE-level C-GET identifiers for `found` (one per series, SOP Instance UID lists
/// of at most `per_request` UIDs; PS3.4 C.4.3.2.1); relational ones carry only the UID list.
[[nodiscard]] std::vector<DataSet> image_identifiers(const std::vector<FoundInstance>& found, bool patient_root,
                                                     bool relational, std::size_t per_request = 200);

}  // namespace dicomkit::cli
