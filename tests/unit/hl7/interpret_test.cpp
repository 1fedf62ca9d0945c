#include <gtest/gtest.h>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/hl7/interpret.hpp>

#include "hl7_test_util.hpp"

namespace dicomkit::hl7 {
namespace {

std::string str(const DataSet& ds, Tag t) { return ds.string_or(t); }

const DataSet& sps_of(const DataSet& item) {
    const Element* e = item.find(tags::ScheduledProcedureStepSequence);
    EXPECT_NE(e, nullptr);
    return e->sequence().items.at(0);
}

OrderEvent order(const std::string& sample) {
    auto m = parse(test::sample(sample));
    EXPECT_TRUE(m) << m.error().to_string();
    auto ev = interpret(*m);
    EXPECT_TRUE(ev) << ev.error().to_string();
    EXPECT_TRUE(std::holds_alternative<OrderEvent>(*ev));
    return std::get<OrderEvent>(*ev);
}

TEST(Hl7Interpret, OrmNewOrder) {
    OrderEvent o = order("orm_o01_nw.hl7");
    EXPECT_EQ(o.control, OrderEvent::Control::New);
    EXPECT_EQ(o.order_key, "ORD778899^RIS");
    const DataSet& it = o.item;
    EXPECT_EQ(str(it, tags::SpecificCharacterSet), "ISO_IR 192");
    EXPECT_EQ(str(it, tags::PatientID), "PAT12345");
    EXPECT_EQ(str(it, tags::IssuerOfPatientID), "GENHOSP");
    EXPECT_EQ(str(it, tags::PatientName), "M\xC3\xBCller^Hans^Peter^Dr^Jr");
    EXPECT_EQ(str(it, tags::PatientBirthDate), "19650412");
    EXPECT_EQ(str(it, tags::PatientSex), "M");
    EXPECT_EQ(str(it, tags::ReferringPhysicianName), "Jones^Mary");
    EXPECT_EQ(str(it, tags::AdmissionID), "VN98765");
    EXPECT_EQ(str(it, tags::CurrentPatientLocation), "RAD 101 1");
    EXPECT_EQ(str(it, tags::PlacerOrderNumberImagingServiceRequest), "ORD778899");
    EXPECT_EQ(str(it, tags::FillerOrderNumberImagingServiceRequest), "FIL445566");
    EXPECT_EQ(str(it, tags::RequestingPhysician), "Jones^Mary");
    EXPECT_EQ(str(it, tags::AccessionNumber), "ACC2026120601");
    EXPECT_EQ(str(it, tags::RequestedProcedureID), "RP00001");
    EXPECT_EQ(str(it, tags::RequestedProcedureDescription), "CT Head without contrast");
    EXPECT_EQ(str(it, tags::RequestedProcedurePriority), "STAT");
    EXPECT_EQ(str(it, tags::ReasonForTheRequestedProcedure), "Headache & dizziness");
    const Element* code = it.find(tags::RequestedProcedureCodeSequence);
    ASSERT_NE(code, nullptr);
    EXPECT_EQ(str(code->sequence().items.at(0), tags::CodeValue), "CTHEAD");
    EXPECT_EQ(str(code->sequence().items.at(0), tags::CodingSchemeDesignator), "LOCAL");
    // No study UID in the order: derived from the order key, the same each time.
    std::string uid = str(it, tags::StudyInstanceUID);
    EXPECT_TRUE(uid.starts_with("2.25.")) << uid;
    EXPECT_EQ(uid, uid_from_key("study:ORD778899^RIS"));
    EXPECT_LE(uid.size(), 64u);
    const DataSet& sps = sps_of(it);
    EXPECT_EQ(str(sps, tags::Modality), "CT");
    EXPECT_EQ(str(sps, tags::ScheduledProcedureStepStartDate), "20261207");
    EXPECT_EQ(str(sps, tags::ScheduledProcedureStepStartTime), "093000");
    EXPECT_EQ(str(sps, tags::ScheduledProcedureStepID), "SPS00001");
    EXPECT_EQ(str(sps, tags::ScheduledProcedureStepStatus), "SCHEDULED");
    EXPECT_EQ(str(sps, tags::ScheduledPerformingPhysicianName), "Miller^Anna");
    EXPECT_EQ(str(sps, tags::ScheduledProcedureStepDescription), "CT Head without contrast");
}

TEST(Hl7Interpret, OmiNewOrderWithIpc) {
    OrderEvent o = order("omi_o23_nw.hl7");
    EXPECT_EQ(o.control, OrderEvent::Control::New);
    EXPECT_EQ(o.order_key, "ORD1001^RIS");
    const DataSet& it = o.item;
    EXPECT_EQ(str(it, tags::PatientName), "\xE5\xB1\xB1\xE7\x94\xB0^\xE5\xA4\xAA\xE9\x83\x8E");
    EXPECT_EQ(str(it, tags::PatientSex), "F");
    const Element* q = it.find(tags::IssuerOfPatientIDQualifiersSequence);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(str(q->sequence().items.at(0), tags::UniversalEntityID), "1.2.3.4.5");
    EXPECT_EQ(str(it, tags::AccessionNumber), "ACC1001");
    EXPECT_EQ(str(it, tags::RequestedProcedureID), "RP1001");
    EXPECT_EQ(str(it, tags::StudyInstanceUID), "1.2.826.0.1.3680043.2.1125.1.1001");
    EXPECT_EQ(str(it, tags::AdmissionID), "ADM555");
    EXPECT_EQ(str(it, tags::RequestedProcedurePriority), "HIGH");
    const DataSet& sps = sps_of(it);
    EXPECT_EQ(str(sps, tags::ScheduledProcedureStepID), "SPS1001");
    EXPECT_EQ(str(sps, tags::Modality), "MR");
    EXPECT_EQ(str(sps, tags::ScheduledStationAETitle), "MR_AE_1");
    EXPECT_EQ(str(sps, tags::ScheduledStationName), "MRSTATION1");
    EXPECT_EQ(str(sps, tags::ScheduledProcedureStepLocation), "MR Room 2");
    EXPECT_EQ(str(sps, tags::ScheduledProcedureStepStartDate), "20261208");
    EXPECT_EQ(str(sps, tags::ScheduledProcedureStepStartTime), "101500");
    const Element* protocol = sps.find(tags::ScheduledProtocolCodeSequence);
    ASSERT_NE(protocol, nullptr);
    EXPECT_EQ(str(protocol->sequence().items.at(0), tags::CodeMeaning), "Knee protocol");
}

TEST(Hl7Interpret, CancelChangeDiscontinueAndStatusChange) {
    OrderEvent ca = order("orm_o01_ca.hl7");
    EXPECT_EQ(ca.control, OrderEvent::Control::Cancel);
    EXPECT_EQ(ca.order_key, "ORD778899^RIS");
    std::string base = "MSH|^~\\&|RIS|H|PACS|R|1||ORM^O01|C|P|2.3.1\rPID|1||P1\rORC|";
    auto control_of = [&](const std::string& code) {
        auto m = parse(base + code + "|O1\rOBR|1|O1||X^Y\r");
        EXPECT_TRUE(m);
        return interpret_all(*m);
    };
    EXPECT_EQ(std::get<OrderEvent>(control_of("XO")->at(0)).control, OrderEvent::Control::Change);
    EXPECT_EQ(std::get<OrderEvent>(control_of("DC")->at(0)).control, OrderEvent::Control::Discontinue);
    EXPECT_TRUE(control_of("SC")->empty());
    auto bad = control_of("ZZ");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().tag_path, "ORC-1");
    // Generated IDs when the order has none: the placer number.
    auto nw = control_of("NW");
    ASSERT_TRUE(nw);
    const OrderEvent& o = std::get<OrderEvent>(nw->at(0));
    EXPECT_EQ(o.order_key, "O1");
    EXPECT_EQ(str(o.item, tags::RequestedProcedureID), "O1");
    EXPECT_EQ(str(sps_of(o.item), tags::ScheduledProcedureStepID), "O1");
}

TEST(Hl7Interpret, SeveralOrdersInOneMessage) {
    auto m = parse("MSH|^~\\&|RIS|H|PACS|R|1||ORM^O01|C|P|2.3.1\rPID|1||P1\r"
                   "ORC|NW|A1\rOBR|1|A1||X^Xray\rORC|NW|A2\rOBR|2|A2||Y^Other\r");
    ASSERT_TRUE(m);
    auto all = interpret_all(*m);
    ASSERT_TRUE(all) << all.error().to_string();
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ(std::get<OrderEvent>(all->at(1)).order_key, "A2");
    EXPECT_NE(str(std::get<OrderEvent>(all->at(0)).item, tags::StudyInstanceUID),
              str(std::get<OrderEvent>(all->at(1)).item, tags::StudyInstanceUID));
}

TEST(Hl7Interpret, AdtUpdateAndMerge) {
    auto a08 = parse(test::sample("adt_a08.hl7"));
    ASSERT_TRUE(a08);
    auto up = interpret(*a08);
    ASSERT_TRUE(up) << up.error().to_string();
    const auto& p = std::get<PatientUpdate>(*up).patient;
    EXPECT_EQ(str(p, tags::PatientID), "PAT12345");
    EXPECT_EQ(str(p, tags::PatientBirthDate), "19650413");
    EXPECT_EQ(str(p, tags::PatientName), "Mueller^Hans^Peter");
    auto a40 = parse(test::sample("adt_a40.hl7"));
    ASSERT_TRUE(a40);
    auto mg = interpret(*a40);
    ASSERT_TRUE(mg) << mg.error().to_string();
    const auto& merge = std::get<PatientMerge>(*mg);
    EXPECT_EQ(merge.old_patient_id, "PAT99999");
    EXPECT_EQ(merge.old_issuer, "GENHOSP");
    EXPECT_EQ(str(merge.patient, tags::PatientID), "PAT12345");
}

TEST(Hl7Interpret, ErrorsNameTheField) {
    auto no_pid3 = parse("MSH|^~\\&|A|B|C|D|1||ADT^A08|C|P|2.5\rPID|1||\r");
    ASSERT_TRUE(no_pid3);
    auto r = interpret(*no_pid3);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::NotFound);
    EXPECT_EQ(r.error().tag_path, "PID-3");
    auto a01 = parse("MSH|^~\\&|A|B|C|D|1||ADT^A01|C|P|2.5\rPID|1||X\r");
    ASSERT_TRUE(a01);
    EXPECT_EQ(interpret(*a01).error().code, ErrorCode::Unsupported);
    auto oru = parse("MSH|^~\\&|A|B|C|D|1||ORU^R01|C|P|2.5\r");
    ASSERT_TRUE(oru);
    EXPECT_EQ(interpret(*oru).error().code, ErrorCode::Unsupported);
    auto no_placer = parse("MSH|^~\\&|A|B|C|D|1||ORM^O01|C|P|2.5\rPID|1||X\rORC|NW\rOBR|1\r");
    ASSERT_TRUE(no_placer);
    EXPECT_EQ(interpret(*no_placer).error().tag_path, "ORC-2");
}

TEST(Hl7Interpret, UidFromKeyIsStableAndValid) {
    std::string a = uid_from_key("k1"), b = uid_from_key("k2");
    EXPECT_EQ(a, uid_from_key("k1"));
    EXPECT_NE(a, b);
    EXPECT_TRUE(a.starts_with("2.25."));
    EXPECT_NE(a[5], '0');
    EXPECT_LE(a.size(), 64u);
}

}  // namespace
}  // namespace dicomkit::hl7
