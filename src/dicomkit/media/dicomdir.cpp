#include <dicomkit/media/dicomdir.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <random>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include <dicomkit/base/try.hpp>
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/io/token_reader.hpp>
#include <dicomkit/media/file_id.hpp>
#include <dicomkit/media/record_types.hpp>

namespace dicomkit::media {
namespace {

namespace t = dicomkit::tags;

// A 2.25 UID from 128 random bits (PS3.5 B.2).
std::string fresh_uid() {
    std::random_device rd;
    std::array<std::uint32_t, 4> words{rd(), rd(), rd(), rd()};
    std::string digits;
    while (std::any_of(words.begin(), words.end(), [](std::uint32_t w) { return w != 0; })) {
        std::uint64_t rem = 0;
        for (auto& w : words) {
            const std::uint64_t cur = (rem << 32) | w;
            w = static_cast<std::uint32_t>(cur / 10);
            rem = cur % 10;
        }
        digits.push_back(static_cast<char>('0' + rem));
    }
    if (digits.empty()) digits = "0";
    std::reverse(digits.begin(), digits.end());
    return "2.25." + digits;
}

bool has_value(const DataSet& ds, Tag tag) {
    const Element* e = ds.find(tag);
    if (!e) return false;
    if (e->is_sequence()) return !e->sequence().items.empty();
    if (e->is_bytes()) {
        auto s = e->string_value();
        if (s && is_string(e->vr())) return !s->empty();
        return !e->bytes().empty();
    }
    return true;
}

Element empty_element(Tag tag) {
    const VR vr = dict::implicit_vr(tag);
    if (vr == VR::SQ) return Element(tag, VR::SQ, Sequence{});
    return Element::from_bytes(tag, vr, {});
}

std::string invented_value(Tag tag, std::size_t counter) {
    if (tag == t::StudyDate || tag == t::ContentDate || tag == t::PresentationCreationDate) return "19000101";
    if (tag == t::StudyTime || tag == t::ContentTime || tag == t::PresentationCreationTime) return "000000";
    if (tag == t::InstanceNumber || tag == t::SeriesNumber) return std::to_string(counter);
    if (tag == t::StudyID) return fmt::format("STUDY{}", counter);
    if (tag == t::PatientID) return fmt::format("PATIENT{}", counter);
    return "UNKNOWN";
}

struct Missing {
    std::vector<std::string> keys;
};

// The keys of `type` copied from `source` into `record`; type 1 keys without value are listed in
// `missing` (or invented).
void copy_keys(std::string_view type, const DataSet& source, DataSet& record, bool invent, std::size_t counter,
               Missing& missing, std::vector<std::string>& notes, const std::string& path) {
    if (const Element* cs = source.find(t::SpecificCharacterSet); cs && has_value(source, t::SpecificCharacterSet))
        record.set(*cs);
    for (const RecordKey& key : record_keys(type)) {
        const bool present = has_value(source, key.tag);
        if (present) {
            record.set(*source.find(key.tag));
            continue;
        }
        if (key.type == '3') continue;
        if (key.type == '2') {
            record.set(empty_element(key.tag));
            continue;
        }
        if (!invent) {
            missing.keys.push_back(fmt::format("{} {}", key.tag.str(), dict::keyword_of(key.tag)));
            continue;
        }
        const std::string value = invented_value(key.tag, counter);
        record.set(Element::from_string(key.tag, dict::implicit_vr(key.tag), value));
        notes.push_back(fmt::format("{}: {} record: {} {} missing, written as \"{}\"", path, type, key.tag.str(),
                                    dict::keyword_of(key.tag), value));
    }
}

std::string text_of(const DataSet& ds, Tag tag) { return ds.string_or(tag); }

// A record in building order: its data set and its children (indices into the node list).
struct Node {
    DataSet data;
    std::vector<std::size_t> children;
};

void set_ul(DataSet& ds, Tag tag, std::uint32_t value) { ds.set(Element::from_number<std::uint32_t>(tag, VR::UL, value)); }

DataSet base_record(std::string_view type) {
    DataSet r;
    set_ul(r, t::OffsetOfTheNextDirectoryRecord, 0);
    r.set(Element::from_number<std::uint16_t>(t::RecordInUseFlag, VR::US, 0xFFFF));
    set_ul(r, t::OffsetOfReferencedLowerLevelDirectoryEntity, 0);
    r.set_string(t::DirectoryRecordType, VR::CS, type);
    return r;
}

bool valid_fileset_id(std::string_view id) {
    if (id.size() > 16) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ' ';
    });
}

