// Index: the archive's catalogue of patients, studies, series and instances, and C-FIND matching
// over it (PS3.4 C.2.2.2, C.6). Backends (sqlite/, later postgres/) implement this contract.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/dataset.hpp>
#include <dicomkit/server/model/query.hpp>
#include <dicomkit/server/index/worklist_store.hpp>

namespace dicomkit::server::index {

/// Where an instance's file is and what it holds.
struct InstanceFile {
    std::string path;             ///< relative to the storage root
    std::uint64_t size = 0;       ///< bytes
    std::string transfer_syntax;  ///< UID of the stored data set
};

/// What add() does with a SOP Instance UID that is indexed already.
enum class DuplicatePolicy {
    Keep,     ///< keep the indexed instance, ignore the new one
    Replace,  ///< the new instance replaces the indexed one (attributes and file)
    Reject,   ///< an error (ErrorCode::AlreadyExists-like: InvalidValue with "duplicate")
};

enum class AddStatus { Added, Kept, Replaced };

/// A match is handed over as the C-FIND response identifier; returning false stops the search
/// (C-CANCEL, PS3.4 C.4.1.3.2).
using MatchFn = std::function<bool(const DataSet& match)>;
/// One indexed instance for Index::for_each_instance; returning false stops.
using InstanceFn = std::function<bool(const std::string& sop_instance_uid, const InstanceFile& file)>;
/// One non-patient object for Index::for_each_object: its SOP Instance UID and attributes (text
/// UTF-8; what sql/attributes.hpp keeps); returning false stops.
using ObjectFn = std::function<bool(const std::string& sop_instance_uid, const DataSet& attributes)>;

/// How much the archive holds (the admin statistics).
struct Counts {
    std::uint64_t patients = 0, studies = 0, series = 0, instances = 0;
    std::uint64_t bytes = 0;  ///< the sizes of the instances' files
};

class Index {
public:
    virtual ~Index() = default;

    /// The number of patients, studies, series and instances (non-patient objects not counted)
    /// and the bytes of the instances' files. Backends count in the database.
    [[nodiscard]] virtual Result<Counts> counts() {
        return make_error(ErrorCode::Unsupported, "this index does not count");
    }

    /// Indexes one instance from its attributes (at least the data set up to the pixel data;
    /// text is decoded with its Specific Character Set). In one transaction. A non-patient object
    /// (model::is_non_patient_storage: Color Palette, Hanging Protocol, ...) needs SOP Instance and
    /// Class UIDs only and is kept apart from the patient hierarchy, found by instance(),
    /// for_each_instance() and for_each_object(), removed by remove(); any other instance needs
    /// Study and Series Instance UIDs too (InvalidValue). A SOP Instance UID names one entry of
    /// either kind: a copy of the other kind replaces it as a copy of the same kind would. Replace also removes
    /// the old copy's series, study and patient when they are left without instances.
    [[nodiscard]] virtual Result<AddStatus> add(const DataSet& attributes, const InstanceFile& file,
                                                DuplicatePolicy policy) = 0;

    /// One item of add_many().
    struct AddItem {
        const DataSet* attributes = nullptr;
        InstanceFile file;
        DuplicatePolicy policy = DuplicatePolicy::Replace;
    };
    /// Several add()s with one result each, as add() would give it; a backend may commit them
    /// together (one transaction for all, an item that fails undone alone), which is what makes
    /// a group of received instances cheaper to index than one by one. The default adds one by one.
    [[nodiscard]] virtual std::vector<Result<AddStatus>> add_many(const std::vector<AddItem>& items) {
        std::vector<Result<AddStatus>> out;
        out.reserve(items.size());
        for (const AddItem& i : items) out.push_back(add(*i.attributes, i.file, i.policy));
        return out;
    }
    /// PS3.4 C.4.1.3.1: calls `on_match` for each entity that matches `query` (parsed by the
    /// service, service::Query::parse: the index never reads an identifier), with the query's
    /// return keys (zero length when unknown or empty), Query/Retrieve Level and, when a value is
    /// not ASCII, Specific Character Set "ISO_IR 192". Returns the number of matches handed over.
    [[nodiscard]] virtual Result<std::uint64_t> find(const model::Query& query, const MatchFn& on_match) = 0;

    /// The file of an indexed instance, nullopt when not indexed.
    [[nodiscard]] virtual Result<std::optional<InstanceFile>> instance(const std::string& sop_instance_uid) = 0;

    /// One instance of files_under().
    struct LocatedFile {
        std::string sop_class_uid;
        std::string sop_instance_uid;
        InstanceFile file;
    };
    /// The instances of the study `study` (of its series `series` when not empty, and only the
    /// instance `sop` when not empty) with their files, in one read, series by series in the
    /// order they were indexed. nullopt when this index has no such shortcut: the caller then
    /// walks the levels with find() and instance().
    [[nodiscard]] virtual Result<std::optional<std::vector<LocatedFile>>> files_under(const std::string& study,
                                                                                     const std::string& series,
                                                                                     const std::string& sop) {
        (void)study;
        (void)series;
        (void)sop;
        return std::optional<std::vector<LocatedFile>>{};
    }

    /// Removes the instance with this SOP Instance UID, and its series, study and patient when
    /// that leaves them without instances. In one transaction. Returns whether it was indexed.
    /// (Start-up reconciliation drops the entries whose file is gone with it.)
    [[nodiscard]] virtual Result<bool> remove(const std::string& sop_instance_uid) = 0;

    /// Calls `fn` with the SOP Instance UID and file of every indexed instance, in no particular
    /// order, until it returns false; returns how many were handed over. Reads a snapshot: `fn`
    /// must not call this index (collect, then change). Start-up reconciliation compares this
    /// list with the files in storage, so it should stream rather than load everything at once.
    [[nodiscard]] virtual Result<std::uint64_t> for_each_instance(const InstanceFn& fn) = 0;

    /// Calls `fn` for every non-patient object of SOP class `sop_class_uid`, in the order they
    /// were indexed, until it returns false; returns how many were handed over (the C-FIND of
    /// the non-patient Query/Retrieve models matches them, model::match_object).
    [[nodiscard]] virtual Result<std::uint64_t> for_each_object(const std::string& sop_class_uid, const ObjectFn& fn) {
        (void)sop_class_uid;
        (void)fn;
        return make_error(ErrorCode::Unsupported, "this index keeps no non-patient objects");
    }

    /// The Modality Worklist items kept beside the index (schema 006), owned by the index; null
    /// when this index keeps none (or, for SQLite, while it is open read-only).
    [[nodiscard]] virtual WorklistStore* worklist() noexcept { return nullptr; }
};

}  // namespace dicomkit::server::index
