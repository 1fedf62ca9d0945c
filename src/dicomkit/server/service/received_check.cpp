// check_received: a received Part 10 file is whole and says what its request said, before the
// archive keeps it (PS3.4 B.2.3: a store is refused with a reason rather than kept unfindable).
#include <dicomkit/server/service/ingest.hpp>

#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/token_reader.hpp>
#include <dicomkit/server/model/non_patient.hpp>
#include <dicomkit/server/model/uid_check.hpp>

namespace dicomkit::server::service {

namespace {

constexpr std::string_view kPixelData = "(7FE0,0010)";

/// "(7FE0,0010) at offset 1234 of the data set: value of 4096 bytes with only 100 left"
Error refusal(const Error& w, std::uint64_t dataset_offset) {
    std::string where = w.tag_path.empty() ? std::string() : w.tag_path + " ";
    if (w.offset) {
        const std::uint64_t at = *w.offset >= dataset_offset ? *w.offset - dataset_offset : *w.offset;
        where += "at offset " + std::to_string(at) + " of the data set";
    }
    return Error(ErrorCode::Truncated, (where.empty() ? "" : where + ": ") + w.message);
}

/// What a lenient read accepts but a store must not: a value, header or item cut short, bytes
/// after the data set that are no element, and pixel data without its end. Odd lengths, wrong
/// VRs, stray delimiters and a sequence or item left open at the very end of other data (what
/// DCMTK's readers accept too) are kept.
bool refused(const Error& w) {
    if (w.code == ErrorCode::InvalidTag) return w.message.find("trailing garbage") != std::string::npos;
    if (w.code != ErrorCode::Truncated) return false;
    if (w.message == "data ends inside a sequence or item")
        return w.tag_path.find(kPixelData) != std::string::npos;
    return true;
}

/// PS3.5 7.1: the rest of the data set after the header read, element headers only (values are
/// skipped, sequences and fragments walked), from the bytes as they are (mapped, not copied).
Result<void> scan_rest(const io::DicomFile& file, std::uint64_t dataset_offset) {
    if (!file.stopped_at || !file.source) return {};
    const auto all = file.source->all_bytes();
    if (all.empty()) return make_error(ErrorCode::IoError, "cannot map the received file");
    if (*file.stopped_at > all.size()) return make_error(ErrorCode::Truncated, "the data set ends before its pixel data");
    io::ReadOptions options;
    io::Diagnostics diagnostics;
    io::TokenReader reader(all.subspan(*file.stopped_at),
                           io::TokenReaderConfig{file.transfer_syntax.explicit_vr, file.transfer_syntax.endian,
                                                 *file.stopped_at, {}},
                           options, &diagnostics);
    for (;;) {
        auto t = reader.next();
        if (!t) return tl::unexpected(refusal(t.error(), dataset_offset));
        for (const Error& w : diagnostics.warnings)
            if (refused(w)) return tl::unexpected(refusal(w, dataset_offset));
        diagnostics.warnings.clear();
        if (t->kind == io::TokenKind::End) return {};
        // PS3.5 A.4: fragments only in an encapsulated transfer syntax. Such a data set (a
        // compressed image written with the meta of a native one) could be sent back in no
        // syntax a peer asks for, nor converted: refused rather than kept unretrievable.
        if (t->kind == io::TokenKind::FragmentsStart && !file.transfer_syntax.encapsulated) {
            Error w(ErrorCode::InvalidValue,
                    "encapsulated pixel data (fragments) in " + std::string(file.transfer_syntax.keyword) +
                        ", which only an encapsulated transfer syntax allows (PS3.5 A.4)");
            w.offset = t->offset;
            w.tag_path = std::string(kPixelData);
            Error e = refusal(w, dataset_offset);
            e.code = ErrorCode::InvalidValue;
            return tl::unexpected(e);
        }
    }
}

std::string trimmed(const DataSet& ds, Tag t) { return std::string(trim_padding(ds.string_or(t))); }

/// A UID of the data set: present (when `required`), and valid unless `lenient`.
Result<void> check_uid(const DataSet& ds, Tag tag, std::string_view name, bool required, bool lenient,
                       std::string_view why_required = {}) {
    const std::string uid = trimmed(ds, tag);
    if (uid.empty()) {
        if (!required) return {};
        return make_error(ErrorCode::InvalidValue, "no " + std::string(name) + " " + tag.str() + std::string(why_required));
    }
    if (lenient) return {};
    if (auto p = model::uid_problem(uid))
        return make_error(ErrorCode::InvalidValue, "invalid " + std::string(name) + " " + tag.str() + ": " + *p);
    return {};
}

}  // namespace

Result<void> check_received(const io::DicomFile& file, const Received* received, bool lenient_uids) {
    const std::uint64_t dataset_offset = file.transfer_syntax.deflated || !file.source ? 0 : file.source->dataset_offset;
    for (const Error& w : file.diagnostics.warnings)
        if (refused(w)) return tl::unexpected(refusal(w, dataset_offset));
    if (auto r = scan_rest(file, dataset_offset); !r) return r;

    const DataSet& ds = file.dataset;
    if (auto r = check_uid(ds, tags::SOPInstanceUID, "SOP Instance UID", true, lenient_uids); !r) return r;
    // A data set without its SOP Class UID is kept (as DCMTK's storescp does): the request's,
    // in the File Meta Information, stands for it (Ingest::read indexes that one).
    std::string sop_class = trimmed(ds, tags::SOPClassUID);
    if (sop_class.empty()) sop_class = trimmed(file.meta, tags::MediaStorageSOPClassUID);
    if (sop_class.empty()) return make_error(ErrorCode::InvalidValue, "no SOP Class UID (0008,0016)");
    if (!lenient_uids)
        if (auto p = model::uid_problem(sop_class))
            return make_error(ErrorCode::InvalidValue, "invalid SOP Class UID (0008,0016): " + *p);
    if (received) {
        // PS3.7 9.3.1.1: Affected SOP Class/Instance UID name the data set that follows.
        if (!received->sop_instance_uid.empty() &&
            trim_padding(received->sop_instance_uid) != trimmed(ds, tags::SOPInstanceUID))
            return make_error(ErrorCode::InvalidValue, "SOP Instance UID (0008,0018) differs from the request's");
        if (!received->sop_class_uid.empty() && trim_padding(received->sop_class_uid) != sop_class)
            return make_error(ErrorCode::InvalidValue, "SOP Class UID (0008,0016) differs from the request's");
        // PS3.18 10.5: a store to /studies/{study} takes that study's instances only.
        if (!received->study_instance_uid.empty() &&
            trim_padding(received->study_instance_uid) != trimmed(ds, tags::StudyInstanceUID))
            return make_error(ErrorCode::InvalidValue, "Study Instance UID (0020,000D) " +
                                                           trimmed(ds, tags::StudyInstanceUID) + " is not the " +
                                                           std::string(trim_padding(received->study_instance_uid)) +
                                                           " of the request");
    }
    // A composite instance of the patient hierarchy needs its study and series (PS3.3 C.7.2.1,
    // C.7.3.1: Type 1); a non-patient object has neither (PS3.4 GG).
    const bool patient = !model::is_non_patient_storage(sop_class);
    const std::string_view why = ", Type 1 in a patient's instance";
    if (auto r = check_uid(ds, tags::StudyInstanceUID, "Study Instance UID", patient, lenient_uids, why); !r) return r;
    if (auto r = check_uid(ds, tags::SeriesInstanceUID, "Series Instance UID", patient, lenient_uids, why); !r)
        return r;
    return {};
}

}  // namespace dicomkit::server::service
