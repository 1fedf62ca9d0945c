// InstanceSender: contexts per SOP class and syntax, associations per group, C-STOREs.
#include <algorithm>
#include <cstdio>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/io/transfer_syntax.hpp>
#include <dicomkit/net/dimse/status.hpp>
#include <dicomkit/server/dimse/instance_sender.hpp>
#include <map>

namespace dicomkit::server::dimse {

namespace {

namespace nd = net::dimse;

constexpr const char* kExplicitLE = "1.2.840.10008.1.2.1";
constexpr const char* kImplicitLE = "1.2.840.10008.1.2";

/// Per SOP class, one context with the uncompressed syntaxes (what any uncompressed file can be
/// converted to) and one per other stored syntax (the peer accepts one syntax per context, and
/// these cannot always be converted), classes packed into groups of at most `max` contexts.
std::vector<InstanceSender::ContextGroup> context_groups(
    const std::vector<service::RetrieveItem>& items, std::size_t max) {
    std::map<std::string, std::set<std::string>> by_class;
    for (const auto& it : items) {
        auto& s = by_class[it.sop_class_uid];
        if (it.transfer_syntax != kExplicitLE && it.transfer_syntax != kImplicitLE &&
            !it.transfer_syntax.empty())
            s.insert(it.transfer_syntax);
    }
    std::vector<InstanceSender::ContextGroup> out;
    for (const auto& [cls, syntaxes] : by_class) {
        const std::size_t need = std::min(max, 1 + syntaxes.size());
        if (out.empty() || out.back().contexts.size() + need > max) out.emplace_back();
        auto& g = out.back();
        g.classes.insert(cls);
        g.contexts.push_back({0, cls, {kExplicitLE, kImplicitLE}});
        for (const auto& ts : syntaxes)
            if (g.contexts.size() < max) g.contexts.push_back({0, cls, {ts}});
    }
    return out;
}

}  // namespace

SendFailure describe_send_failure(const Result<nd::StoreResult>& r,
                                  const service::RetrieveItem& it) {
    if (r) {
        std::string text = nd::describe_status(r->status);
        if (!r->error_comment.empty()) text += " (" + r->error_comment + ")";
        char brief[48];
        std::snprintf(brief, sizeof brief, "the peer answered 0x%04X", r->status);
        return {r->status, "C-STORE answered " + text, brief};
    }
    if (r.error().code == ErrorCode::Unsupported) {
        const auto* ts = io::find_transfer_syntax(it.transfer_syntax);
        const std::string name = ts ? std::string(ts->keyword) : it.transfer_syntax;
        std::string text = r.error().message;
        if (ts && ts->encapsulated) text += "; compressed data is not decompressed (yet)";
        return {std::nullopt, text, "no accepted context for " + name};
    }
    return {std::nullopt, r.error().to_string(), r.error().message};
}

Result<SendSource> open_for_send(storage::BlobStore& blobs, const service::RetrieveItem& it) {
    auto reader = blobs.open(it.blob);
    if (!reader) return tl::unexpected(reader.error());
    if (auto local = (*reader)->local_path()) return SendSource{*local, std::nullopt};
    auto bytes = (*reader)->read_all();
    if (!bytes) return tl::unexpected(bytes.error());
    auto file = io::read_bytes(std::move(*bytes), {}, blobs.display(it.blob));
    if (!file) return tl::unexpected(file.error());
    return SendSource{{}, std::move(*file)};
}

Result<io::DicomFile> deidentified_copy(storage::BlobStore& blobs, const service::RetrieveItem& it,
                                        const deid::Anonymizer& anonymizer) {
    const std::string name = blobs.display(it.blob);
    const auto fail = [&](const Error& e) {
        Error out = e;
        out.message = "de-identification of " + it.sop_instance_uid + " failed: " + e.message;
        if (out.file.empty()) out.file = name;
        out.peer.clear();
        // Unsupported from a sender means "no accepted context" (describe_send_failure).
        if (out.code == ErrorCode::Unsupported) out.code = ErrorCode::UnsupportedTransferSyntax;
        return tl::unexpected(out);
    };
    auto src = open_for_send(blobs, it);
    if (!src) return fail(src.error());
    if (!src->file) {
        auto f = io::read_file(src->path);
        if (!f) return fail(f.error());
        src->file = std::move(*f);
    }
    deid::Context context;
    context.source = name;
    auto out = anonymizer.apply(*src->file, context);
    if (!out) return fail(out.error());
    return std::move(*out);
}

InstanceSender::InstanceSender(storage::BlobStore& blobs, Destination destination,
                               std::string our_ae, const std::vector<service::RetrieveItem>& items,
                               std::string what, std::size_t max_contexts)
    : blobs_(blobs),
      dest_(std::move(destination)),
      our_ae_(std::move(our_ae)),
      what_(std::move(what)),
      groups_(context_groups(items, max_contexts)),
      errors_(groups_.size()) {}

InstanceSender::~InstanceSender() { close(); }

std::size_t InstanceSender::group_of(const std::string& cls) const {
    for (std::size_t i = 0; i < groups_.size(); ++i)
        if (groups_[i].classes.contains(cls)) return i;
    return 0;
}

void InstanceSender::order(std::vector<service::RetrieveItem>& items) const {
    std::stable_sort(items.begin(), items.end(), [&](const auto& x, const auto& y) {
        return group_of(x.sop_class_uid) < group_of(y.sop_class_uid);
    });
}

Result<nd::StoreResult> InstanceSender::store(const service::RetrieveItem& it,
                                              nd::StoreOptions so) {
    if (groups_.empty())
        return make_error(ErrorCode::InvalidArgument, "no contexts for " + it.sop_class_uid);
    const std::size_t g = group_of(it.sop_class_uid);
    if (errors_[g]) return tl::unexpected(*errors_[g]);
    if (!assoc_ || open_ != g) {
        close();
        net::ul::AssociationRequest arq;
        arq.calling_ae = our_ae_;
        arq.called_ae = dest_.ae_title;
        arq.contexts = groups_[g].contexts;
        net::ul::AssociationOptions ao;
        ao.tls = dest_.tls;
        auto a = net::ul::Association::request({dest_.host, dest_.port}, arq, ao);
        if (!a) {
            Error e = a.error();
            e.message = what_ + " " + dest_.ae_title + ": " + e.message;
            errors_[g] = e;
            return tl::unexpected(e);
        }
        assoc_ = std::move(*a);
        open_ = g;
    }
    so.message_id = next_id_++;
    Result<nd::StoreResult> r;
    if (dest_.deidentify) {
        auto copy = deidentified_copy(blobs_, it, *dest_.deidentify);
        if (!copy) return tl::unexpected(copy.error());
        r = nd::store(*assoc_, *copy, so);
    } else {
        auto src = open_for_send(blobs_, it);
        if (!src) return tl::unexpected(src.error());
        r = src->file ? nd::store(*assoc_, *src->file, so) : nd::store(*assoc_, src->path, so);
    }
    if (!r &&
        !r.error().peer.empty()) {  // the association is lost: the rest of the group fails alike
        errors_[g] = r.error();
        assoc_->abort();
        assoc_.reset();
    }
    return r;
}

void InstanceSender::close() {
    if (assoc_) (void)assoc_->release();
    assoc_.reset();
}

}  // namespace dicomkit::server::dimse
