// FileStore: the BlobStore of the archive's instance files in DATA/storage/ (DESIGN 4): ids are
// file names in that folder, made from validated UIDs only (naming.hpp); atomic placement (flush
// of the files' data; rename; fsync of the folder), removal, the listing that start-up
// reconciliation walks, the quarantine folder for what does not belong in storage, and the free
// space left.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/server/storage/blob_store.hpp>
#include <dicomkit/server/storage/incoming.hpp>

namespace dicomkit::server::storage {

class FileStore final : public BlobStore {
public:
    /// The folder under the data root that holds the files.
    static constexpr std::string_view kFolder = "storage";
    /// The folder in storage where stores write their temporary files: on the same file system,
    /// so that placing one is a rename, and small, so that creating one is cheaper than in the
    /// folder of every instance.
    static constexpr std::string_view kIncoming = ".incoming";

    /// Files live in `data_root`/storage. The ids (and paths) this class takes and gives are
    /// relative to that folder ("1.2.3.dcm"), as the index keeps them; an absolute path is used
    /// as is.
    /// `durable`: fsync the folder after each placement (off: a crash may lose the name of a file
    /// whose store was acknowledged).
    explicit FileStore(std::string data_root, bool durable = true);
    ~FileStore() override;
    FileStore(const FileStore&) = delete;
    FileStore& operator=(const FileStore&) = delete;

    [[nodiscard]] const std::string& data_root() const noexcept { return root_; }
    /// `data_root`/storage.
    [[nodiscard]] const std::string& folder() const noexcept { return folder_; }
    /// `data_root`/storage/.incoming, where temporary files are created.
    [[nodiscard]] const std::string& incoming() const noexcept { return incoming_; }
    /// Creates folder() and incoming() where they are missing.
    [[nodiscard]] Result<void> make_folders() const;
    /// The file of id (or path) `id`: folder()/id, or `id` itself when absolute.
    [[nodiscard]] std::string absolute(std::string_view id) const;

    // BlobStore.
    [[nodiscard]] Result<std::unique_ptr<BlobReader>> open(const BlobId& id) const override;
    [[nodiscard]] std::optional<std::uint64_t> blob_size(const BlobId& id) const override;
    [[nodiscard]] std::optional<std::string> local_path(const BlobId& id) const override { return absolute(id); }
    /// A temporary file in incoming(), one of those made ahead (kTempFilesAhead, from the first
    /// call on; reconcile removes what a crash leaves of them).
    [[nodiscard]] Result<std::unique_ptr<IncomingBlob>> begin_incoming(bool flush_each = false) override;
    static constexpr std::size_t kTempFilesAhead = 16;
    [[nodiscard]] Result<std::unique_ptr<BlobReader>> open_staged(const Staged& staged) const override {
        return open(staged.handle);
    }
    [[nodiscard]] Result<void> seal(const std::vector<const Staged*>& group, bool* everything = nullptr) override;
    [[nodiscard]] Result<void> place(const Staged& staged, const BlobId& id) override {
        return rename_into(staged.handle, id);
    }
    [[nodiscard]] Result<void> sync_names() override { return sync_folder(); }
    [[nodiscard]] std::size_t group_size() const noexcept override;
    void discard(const Staged& staged) noexcept override;
    /// Each instance has two slots, "<uid>.dcm" and "<uid>_2.dcm" ("x<hash>" for a UID that is
    /// not a safe name, naming.hpp); the one chosen is the one `current` does not use. A
    /// replacement is therefore never written over the copy the index names: old and new are
    /// separate files until the index says which one is current.
    [[nodiscard]] BlobId id_for(std::string_view sop_instance_uid, std::string_view current = {}) const override;
    /// "storage/<id>" (an absolute path as it is).
    [[nodiscard]] std::string display(const BlobId& id) const override;

