// deid::modify on real files (tests/data/rt_set): set, modify, delete with [*], erase, values per
// VR, character sets, private elements by creator, --unique across a set, and the bytes of
// everything not edited.
#include <gtest/gtest.h>

#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/deid/modify.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <filesystem>
#include <set>

namespace dicomkit::deid {
namespace {

const std::string kSet = std::string(DICOMKIT_TEST_DATA) + "/rt_set/";

io::DicomFile load(const std::string& name) {
    io::ReadOptions ro;
    ro.resolve_un = false;
    auto f = io::read_file(kSet + name, ro);
    EXPECT_TRUE(f) << f.error().to_string();
    return f ? std::move(*f) : io::DicomFile{};
}

ModifyOptions one(EditOp op, std::string_view arg) {
    ModifyOptions o;
    auto e = parse_edit(op, arg);
    EXPECT_TRUE(e) << arg << ": " << e.error().to_string();
    if (e) o.edits.push_back(std::move(*e));
    return o;
}

const Element* at(const DataSet& ds, std::string_view path) {
    auto p = TagPath::parse(path);
    EXPECT_TRUE(p);
    const DataSet* cur = &ds;
    for (std::size_t i = 0; i < p->steps().size(); ++i) {
        const auto& s = p->steps()[i];
        const Element* e = cur->find(s.tag);
        if (!e) return nullptr;
        if (i + 1 == p->steps().size()) return e;
        if (!e->is_sequence() || s.index >= e->sequence().items.size()) return nullptr;
        cur = &e->sequence().items[s.index];
    }
    return nullptr;
}

std::string text(const Element* e) {
    if (!e) return "(absent)";
    auto v = e->string_value();
    return v ? std::string(*v) : "(not a string)";
}

TEST(Modify, ModifiesAnExistingElement) {
    auto f = load("RS.Z3S1.dcm");
    auto changes = modify(f.dataset, one(EditOp::Modify, "(0010,0010)=Doe^John"));
    ASSERT_TRUE(changes) << changes.error().to_string();
    ASSERT_EQ(changes->size(), 1u);
    EXPECT_EQ((*changes)[0].kind, Change::Kind::Changed);
    EXPECT_EQ(to_string((*changes)[0]), "(0010,0010): [Muster^Max^Peter] -> [Doe^John]");
    EXPECT_EQ(text(f.dataset.find(Tag(0x0010, 0x0010))), "Doe^John");
}

TEST(Modify, ModifyOfAnAbsentElementFailsUnlessIgnored) {
    auto f = load("RS.Z3S1.dcm");
    auto r = modify(f.dataset, one(EditOp::Modify, "(0010,2160)=X"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::NotFound);
    EXPECT_EQ(r.error().tag_path, "(0010,2160)");
    auto o = one(EditOp::Modify, "(0010,2160)=X");
    o.ignore_missing = true;
    auto ok = modify(f.dataset, o);
    ASSERT_TRUE(ok);
    EXPECT_TRUE(ok->empty());
    EXPECT_FALSE(f.dataset.contains(Tag(0x0010, 0x2160)));
}

TEST(Modify, SetInsertsSequencesAndItemsOnTheWay) {
    auto f = load("CT.01.dcm");
    auto changes = modify(f.dataset, one(EditOp::Set, "(0008,1140)[1].(0008,1155)=1.2.3"));
    ASSERT_TRUE(changes) << changes.error().to_string();
    const Element* seq = f.dataset.find(Tag(0x0008, 0x1140));
    ASSERT_TRUE(seq && seq->is_sequence());
    ASSERT_EQ(seq->sequence().items.size(), 2u);
    EXPECT_TRUE(seq->sequence().items[0].empty());
    EXPECT_EQ(text(at(f.dataset, "(0008,1140)[1].(0008,1155)")), "1.2.3");
    EXPECT_EQ(at(f.dataset, "(0008,1140)[1].(0008,1155)")->vr(), VR::UI);
    // Setting the same value again changes nothing.
    auto again = modify(
        f.dataset, one(EditOp::Set, "ReferencedImageSequence[1].ReferencedSOPInstanceUID=1.2.3"));
    ASSERT_TRUE(again);
    EXPECT_TRUE(again->empty());
}

TEST(Modify, WildcardsReachEveryItem) {
    auto f = load("RS.Z3S1.dcm");
    auto changes = modify(
        f.dataset,
        one(EditOp::Modify, "ROIContourSequence[*].ContourSequence[*].ContourGeometricType=POINT"));
    ASSERT_TRUE(changes) << changes.error().to_string();
    const auto& rois = f.dataset.find(Tag(0x3006, 0x0039))->sequence().items;
    std::size_t contours = 0;
    for (const auto& roi : rois)
        for (const auto& c : roi.find(Tag(0x3006, 0x0040))->sequence().items) {
            ++contours;
            EXPECT_EQ(text(c.find(Tag(0x3006, 0x0042))), "POINT");
        }
    EXPECT_EQ(changes->size(), contours);
    EXPECT_GT(contours, 3u);
    EXPECT_EQ((*changes)[1].path, "(3006,0039)[0].(3006,0040)[1].(3006,0042)");
}

TEST(Modify, DeletesWithWildcardsAndItems) {
    auto f = load("RS.Z3S1.dcm");
    auto changes =
        modify(f.dataset, one(EditOp::Delete, "(3006,0039)[*].(3006,0040)[*].(3006,0016)"));
    ASSERT_TRUE(changes) << changes.error().to_string();
    for (const auto& roi : f.dataset.find(Tag(0x3006, 0x0039))->sequence().items)
        for (const auto& c : roi.find(Tag(0x3006, 0x0040))->sequence().items)
            EXPECT_FALSE(c.contains(Tag(0x3006, 0x0016)));
    // Items: one, then all.
    auto one_item = modify(f.dataset, one(EditOp::Delete, "(3006,0020)[1]"));
    ASSERT_TRUE(one_item);
    const auto& rois = f.dataset.find(Tag(0x3006, 0x0020))->sequence().items;
    ASSERT_EQ(rois.size(), 2u);
    EXPECT_EQ(text(rois[1].find(Tag(0x3006, 0x0026))), "PROSTATA");
    ASSERT_TRUE(modify(f.dataset, one(EditOp::Delete, "(3006,0020)[*]")));
    EXPECT_TRUE(f.dataset.find(Tag(0x3006, 0x0020))->sequence().items.empty());
    // Nothing left to delete: an error, as dcmodify -e.
    auto none = modify(f.dataset, one(EditOp::Delete, "(3006,0020)[0]"));
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, ErrorCode::NotFound);
}

TEST(Modify, EraseAllPrivateAndGroups) {
    auto f = load("RS.Z3S1.dcm");
    auto ea = modify(f.dataset, one(EditOp::EraseAll, "AccessionNumber"));
    ASSERT_TRUE(ea) << ea.error().to_string();
    EXPECT_EQ(ea->size(), 2u);  // top level and in Request Attributes Sequence
    EXPECT_FALSE(f.dataset.contains(Tag(0x0008, 0x0050)));
    EXPECT_FALSE(at(f.dataset, "(0040,0275)[0].(0008,0050)"));

    ModifyOptions o;
    o.erase_private = true;
    o.erase_groups = {0x0010};
    auto r = modify(f.dataset, o);
    ASSERT_TRUE(r) << r.error().to_string();
    std::function<void(const DataSet&)> check = [&](const DataSet& ds) {
        for (const Element& e : ds) {
            EXPECT_FALSE(e.tag().is_private()) << e.tag().str();
            EXPECT_NE(e.tag().group, 0x0010) << e.tag().str();
            if (e.is_sequence())
                for (const auto& item : e.sequence().items) check(item);
        }
    };
    check(f.dataset);
}

TEST(Modify, ValuesAreTypedByVR) {
    auto f = load("CT.01.dcm");
    ASSERT_TRUE(modify(f.dataset, one(EditOp::Modify, "Rows=512")));
    EXPECT_EQ(f.dataset.get_number<std::uint16_t>(Tag(0x0028, 0x0010)).value(), 512);
    EXPECT_EQ(f.dataset.find(Tag(0x0028, 0x0010))->length(), 2u);
    for (const char* bad :
         {"Rows=abc", "Rows=70000", "Rows=-1", "Rows=1\\\\2", "SOPInstanceUID=1.2.x",
          "InstanceNumber=one", "StudyDate=2024-01-01", "PatientAge=45"}) {
        auto r = modify(f.dataset, one(EditOp::Set, bad));
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, ErrorCode::InvalidValue) << bad << ": " << r.error().to_string();
        EXPECT_FALSE(r.error().tag_path.empty());
    }
    ASSERT_TRUE(modify(f.dataset, one(EditOp::Set, "ImagePositionPatient=1.5\\-2\\3e1")));
    EXPECT_EQ(text(f.dataset.find(Tag(0x0020, 0x0032))), "1.5\\-2\\3e1");
    // FD, several values; SS; AT by tag and keyword; OB as hex bytes.
    ASSERT_TRUE(modify(f.dataset, one(EditOp::Set, "(0018,9327)=1.25")));  // TablePosition FD
    EXPECT_DOUBLE_EQ(f.dataset.get_number<double>(Tag(0x0018, 0x9327)).value(), 1.25);
    ASSERT_TRUE(
        modify(f.dataset, one(EditOp::Set, "(0028,9503)=-3\\7")));  // VerticesOfTheRegion SS
    EXPECT_EQ(f.dataset.find(Tag(0x0028, 0x9503))->numbers<std::int32_t>().value(),
              (std::vector<std::int32_t>{-3, 7}));
    ASSERT_TRUE(modify(
        f.dataset,
        one(EditOp::Set, "(0020,9165)=(0010,0010)\\PatientID")));  // DimensionIndexPointer AT
    const Element* at_e = f.dataset.find(Tag(0x0020, 0x9165));
    EXPECT_EQ(at_e->tag_value(1).value(), Tag(0x0010, 0x0020));
    ASSERT_TRUE(modify(f.dataset, one(EditOp::Set, "(0002,0001)=00\\01")).has_value() ==
                false);  // meta refused
    ASSERT_TRUE(modify(
        f.dataset, one(EditOp::Set, "(0028,1201)=0\\ffff")));  // RedPaletteColorLookupTableData OW
    EXPECT_EQ(f.dataset.find(Tag(0x0028, 0x1201))->length(), 4u);
    // A value from bytes.
    ModifyOptions o = one(EditOp::Set, "(0009,\"ACME\",10)=");
    o.edits.clear();
    Edit e;
    e.op = EditOp::Set;
    e.path = TagPath::parse("EncapsulatedDocument").value();
    e.binary = Bytes{'%', 'P', 'D', 'F', '-', '1', '.', '4'};
    o.edits.push_back(e);
    ASSERT_TRUE(modify(f.dataset, o));
    EXPECT_EQ(f.dataset.find(Tag(0x0042, 0x0011))->vr(), VR::OB);
    EXPECT_EQ(f.dataset.find(Tag(0x0042, 0x0011))->length(), 8u);
}

TEST(Modify, ValuesAreWrittenInTheDataSetsCharacterSet) {
    DataSet latin1;
    latin1.set_string(Tag(0x0008, 0x0005), VR::CS, "ISO_IR 100");
    ASSERT_TRUE(modify(latin1, one(EditOp::Set, "PatientName=M\xc3\xbcller^J\xc3\xb6rg")));
    EXPECT_EQ(text(latin1.find(Tag(0x0010, 0x0010))), "M\xfcller^J\xf6rg");

    DataSet utf8;
    utf8.set_string(Tag(0x0008, 0x0005), VR::CS, "ISO_IR 192");
    ASSERT_TRUE(modify(utf8, one(EditOp::Set, "PatientName=M\xc3\xbcller")));
    EXPECT_EQ(text(utf8.find(Tag(0x0010, 0x0010))), "M\xc3\xbcller");

    DataSet ascii;  // no Specific Character Set: the default repertoire
    auto r = modify(ascii, one(EditOp::Set, "PatientName=M\xc3\xbcller"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::CharsetError);
    EXPECT_NE(r.error().message.find("SpecificCharacterSet"), std::string::npos)
        << r.error().message;
    EXPECT_FALSE(ascii.contains(Tag(0x0010, 0x0010)));

    // Latin-1 cannot hold Greek.
    auto greek = modify(latin1, one(EditOp::Set, "PatientName=\xce\x91\xce\xb8"));
    ASSERT_FALSE(greek);
    EXPECT_EQ(greek.error().code, ErrorCode::CharsetError);

    // VRs outside the Specific Character Set take ASCII only.
    auto cs = modify(utf8, one(EditOp::Set, "PatientSex=\xc3\x9c"));
    ASSERT_FALSE(cs);
    EXPECT_EQ(cs.error().code, ErrorCode::CharsetError);

    // A new character set set in the same run applies to the values after it, whatever the order.
    ModifyOptions o = one(EditOp::Set, "PatientName=\xce\x91\xce\xb8");
    o.edits.push_back(parse_edit(EditOp::Set, "SpecificCharacterSet=ISO_IR 126").value());
    ASSERT_TRUE(modify(ascii, o));
    EXPECT_EQ(text(ascii.find(Tag(0x0010, 0x0010))), "\xc1\xe8");
}

TEST(Modify, PrivateElementsByCreator) {
    auto f = load("CT.01.dcm");
    auto r = modify(f.dataset, one(EditOp::Modify, "(0029,\"ACME RT 1.0\",10)=Anon"));
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(text(f.dataset.find(Tag(0x0029, 0x1010))), "Anon");
    EXPECT_EQ((*r)[0].path, "(0029,\"ACME RT 1.0\",10)");
    // A creator the file does not have gets a free block; the VR comes from the private dictionary.
    auto ins = modify(f.dataset, one(EditOp::Set, "(0029,\"SIEMENS CSA HEADER\",08)=IMAGE NUM 4"));
    ASSERT_TRUE(ins) << ins.error().to_string();
    EXPECT_EQ(text(f.dataset.find(Tag(0x0029, 0x0011))), "SIEMENS CSA HEADER");
    EXPECT_EQ(text(f.dataset.find(Tag(0x0029, 0x1108))), "IMAGE NUM 4");
    EXPECT_EQ(f.dataset.find(Tag(0x0029, 0x1108))->vr(), VR::CS);
    // Unknown private element: no VR to encode with.
    auto unknown = modify(f.dataset, one(EditOp::Set, "(0029,\"NOBODY\",01)=x"));
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("VR is unknown"), std::string::npos)
        << unknown.error().message;
    // By number, in a block whose creator is present: the existing element's VR.
    ASSERT_TRUE(modify(f.dataset, one(EditOp::Modify, "(0029,1011)=123")));
    EXPECT_EQ(text(f.dataset.find(Tag(0x0029, 0x1011))), "123");
}

TEST(Modify, PathsThroughNonSequencesAreErrors) {
    auto f = load("CT.01.dcm");
    auto r = modify(f.dataset, one(EditOp::Set, "(0010,0010)[0].(0010,0020)=x"));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not a sequence"), std::string::npos);
    EXPECT_EQ(r.error().tag_path, "(0010,0010)");
    auto item_value = modify(f.dataset, one(EditOp::Set, "(0008,1140)[0]=x"));
    ASSERT_FALSE(item_value);
}

TEST(Modify, ParseEditSplitsAtTheFirstEqualsOutsideThePath) {
    auto e = parse_edit(EditOp::Set, "(0029,\"A=B\",10)=x=y");
    ASSERT_TRUE(e) << e.error().to_string();
    EXPECT_EQ(e->path.last().creator, "A=B");
    EXPECT_EQ(e->value, "x=y");
    auto empty = parse_edit(EditOp::Set, "PatientName=");
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->value, "");
    EXPECT_FALSE(parse_edit(EditOp::Set, "PatientName"));
    auto bad = parse_edit(EditOp::Delete, "(0010,001x)");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("column"), std::string::npos);
}

