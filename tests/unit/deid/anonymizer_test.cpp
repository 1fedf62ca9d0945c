#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <functional>
#include <set>

#include <dicomkit/deid/anonymizer.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dataset_writer.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/pixel/codecs.hpp>
#include <dicomkit/pixel/pixel_info.hpp>
#include <dicomkit/pixel/transcode.hpp>

using namespace dicomkit;
using namespace dicomkit::deid;

namespace {

DataSet sample() {
    DataSet ds;
    ds.set_string(tags::SOPClassUID, VR::UI, "1.2.840.10008.5.1.4.1.1.2");
    ds.set_string(tags::SOPInstanceUID, VR::UI, "1.2.826.0.1.3680043.8.498.1");
    ds.set_string(tags::StudyInstanceUID, VR::UI, "1.2.826.0.1.3680043.8.498.2");
    ds.set_string(tags::PatientName, VR::PN, "Muster^Max");
    ds.set_string(tags::PatientID, VR::LO, "1000072164");
    ds.set_string(tags::PatientBirthDate, VR::DA, "19510412");
    ds.set_string(tags::StudyDate, VR::DA, "20240229");
    ds.set_string(tags::ContentDate, VR::DA, "20240301");
    ds.set_string(tags::AcquisitionDateTime, VR::DT, "20240301101500.5");
    ds.set_string(tags::StudyTime, VR::TM, "101500");
    ds.set_string(tags::InstitutionName, VR::LO, "Kantonsspital");
    ds.set_string(tags::Modality, VR::CS, "CT");
    ds.set_string(tags::PatientComments, VR::LT, "lives at Rorschacher Strasse");
    ds.set_string(Tag{0x6000, 0x4000}, VR::LT, "overlay note");
    // A reference in a sequence, with a name nested in it.
    DataSet ref;
    ref.set_string(tags::ReferencedSOPClassUID, VR::UI, "1.2.840.10008.5.1.4.1.1.2");
    ref.set_string(tags::ReferencedSOPInstanceUID, VR::UI, "1.2.826.0.1.3680043.8.498.9");
    DataSet req;
    req.set_string(tags::RequestedProcedureID, VR::SH, "RQ1000072164");
    req.set_string(tags::ScheduledProcedureStepID, VR::SH, "SPS1");
    ds.set(Element(tags::ReferencedImageSequence, VR::SQ, Sequence{{ref}}));
    ds.set(Element(tags::RequestAttributesSequence, VR::SQ, Sequence{{req}}));
    // Private: a creator and two elements of its block.
    ds.set_string(Tag{0x0029, 0x0010}, VR::LO, "ACME RT 1.0");
    ds.set_string(Tag{0x0029, 0x1010}, VR::LO, "Muster^Max");
    ds.set_string(Tag{0x0029, 0x1011}, VR::DS, "1.5");
    ds.set(Element::from_number<std::uint16_t>(tags::Rows, VR::US, 4));
    return ds;
}

Anonymizer make(Recipe r = {}, PatientMap m = {}) {
    auto a = Anonymizer::create("test-key", std::move(r), std::move(m));
    EXPECT_TRUE(a);
    return std::move(*a);
}

}  // namespace

