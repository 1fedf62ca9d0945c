// InstanceSender: C-STOREs of stored instances to another AE over associations this side opens
// (PS3.4 B.2.2 as the SCU): C-MOVE sub-operations (PS3.4 C.4.2.3) and serve's send jobs. The
// presentation contexts are proposed per SOP class, in the uncompressed syntaxes and in each
// other stored syntax; classes are packed into associations of at most 128 contexts, opened one
// group at a time; a file whose syntax the peer accepted for none of its contexts is converted
// through the transcoder (StoreOptions::transcoder). To a destination that de-identifies, each
// instance goes as a de-identified copy (deid::Anonymizer) and never as stored.
#pragma once

#include <cstdint>
#include <dicomkit/base/error.hpp>
#include <dicomkit/deid/anonymizer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/net/dimse/scu.hpp>
#include <dicomkit/net/ul/association.hpp>
#include <dicomkit/net/ul/transport.hpp>
#include <dicomkit/server/service/retrieve.hpp>
#include <dicomkit/server/storage/blob_store.hpp>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace dicomkit::server::dimse {

/// Where an AE (a Move Destination, a peer to send to) listens.
struct Destination {
    std::string ae_title;
    std::string host;
    std::uint16_t port = 104;
    std::optional<net::ul::TlsConfig> tls;  ///< set: the association uses TLS (PS3.15 B.1)
    /// Set: every instance sent there is first de-identified with it (PS3.15 Annex E); the copy
    /// keeps the stored SOP class and transfer syntax, so the contexts proposed for the stored
    /// files still fit it, and the transcoder converts it as it would the stored file.
    std::shared_ptr<const deid::Anonymizer> deidentify{};
};

/// Why the C-STORE of an instance failed: at length (log, SCU) and in a few words (an Error
/// Comment, an LO); `status` is the C-STORE-RSP status when the peer answered.
struct SendFailure {
    std::optional<std::uint16_t> status;
    std::string text;
    std::string brief;
};
/// The failure `r` (a non-success status, or an error) of sending `it`.
[[nodiscard]] SendFailure describe_send_failure(const Result<net::dimse::StoreResult>& r,
                                                const service::RetrieveItem& it);

/// An item's blob as the senders take it: its file on this machine (sent as the file is, mapped
/// or streamed), or, from a store whose blobs are not files, its bytes read into a DicomFile.
struct SendSource {
    std::string path;
    std::optional<io::DicomFile> file;
};
[[nodiscard]] Result<SendSource> open_for_send(storage::BlobStore& blobs,
                                               const service::RetrieveItem& it);
/// The de-identified copy of an item's stored file (the file itself is not changed). An error
/// (the file unreadable, the anonymizer failing) names the blob; its `peer` is empty, so that
/// a sender fails this instance alone and keeps the association.
[[nodiscard]] Result<io::DicomFile> deidentified_copy(storage::BlobStore& blobs,
                                                      const service::RetrieveItem& it,
                                                      const deid::Anonymizer& anonymizer);

class InstanceSender {
  public:
    /// PS3.8 9.3.2.2: presentation context IDs are the odd numbers 1-255.
    static constexpr std::size_t kMaxContexts = 128;

    /// The contexts for `items` (the instances to send; `what` names the destination in errors,
    /// e.g. "move destination").
    InstanceSender(storage::BlobStore& blobs, Destination destination, std::string our_ae,
                   const std::vector<service::RetrieveItem>& items, std::string what = "peer",
                   std::size_t max_contexts = kMaxContexts);
    ~InstanceSender();
    InstanceSender(const InstanceSender&) = delete;
    InstanceSender& operator=(const InstanceSender&) = delete;

    /// Orders `items` by association, so that each is opened once.
    void order(std::vector<service::RetrieveItem>& items) const;
    /// C-STORE of `it` on the association of its class's group (opened when needed; a group whose
    /// association failed or was lost fails each of its remaining instances with the same error).
    /// A failure status from the peer is not an error (StoreResult::status).
    [[nodiscard]] Result<net::dimse::StoreResult> store(const service::RetrieveItem& it,
                                                        net::dimse::StoreOptions so);
    /// Releases the open association.
    void close();

    struct ContextGroup {
        std::set<std::string> classes;
        std::vector<net::pdu::PresentationContextRq> contexts;
    };

  private:
    [[nodiscard]] std::size_t group_of(const std::string& cls) const;

    storage::BlobStore& blobs_;
    Destination dest_;
    std::string our_ae_;
    std::string what_;
    std::vector<ContextGroup> groups_;
    std::vector<std::optional<Error>> errors_;
    std::optional<net::ul::Association> assoc_;
    std::size_t open_ = 0;
    std::uint16_t next_id_ = 1;
};

}  // namespace dicomkit::server::dimse
