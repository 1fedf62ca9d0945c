// validate() on data sets built here: the type rules of a CT image's modules, values against
// enumerated values, VR/VM/value syntax, nested sequences with their paths, the File Meta.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include <dicomkit/validate/validator.hpp>

namespace dicomkit::validate {
namespace {

constexpr const char* kCt = "1.2.840.10008.5.1.4.1.1.2";

void us(DataSet& ds, std::uint32_t tag, std::uint16_t v) { ds.set(Element::from_number<std::uint16_t>(Tag(tag), VR::US, v)); }
void str(DataSet& ds, std::uint32_t tag, VR vr, std::string_view v) { ds.set_string(Tag(tag), vr, v); }

/// A CT image with every type 1 and type 2 attribute of its mandatory modules.
DataSet good_ct() {
    DataSet ds;
    str(ds, 0x00080008, VR::CS, "ORIGINAL\\PRIMARY\\AXIAL");
    str(ds, 0x00080016, VR::UI, kCt);
    str(ds, 0x00080018, VR::UI, "1.2.3.4.5");
    str(ds, 0x00080020, VR::DA, "20240101");
    str(ds, 0x00080030, VR::TM, "120000");
    str(ds, 0x00080050, VR::SH, "");
    str(ds, 0x00080060, VR::CS, "CT");
    str(ds, 0x00080070, VR::LO, "");
    str(ds, 0x00080090, VR::PN, "");
    str(ds, 0x00100010, VR::PN, "Doe^Jane");
    str(ds, 0x00100020, VR::LO, "P1");
    str(ds, 0x00100030, VR::DA, "");
    str(ds, 0x00100040, VR::CS, "F");
    str(ds, 0x00180050, VR::DS, "1");
    str(ds, 0x00180060, VR::DS, "120");
    str(ds, 0x00185100, VR::CS, "HFS");
    str(ds, 0x00200012, VR::IS, "");
    str(ds, 0x00200060, VR::CS, "");
    str(ds, 0x00200010, VR::SH, "");
    str(ds, 0x00200011, VR::IS, "1");
    str(ds, 0x00200013, VR::IS, "1");
    str(ds, 0x00200020, VR::CS, "");
    str(ds, 0x0020000D, VR::UI, "1.2.3.1");
    str(ds, 0x0020000E, VR::UI, "1.2.3.2");
    str(ds, 0x00200032, VR::DS, "0\\0\\0");
    str(ds, 0x00200037, VR::DS, "1\\0\\0\\0\\1\\0");
    str(ds, 0x00200052, VR::UI, "1.2.3.3");
    str(ds, 0x00201040, VR::LO, "");
    us(ds, 0x00280002, 1);
    str(ds, 0x00280004, VR::CS, "MONOCHROME2");
    us(ds, 0x00280010, 2);
    us(ds, 0x00280011, 2);
    str(ds, 0x00280030, VR::DS, "0.5\\0.5");
    us(ds, 0x00280100, 16);
    us(ds, 0x00280101, 12);
    us(ds, 0x00280102, 11);
    us(ds, 0x00280103, 0);
    str(ds, 0x00281050, VR::DS, "40");
    str(ds, 0x00281051, VR::DS, "400");
    str(ds, 0x00281052, VR::DS, "-1024");
    str(ds, 0x00281053, VR::DS, "1");
    str(ds, 0x00181150, VR::IS, "");
    ds.set(Element::from_bytes(Tag(0x7FE00010), VR::OW, std::vector<std::uint8_t>(8, 0)));
    return ds;
}

DataSet good_meta() {
    DataSet m;
    m.set(Element::from_number<std::uint32_t>(Tag(0x00020000), VR::UL, 100));
    m.set(Element::from_bytes(Tag(0x00020001), VR::OB, std::vector<std::uint8_t>{0, 1}));
    str(m, 0x00020002, VR::UI, kCt);
    str(m, 0x00020003, VR::UI, "1.2.3.4.5");
    str(m, 0x00020010, VR::UI, "1.2.840.10008.1.2.1");
    str(m, 0x00020012, VR::UI, "1.2.3.99");
    return m;
}

const Finding* find(const Report& r, std::string_view kind, std::string_view path) {
    for (const Finding& f : r.findings)
        if (f.kind == kind && f.path == path) return &f;
    return nullptr;
}

std::string dump(const Report& r) { return to_text("t", r); }

TEST(Validator, GoodCtHasNoTypeErrors) {
    Report r = validate(good_meta(), good_ct());
    EXPECT_EQ(r.iod, "CTImage");
    EXPECT_FALSE(r.has_errors()) << dump(r);
}

TEST(Validator, TypeRules) {
    DataSet ds = good_ct();
    ds.remove(Tag(0x00280010));                  // Rows: type 1
    str(ds, 0x0020000D, VR::UI, "");             // Study Instance UID: type 1, empty
    ds.remove(Tag(0x00100010));                  // Patient's Name: type 2
    ds.remove(Tag(0x00080060));                  // Modality: 1C, required for CT
    Report r = validate(good_meta(), ds);
    EXPECT_TRUE(r.has_errors());
    const Finding* rows = find(r, "missing-type1", "Rows");
    ASSERT_NE(rows, nullptr) << dump(r);
    EXPECT_EQ(rows->tag, Tag(0x0028, 0x0010));
    EXPECT_EQ(rows->severity, Severity::Error);
    EXPECT_NE(find(r, "empty-type1", "StudyInstanceUID"), nullptr) << dump(r);
    EXPECT_NE(find(r, "missing-type2", "PatientName"), nullptr) << dump(r);
    EXPECT_NE(find(r, "missing-type1c", "Modality"), nullptr) << dump(r);
}

TEST(Validator, EnumeratedValuesAndDefinedTerms) {
    DataSet ds = good_ct();
    str(ds, 0x00100040, VR::CS, "X");  // Patient's Sex: enumerated M F O
    Report r = validate(good_meta(), ds);
    const Finding* f = find(r, "bad-enumerated-value", "PatientSex");
    ASSERT_NE(f, nullptr) << dump(r);
    EXPECT_EQ(f->severity, Severity::Error);
}

TEST(Validator, VrVmAndValues) {
    DataSet ds = good_ct();
    str(ds, 0x00280030, VR::DS, "0.5\\0.5\\0.5");  // Pixel Spacing VM 2
    str(ds, 0x00080020, VR::DA, "2024-01-01");
    str(ds, 0x00080018, VR::UI, "1.2.03");
    str(ds, 0x00100020, VR::SH, "P1");             // Patient ID is LO
    str(ds, 0x00080060, VR::CS, "ct");
    Report r = validate(good_meta(), ds);
    EXPECT_NE(find(r, "bad-vm", "PixelSpacing"), nullptr) << dump(r);
    EXPECT_NE(find(r, "bad-value", "StudyDate"), nullptr) << dump(r);
    EXPECT_NE(find(r, "bad-value", "SOPInstanceUID"), nullptr) << dump(r);
    EXPECT_NE(find(r, "bad-vr", "PatientID"), nullptr) << dump(r);
    EXPECT_NE(find(r, "bad-value", "Modality"), nullptr) << dump(r);
}

TEST(Validator, NestedSequences) {
    DataSet ds = good_ct();
    DataSet item;
    str(item, 0x00081150, VR::UI, kCt);  // Referenced SOP Class UID; the instance UID is missing
    DataSet item2;
    str(item2, 0x00081150, VR::UI, kCt);
    str(item2, 0x00081155, VR::UI, "1.2.3.7");
    ds.set(Element(Tag(0x00081140), VR::SQ, Sequence{{item2, item}}));
    Report r = validate(good_meta(), ds);
    const Finding* f = find(r, "missing-type1", "ReferencedImageSequence[1].ReferencedSOPInstanceUID");
    ASSERT_NE(f, nullptr) << dump(r);
    EXPECT_FALSE(find(r, "missing-type1", "ReferencedImageSequence[0].ReferencedSOPInstanceUID"));
    // A single-item sequence with two items.
    DataSet code;
    str(code, 0x00080100, VR::SH, "1");
    str(code, 0x00080102, VR::SH, "DCM");
    str(code, 0x00080104, VR::LO, "x");
    ds.set(Element(Tag(0x00081032), VR::SQ, Sequence{{code, code}}));  // Procedure Code Sequence is 1-n
    Report r2 = validate(good_meta(), ds);
    EXPECT_FALSE(find(r2, "bad-item-count", "ProcedureCodeSequence")) << dump(r2);
}

TEST(Validator, FileMetaAndUnknownSopClass) {
    DataSet meta = good_meta();
    str(meta, 0x00020003, VR::UI, "1.2.3.4.6");
    meta.remove(Tag(0x00020010));
    Report r = validate(meta, good_ct());
    EXPECT_NE(find(r, "file-meta", "MediaStorageSOPInstanceUID"), nullptr) << dump(r);
    EXPECT_NE(find(r, "missing-type1", "TransferSyntaxUID"), nullptr) << dump(r);
    DataSet odd = good_ct();
    str(odd, 0x00080016, VR::UI, "1.2.3.999");
    Report u = validate(DataSet(), odd);
    EXPECT_TRUE(u.iod.empty());
    EXPECT_NE(find(u, "unknown-sop-class", "SOPClassUID"), nullptr) << dump(u);
    EXPECT_NE(find(u, "file-meta", "FileMetaInformationGroupLength"), nullptr) << dump(u);
}

TEST(Validator, AttributesOfNoModuleAreWarnings) {
    DataSet ds = good_ct();
    str(ds, 0x00321030, VR::LO, "why");  // Reason for Study: in no module of the CT Image IOD
    Report r = validate(good_meta(), ds);
    const Finding* f = find(r, "not-in-iod", "ReasonForStudy");
    ASSERT_NE(f, nullptr) << dump(r);
    EXPECT_EQ(f->severity, Severity::Warning);
    EXPECT_FALSE(find(r, "not-in-iod", "PatientName"));
    Options o;
    o.warn_not_in_iod = false;
    EXPECT_FALSE(find(validate(good_meta(), ds, o), "not-in-iod", "ReasonForStudy"));
}

TEST(Validator, JsonShape) {
    DataSet ds = good_ct();
    ds.remove(Tag(0x00280010));
    Report r = validate(good_meta(), ds);
    std::string j = to_json("a \"b\".dcm", r);
    EXPECT_TRUE(j.starts_with("{\"file\":\"a \\\"b\\\".dcm\",\"sop_class\":\"1.2.840.10008.5.1.4.1.1.2\",\"iod\":\"CTImage\""));
    EXPECT_NE(j.find("{\"severity\":\"error\",\"kind\":\"missing-type1\",\"tag\":\"00280010\",\"keyword\":\"Rows\",\"path\":\"Rows\""),
              std::string::npos) << j;
    EXPECT_EQ(iod_for_sop_class(kCt), "CTImage");
    EXPECT_EQ(iod_for_sop_class("1.2.3"), "");
}

}  // namespace
}  // namespace dicomkit::validate