TEST(Anonymizer, BasicProfile) {
    const Anonymizer a = make();
    Context ctx;
    auto out = a.apply(sample(), ctx);
    ASSERT_TRUE(out) << out.error().to_string();
    EXPECT_EQ(ctx.original.id, "1000072164");
    EXPECT_EQ(ctx.original.name, "Muster^Max");
    EXPECT_TRUE(ctx.replacement.id.starts_with("ANON"));
    EXPECT_EQ(ctx.replacement.id.size(), 14u);
    EXPECT_EQ(out->string_or(tags::PatientID), ctx.replacement.id);
    EXPECT_EQ(out->string_or(tags::PatientName), ctx.replacement.id);
    EXPECT_FALSE(out->contains(tags::PatientBirthDate) && !out->string_or(tags::PatientBirthDate).empty());
    EXPECT_EQ(out->string_or(tags::StudyDate), "");  // Z
    EXPECT_EQ(out->string_or(tags::InstitutionName), "ANONYMIZED");  // X/Z/D -> D
    EXPECT_FALSE(out->contains(tags::PatientComments));
    EXPECT_FALSE(out->contains(Tag{0x6000, 0x4000}));
    EXPECT_FALSE(out->contains(Tag{0x0029, 0x0010}));
    EXPECT_FALSE(out->contains(Tag{0x0029, 0x1010}));
    EXPECT_EQ(out->string_or(tags::SOPClassUID), "1.2.840.10008.5.1.4.1.1.2");
    EXPECT_EQ(out->string_or(tags::SOPInstanceUID), a.uids().remap("1.2.826.0.1.3680043.8.498.1"));
    EXPECT_EQ(out->string_or(tags::Modality), "CT");
    EXPECT_TRUE(out->contains(tags::Rows));
    // Nested: the reference follows the same mapping, the class UID stays.
    const Element* seq = out->find(tags::ReferencedImageSequence);
    ASSERT_TRUE(seq && seq->is_sequence());
    ASSERT_EQ(seq->sequence().items.size(), 1u);
    EXPECT_EQ(seq->sequence().items[0].string_or(tags::ReferencedSOPInstanceUID),
              a.uids().remap("1.2.826.0.1.3680043.8.498.9"));
    EXPECT_EQ(seq->sequence().items[0].string_or(tags::ReferencedSOPClassUID), "1.2.840.10008.5.1.4.1.1.2");
    EXPECT_FALSE(out->contains(tags::RequestAttributesSequence));  // X
    // The record of what was done.
    EXPECT_EQ(out->string_or(tags::PatientIdentityRemoved), "YES");
    EXPECT_EQ(out->string_or(tags::LongitudinalTemporalInformationModified), "REMOVED");
    const Element* codes = out->find(tags::DeidentificationMethodCodeSequence);
    ASSERT_TRUE(codes && codes->is_sequence());
    ASSERT_EQ(codes->sequence().items.size(), 1u);
    EXPECT_EQ(codes->sequence().items[0].string_or(tags::CodeValue), "113100");
    EXPECT_EQ(codes->sequence().items[0].string_or(tags::CodingSchemeDesignator), "DCM");
}

TEST(Anonymizer, SameKeySameOutputAcrossInstances) {
    Context c1, c2;
    auto o1 = make().apply(sample(), c1);
    auto o2 = make().apply(sample(), c2);
    ASSERT_TRUE(o1 && o2);
    EXPECT_EQ(*o1, *o2);
    auto other = Anonymizer::create("another-key", {});
    Context c3;
    auto o3 = other->apply(sample(), c3);
    EXPECT_NE(o3->string_or(tags::SOPInstanceUID), o1->string_or(tags::SOPInstanceUID));
    EXPECT_NE(c3.replacement.id, c1.replacement.id);
}

TEST(Anonymizer, ModifiedDatesShiftConsistently) {
    Recipe r;
    r.options.dates = DateOption::Modified;
    const Anonymizer a = make(r);
    Context ctx;
    auto out = a.apply(sample(), ctx);
    ASSERT_TRUE(out);
    const int shift = a.date_shift_days("1000072164");
    EXPECT_GE(shift, 1);
    EXPECT_LE(shift, 3650);
    const std::string study = out->string_or(tags::StudyDate), content = out->string_or(tags::ContentDate);
    ASSERT_EQ(study.size(), 8u);
    EXPECT_NE(study, "20240229");
    // One day apart before, one day apart after (2024-02-29 -> 2024-03-01).
    auto days = [](const std::string& s) {
        std::tm tm{};
        tm.tm_year = std::stoi(s.substr(0, 4)) - 1900;
        tm.tm_mon = std::stoi(s.substr(4, 2)) - 1;
        tm.tm_mday = std::stoi(s.substr(6, 2));
        tm.tm_hour = 12;
        return static_cast<long>(timegm(&tm) / 86400);
    };
    EXPECT_EQ(days(content) - days(study), 1);
    EXPECT_EQ(days("20240229") - days(study), shift);
    const std::string dt = out->string_or(tags::AcquisitionDateTime);
    EXPECT_EQ(dt.substr(0, 8), content);
    EXPECT_EQ(dt.substr(8), "101500.5");
    EXPECT_EQ(out->string_or(tags::LongitudinalTemporalInformationModified), "MODIFIED");
}

