#include <gtest/gtest.h>

#include <dicomkit/base/endian.hpp>
#include <dicomkit/dict/tags.hpp>
#include <dicomkit/io/dicom_file.hpp>
#include <dicomkit/media/dicomdir.hpp>

using namespace dicomkit;
using namespace dicomkit::media;
namespace t = dicomkit::tags;

namespace {

InputFile ct(std::string patient, std::string study, std::string series, std::string instance, std::string number,
             std::vector<std::string> id) {
    InputFile f;
    f.file_id = std::move(id);
    f.path = f.file_id.back();
    f.meta.set_string(t::MediaStorageSOPClassUID, VR::UI, "1.2.840.10008.5.1.4.1.1.2");
    f.meta.set_string(t::MediaStorageSOPInstanceUID, VR::UI, instance);
    f.meta.set_string(t::TransferSyntaxUID, VR::UI, "1.2.840.10008.1.2.1");
    DataSet& ds = f.dataset;
    ds.set_string(t::SOPClassUID, VR::UI, "1.2.840.10008.5.1.4.1.1.2");
    ds.set_string(t::SOPInstanceUID, VR::UI, instance);
    ds.set_string(t::PatientID, VR::LO, patient);
    ds.set_string(t::PatientName, VR::PN, "DOE^" + patient);
    ds.set_string(t::StudyInstanceUID, VR::UI, study);
    ds.set_string(t::StudyDate, VR::DA, "20240101");
    ds.set_string(t::StudyTime, VR::TM, "120000");
    ds.set_string(t::StudyID, VR::SH, "1");
    ds.set_string(t::SeriesInstanceUID, VR::UI, series);
    ds.set_string(t::SeriesNumber, VR::IS, "1");
    ds.set_string(t::Modality, VR::CS, "CT");
    ds.set_string(t::InstanceNumber, VR::IS, number);
    ds.set(Element::from_number<std::uint16_t>(t::Rows, VR::US, 2));
    return f;
}

std::vector<InputFile> sample() {
    return {ct("P1", "1.1", "1.1.1", "1.1.1.1", "1", {"P1", "IM1"}),
            ct("P1", "1.1", "1.1.1", "1.1.1.2", "2", {"P1", "IM2"}),
            ct("P1", "1.1", "1.1.2", "1.1.2.1", "1", {"P1", "IM3"}),
            ct("P2", "2.1", "2.1.1", "2.1.1.1", "1", {"P2", "IM1"})};
}

std::uint32_t ul_at(const std::vector<std::uint8_t>& bytes, std::uint64_t item, Tag tag) {
    // Finds the explicit VR LE UL element `tag` in the item that starts at `item`.
    for (std::uint64_t p = item + 8; p + 12 <= bytes.size(); ++p) {
        if (load_le<std::uint16_t>(&bytes[p]) == tag.group && load_le<std::uint16_t>(&bytes[p + 2]) == tag.element &&
            bytes[p + 4] == 'U' && bytes[p + 5] == 'L')
            return load_le<std::uint32_t>(&bytes[p + 8]);
    }
    return 0xFFFFFFFFu;
}

}  // namespace

class DicomdirLengths : public ::testing::TestWithParam<bool> {};

TEST_P(DicomdirLengths, OffsetsPointAtItemTagsCountedFromThePreamble) {
    BuildOptions o;
    o.fileset_id = "TESTSET";
    o.undefined_lengths = GetParam();
    auto built = build_dicomdir(sample(), o);
    ASSERT_TRUE(built) << built.error().to_string();
    EXPECT_TRUE(built->refused.empty());
    // 2 patients, 2 studies, 3 series, 4 images.
    EXPECT_EQ(built->records, 11u);
    const auto& bytes = built->bytes;
    auto file = io::read_bytes(bytes);
    ASSERT_TRUE(file);
    auto offsets = record_item_offsets(bytes, file->source->dataset_offset, file->transfer_syntax);
    ASSERT_TRUE(offsets);
    ASSERT_EQ(offsets->size(), 11u);
    for (std::uint64_t o2 : *offsets) {
        // (FFFE,E000) at the offset itself: the offset counts from the file's first byte.
        EXPECT_EQ(load_le<std::uint16_t>(&bytes[o2]), 0xFFFE);
        EXPECT_EQ(load_le<std::uint16_t>(&bytes[o2 + 2]), 0xE000);
    }
    EXPECT_EQ(file->dataset.get_number<std::uint32_t>(t::OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity),
              (*offsets)[0]);
    // Depth first: P1 ST SE IM IM SE IM P2 ST SE IM.
    EXPECT_EQ(file->dataset.get_number<std::uint32_t>(t::OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity),
              (*offsets)[7]);
    const auto& o3 = *offsets;
    EXPECT_EQ(ul_at(bytes, o3[0], t::OffsetOfTheNextDirectoryRecord), o3[7]);
    EXPECT_EQ(ul_at(bytes, o3[0], t::OffsetOfReferencedLowerLevelDirectoryEntity), o3[1]);
    EXPECT_EQ(ul_at(bytes, o3[2], t::OffsetOfTheNextDirectoryRecord), o3[5]);
    EXPECT_EQ(ul_at(bytes, o3[2], t::OffsetOfReferencedLowerLevelDirectoryEntity), o3[3]);
    EXPECT_EQ(ul_at(bytes, o3[3], t::OffsetOfTheNextDirectoryRecord), o3[4]);
    EXPECT_EQ(ul_at(bytes, o3[4], t::OffsetOfTheNextDirectoryRecord), 0u);
    EXPECT_EQ(ul_at(bytes, o3[4], t::OffsetOfReferencedLowerLevelDirectoryEntity), 0u);
    EXPECT_EQ(ul_at(bytes, o3[7], t::OffsetOfTheNextDirectoryRecord), 0u);

    auto dir = read_dicomdir_bytes(bytes);
    ASSERT_TRUE(dir) << dir.error().to_string();
    EXPECT_EQ(dir->fileset_id, "TESTSET");
    EXPECT_EQ(dir->records_reached, 11u);
    EXPECT_TRUE(dir->warnings.empty());
    ASSERT_EQ(dir->roots.size(), 2u);
    EXPECT_EQ(dir->roots[0].type, "PATIENT");
    ASSERT_EQ(dir->roots[0].children.size(), 1u);
    ASSERT_EQ(dir->roots[0].children[0].children.size(), 2u);
    const Record& image = dir->roots[0].children[0].children[0].children[1];
    EXPECT_EQ(image.type, "IMAGE");
    EXPECT_EQ(referenced_file_id(image.data), (std::vector<std::string>{"P1", "IM2"}));
    EXPECT_EQ(image.data.string_or(t::ReferencedSOPInstanceUIDInFile), "1.1.1.2");
    EXPECT_EQ(image.data.string_or(t::ReferencedTransferSyntaxUIDInFile), "1.2.840.10008.1.2.1");
    EXPECT_EQ(file->meta.string_or(t::MediaStorageSOPClassUID), "1.2.840.10008.1.3.10");
}

