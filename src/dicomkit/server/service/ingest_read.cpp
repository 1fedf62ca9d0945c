// Ingest, the reading side: the header of a received or stored blob as the index takes it, and
// the transform hook that may alter or refuse a received instance before it is stored.
#include <dicomkit/server/service/ingest.hpp>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>

namespace dicomkit::server::service {

namespace {

io::ReadOptions header_options() {
    io::ReadOptions options;
    options.stop_before = tags::PixelData;
    options.defer_larger_than = 64 * 1024;
    return options;
}

/// The file of `reader` read with `options`: from the file itself when the blob is one, else
/// from its bytes. `name` names it in errors.
Result<io::DicomFile> read_blob(storage::BlobReader& reader, const io::ReadOptions& options, const std::string& name) {
    if (auto local = reader.local_path()) return io::read_file(*local, options);
    auto bytes = reader.read_all();
    if (!bytes) return tl::unexpected(bytes.error());
    return io::read_bytes(std::move(*bytes), options, name);
}

}  // namespace

Result<FileAttributes> Ingest::attributes(io::DicomFile file, const std::string& id, std::uint64_t size,
                                          const Received* received, bool check) const {
    const std::string where = files_.display(id);
    if (check)
        if (auto r = check_received(file, received, options_.lenient_uids); !r)
            return tl::unexpected(std::move(r.error()).in_file(where));
    FileAttributes a;
    a.sop_instance_uid = std::string(trim_padding(file.dataset.string_or(tags::SOPInstanceUID)));
    if (a.sop_instance_uid.empty())
        return tl::unexpected(Error(ErrorCode::InvalidValue, "no SOP Instance UID in the data set").in_file(where));
    a.file = {id, size, file.transfer_syntax_uid};
    if (a.file.transfer_syntax.empty()) a.file.transfer_syntax = std::string(file.transfer_syntax.uid);
    a.dataset = std::move(file.dataset);
    // A data set without its SOP Class UID (some devices leave it to the File Meta Information,
    // which serve writes from the request): the index takes the meta's, so that a retrieve can
    // name the class.
    if (trim_padding(a.dataset.string_or(tags::SOPClassUID)).empty()) {
        const std::string meta(trim_padding(file.meta.string_or(tags::MediaStorageSOPClassUID)));
        if (!meta.empty()) a.dataset.set_string(tags::SOPClassUID, VR::UI, meta);
    }
    return a;
}

Result<FileAttributes> Ingest::read(const storage::BlobId& id) const {
    auto reader = files_.open(id);
    if (!reader) return tl::unexpected(reader.error());
    auto file = read_blob(**reader, header_options(), files_.display(id));
    if (!file) return tl::unexpected(file.error());
    return attributes(std::move(*file), id, (*reader)->size(), nullptr, false);
}

Result<FileAttributes> Ingest::read_staged(const storage::Staged& staged, const Received* received, bool check) const {
    if (staged.contents) {
        const std::uint64_t size = staged.contents->size();
        auto file = io::read_bytes(*staged.contents, header_options(), staged.handle);
        if (!file) return tl::unexpected(file.error());
        return attributes(std::move(*file), staged.handle, size, received, check);
    }
    auto reader = files_.open_staged(staged);
    if (!reader) return tl::unexpected(reader.error());
    auto file = read_blob(**reader, header_options(), staged.handle);
    if (!file) return tl::unexpected(file.error());
    return attributes(std::move(*file), staged.handle, (*reader)->size(), received, check);
}

Result<std::unique_ptr<storage::IncomingBlob>> Ingest::begin_incoming() {
    auto blob = files_.begin_incoming(false);  // sealed with its group
    if (blob) (*blob)->keep_contents(true);
    return blob;
}

Result<std::optional<std::string>> Ingest::transform(storage::Staged& staged, FileAttributes& attrs) {
    Result<io::DicomFile> file = [&]() -> Result<io::DicomFile> {
        if (staged.contents) return io::read_bytes(*staged.contents, {}, staged.handle);
        auto reader = files_.open_staged(staged);
        if (!reader) return tl::unexpected(reader.error());
        return read_blob(**reader, {}, staged.handle);
    }();
    if (!file) return tl::unexpected(file.error());
    const TransformResult t = options_.transform(*file);
    if (t.kind == TransformResult::Kind::Refused)
        return make_error(ErrorCode::InvalidValue, "refused: " + (t.reason.empty() ? std::string("by the ingest transform") : t.reason));
    if (t.kind == TransformResult::Kind::Diverted) {
        if (t.keep) {
            Result<void> kept = [&]() -> Result<void> {
                if (staged.contents) return t.keep(*staged.contents);
                auto reader = files_.open_staged(staged);
                if (!reader) return tl::unexpected(reader.error());
                auto bytes = (*reader)->read_all();
                if (!bytes) return tl::unexpected(bytes.error());
                return t.keep(*bytes);
            }();
            if (!kept)
                return make_error(ErrorCode::InvalidValue, "refused: " + t.reason + ", and it cannot be kept aside: " +
                                                               kept.error().message);
        }
        return std::optional<std::string>(t.reason);
    }
    if (t.kind == TransformResult::Kind::Unchanged) return std::optional<std::string>();
    // Altered: the new file replaces the received one, and its header is what is indexed.
    auto bytes = io::encode_file(*file);
    if (!bytes) return tl::unexpected(bytes.error());
    auto blob = files_.begin_incoming(false);
    if (!blob) return tl::unexpected(blob.error());
    (*blob)->keep_contents(true);
    if (auto w = (*blob)->write(*bytes); !w) return tl::unexpected(w.error());
    if (auto f = (*blob)->finish(); !f) return tl::unexpected(f.error());
    auto replaced = (*blob)->stage();
    if (!replaced) return tl::unexpected(replaced.error());
    if (!replaced->contents) replaced->contents = std::move(*bytes);
    auto a = read_staged(*replaced, nullptr, false);
    if (!a) {
        files_.discard(*replaced);
        return tl::unexpected(a.error());
    }
    files_.discard(staged);
    staged = std::move(*replaced);
    attrs = std::move(*a);
    return std::optional<std::string>();
}

}  // namespace dicomkit::server::service