TEST(Anonymizer, OptionsAndRecipeRules) {
    Recipe r;
    r.options.retain_institution_identity = true;
    r.options.retain_uids = true;
    r.options.dates = DateOption::Full;
    r.options.retain_safe_private = true;
    r.safe_private.push_back({0x0029, "ACME RT 1.0", 0x11});
    r.tags.push_back({tags::PatientComments, 0xFFFFFFFF, Action::D, std::string("none")});
    r.tags.push_back({Tag{0x6000, 0x4000}, 0xFF00FFFF, Action::K, std::nullopt});
    const Anonymizer a = make(r);
    Context ctx;
    auto out = a.apply(sample(), ctx);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->string_or(tags::InstitutionName), "Kantonsspital");
    EXPECT_EQ(out->string_or(tags::SOPInstanceUID), "1.2.826.0.1.3680043.8.498.1");
    EXPECT_EQ(out->string_or(tags::StudyDate), "20240229");
    EXPECT_EQ(out->string_or(tags::PatientComments), "none");
    EXPECT_EQ(out->string_or(Tag{0x6000, 0x4000}), "overlay note");
    EXPECT_TRUE(out->contains(Tag{0x0029, 0x0010}));
    EXPECT_TRUE(out->contains(Tag{0x0029, 0x1011}));   // safe
    EXPECT_FALSE(out->contains(Tag{0x0029, 0x1010}));  // not listed: removed
    std::set<std::string> codes;
    for (const DataSet& item : out->find(tags::DeidentificationMethodCodeSequence)->sequence().items)
        codes.insert(item.string_or(tags::CodeValue));
    EXPECT_EQ(codes, (std::set<std::string>{"113100", "113106", "113110", "113111", "113112"}));
}

/// PS3.15 Table E.3.10-1: the built-in rows are kept under Retain Safe Private; the SIEMENS MR
/// HEADER elements that are no rows of the table (0A images in mosaic, 0B slice measurement
/// duration) are removed like any other private attribute.
TEST(Anonymizer, BuiltinSafePrivateIsTableE3101) {
    DataSet ds = sample();
    ds.set_string(Tag{0x0019, 0x0010}, VR::LO, "SIEMENS MR HEADER");
    ds.set_string(Tag{0x0019, 0x100A}, VR::IS, "4");
    ds.set_string(Tag{0x0019, 0x100B}, VR::DS, "120");
    ds.set_string(Tag{0x0019, 0x100C}, VR::IS, "1000");
    ds.set_string(Tag{0x0019, 0x100D}, VR::CS, "DIRECTIONAL");
    Recipe r;
    r.options.retain_safe_private = true;
    const Anonymizer a = make(r);
    Context ctx;
    auto out = a.apply(ds, ctx);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->string_or(Tag{0x0019, 0x0010}), "SIEMENS MR HEADER");
    EXPECT_EQ(out->string_or(Tag{0x0019, 0x100C}), "1000");
    EXPECT_EQ(out->string_or(Tag{0x0019, 0x100D}), "DIRECTIONAL");
    EXPECT_FALSE(out->contains(Tag{0x0019, 0x100A}));
    EXPECT_FALSE(out->contains(Tag{0x0019, 0x100B}));
    for (const SafePrivate& p : builtin_safe_private())
        EXPECT_FALSE(p.creator == "SIEMENS MR HEADER" && (p.element == 0x0A || p.element == 0x0B));
}

TEST(Anonymizer, PatientMapWins) {
    PatientMap m;
    m["1000072164"] = {"STUDY-001", "Subject^One"};
    const Anonymizer a = make({}, m);
    Context ctx;
    auto out = a.apply(sample(), ctx);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->string_or(tags::PatientID), "STUDY-001");
    EXPECT_EQ(out->string_or(tags::PatientName), "Subject^One");
}