Result<std::vector<std::uint8_t>> encode_directory(const DataSet& ds, const DataSet& meta, bool undefined) {
    io::DicomFile file;
    file.preamble = std::array<std::uint8_t, 128>{};
    file.meta = meta;
    file.dataset = ds;
    file.transfer_syntax = io::ts::ExplicitVRLittleEndian;
    io::FileWriteOptions options;
    options.write.lengths = undefined ? io::LengthEncoding::Undefined : io::LengthEncoding::Explicit;
    options.write.group_lengths = io::GroupLengthPolicy::Remove;
    options.keep_meta_sop_uids = true;
    return io::encode_file(file, options);
}

// Where the data set of an encoded Part 10 file starts: after preamble, DICM and group 0002.
Result<std::uint64_t> dataset_start(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 144) return make_error(ErrorCode::Truncated, "shorter than a File Meta Information");
    // (0002,0000) UL, 4 bytes: its value is the length of the rest of group 0002.
    const std::uint32_t group_length = load_le<std::uint32_t>(bytes.data() + 140);
    return std::uint64_t{144} + group_length;
}

}  // namespace

Result<std::vector<std::uint64_t>> record_item_offsets(std::span<const std::uint8_t> file_bytes,
                                                       std::uint64_t dataset_offset, const io::TransferSyntax& ts,
                                                       const std::string& name) {
    if (ts.deflated)
        return make_error(ErrorCode::UnsupportedTransferSyntax,
                          "a deflated DICOMDIR has no byte offsets to follow");
    if (dataset_offset > file_bytes.size())
        return Unexpected(std::move(Error(ErrorCode::Truncated, "data set starts past the end").in_file(name)));
    io::ReadOptions options;
    io::TokenReader reader(file_bytes.subspan(dataset_offset),
                           io::TokenReaderConfig{ts.explicit_vr, ts.endian, dataset_offset, name}, options);
    std::vector<std::uint64_t> out;
    int level = 0;
    bool in_records = false;
    while (true) {
        DK_ASSIGN_OR_RETURN(token, reader.next());
        switch (token.kind) {
        case io::TokenKind::End:
            return out;
        case io::TokenKind::SequenceStart:
            if (level == 0 && token.tag == t::DirectoryRecordSequence) {
                in_records = true;
            }
            ++level;
            break;
        case io::TokenKind::ItemStart:
            if (in_records && level == 1) out.push_back(token.offset);
            ++level;
            break;
        case io::TokenKind::FragmentsStart:
            ++level;
            break;
        case io::TokenKind::ItemEnd:
        case io::TokenKind::FragmentsEnd:
            --level;
            break;
        case io::TokenKind::SequenceEnd:
            --level;
            if (level == 0 && in_records) return out;
            break;
        default:
            break;
        }
    }
}

