// FolderStoreHandler: a StoreHandler that writes each received instance as a Part 10 file in a
// folder (PS3.10 7.1; PS3.4 B.2.2 storage SCP), for `receive` and `get`: streamed, the meta header
// and data set go to a temporary file (server/storage incoming) as they arrive, which is fsynced
// and renamed to the instance's name (server/storage naming) once complete.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <dicomkit/net/dimse/dispatcher.hpp>
#include <dicomkit/server/storage/incoming.hpp>

namespace dicomkit::cli {

class FolderStoreHandler final : public net::dimse::StoreHandler {
public:
    /// One line per stored (or failed) instance.
    struct StoredEvent {
        const net::dimse::RequestContext& rc;
        const net::dimse::Command& rq;
        std::uint64_t bytes;
        const net::dimse::Outcome& outcome;
        const std::string& path;
    };
    using Log = std::function<void(const StoredEvent&)>;

    /// `ahead`: keep that many temporary files made ahead (TempFilePool), for a folder that only
    /// this process writes temporary files to.
    explicit FolderStoreHandler(std::string folder, Log log = {}, bool durable = true, std::size_t ahead = 0)
        : folder_(std::move(folder)), log_(std::move(log)), durable_(durable),
          pool_(ahead > 0 ? std::make_unique<server::storage::TempFilePool>(folder_, ahead) : nullptr) {}

    [[nodiscard]] Result<std::unique_ptr<net::dimse::DataSink>> begin(const net::dimse::RequestContext& rc,
                                                                      const net::dimse::Command& rq) override;
    /// An instance whose SOP Instance UID breaks PS3.5 9.1 is refused with 0xA900 unless this is
    /// on (then stored under the name server::storage::instance_file_name gives it).
    [[nodiscard]] net::dimse::Outcome end(const net::dimse::RequestContext& rc, const net::dimse::Command& rq,
                                          std::unique_ptr<net::dimse::DataSink> sink) override;
    void set_lenient_uids(bool lenient) noexcept { lenient_uids_ = lenient; }

private:
    std::string folder_;
    Log log_;
    bool durable_ = true;  ///< fsync each file and the folder before answering
    bool lenient_uids_ = false;
    std::unique_ptr<server::storage::TempFilePool> pool_;
};

}  // namespace dicomkit::cli