TEST(Anonymizer, CleanPixelDataBlanksNativeRegions) {
    DataSet ds;
    ds.set_string(tags::Modality, VR::CS, "US");
    ds.set(Element::from_number<std::uint16_t>(tags::Rows, VR::US, 4));
    ds.set(Element::from_number<std::uint16_t>(tags::Columns, VR::US, 4));
    ds.set(Element::from_number<std::uint16_t>(tags::SamplesPerPixel, VR::US, 1));
    ds.set(Element::from_number<std::uint16_t>(tags::BitsAllocated, VR::US, 8));
    ds.set(Element::from_number<std::uint16_t>(tags::BitsStored, VR::US, 8));
    ds.set(Element::from_number<std::uint16_t>(tags::HighBit, VR::US, 7));
    ds.set(Element::from_number<std::uint16_t>(tags::PixelRepresentation, VR::US, 0));
    ds.set_string(tags::PhotometricInterpretation, VR::CS, "MONOCHROME2");
    ds.set(Element(tags::PixelData, VR::OB, Bytes(16, 200)));
    Recipe r;
    r.options.clean_pixel_data = true;
    r.pixel_rules.push_back({"CT", 0, 0, {{0, 0, 4, 4}}});          // another modality
    r.pixel_rules.push_back({"us", 4, 4, {{1, 0, 2, 1}, {3, 3, 9, 9}}});
    const Anonymizer a = make(r);
    Context ctx;
    auto out = a.apply(ds, ctx);
    ASSERT_TRUE(out) << out.error().to_string();
    EXPECT_TRUE(ctx.pixels_cleaned);
    auto px = out->find(tags::PixelData)->bytes();
    std::vector<int> v(px.begin(), px.end());
    std::vector<int> expect(16, 200);
    expect[1] = expect[2] = expect[15] = 0;
    EXPECT_EQ(v, expect);
    EXPECT_EQ(out->string_or(tags::BurnedInAnnotation), "NO");
    bool has_113101 = false;
    for (const DataSet& item : out->find(tags::DeidentificationMethodCodeSequence)->sequence().items)
        has_113101 |= item.string_or(tags::CodeValue) == "113101";
    EXPECT_TRUE(has_113101);
    Recipe no_regions;
    no_regions.options.clean_pixel_data = true;
    EXPECT_FALSE(Anonymizer::create("k", no_regions));
}

TEST(Anonymizer, RtSetFileKeepsItsSyntaxAndMeta) {
    const std::string path = std::string(DICOMKIT_TEST_DATA) + "/rt_set/RS.Z3S1.dcm";
    auto file = io::read_file(path);
    ASSERT_TRUE(file) << file.error().to_string();
    const Anonymizer a = make();
    Context ctx;
    auto out = a.apply(*file, ctx);
    ASSERT_TRUE(out) << out.error().to_string();
    EXPECT_EQ(out->transfer_syntax, file->transfer_syntax);
    EXPECT_EQ(out->meta.string_or(Tag{0x0002, 0x0003}), out->dataset.string_or(tags::SOPInstanceUID));
    EXPECT_NE(out->dataset.string_or(tags::SOPInstanceUID), file->dataset.string_or(tags::SOPInstanceUID));
    // Every contour image reference points at a remapped CT UID.
    std::size_t refs = 0;
    std::function<void(const DataSet&)> visit = [&](const DataSet& ds) {
        for (const Element& e : ds) {
            if (e.is_sequence())
                for (const DataSet& item : e.sequence().items) visit(item);
            if (e.vr() == VR::UI && e.tag() == tags::ReferencedSOPInstanceUID) {
                ++refs;
                EXPECT_TRUE(ds.string_or(tags::ReferencedSOPInstanceUID).starts_with("2.25."));
            }
        }
    };
    visit(out->dataset);
    EXPECT_GT(refs, 0u);
}

