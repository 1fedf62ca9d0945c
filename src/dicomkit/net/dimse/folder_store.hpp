// FolderStoreHandler: a StoreHandler that writes each received instance as a Part 10 file in a
// folder (PS3.10 7.1; PS3.4 B.2.2 storage SCP), streamed: meta header and data set go to a
// temporary file as they arrive, which is fsynced and renamed once complete.
#pragma once

#include <functional>
#include <string>

#include <dicomkit/net/dimse/data_sink.hpp>
#include <dicomkit/net/dimse/dispatcher.hpp>

namespace dicomkit::net::dimse {

/// PS3.5 9.1: digits and dots, at most 64 characters, no empty component, no component with a
/// leading zero (but "0" itself).
[[nodiscard]] bool is_valid_uid(std::string_view uid) noexcept;
/// The file name for an instance: "<uid>.dcm" when the UID is valid, else "x<hash>.dcm", so that
/// nothing the peer sends becomes a path as such (an invalid UID is stored at all only with
/// FolderStoreHandler::set_lenient_uids).
[[nodiscard]] std::string instance_file_name(std::string_view sop_instance_uid);
/// Preamble, "DICM" and File Meta Information for a data set received in `rc`'s transfer syntax:
/// SOP class/instance from the command, the calling AE title as Source Application Entity Title.
[[nodiscard]] Result<Bytes> part10_header(const RequestContext& rc, const Command& rq);

class FolderStoreHandler final : public StoreHandler {
public:
    /// One line per stored (or failed) instance.
    struct StoredEvent {
        const RequestContext& rc;
        const Command& rq;
        std::uint64_t bytes;
        const Outcome& outcome;
        const std::string& path;
    };
    using Log = std::function<void(const StoredEvent&)>;

    /// `ahead`: keep that many temporary files made ahead (TempFilePool), for a folder that only
    /// this process writes temporary files to, or whose other writers reconcile as serve does.
    explicit FolderStoreHandler(std::string folder, Log log = {}, bool durable = true, std::size_t ahead = 0)
        : folder_(std::move(folder)), log_(std::move(log)), durable_(durable),
          pool_(ahead > 0 ? std::make_unique<TempFilePool>(folder_, ahead) : nullptr) {}

    [[nodiscard]] Result<std::unique_ptr<DataSink>> begin(const RequestContext& rc, const Command& rq) override;
    /// An instance whose SOP Instance UID breaks PS3.5 9.1 is refused with 0xA900 unless this is
    /// on (then stored as "x<hash>.dcm").
    [[nodiscard]] Outcome end(const RequestContext& rc, const Command& rq, std::unique_ptr<DataSink> sink) override;
    void set_lenient_uids(bool lenient) noexcept { lenient_uids_ = lenient; }

private:
    std::string folder_;
    Log log_;
    bool durable_ = true;  ///< fsync each file and the folder before answering
    bool lenient_uids_ = false;
    std::unique_ptr<TempFilePool> pool_;
};

}  // namespace dicomkit::net::dimse