Result<BuildResult> build_dicomdir(const std::vector<InputFile>& files, const BuildOptions& options) {
    if (!valid_fileset_id(options.fileset_id))
        return make_error(ErrorCode::InvalidArgument,
                          fmt::format("File-set ID '{}': up to 16 characters of A-Z, 0-9, _ and space",
                                      options.fileset_id));
    BuildResult result;
    // patient -> study -> series -> instances, in the order first seen.
    std::vector<Node> nodes;
    std::vector<std::size_t> roots;
    std::map<std::string, std::size_t> patients, studies, series;
    std::size_t counter = 0;
    for (const InputFile& f : files) {
        ++counter;
        const DataSet& ds = f.dataset;
        std::string sop_class = text_of(f.meta, t::MediaStorageSOPClassUID);
        if (sop_class.empty()) sop_class = text_of(ds, t::SOPClassUID);
        std::string sop_instance = text_of(f.meta, t::MediaStorageSOPInstanceUID);
        if (sop_instance.empty()) sop_instance = text_of(ds, t::SOPInstanceUID);
        const std::string syntax = text_of(f.meta, t::TransferSyntaxUID);
        if (sop_class.empty() || sop_instance.empty() || syntax.empty()) {
            result.refused.push_back({f.path, "no SOP Class, SOP Instance or Transfer Syntax UID in its meta"});
            continue;
        }
        const std::string_view type = record_type_for(sop_class, ds.contains(t::Rows));
        if (type.empty()) {
            result.refused.push_back({f.path, fmt::format("no directory record type for SOP Class {}", sop_class)});
            continue;
        }
        Missing missing;
        std::vector<std::string> notes;
        DataSet patient = base_record("PATIENT"), study = base_record("STUDY"), ser = base_record("SERIES"),
                inst = base_record(type);
        copy_keys("PATIENT", ds, patient, options.invent, counter, missing, notes, f.path);
        copy_keys("STUDY", ds, study, options.invent, counter, missing, notes, f.path);
        copy_keys("SERIES", ds, ser, options.invent, counter, missing, notes, f.path);
        copy_keys(type, ds, inst, options.invent, counter, missing, notes, f.path);
        if (!missing.keys.empty()) {
            std::string list;
            for (const auto& k : missing.keys) list += (list.empty() ? "" : ", ") + k;
            result.refused.push_back({f.path, fmt::format("type 1 keys without value: {}", list)});
            continue;
        }
        result.notes.insert(result.notes.end(), notes.begin(), notes.end());
        inst.set(Element::from_strings(t::ReferencedFileID, VR::CS, f.file_id));
        inst.set_string(t::ReferencedSOPClassUIDInFile, VR::UI, sop_class);
        inst.set_string(t::ReferencedSOPInstanceUIDInFile, VR::UI, sop_instance);
        inst.set_string(t::ReferencedTransferSyntaxUIDInFile, VR::UI, syntax);

        const std::string pkey = text_of(patient, t::PatientID) + '\x01' + text_of(patient, t::PatientName);
        auto [pit, pnew] = patients.try_emplace(pkey, nodes.size());
        if (pnew) {
            nodes.push_back({std::move(patient), {}});
            roots.push_back(pit->second);
        }
        const std::string skey = pkey + '\x02' + text_of(study, t::StudyInstanceUID);
        auto [sit, snew] = studies.try_emplace(skey, nodes.size());
        if (snew) {
            nodes.push_back({std::move(study), {}});
            nodes[pit->second].children.push_back(sit->second);
        }
        const std::string rkey = skey + '\x03' + text_of(ser, t::SeriesInstanceUID);
        auto [rit, rnew] = series.try_emplace(rkey, nodes.size());
        if (rnew) {
            nodes.push_back({std::move(ser), {}});
            nodes[sit->second].children.push_back(rit->second);
        }
        const std::size_t index = nodes.size();
        nodes.push_back({std::move(inst), {}});
        nodes[rit->second].children.push_back(index);
    }
    if (nodes.empty()) {
        return make_error(ErrorCode::InvalidArgument, "no file could be described in the directory");
    }
    // The records in the sequence: depth first, each record before its lower level.
    std::vector<std::size_t> order;
    std::vector<std::size_t> position(nodes.size());
    auto visit = [&](auto&& self, std::size_t i) -> void {
        position[i] = order.size();
        order.push_back(i);
        for (std::size_t c : nodes[i].children) self(self, c);
    };
    for (std::size_t r : roots) visit(visit, r);

    DataSet meta;
    meta.set_string(t::MediaStorageSOPClassUID, VR::UI, kMediaStorageDirectoryStorage);
    meta.set_string(t::MediaStorageSOPInstanceUID, VR::UI, fresh_uid());
    DataSet ds;
    ds.set_string(t::FileSetID, VR::CS, options.fileset_id);
    set_ul(ds, t::OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity, 0);
    set_ul(ds, t::OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity, 0);
    ds.set(Element::from_number<std::uint16_t>(t::FileSetConsistencyFlag, VR::US, 0));

    auto assemble = [&](const std::vector<std::uint64_t>* offsets) -> Result<std::vector<std::uint8_t>> {
        auto at = [&](std::size_t node) -> std::uint32_t {
            return offsets ? static_cast<std::uint32_t>((*offsets)[position[node]]) : 0u;
        };
        std::vector<DataSet> items;
        items.reserve(order.size());
        for (std::size_t node : order) {
            DataSet item = nodes[node].data;
            item.set_undefined_length(options.undefined_lengths);
            if (!nodes[node].children.empty())
                set_ul(item, t::OffsetOfReferencedLowerLevelDirectoryEntity, at(nodes[node].children.front()));
            items.push_back(std::move(item));
        }
        // Next: the following sibling of each record.
        auto link = [&](const std::vector<std::size_t>& siblings) {
            for (std::size_t k = 0; k + 1 < siblings.size(); ++k)
                set_ul(items[position[siblings[k]]], t::OffsetOfTheNextDirectoryRecord, at(siblings[k + 1]));
        };
        link(roots);
        for (const Node& n : nodes) link(n.children);
        DataSet full = ds;
        set_ul(full, t::OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity, at(roots.front()));
        set_ul(full, t::OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity, at(roots.back()));
        Element seq(t::DirectoryRecordSequence, VR::SQ, Sequence{std::move(items)});
        seq.set_undefined_length(options.undefined_lengths);
        full.set(std::move(seq));
        return encode_directory(full, meta, options.undefined_lengths);
    };

    // First pass with zero offsets to learn where each item lands; the offsets are fixed-size
    // UL values, so filling them in moves nothing. The second pass is checked to be sure.
    DK_ASSIGN_OR_RETURN(draft, assemble(nullptr));
    DK_ASSIGN_OR_RETURN(start, dataset_start(draft));
    DK_ASSIGN_OR_RETURN(offsets, record_item_offsets(draft, start, io::ts::ExplicitVRLittleEndian));
    if (offsets.size() != order.size())
        return make_error(ErrorCode::InvalidValue, fmt::format("{} records written, {} items found", order.size(),
                                                               offsets.size()));
    for (std::uint64_t o : offsets)
        if (o > 0xFFFFFFFFull)
            return make_error(ErrorCode::LimitExceeded, "the directory is larger than 4 GiB: offsets do not fit UL");
    DK_ASSIGN_OR_RETURN(final_bytes, assemble(&offsets));
    DK_ASSIGN_OR_RETURN(check, record_item_offsets(final_bytes, start, io::ts::ExplicitVRLittleEndian));
    if (check != offsets || final_bytes.size() != draft.size())
        return make_error(ErrorCode::InvalidValue, "record offsets moved between passes");
    result.bytes = std::move(final_bytes);
    result.records = order.size();
    return result;
}