TEST(Anonymizer, CleanPixelDataReencodesInTheFilesOwnSyntax) {
    const std::string path = std::string(DICOMKIT_TEST_DATA) + "/pixel/MR_small_RLE.dcm";
    auto file = io::read_file(path);
    ASSERT_TRUE(file) << file.error().to_string();
    ASSERT_TRUE(file->transfer_syntax.encapsulated);
    const pixel::CodecRegistry codecs = pixel::standard_codecs();
    Recipe r;
    r.options.clean_pixel_data = true;
    r.pixel_rules.push_back({"", 0, 0, {{0, 0, 10, 5}}});
    auto a = Anonymizer::create("k", r, {}, &codecs);
    ASSERT_TRUE(a);
    Context ctx;
    auto out = a->apply(*file, ctx);
    ASSERT_TRUE(out) << out.error().to_string();
    EXPECT_TRUE(ctx.pixels_cleaned);
    EXPECT_EQ(out->transfer_syntax, file->transfer_syntax);
    ASSERT_TRUE(out->dataset.find(tags::PixelData)->is_fragments());
    // Decoded: the region is black (signed MONOCHROME2: the smallest value), the rest unchanged.
    DataSet before = file->dataset, after = out->dataset;
    ASSERT_TRUE(pixel::transcode(before, file->transfer_syntax, io::ts::ExplicitVRLittleEndian, codecs));
    ASSERT_TRUE(pixel::transcode(after, out->transfer_syntax, io::ts::ExplicitVRLittleEndian, codecs));
    auto info = pixel::describe(after);
    ASSERT_TRUE(info);
    ASSERT_EQ(info->bits_allocated, 16);
    auto b = before.find(tags::PixelData)->bytes();
    auto c = after.find(tags::PixelData)->bytes();
    ASSERT_EQ(b.size(), c.size());
    const std::uint32_t cols = info->columns;
    auto at = [&](std::span<const std::uint8_t> px, std::uint32_t x, std::uint32_t y) {
        const std::size_t i = (static_cast<std::size_t>(y) * cols + x) * 2;
        return static_cast<std::int16_t>(px[i] | (px[i + 1] << 8));
    };
    const std::int16_t black = info->is_signed ? static_cast<std::int16_t>(-(1 << (info->bits_stored - 1))) : 0;
    for (std::uint32_t y = 0; y < 5; ++y)
        for (std::uint32_t x = 0; x < 10; ++x) EXPECT_EQ(at(c, x, y), black) << x << "," << y;
    std::size_t same = 0, outside = 0;
    for (std::uint32_t y = 0; y < info->rows; ++y)
        for (std::uint32_t x = 0; x < cols; ++x)
            if (y >= 5 || x >= 10) {
                ++outside;
                same += at(b, x, y) == at(c, x, y);
            }
    EXPECT_EQ(same, outside);
}

TEST(Anonymizer, DeferredValuesAreWrittenFromTheSource) {
    const std::string path = std::string(DICOMKIT_TEST_DATA) + "/rt_set/CT.01.dcm";
    io::ReadOptions lazy;
    lazy.defer_larger_than = 256;
    auto deferred = io::read_file(path, lazy);
    auto whole = io::read_file(path);
    ASSERT_TRUE(deferred && whole);
    ASSERT_TRUE(deferred->dataset.find(tags::PixelData)->is_deferred());
    const Anonymizer a = make();
    Context c1, c2;
    auto o1 = a.apply(*deferred, c1);
    auto o2 = a.apply(*whole, c2);
    ASSERT_TRUE(o1 && o2);
    auto b1 = io::encode_file(*o1);
    auto b2 = io::encode_file(*o2);
    ASSERT_TRUE(b1) << b1.error().to_string();
    ASSERT_TRUE(b2);
    EXPECT_EQ(*b1, *b2);
}

TEST(Anonymizer, ClassAndSyntaxUidsStayEvenWhenPrivate) {
    DataSet ds;
    ds.set_string(tags::SOPClassUID, VR::UI, "1.2.3.4.5.6");  // a private SOP class
    ds.set_string(Tag{0x0004, 0x1510}, VR::UI, "1.2.3.4.5.6");  // Referenced SOP Class UID in File
    ds.set_string(Tag{0x0004, 0x1512}, VR::UI, "1.2.3.4.5.7");  // Referenced Transfer Syntax UID in File
    ds.set_string(tags::SOPInstanceUID, VR::UI, "1.2.3.4.5.8");
    Context ctx;
    auto out = make().apply(ds, ctx);
    ASSERT_TRUE(out);
    EXPECT_EQ(out->string_or(tags::SOPClassUID), "1.2.3.4.5.6");
    EXPECT_EQ(out->string_or(Tag{0x0004, 0x1510}), "1.2.3.4.5.6");
    EXPECT_EQ(out->string_or(Tag{0x0004, 0x1512}), "1.2.3.4.5.7");
    EXPECT_NE(out->string_or(tags::SOPInstanceUID), "1.2.3.4.5.8");
}

