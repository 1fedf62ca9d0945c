// An Index for tests of the layers above it: records the queries it is given, answers them with
// set matches or a set error; nothing is stored.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <dicomkit/server/index/index.hpp>

namespace dicomkit::server::test {

class FakeIndex final : public index::Index {
public:
    std::vector<model::Query> queries;       ///< every find() received
    std::vector<DataSet> matches;             ///< what find() hands over
    std::optional<Error> fail;                ///< set: every call fails with it
    std::optional<index::InstanceFile> file;  ///< what instance() answers

    [[nodiscard]] Result<index::AddStatus> add(const DataSet&, const index::InstanceFile&,
                                               index::DuplicatePolicy) override {
        if (fail) return tl::unexpected(*fail);
        return index::AddStatus::Added;
    }
    [[nodiscard]] Result<std::uint64_t> find(const model::Query& query, const index::MatchFn& on_match) override {
        queries.push_back(query);
        if (fail) return tl::unexpected(*fail);
        std::uint64_t n = 0;
        for (const DataSet& m : matches) {
            ++n;
            if (!on_match(m)) break;
        }
        return n;
    }
    [[nodiscard]] Result<std::optional<index::InstanceFile>> instance(const std::string&) override {
        if (fail) return tl::unexpected(*fail);
        return file;
    }
    [[nodiscard]] Result<bool> remove(const std::string&) override {
        if (fail) return tl::unexpected(*fail);
        return false;
    }
    [[nodiscard]] Result<std::uint64_t> for_each_instance(const index::InstanceFn&) override {
        if (fail) return tl::unexpected(*fail);
        return 0;
    }
    [[nodiscard]] Result<std::uint64_t> for_each_object(const std::string&, const index::ObjectFn&) override {
        if (fail) return tl::unexpected(*fail);
        return 0;
    }
};

/// The error a database gives when it cannot answer (a locked or lost connection, a full disk).
inline Error database_error() { return Error(ErrorCode::IoError, "database is locked"); }

}  // namespace dicomkit::server::test
