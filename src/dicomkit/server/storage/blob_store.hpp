// BlobStore: where the archive keeps the bytes of its instances, seen as blobs named by an id
// relative to the store (never a path), so that storage other than a folder can stand in for
// FileStore. The rest of the server reads (open), writes (begin_incoming, then place a group of
// staged blobs with one flush) and removes through it; the index keeps the ids.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <dicomkit/base/error.hpp>
#include <dicomkit/core/element.hpp>

namespace dicomkit::server::storage {

/// A blob's name in its store ("1.2.3.dcm"): relative to the store, without '/' at its start.
using BlobId = std::string;

/// A stored blob, open for reading.
class BlobReader {
public:
    virtual ~BlobReader() = default;
    [[nodiscard]] virtual std::uint64_t size() const noexcept = 0;
    /// Up to `length` bytes from `offset` (fewer at the end; none past it).
    [[nodiscard]] virtual Result<Bytes> read_range(std::uint64_t offset, std::uint64_t length) = 0;
    [[nodiscard]] Result<Bytes> read_all() { return read_range(0, size()); }
    /// The blob as a file of this machine, for readers that map or stream files themselves
    /// (nullopt for a store whose blobs are not files).
    [[nodiscard]] virtual std::optional<std::string> local_path() const { return std::nullopt; }
};

/// A finished incoming blob that is not placed yet: its store's handle for it, and its bytes
/// when they were kept (IncomingBlob::keep_contents). Placed (BlobStore::place) or discarded
/// (BlobStore::discard) by whoever holds it.
struct Staged {
    std::string handle;               ///< meaningful to its store only
    std::optional<Bytes> contents;    ///< the whole blob, when kept
    std::uint64_t size = 0;           ///< bytes in the blob
};

/// Bytes arriving for a new blob, in order, then finish() or abort(). Whatever is not staged is
/// removed when the IncomingBlob goes: nothing half-written stays.
class IncomingBlob {
public:
    virtual ~IncomingBlob() = default;
    /// Bytes that precede the data (e.g. a Part 10 header): in the blob, not counted by size().
    [[nodiscard]] virtual Result<void> write_prefix(std::span<const std::uint8_t> bytes) = 0;
    [[nodiscard]] virtual Result<void> write(std::span<const std::uint8_t> bytes) = 0;
    /// The last bytes arrived (flushed to durable storage when the store is durable and the
    /// blob was made with its own flush; see BlobStore::begin_incoming).
    [[nodiscard]] virtual Result<void> finish() = 0;
    /// Drops what was written.
    virtual void abort() noexcept = 0;
    /// Bytes written with write() so far.
    [[nodiscard]] virtual std::uint64_t size() const noexcept = 0;
    /// Keep the blob's bytes in memory when they are few (the receiver reads its header from
    /// them instead of from the store): Staged::contents then has them.
    virtual void keep_contents(bool keep) noexcept = 0;
    /// After finish(): the blob, handed over (this object no longer removes it).
    [[nodiscard]] virtual Result<Staged> stage() = 0;
};

class BlobStore {
public:
    virtual ~BlobStore() = default;

    /// The blob `id`; NotFound when there is none.
    [[nodiscard]] virtual Result<std::unique_ptr<BlobReader>> open(const BlobId& id) const = 0;
    /// Size of blob `id`; nullopt when there is none.
    [[nodiscard]] virtual std::optional<std::uint64_t> blob_size(const BlobId& id) const = 0;
    [[nodiscard]] bool exists(const BlobId& id) const { return blob_size(id).has_value(); }
    /// The path of blob `id` in the local file system, without opening it, when the store keeps
    /// its blobs as files (nullopt otherwise; the file may be gone by the time it is used).
    [[nodiscard]] virtual std::optional<std::string> local_path(const BlobId& id) const {
        (void)id;
        return std::nullopt;
    }

    /// A new incoming blob. `flush_each`: its finish() makes its data durable itself (for a
    /// caller that places blobs one by one); otherwise place_group() flushes a group at once.
    [[nodiscard]] virtual Result<std::unique_ptr<IncomingBlob>> begin_incoming(bool flush_each = false) = 0;

    /// A staged blob, open for reading (its header, before it is placed).
    [[nodiscard]] virtual Result<std::unique_ptr<BlobReader>> open_staged(const Staged& staged) const = 0;

    /// Placing a group of staged blobs, one flush for all. First seal(): their data made
    /// durable (`everything`, when given, says whether that flushed every earlier placement's
    /// name too, so that sync_names() is not needed for those) ...
    [[nodiscard]] virtual Result<void> seal(const std::vector<const Staged*>& group, bool* everything = nullptr) = 0;
    /// ... then place() each under its id (replacing a blob of that id) ...
    [[nodiscard]] virtual Result<void> place(const Staged& staged, const BlobId& id) = 0;
    /// ... then sync_names(): the placements made durable.
    [[nodiscard]] virtual Result<void> sync_names() = 0;
    /// Groups of this many or more blobs are sealed with one flush of everything: a writer with
    /// that many queued may leave a group's sync_names() to the next group's seal().
    [[nodiscard]] virtual std::size_t group_size() const noexcept = 0;
    /// Whether seal() and sync_names() flush at all.
    [[nodiscard]] virtual bool durable() const noexcept = 0;
    /// A staged blob that will not be placed: removed.
    virtual void discard(const Staged& staged) noexcept = 0;

    /// Removes blob `id`; one that is not there is not an error.
    [[nodiscard]] virtual Result<void> remove(const BlobId& id) = 0;

    /// The id for a new copy of instance `sop_instance_uid`: each instance has two slots, and
    /// the one chosen is the one `current` (the indexed copy's id, if any) does not use, so
    /// that a replacement never overwrites the copy the index names. A UID that is not a safe
    /// name (naming.hpp) is named by its hash.
    [[nodiscard]] virtual BlobId id_for(std::string_view sop_instance_uid, std::string_view current = {}) const = 0;
    /// How log lines and reports name blob `id` ("storage/1.2.3.dcm").
    [[nodiscard]] virtual std::string display(const BlobId& id) const = 0;
    /// Bytes that may still be written.
    [[nodiscard]] virtual Result<std::uint64_t> free_bytes() const = 0;
};

}  // namespace dicomkit::server::storage
