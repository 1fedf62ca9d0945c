// rt::Checker on small RT sets built in code: a CT series, a structure set on it, a plan on the
// structure set, a dose on the plan and a treatment record; each check broken one at a time.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/dict/uids.hpp>
#include <dicomkit/rt/reference_check.hpp>

namespace dicomkit::rt {
namespace {

constexpr std::string_view kCt = "1.2.840.10008.5.1.4.1.1.2";
const std::string kStudy = "1.2.3.1";
const std::string kCtSeries = "1.2.3.2";
const std::string kFor = "1.2.3.9";

DataSet instance(std::string_view sop_class, const std::string& uid, const std::string& series,
                 const std::string& modality, const std::string& frame) {
    DataSet ds;
    ds.set_string(tags::SOPClassUID, VR::UI, sop_class);
    ds.set_string(tags::SOPInstanceUID, VR::UI, uid);
    ds.set_string(tags::StudyInstanceUID, VR::UI, kStudy);
    ds.set_string(tags::SeriesInstanceUID, VR::UI, series);
    ds.set_string(tags::Modality, VR::CS, modality);
    if (!frame.empty()) ds.set_string(tags::FrameOfReferenceUID, VR::UI, frame);
    return ds;
}

DataSet ref(std::string_view sop_class, const std::string& uid) {
    DataSet item;
    item.set_string(tags::ReferencedSOPClassUID, VR::UI, sop_class);
    item.set_string(tags::ReferencedSOPInstanceUID, VR::UI, uid);
    return item;
}

void seq(DataSet& ds, Tag tag, std::vector<DataSet> items) { ds.set(Element(tag, VR::SQ, Sequence{std::move(items)})); }

std::string ct_uid(int i) { return "1.2.3.100." + std::to_string(i); }

struct Set {
    std::vector<DataSet> cts;
    DataSet rs, rp, rd, rec;
    std::string images_for = kFor;  // the Frame of Reference the structure set lists

    void build() {
        cts.clear();
        for (int i = 1; i <= 3; ++i) cts.push_back(instance(kCt, ct_uid(i), kCtSeries, "CT", kFor));
        rs = instance(uids::RTStructureSetStorage, "1.2.3.200", "1.2.3.20", "RTSTRUCT", kFor);
        std::vector<DataSet> images;
        for (int i = 1; i <= 3; ++i) images.push_back(ref(kCt, ct_uid(i)));
        DataSet series;
        series.set_string(tags::SeriesInstanceUID, VR::UI, kCtSeries);
        seq(series, tags::ContourImageSequence, images);
        DataSet study = ref("1.2.840.10008.3.1.2.3.1", kStudy);
        seq(study, tags::RTReferencedSeriesSequence, {series});
        DataSet frame;
        frame.set_string(tags::FrameOfReferenceUID, VR::UI, images_for);
        seq(frame, tags::RTReferencedStudySequence, {study});
        seq(rs, tags::ReferencedFrameOfReferenceSequence, {frame});
        DataSet roi;
        roi.set_string(tags::ROINumber, VR::IS, "1");
        roi.set_string(tags::ReferencedFrameOfReferenceUID, VR::UI, images_for);
        seq(rs, tags::StructureSetROISequence, {roi});
        DataSet contour;
        seq(contour, tags::ContourImageSequence, {ref(kCt, ct_uid(2))});
        DataSet roi_contour;
        roi_contour.set_string(tags::ReferencedROINumber, VR::IS, "1");
        seq(roi_contour, tags::ContourSequence, {contour});
        seq(rs, tags::ROIContourSequence, {roi_contour});

        rp = instance(uids::RTPlanStorage, "1.2.3.300", "1.2.3.30", "RTPLAN", kFor);
        seq(rp, tags::ReferencedStructureSetSequence, {ref(uids::RTStructureSetStorage, "1.2.3.200")});
        rd = instance(uids::RTDoseStorage, "1.2.3.400", "1.2.3.40", "RTDOSE", kFor);
        seq(rd, tags::ReferencedRTPlanSequence, {ref(uids::RTPlanStorage, "1.2.3.300")});
        rec = instance(uids::RTBeamsTreatmentRecordStorage, "1.2.3.500", "1.2.3.50", "RTRECORD", "");
        seq(rec, tags::ReferencedRTPlanSequence, {ref(uids::RTPlanStorage, "1.2.3.300")});
    }

