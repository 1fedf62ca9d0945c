// The Index contract: tests every backend must pass. A backend's test file instantiates
// IndexContract with a factory for a fresh, empty index.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include <dicomkit/server/index/index.hpp>

namespace dicomkit::server::index::test {

using IndexFactory = std::function<std::unique_ptr<Index>()>;

/// Index::find over `identifier` parsed for `root` (in the archive, service::Query parses; the
/// index sees model::Query only). A parse error is returned as it is.
inline Result<std::uint64_t> find_identifier(Index& ix, model::Root root, const DataSet& identifier,
                                             const MatchFn& on_match, model::ParseOptions options = {}) {
    auto q = model::parse_query(root, identifier, options);
    if (!q) return tl::unexpected(q.error());
    return ix.find(*q, on_match);
}

class IndexContract : public ::testing::TestWithParam<IndexFactory> {
protected:
    void SetUp() override;
    std::unique_ptr<Index> index_;
};

/// Rows of a version 1 database (before the attributes blobs and study.modalities), in SQL that
/// both backends take: a study with an MR and a CT series.
inline constexpr const char* kVersion1Rows =
    "INSERT INTO patient(patient_id, patient_name) VALUES('P', 'Old^Timer');"
    "INSERT INTO study(patient_pk, study_uid) VALUES(1, 'S');"
    "INSERT INTO series(study_pk, series_uid, modality) VALUES(1, 'S.1', 'MR');"
    "INSERT INTO series(study_pk, series_uid, modality) VALUES(1, 'S.2', 'CT');"
    // Paths as versions before storage ids kept them (migration 005 makes ids of the first).
    "INSERT INTO instance(series_pk, sop_uid, path, size) VALUES(1, 'S.1.1', 'storage/S.1.1.dcm', 10);"
    "INSERT INTO instance(series_pk, sop_uid, path, size) VALUES(2, 'S.2.1', '/elsewhere/S.2.1.dcm', 10);";

/// Checks an index opened on kVersion1Rows: migrated (Modalities in Study filled in, storage
/// paths turned into storage ids), and adding works.
void expect_migrated_from_version_1(Index& index);

}  // namespace dicomkit::server::index::test