TEST(Modify, GeneratedUidsAreValid) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        std::string u = generate_uid();
        EXPECT_TRUE(u.starts_with("2.25."));
        EXPECT_LE(u.size(), 64u);
        EXPECT_NE(u[5], '0');
        EXPECT_EQ(u.find_first_not_of("0123456789.", 0), std::string::npos);
        seen.insert(u);
    }
    EXPECT_EQ(seen.size(), 200u);
}

/// Every UI value of `ds` at any level.
void uids(const DataSet& ds, Tag tag, std::vector<std::string>& out) {
    for (const Element& e : ds) {
        if (e.is_sequence()) {
            for (const auto& item : e.sequence().items) uids(item, tag, out);
        } else if (e.tag() == tag) {
            out.emplace_back(trim_padding(e.string_value().value()));
        }
    }
}

TEST(Modify, UniqueUidsKeepReferencesWithinTheSet) {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(kSet))
        if (entry.path().extension() == ".dcm") names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    ASSERT_EQ(names.size(), 11u);
    std::vector<io::DicomFile> files;
    UidMap map;
    for (const auto& n : names) {
        files.push_back(load(n));
        map.collect(files.back().dataset);
    }
    std::set<std::string> old_instances, old_refs;
    for (auto& f : files) {
        old_instances.insert(f.dataset.get_string(Tag(0x0008, 0x0018)).value());
        std::vector<std::string> refs;
        uids(f.dataset, Tag(0x0008, 0x1155), refs);
        old_refs.insert(refs.begin(), refs.end());
    }
    ModifyOptions o;
    o.unique = &map;
    // Apply in reverse order: a reference to a file edited later still follows.
    for (auto it = files.rbegin(); it != files.rend(); ++it) ASSERT_TRUE(modify(it->dataset, o));
    std::set<std::string> instances, frames, studies;
    for (auto& f : files) {
        instances.insert(f.dataset.get_string(Tag(0x0008, 0x0018)).value());
        studies.insert(f.dataset.get_string(Tag(0x0020, 0x000D)).value());
        frames.insert(f.dataset.get_string(Tag(0x0020, 0x0052)).value());
    }
    EXPECT_EQ(instances.size(), files.size());
    EXPECT_EQ(studies.size(), 1u);
    EXPECT_EQ(frames.size(), 1u);
    for (const auto& u : instances) EXPECT_FALSE(old_instances.contains(u));
    std::size_t resolved = 0;
    for (auto& f : files) {
        std::vector<std::string> refs, forefs;
        uids(f.dataset, Tag(0x0008, 0x1155), refs);
        for (const auto& r : refs) {
            if (old_refs.contains(r) && !map.find(r)) continue;  // outside the set: kept
            EXPECT_TRUE(instances.contains(r) || studies.contains(r)) << r;
            ++resolved;
        }
        uids(f.dataset, Tag(0x3006, 0x0024), forefs);
        for (const auto& r : forefs) EXPECT_TRUE(frames.contains(r)) << r;
    }
    EXPECT_GT(resolved, 16u);
}