    Report check(bool with_cts = true, bool with_rs = true, bool with_rp = true) const {
        Checker c;
        if (with_cts)
            for (std::size_t i = 0; i < cts.size(); ++i) c.add("CT" + std::to_string(i + 1), cts[i]);
        if (with_rs) c.add("RS", rs);
        if (with_rp) c.add("RP", rp);
        c.add("RD", rd);
        c.add("REC", rec);
        return c.check();
    }
};

Set built() {
    Set s;
    s.build();
    return s;
}

std::string all(const Report& r) { return to_text(r); }

TEST(RtCheck, ConsistentSetPasses) {
    Report r = built().check();
    EXPECT_TRUE(r.ok()) << all(r);
    EXPECT_EQ(r.instances.size(), 7U);
    // 3 images + study + series in the frame sequence, 1 contour image, plan -> RS, dose -> plan, record -> plan.
    EXPECT_EQ(r.references.size(), 9U);
    for (const Reference& ref : r.references) EXPECT_TRUE(ref.resolved) << ref.path;
}

TEST(RtCheck, MissingImageNamesTagPathAndUid) {
    Set s = built();
    s.cts.erase(s.cts.begin() + 1);  // CT 2: in the frame sequence and in the ROI contour
    Report r = s.check();
    ASSERT_EQ(r.problems.size(), 2U) << all(r);
    EXPECT_EQ(r.problems[0].kind, ProblemKind::Unresolved);
    EXPECT_EQ(r.problems[0].file, "RS");
    EXPECT_EQ(r.problems[0].uid, ct_uid(2));
    EXPECT_EQ(r.problems[0].path, "(3006,0010)[0]>(3006,0012)[0]>(3006,0014)[0]>(3006,0016)[1]>(0008,1155)");
    EXPECT_EQ(r.problems[1].path, "(3006,0039)[0]>(3006,0040)[0]>(3006,0016)[0]>(0008,1155)");
}

TEST(RtCheck, MissingSeriesAndStudy) {
    Report r = built().check(false);
    std::string t = all(r);
    // The study is resolved by any instance of it, the structure set's own included.
    EXPECT_EQ(t.find("(3006,0010)[0]>(3006,0012)[0]>(0008,1155): " + kStudy), std::string::npos) << t;
    EXPECT_NE(t.find("(3006,0010)[0]>(3006,0012)[0]>(3006,0014)[0]>(0020,000E): " + kCtSeries), std::string::npos) << t;
}

TEST(RtCheck, MissingStructureSet) {
    Report r = built().check(true, false);
    ASSERT_EQ(r.problems.size(), 1U) << all(r);
    EXPECT_EQ(r.problems[0].file, "RP");
    EXPECT_EQ(r.problems[0].path, "(300C,0060)[0]>(0008,1155)");
    EXPECT_EQ(r.problems[0].uid, "1.2.3.200");
}

TEST(RtCheck, MissingPlanBreaksDoseAndRecord) {
    Report r = built().check(true, true, false);
    ASSERT_EQ(r.problems.size(), 2U) << all(r);
    EXPECT_EQ(r.problems[0].file, "RD");
    EXPECT_EQ(r.problems[0].path, "(300C,0002)[0]>(0008,1155)");
    EXPECT_EQ(r.problems[1].file, "REC");
    EXPECT_EQ(r.problems[1].uid, "1.2.3.300");
}

TEST(RtCheck, ClassMismatch) {
    Set s = built();
    seq(s.rd, tags::ReferencedRTPlanSequence, {ref(uids::RTIonPlanStorage, "1.2.3.300")});
    Report r = s.check();
    ASSERT_EQ(r.problems.size(), 1U) << all(r);
    EXPECT_EQ(r.problems[0].kind, ProblemKind::ClassMismatch);
    EXPECT_EQ(r.problems[0].path, "(300C,0002)[0]>(0008,1150)");
}

TEST(RtCheck, StructureSetFrameDiffersFromImages) {
    Set s = built();
    s.images_for = "1.2.3.8";
    s.build();
    Report r = s.check();
    ASSERT_FALSE(r.ok());
    std::size_t frame = 0;
    for (const Problem& p : r.problems) frame += p.kind == ProblemKind::FrameOfReference ? 1 : 0;
    // The three images of the frame sequence and the contour image; the plan's Frame of Reference
    // is still the structure set's own (0020,0052).
    EXPECT_EQ(frame, 4U) << all(r);
}

TEST(RtCheck, PlanAndDoseFrames) {
    Set s = built();
    s.rp.set_string(tags::FrameOfReferenceUID, VR::UI, "1.2.3.7");
    Report r = s.check();
    ASSERT_EQ(r.problems.size(), 2U) << all(r);
    EXPECT_EQ(r.problems[0].file, "RP");  // the plan against its structure set
    EXPECT_EQ(r.problems[0].kind, ProblemKind::FrameOfReference);
    EXPECT_EQ(r.problems[1].file, "RD");  // the dose against its plan
    EXPECT_EQ(r.problems[1].path, "(300C,0002)[0]>(0008,1155)");
}

TEST(RtCheck, DoseAgainstStructureSetThroughPlanWithoutFrame) {
    Set s = built();
    s.rp.remove(tags::FrameOfReferenceUID);
    s.rd.set_string(tags::FrameOfReferenceUID, VR::UI, "1.2.3.7");
    Report r = s.check();
    ASSERT_EQ(r.problems.size(), 1U) << all(r);
    EXPECT_EQ(r.problems[0].file, "RD");
    EXPECT_EQ(r.problems[0].kind, ProblemKind::FrameOfReference);
    EXPECT_EQ(r.problems[0].uid, "1.2.3.7");
}

TEST(RtCheck, RoiFrameNotListed) {
    Set s = built();
    DataSet roi;
    roi.set_string(tags::ROINumber, VR::IS, "1");
    roi.set_string(tags::ReferencedFrameOfReferenceUID, VR::UI, "1.2.3.6");
    seq(s.rs, tags::StructureSetROISequence, {roi});
    Report r = s.check();
    std::string t = all(r);
    EXPECT_NE(t.find("(3006,0020)[0]>(3006,0024): 1.2.3.6"), std::string::npos) << t;
}

TEST(RtCheck, UnknownRoiAndMissingUid) {
    Set s = built();
    DataSet roi_contour;
    roi_contour.set_string(tags::ReferencedROINumber, VR::IS, "7");
    DataSet contour;
    DataSet no_uid;
    no_uid.set_string(tags::ReferencedSOPClassUID, VR::UI, kCt);
    seq(contour, tags::ContourImageSequence, {no_uid});
    seq(roi_contour, tags::ContourSequence, {contour});
    seq(s.rs, tags::ROIContourSequence, {roi_contour});
    Report r = s.check();
    ASSERT_EQ(r.problems.size(), 2U) << all(r);
    EXPECT_EQ(r.problems[0].kind, ProblemKind::UnknownRoi);
    EXPECT_EQ(r.problems[1].kind, ProblemKind::MissingUid);
    EXPECT_EQ(r.problems[1].path, "(3006,0039)[0]>(3006,0040)[0]>(3006,0016)[0]>(0008,1155)");
}

TEST(RtCheck, SeriesMismatchAndDuplicate) {
    Set s = built();
    s.cts[0].set_string(tags::SeriesInstanceUID, VR::UI, "1.2.3.3");
    s.cts.push_back(s.cts[2]);
    Report r = s.check();
    bool series = false, duplicate = false;
    for (const Problem& p : r.problems) {
        series |= p.kind == ProblemKind::SeriesMismatch && p.uid == ct_uid(1);
        duplicate |= p.kind == ProblemKind::DuplicateInstance && p.uid == ct_uid(3);
    }
    EXPECT_TRUE(series) << all(r);
    EXPECT_TRUE(duplicate) << all(r);
}

TEST(RtCheck, JsonAndDot) {
    Set s = built();
    Report ok = s.check();
    std::string json = to_json(ok);
    EXPECT_NE(json.find("\"ok\": true"), std::string::npos);
    EXPECT_NE(json.find("\"problems\": []"), std::string::npos) << json;
    // RS -> CT 2 twice (frame sequence and contour) is one edge counted twice.
    EXPECT_NE(json.find("\"uid\": \"" + ct_uid(2) + "\", \"path\": \"(3006,0010)[0]>(3006,0012)[0]>(3006,0014)[0]>"
                        "(3006,0016)[1]>(0008,1155)\", \"count\": 2, \"resolved\": true"),
              std::string::npos)
        << json;
    Report broken = s.check(true, true, false);
    std::string dot = to_dot(broken);
    EXPECT_EQ(dot.rfind("digraph rt {", 0), 0U);
    EXPECT_NE(dot.find("subgraph cluster_"), std::string::npos);
    EXPECT_NE(dot.find("missing plan\\n1.2.3.300"), std::string::npos) << dot;
    EXPECT_NE(dot.find("color=red, style=dashed"), std::string::npos) << dot;
    EXPECT_NE(to_json(broken).find("\"to\": null"), std::string::npos);
}

}  // namespace
}  // namespace dicomkit::rt