// A malformed file read leniently can hold a sequence at SOP Instance UID: the File Meta
// Information of the output still gets a UI (the remapped one of the original meta), and the
// written file reads back.
TEST(Anonymizer, SopInstanceUidThatIsASequenceLeavesAValidMeta) {
    io::DicomFile in;
    in.dataset = sample();
    in.dataset.set(Element(tags::SOPInstanceUID, VR::SQ, Sequence{}));
    in.meta.set_string(Tag{0x0002, 0x0002}, VR::UI, "1.2.840.10008.5.1.4.1.1.2");
    in.meta.set_string(Tag{0x0002, 0x0003}, VR::UI, "1.2.826.0.1.3680043.8.498.1");
    in.meta.set_string(Tag{0x0002, 0x0010}, VR::UI, "1.2.840.10008.1.2");
    in.transfer_syntax = *io::find_transfer_syntax("1.2.840.10008.1.2");
    in.transfer_syntax_uid = "1.2.840.10008.1.2";
    Context ctx;
    auto out = make().apply(in, ctx);
    ASSERT_TRUE(out) << out.error().to_string();
    const Element* m = out->meta.find(Tag{0x0002, 0x0003});
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->vr(), VR::UI);
    EXPECT_EQ(m->string_value().value_or("").rfind("2.25.", 0), 0u);
    auto bytes = io::encode_file(*out);
    ASSERT_TRUE(bytes) << bytes.error().to_string();
    auto back = io::read_bytes(*bytes);
    ASSERT_TRUE(back) << back.error().to_string();
}

TEST(Anonymizer, ActionsOfTwoAnonymizersUsedInTurn) {
    // action_for() remembers its answers per thread: two Anonymizers with other options used in
    // turn must each keep their own.
    Recipe keep;
    keep.options.retain_institution_identity = true;
    keep.options.retain_uids = true;
    auto plain = Anonymizer::create("k", {});
    auto retaining = Anonymizer::create("k", std::move(keep));
    ASSERT_TRUE(plain && retaining);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(plain->action_for(tags::InstitutionName, VR::LO), Action::D);
        EXPECT_EQ(retaining->action_for(tags::InstitutionName, VR::LO), Action::K);
        EXPECT_EQ(plain->action_for(Tag{0x0009, 0x1234}, VR::UI), Action::U);  // a UI the table does not list
        EXPECT_EQ(retaining->action_for(Tag{0x0009, 0x1234}, VR::UI), Action::K);
        EXPECT_EQ(plain->action_for(Tag{0x0009, 0x1234}, VR::LO), Action::K);
        EXPECT_EQ(plain->action_for(tags::SOPClassUID, VR::UI), Action::K);
    }
}

// A file given up (apply(DicomFile&&)) gives the same output as one kept, with private blocks
// under Retain Safe Private (whose creators the walk reads while moving the rest).
TEST(Anonymizer, FileGivenUpGivesTheSameBytes) {
    for (const char* name : {"/rt_set/CT.01.dcm", "/interop/rt/rtplan.dcm"}) {
        auto whole = io::read_file(std::string(DICOMKIT_TEST_DATA) + name);
        ASSERT_TRUE(whole) << name;
        whole->dataset.set_string(Tag{0x0009, 0x0010}, VR::LO, "SIEMENS CT VA0  COAD");
        whole->dataset.set_string(Tag{0x0009, 0x1010}, VR::LO, "kept or not");
        for (bool safe : {false, true}) {
            Recipe r;
            r.options.retain_safe_private = safe;
            auto a = Anonymizer::create("k", std::move(r));
            ASSERT_TRUE(a);
            io::DicomFile copy = *whole;
            Context c1, c2;
            auto kept = a->apply(*whole, c1);
            auto given = a->apply(std::move(copy), c2);
            ASSERT_TRUE(kept && given);
            auto b1 = io::encode_file(*kept);
            auto b2 = io::encode_file(*given);
            ASSERT_TRUE(b1 && b2);
            EXPECT_EQ(*b1, *b2) << name << " safe private " << safe;
        }
    }
}
