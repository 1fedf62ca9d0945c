// FolderStoreHandler: received instances as Part 10 files.
#include "folder_store.hpp"

#include <dicomkit/net/dimse/part10_header.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/storage/naming.hpp>

namespace dicomkit::cli {

namespace {

namespace nd = net::dimse;

/// The data set of one C-STORE, into a temporary file of the folder.
class FolderSink final : public nd::DataSink {
public:
    explicit FolderSink(std::unique_ptr<server::storage::FileSink> file) : file_(std::move(file)) {}
    [[nodiscard]] Result<void> write(std::span<const std::uint8_t> bytes) override { return file_->write(bytes); }
    [[nodiscard]] Result<void> finish() override { return file_->finish(); }
    void abort() noexcept override { file_->abort(); }
    [[nodiscard]] std::uint64_t size() const noexcept override { return file_->size(); }
    [[nodiscard]] server::storage::FileSink& file() noexcept { return *file_; }

private:
    std::unique_ptr<server::storage::FileSink> file_;
};

}  // namespace

Result<std::unique_ptr<nd::DataSink>> FolderStoreHandler::begin(const nd::RequestContext& rc, const nd::Command& rq) {
    auto header = nd::part10_header(rc, rq);
    if (!header) return tl::unexpected(header.error());
    auto sink = pool_ ? server::storage::FileSink::create(*pool_) : server::storage::FileSink::create(folder_);
    if (!sink) return tl::unexpected(sink.error());
    (*sink)->set_durable(durable_);
    if (auto r = (*sink)->write_prefix(*header); !r) return tl::unexpected(r.error());
    return std::unique_ptr<nd::DataSink>(std::make_unique<FolderSink>(std::move(*sink)));
}

nd::Outcome FolderStoreHandler::end(const nd::RequestContext& rc, const nd::Command& rq,
                                    std::unique_ptr<nd::DataSink> sink) {
    // begin() made every sink this handler is given.
    auto& file = static_cast<FolderSink&>(*sink).file();
    std::string path = folder_ + "/" + server::storage::instance_file_name(rq.affected_sop_instance_uid);
    nd::Outcome o;
    if (!lenient_uids_ && !server::storage::is_valid_uid(rq.affected_sop_instance_uid)) {
        // PS3.5 9.1; the data set is dropped (the sink removes its temporary file).
        file.abort();
        o = {nd::status::DataSetDoesNotMatchSOPClass, "invalid SOP Instance UID (0008,0018)"};
        path.clear();
    } else if (auto r = file.commit(path); !r) {
        o = {nd::status::OutOfResources, r.error().message};
    }
    if (log_) log_(StoredEvent{rc, rq, sink->size(), o, path});
    return o;
}

}  // namespace dicomkit::cli
