// describe() and the texts of the standard's codes (PS3.8 9.3.3.2, 9.3.4, 9.3.8).
#include <gtest/gtest.h>

#include <dicomkit/base/mapped_file.hpp>
#include <dicomkit/net/pdu/codec.hpp>
#include <dicomkit/net/pdu/describe.hpp>

namespace dicomkit::net::pdu {
namespace {

TEST(Describe, EchoscuRequest) {
    auto bytes = read_whole_file(std::string(DICOMKIT_TEST_DATA) + "/net/echoscu_associate_rq.bin");
    ASSERT_TRUE(bytes.has_value());
    auto pdu = decode(*bytes);
    ASSERT_TRUE(pdu.has_value()) << pdu.error().to_string();
    EXPECT_EQ(describe(*pdu),
              "A-ASSOCIATE-RQ (len 205) called=ANY-SCP calling=ECHOSCU\n"
              "  application context 1.2.840.10008.3.1.1.1\n"
              "  presentation context 1: abstract 1.2.840.10008.1.1 transfer [1.2.840.10008.1.2]\n"
              "  user info: max length 16384, implementation 1.2.276.0.7230010.3.0.3.6.7 "
              "OFFIS_DCMTK_367");
}

TEST(Describe, AcceptWithRejectedContextAndNegotiation) {
    AssociateAc ac;
    ac.called_ae_title = "PACS";
    ac.calling_ae_title = "CT01";
    ac.presentation_contexts = {{1, ContextResult::Acceptance, "1.2.840.10008.1.2.1"},
                                {3, ContextResult::TransferSyntaxesNotSupported, ""}};
    ac.user_information.maximum_length = 0;
    ac.user_information.asynchronous_operations_window = AsynchronousOperationsWindow{2, 1};
    ac.user_information.role_selections = {{"1.2.840.10008.5.1.4.1.1.2", false, true}};
    ac.user_information.user_identity_ac = UserIdentityAc{{1, 2, 3}};
    ac.user_information.unknown_sub_items = {{0x70, {1}}};
    // len: 68 fixed + 25 application context + 31 + 12 contexts + 4 + 8 + 8 + 33 + 9 + 5 user info.
    EXPECT_EQ(describe(ac),
              "A-ASSOCIATE-AC (len 203) called=PACS calling=CT01\n"
              "  application context 1.2.840.10008.3.1.1.1\n"
              "  presentation context 1: acceptance (0) transfer 1.2.840.10008.1.2.1\n"
              "  presentation context 3: transfer-syntaxes-not-supported (provider rejection) (4)\n"
              "  user info: max length 0, async window invoked 2 performed 1\n"
              "  role selection 1.2.840.10008.5.1.4.1.1.2: SCU 0 SCP 1\n"
              "  user identity response: server response 3 bytes\n"
              "  unknown sub-item 70H: 1 bytes");
}

TEST(Describe, UserIdentityHidesThePasscode) {
    AssociateRq rq;
    rq.called_ae_title = "A";
    rq.calling_ae_title = "B";
    rq.presentation_contexts = {{1, "1.2.840.10008.1.1", {"1.2.840.10008.1.2"}}};
    rq.user_information.user_identity_rq = UserIdentityRq{UserIdentityType::UsernameAndPasscode,
                                                          true,
                                                          {'b', 'o', 'b'},
                                                          {'h', 'u', 'n', 't', 'e', 'r', '2'}};
    std::string text = describe(rq);
    EXPECT_NE(
        text.find("user identity: username and passcode (2) user \"bob\", secondary field 7 bytes, "
                  "positive response requested"),
        std::string::npos)
        << text;
    EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
    EXPECT_NE(text.find("user info: (none)"), std::string::npos) << text;
}

TEST(Describe, RejectAbortDataRelease) {
    EXPECT_EQ(
        describe(AssociateRj{RejectResult::RejectedPermanent, RejectSource::ServiceUser,
                             reject_reason::kCalledAeTitleNotRecognized}),
        "A-ASSOCIATE-RJ (len 4) result: rejected-permanent (1), source: DICOM UL service-user (1), "
        "reason: called-AE-title-not-recognized (7)");
    EXPECT_EQ(describe(Abort{AbortSource::ServiceProvider, AbortReason::UnexpectedPdu}),
              "A-ABORT (len 4) source: DICOM UL service-provider (initiated abort) (2), reason: "
              "unexpected-PDU (2)");
    PDataTf p;
    p.pdvs = {{1, true, true, {1, 2, 3, 4}}, {3, false, false, {}}};
    EXPECT_EQ(describe(p),
              "P-DATA-TF (len 16) 2 PDVs\n"
              "  PDV context 1: command (last fragment), 4 bytes\n"
              "  PDV context 3: data set, 0 bytes");
    EXPECT_EQ(describe(ReleaseRq{}), "A-RELEASE-RQ (len 4)");
    EXPECT_EQ(describe(ReleaseRp{}), "A-RELEASE-RP (len 4)");
    AssociateRq bad;  // no AE titles, no contexts: described all the same
    EXPECT_EQ(describe(bad).rfind("A-ASSOCIATE-RQ (not encodable) called= calling=", 0), 0u)
        << describe(bad);
}

TEST(Describe, CodeTexts) {
    EXPECT_EQ(context_result_text(0), "acceptance");
    EXPECT_EQ(context_result_text(1), "user-rejection");
    EXPECT_EQ(context_result_text(3), "abstract-syntax-not-supported (provider rejection)");
    EXPECT_EQ(context_result_text(9), "unknown");
    EXPECT_EQ(reject_result_text(2), "rejected-transient");
    EXPECT_EQ(reject_source_text(2), "DICOM UL service-provider (ACSE related function)");
    EXPECT_EQ(reject_reason_text(1, 2), "application-context-name-not-supported");
    EXPECT_EQ(reject_reason_text(1, 3), "calling-AE-title-not-recognized");
    EXPECT_EQ(reject_reason_text(1, 5), "reserved");
    EXPECT_EQ(reject_reason_text(2, 2), "protocol-version-not-supported");
    EXPECT_EQ(reject_reason_text(3, 1), "temporary-congestion");
    EXPECT_EQ(reject_reason_text(3, 2), "local-limit-exceeded");
    EXPECT_EQ(reject_reason_text(3, 0), "reserved");
    EXPECT_EQ(reject_reason_text(4, 1), "unknown");
    EXPECT_EQ(abort_source_text(0), "DICOM UL service-user (initiated abort)");
    EXPECT_EQ(abort_reason_text(2, 1), "unrecognized-PDU");
    EXPECT_EQ(abort_reason_text(2, 4), "unrecognized-PDU parameter");
    EXPECT_EQ(abort_reason_text(2, 6), "invalid-PDU-parameter value");
    EXPECT_EQ(abort_reason_text(0, 6), "not significant");
    EXPECT_EQ(user_identity_type_text(5), "JSON web token");
}

}  // namespace
}  // namespace dicomkit::net::pdu