/// The file as dicomkit modify writes it.
Bytes reencode(const io::DicomFile& f) {
    auto b = io::encode_file(f);
    EXPECT_TRUE(b) << b.error().to_string();
    return b ? *b : Bytes{};
}

TEST(Modify, UntouchedFilesAreWrittenBackByteForByte) {
    for (const auto& entry : std::filesystem::directory_iterator(kSet)) {
        if (entry.path().extension() != ".dcm") continue;
        auto f = load(entry.path().filename().string());
        auto original = read_whole_file(entry.path().string());
        ASSERT_TRUE(original);
        EXPECT_TRUE(reencode(f) == *original) << entry.path();
    }
}

TEST(Modify, OnlyTheEditedElementAndEnclosingLengthsChange) {
    auto f = load("RS.Z3S1.dcm");
    auto original = read_whole_file(kSet + "RS.Z3S1.dcm").value();
    // Same length: only the value bytes differ.
    ASSERT_TRUE(modify(f.dataset, one(EditOp::Modify, "(0010,0020)=1000072165")));
    Bytes same_length = reencode(f);
    ASSERT_EQ(same_length.size(), original.size());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < original.size(); ++i) differing += original[i] != same_length[i];
    EXPECT_EQ(differing, 1u);
    // A nested value two bytes longer: its length, the enclosing item and sequence lengths, and
    // the bytes after it shifted by two.
    auto g = load("RS.Z3S1.dcm");
    ASSERT_TRUE(
        modify(g.dataset, one(EditOp::Modify, "(0040,0275)[0].(0040,0009)=SPS100007216499")));
    Bytes longer = reencode(g);
    ASSERT_EQ(longer.size(), original.size() + 2);
    std::size_t first = 0;
    while (original[first] == longer[first]) ++first;
    std::size_t tail = 0;
    while (original[original.size() - 1 - tail] == longer[longer.size() - 1 - tail]) ++tail;
    // The differing bytes run from the sequence's length field to the end of the edited value
    // (sequence length 4, item header 8, (0008,0050) 18, (0040,0009) header 8 and value 16 bytes);
    // everything after it is the original, shifted.
    EXPECT_LE(original.size() - tail - first, 54u) << "first " << first << " tail " << tail;
    EXPECT_GT(original.size() - tail - first, 16u);
}

}  // namespace
}  // namespace dicomkit::deid

namespace dicomkit::deid {
namespace {

TEST(Modify, AMetaThatDisagreesWithTheDataSetIsKept) {
    // Both files' Media Storage SOP Instance UID differs from their SOP Instance UID.
    for (const char* name : {"interop/rt/rtplan.dcm", "interop/malformed/bad_sequence.dcm"}) {
        std::string path = std::string(DICOMKIT_TEST_DATA) + "/" + name;
        io::ReadOptions ro;
        ro.resolve_un = false;
        auto f = io::read_file(path, ro);
        ASSERT_TRUE(f) << f.error().to_string();
        io::FileWriteOptions wo;
        wo.keep_meta_sop_uids = true;
        auto b = io::encode_file(*f, wo);
        ASSERT_TRUE(b);
        EXPECT_TRUE(*b == read_whole_file(path).value()) << name;
        auto fixed = io::encode_file(*f);  // default: the meta follows the data set
        ASSERT_TRUE(fixed);
        EXPECT_FALSE(*fixed == *b) << name;
    }
}

}  // namespace
}  // namespace dicomkit::deid