// ---- reading -------------------------------------------------------------------------------

std::vector<std::string> referenced_file_id(const DataSet& record) {
    std::vector<std::string> out;
    const Element* e = record.find(t::ReferencedFileID);
    if (!e || !e->is_bytes()) return out;
    auto parts = e->strings();
    if (!parts) return out;
    for (auto p : *parts) out.emplace_back(p);
    return out;
}

namespace {

Result<std::uint32_t> offset_value(const DataSet& ds, Tag tag) {
    const Element* e = ds.find(tag);
    if (!e || e->bytes().empty()) return 0u;
    auto v = e->as<std::uint32_t>();
    if (!v) return Unexpected(std::move(Error(ErrorCode::InvalidValue, "not an offset (UL)")).at_tag(tag.str()));
    return *v;
}

struct Walker {
    const std::vector<DataSet>& items;
    const std::unordered_map<std::uint64_t, std::size_t>& by_offset;
    const ReadLimits& limits;
    const std::string& name;
    std::set<std::uint64_t> visited;
    std::vector<std::string>& warnings;

    Error fail(std::string message, std::uint64_t at) const {
        return std::move(std::move(Error(ErrorCode::InvalidValue, std::move(message)).in_file(name))).at_offset(at);
    }

    // The records of the directory entity starting at `first`, following Next offsets.
    Result<std::vector<Record>> entity(std::uint32_t first, std::size_t depth, std::uint64_t from,
                                       std::string_view via) {
        std::vector<Record> out;
        if (depth > limits.max_depth)
            return Unexpected(fail(fmt::format("lower-level directory entities nested deeper than {}", limits.max_depth),
                                   from));
        std::uint64_t from_here = from;
        std::string_view from_tag = via;
        for (std::uint64_t at = first; at != 0;) {
            auto it = by_offset.find(at);
            if (it == by_offset.end())
                return Unexpected(fail(fmt::format("{} of the record at offset {} is {}, where no directory record starts",
                                                   from_tag, from_here, at),
                                       from_here));
            if (!visited.insert(at).second)
                return Unexpected(fail(fmt::format("{} of the record at offset {} is {}, a record already reached: "
                                                   "the offsets loop",
                                                   from_tag, from_here, at),
                                       from_here));
            const DataSet& ds = items[it->second];
            auto next = offset_value(ds, t::OffsetOfTheNextDirectoryRecord);
            auto lower = offset_value(ds, t::OffsetOfReferencedLowerLevelDirectoryEntity);
            if (!next) return Unexpected(std::move(std::move(next.error()).in_file(name)).at_offset(at));
            if (!lower) return Unexpected(std::move(std::move(lower.error()).in_file(name)).at_offset(at));
            Record r;
            r.offset = at;
            r.type = ds.string_or(t::DirectoryRecordType);
            r.data = ds;
            const auto in_use = ds.get_number<std::uint16_t>(t::RecordInUseFlag);
            const bool inactive = in_use && *in_use == 0;
            if (inactive) {
                warnings.push_back(fmt::format("record at offset {} ({}) is inactive (Record In-use Flag 0000)", at,
                                               r.type));
            } else if (*lower != 0) {
                DK_ASSIGN_OR_RETURN(children, entity(*lower, depth + 1, at, "Offset of Referenced Lower-Level Directory Entity"));
                r.children = std::move(children);
            }
            if (!inactive) out.push_back(std::move(r));
            from_here = at;
            from_tag = "Offset of the Next Directory Record";
            at = *next;
        }
        return out;
    }
};

Result<Directory> read_directory(const io::DicomFile& file, std::span<const std::uint8_t> all,
                                 const ReadLimits& limits, const std::string& name) {
    Directory dir;
    dir.meta = file.meta;
    const std::string sop_class = file.meta.string_or(t::MediaStorageSOPClassUID);
    if (!file.preamble)
        return Unexpected(std::move(Error(ErrorCode::BadMeta,
                                          "no File Meta Information: a DICOMDIR's offsets count from its first byte")
                                        .in_file(name)));
    if (sop_class != kMediaStorageDirectoryStorage)
        dir.warnings.push_back(fmt::format("Media Storage SOP Class UID is '{}', not {}", sop_class,
                                           kMediaStorageDirectoryStorage));
    dir.fileset_id = file.dataset.string_or(t::FileSetID);
    const Element* seq = file.dataset.find(t::DirectoryRecordSequence);
    if (!seq || !seq->is_sequence())
        return Unexpected(std::move(Error(ErrorCode::NotFound, "no Directory Record Sequence (0004,1220)").in_file(name)));
    const auto& items = seq->sequence().items;
    dir.records_in_sequence = items.size();
    if (!file.source) return Unexpected(Error(ErrorCode::InvalidArgument, "no source bytes"));
    DK_ASSIGN_OR_RETURN(offsets, record_item_offsets(all, file.source->dataset_offset, file.transfer_syntax, name));
    if (offsets.size() != items.size())
        return Unexpected(std::move(Error(ErrorCode::InvalidValue,
                                          fmt::format("{} directory records read but {} items found", items.size(),
                                                      offsets.size()))
                                        .in_file(name)));
    std::unordered_map<std::uint64_t, std::size_t> by_offset;
    for (std::size_t i = 0; i < offsets.size(); ++i) by_offset.emplace(offsets[i], i);
    auto first = offset_value(file.dataset, t::OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity);
    if (!first) return Unexpected(std::move(first.error()).in_file(name));
    if (*first == 0 && !items.empty())
        return Unexpected(std::move(Error(ErrorCode::InvalidValue,
                                          fmt::format("Offset of the First Directory Record of the Root Directory "
                                                      "Entity is 0 (or absent) but there are {} records",
                                                      items.size()))
                                        .in_file(name))
                              .at_tag("(0004,1200)"));
    Walker walker{items, by_offset, limits, name, {}, dir.warnings};
    DK_ASSIGN_OR_RETURN(roots, walker.entity(*first, 0, 0, "Offset of the First Directory Record of the Root Directory Entity"));
    dir.roots = std::move(roots);
    dir.records_reached = walker.visited.size();
    if (auto last = offset_value(file.dataset, t::OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity);
        last && *last != 0) {
        std::uint64_t actual = 0;
        // the last root record reached by Next offsets, inactive ones included
        for (std::uint64_t at = *first; at != 0;) {
            actual = at;
            auto it = by_offset.find(at);
            if (it == by_offset.end()) break;
            auto n = offset_value(items[it->second], t::OffsetOfTheNextDirectoryRecord);
            if (!n) break;
            at = *n;
        }
        if (actual != *last)
            dir.warnings.push_back(fmt::format("Offset of the Last Directory Record of the Root Directory Entity is {}, "
                                               "but the last root record is at {}",
                                               *last, actual));
    }
    if (dir.records_reached < items.size())
        dir.warnings.push_back(fmt::format("{} of {} directory records are not reached from the root",
                                           items.size() - dir.records_reached, items.size()));
    return dir;
}

}  // namespace

Result<Directory> read_dicomdir(const std::string& path, const ReadLimits& limits) {
    DK_ASSIGN_OR_RETURN(file, io::read_file(path));
    auto all = file.source ? file.source->all_bytes() : std::span<const std::uint8_t>{};
    return read_directory(file, all, limits, path);
}

Result<Directory> read_dicomdir_bytes(std::vector<std::uint8_t> bytes, const ReadLimits& limits, std::string name) {
    DK_ASSIGN_OR_RETURN(file, io::read_bytes(std::move(bytes), {}, name));
    auto all = file.source ? file.source->all_bytes() : std::span<const std::uint8_t>{};
    return read_directory(file, all, limits, name);
}

}  // namespace dicomkit::media