    /// Placing a group of finished temporary files (absolute, in incoming()), one flush for all:
    /// first the flush of their data (`paths`, absolute or relative to the root: for a few,
    /// writeback of all of them is started first, then each is waited for, and other files of the
    /// file system are not flushed; for a group of 8 or more, one syncfs of the file system), ...
    /// `everything`, when given, is set to whether the whole file system was flushed (syncfs),
    /// renames done before included.
    [[nodiscard]] Result<void> sync_files(const std::vector<std::string>& paths, bool* everything = nullptr);
    /// ... then each rename to its `path`, replacing whatever is there (the writer gives the
    /// file its mode: FileSink makes it 0644 before closing it), ...
    [[nodiscard]] Result<void> rename_into(const std::string& temp, const std::string& path);
    /// ... then the fsync of the folder, so that the names are there after a crash too. Both
    /// flushes do nothing when not durable.
    [[nodiscard]] Result<void> sync_folder();
    [[nodiscard]] bool durable() const noexcept override { return durable_; }
    /// Removes a file; one that is not there is not an error.
    [[nodiscard]] Result<void> remove(const std::string& path) override;
    /// Size and modification time of a regular file; nullopt when there is none.
    struct Info {
        std::uint64_t size = 0;
        std::int64_t mtime_ns = 0;
    };
    [[nodiscard]] std::optional<Info> info(const std::string& path) const;
    /// Bytes in the file, 0 when it cannot be read.
    [[nodiscard]] std::uint64_t size(const std::string& path) const {
        auto i = info(path);
        return i ? i->size : 0;
    }

    /// Whether a name in incoming() (or in folder(), where earlier versions made them) is the
    /// temporary file of a store in progress (FileSink's ".dk-XXXXXX.part").
    [[nodiscard]] static bool is_temp_name(std::string_view name) noexcept { return storage::is_temp_name(name); }
    /// Calls `fn` with the name of each regular file in folder() (not recursive), in no order.
    [[nodiscard]] Result<void> for_each_name(const std::function<void(const std::string& name)>& fn) const;
    /// The same for incoming(); a missing incoming() holds nothing.
    [[nodiscard]] Result<void> for_each_incoming(const std::function<void(const std::string& name)>& fn) const;

    /// What a name in a folder is (symbolic links are not followed: Other).
    enum class Kind { File, Folder, Other };
    struct Entry {
        std::string name;
        Kind kind = Kind::File;
        std::uint64_t size = 0;  ///< bytes, for a File
    };
    /// Every name in folder() (`in_incoming`: in incoming(), missing = empty), with its kind and
    /// size, in no order.
    [[nodiscard]] Result<void> for_each_entry(const std::function<void(const Entry&)>& fn, bool in_incoming = false) const;

    /// The folder under the data root where quarantine() moves what does not belong in storage.
    static constexpr std::string_view kQuarantine = "quarantine";
    /// `data_root`/quarantine.
    [[nodiscard]] std::string quarantine_folder() const;
    /// Moves `path` (a file or a folder, an id or absolute; on the file system of
    /// the data root) into quarantine_folder() under its own name (".1", ".2", ... added when
    /// that is taken) and writes NAME.reason beside it: where it was, when it was moved, and
    /// `reason`. Nothing is deleted. Returns the new path relative to the root; an error when the
    /// move failed (then the file is where it was). A reason file that cannot be written (a full
    /// disk) is not an error: `note` says so.
    [[nodiscard]] Result<std::string> quarantine(const std::string& path, const std::string& reason,
                                                 std::string* note = nullptr);

    /// Bytes free for an unprivileged writer on the file system of the data root (statvfs).
    [[nodiscard]] Result<std::uint64_t> free_bytes() const override;

private:
    std::string root_;
    std::string folder_;
    std::string incoming_;
    bool durable_ = true;
    /// The folder, open for the flushes (opened at the first one, as the folder may not exist
    /// yet when the store is made).
    Result<int> folder_fd();
    std::mutex fd_mutex_;
    int folder_fd_ = -1;
    std::mutex pool_mutex_;
    std::unique_ptr<TempFilePool> pool_;  ///< made at the first begin_incoming()
};

}  // namespace dicomkit::server::storage