INSTANTIATE_TEST_SUITE_P(Media, DicomdirLengths, ::testing::Values(false, true));

TEST(Dicomdir, MissingTypeOneKeysRefuseOrInvent) {
    auto files = sample();
    files[1].dataset.remove(t::InstanceNumber);
    auto built = build_dicomdir(files, {});
    ASSERT_TRUE(built);
    ASSERT_EQ(built->refused.size(), 1u);
    EXPECT_NE(built->refused[0].reason.find("InstanceNumber"), std::string::npos);
    BuildOptions invent;
    invent.invent = true;
    auto filled = build_dicomdir(files, invent);
    ASSERT_TRUE(filled);
    EXPECT_TRUE(filled->refused.empty());
    EXPECT_EQ(filled->notes.size(), 1u);
}

TEST(Dicomdir, RecordTypeFromSopClass) {
    auto files = sample();
    files[0].meta.set_string(t::MediaStorageSOPClassUID, VR::UI, "1.2.840.10008.5.1.4.1.1.481.2");
    files[0].dataset.set_string(t::DoseSummationType, VR::CS, "PLAN");
    auto built = build_dicomdir(files, {});
    ASSERT_TRUE(built);
    auto dir = read_dicomdir_bytes(built->bytes);
    ASSERT_TRUE(dir);
    EXPECT_EQ(dir->roots[0].children[0].children[0].children[0].type, "RT DOSE");
}

TEST(Dicomdir, BadFileSetId) { EXPECT_FALSE(build_dicomdir(sample(), BuildOptions{"lower", false, false})); }

namespace {
// Rewrites the UL element `tag` of the item at `item`.
void poke(std::vector<std::uint8_t>& bytes, std::uint64_t item, Tag tag, std::uint32_t value) {
    for (std::uint64_t p = item + 8; p + 12 <= bytes.size(); ++p)
        if (load_le<std::uint16_t>(&bytes[p]) == tag.group && load_le<std::uint16_t>(&bytes[p + 2]) == tag.element &&
            bytes[p + 4] == 'U' && bytes[p + 5] == 'L') {
            store<std::uint32_t>(&bytes[p + 8], value, Endian::Little);
            return;
        }
    FAIL() << "no " << tag.str();
}
}  // namespace

TEST(Dicomdir, OffsetsThatPointNowhereOrLoopAreErrors) {
    auto built = build_dicomdir(sample(), {});
    ASSERT_TRUE(built);
    auto file = io::read_bytes(built->bytes);
    ASSERT_TRUE(file);
    auto offsets = *record_item_offsets(built->bytes, file->source->dataset_offset, file->transfer_syntax);

    auto nowhere = built->bytes;
    poke(nowhere, offsets[3], t::OffsetOfTheNextDirectoryRecord, static_cast<std::uint32_t>(offsets[3] + 2));
    auto e1 = read_dicomdir_bytes(nowhere);
    ASSERT_FALSE(e1);
    EXPECT_NE(e1.error().message.find("no directory record starts"), std::string::npos) << e1.error().message;

    auto loop = built->bytes;
    poke(loop, offsets[4], t::OffsetOfTheNextDirectoryRecord, static_cast<std::uint32_t>(offsets[3]));
    auto e2 = read_dicomdir_bytes(loop);
    ASSERT_FALSE(e2);
    EXPECT_NE(e2.error().message.find("loop"), std::string::npos) << e2.error().message;

    auto up = built->bytes;  // an image pointing down to its patient
    poke(up, offsets[3], t::OffsetOfReferencedLowerLevelDirectoryEntity, static_cast<std::uint32_t>(offsets[0]));
    EXPECT_FALSE(read_dicomdir_bytes(up));

    auto unreferenced = built->bytes;  // the second root left out: a warning, not an error
    poke(unreferenced, offsets[0], t::OffsetOfTheNextDirectoryRecord, 0);
    auto partial = read_dicomdir_bytes(unreferenced);
    ASSERT_TRUE(partial);
    EXPECT_EQ(partial->records_reached, 7u);
    EXPECT_FALSE(partial->warnings.empty());
}
