// negotiate(): every rejection reason, transfer syntax preference, role selection, accept-any.
#include <gtest/gtest.h>

#include <dicomkit/net/ul/association.hpp>

namespace dicomkit::net::ul {
namespace {

constexpr const char* kVerification = "1.2.840.10008.1.1";
constexpr const char* kCtStorage = "1.2.840.10008.5.1.4.1.1.2";
constexpr const char* kImplicit = "1.2.840.10008.1.2";
constexpr const char* kExplicit = "1.2.840.10008.1.2.1";
constexpr const char* kJpegLossless = "1.2.840.10008.1.2.4.70";

pdu::AssociateRq request() {
    pdu::AssociateRq rq;
    rq.calling_ae_title = "SCU";
    rq.called_ae_title = "ARCHIVE";
    rq.presentation_contexts.push_back({1, kVerification, {kImplicit}});
    rq.presentation_contexts.push_back({3, kCtStorage, {kImplicit, kExplicit}});
    rq.user_information.maximum_length = 16384;
    return rq;
}

AcceptorPolicy policy() {
    AcceptorPolicy p;
    p.ae_title = "ARCHIVE";
    p.syntaxes.push_back({kVerification, {kImplicit}, false});
    p.syntaxes.push_back({kCtStorage, {kJpegLossless, kExplicit, kImplicit}, true});
    return p;
}

const pdu::AssociateRj& rejection(const Negotiated& n) {
    static const pdu::AssociateRj none{};
    const auto* rj = std::get_if<pdu::AssociateRj>(&n.answer);
    EXPECT_NE(rj, nullptr) << "expected A-ASSOCIATE-RJ";
    return rj ? *rj : none;
}

const pdu::AssociateAc& acceptance(const Negotiated& n) {
    static const pdu::AssociateAc none{};
    const auto* ac = std::get_if<pdu::AssociateAc>(&n.answer);
    EXPECT_NE(ac, nullptr) << "expected A-ASSOCIATE-AC";
    return ac ? *ac : none;
}

TEST(Negotiation, AcceptsWithPolicyPreferredTransferSyntax) {
    const Negotiated n = negotiate(request(), policy(), "127.0.0.1:1", {});
    const auto& ac = acceptance(n);
    ASSERT_EQ(ac.presentation_contexts.size(), 2u);
    EXPECT_EQ(ac.presentation_contexts[1].result, pdu::ContextResult::Acceptance);
    // The requestor lists implicit first; the policy prefers explicit.
    EXPECT_EQ(ac.presentation_contexts[1].transfer_syntax, kExplicit);
    ASSERT_EQ(n.contexts.size(), 2u);
    EXPECT_EQ(n.contexts[1].id, 3);
    EXPECT_EQ(n.contexts[1].abstract_syntax, kCtStorage);
    EXPECT_EQ(n.contexts[1].transfer_syntax, kExplicit);
    EXPECT_TRUE(n.contexts[1].scu_role);
    EXPECT_FALSE(n.contexts[1].scp_role);
    EXPECT_EQ(ac.called_ae_title, "ARCHIVE");
    EXPECT_EQ(ac.calling_ae_title, "SCU");
    EXPECT_TRUE(ac.user_information.role_selections.empty());
    EXPECT_FALSE(ac.user_information.user_identity_ac.has_value());
}

TEST(Negotiation, CalledAeNotRecognized) {
    auto rq = request();
    rq.called_ae_title = "OTHER";
    const Negotiated n = negotiate(rq, policy(), "", {});
    const auto& rj = rejection(n);
    EXPECT_EQ(rj.result, pdu::RejectResult::RejectedPermanent);
    EXPECT_EQ(rj.source, pdu::RejectSource::ServiceUser);
    EXPECT_EQ(rj.reason, pdu::reject_reason::kCalledAeTitleNotRecognized);
}

TEST(Negotiation, CalledAeSpacesAreNotSignificant) {
    auto rq = request();
    rq.called_ae_title = " ARCHIVE";
    EXPECT_TRUE(std::holds_alternative<pdu::AssociateAc>(negotiate(rq, policy(), "", {}).answer));
}

TEST(Negotiation, AcceptAnyCalledAe) {
    auto rq = request();
    rq.called_ae_title = "WHATEVER";
    auto p = policy();
    p.accept_any_called_ae = true;
    EXPECT_TRUE(std::holds_alternative<pdu::AssociateAc>(negotiate(rq, p, "", {}).answer));
}

TEST(Negotiation, CallingAeNotAllowed) {
    auto p = policy();
    std::string seen_ae, seen_address;
    p.calling_allowed = [&](const std::string& ae, const std::string& address) {
        seen_ae = ae;
        seen_address = address;
        return ae == "TRUSTED";
    };
    const Negotiated n = negotiate(request(), p, "10.0.0.9:4000", {});
    const auto& rj = rejection(n);
    EXPECT_EQ(rj.source, pdu::RejectSource::ServiceUser);
    EXPECT_EQ(rj.reason, pdu::reject_reason::kCallingAeTitleNotRecognized);
    EXPECT_EQ(seen_ae, "SCU");
    EXPECT_EQ(seen_address, "10.0.0.9:4000");
    auto rq = request();
    rq.calling_ae_title = "TRUSTED";
    EXPECT_TRUE(std::holds_alternative<pdu::AssociateAc>(negotiate(rq, p, "", {}).answer));
}

TEST(Negotiation, ApplicationContextNotSupported) {
    auto rq = request();
    rq.application_context_name = "1.2.3.4";
    const Negotiated n = negotiate(rq, policy(), "", {});
    const auto& rj = rejection(n);
    EXPECT_EQ(rj.source, pdu::RejectSource::ServiceUser);
    EXPECT_EQ(rj.reason, pdu::reject_reason::kApplicationContextNameNotSupported);
}

TEST(Negotiation, ProtocolVersionNotSupported) {
    auto rq = request();
    rq.protocol_version = 2;  // bit 0 clear
    const Negotiated n = negotiate(rq, policy(), "", {});
    const auto& rj = rejection(n);
    EXPECT_EQ(rj.source, pdu::RejectSource::ServiceProviderAcse);
    EXPECT_EQ(rj.reason, pdu::reject_reason::kProtocolVersionNotSupported);
}

TEST(Negotiation, AbstractAndTransferSyntaxRejections) {
    auto rq = request();
    rq.presentation_contexts.push_back({5, "1.2.840.10008.5.1.4.1.1.4", {kImplicit}});
    rq.presentation_contexts[0].transfer_syntaxes = {"1.2.840.10008.1.2.2"};  // big endian only
    const Negotiated n = negotiate(rq, policy(), "", {});
    const auto& ac = acceptance(n);
    ASSERT_EQ(ac.presentation_contexts.size(), 3u);
    EXPECT_EQ(ac.presentation_contexts[0].result, pdu::ContextResult::TransferSyntaxesNotSupported);
    EXPECT_EQ(ac.presentation_contexts[1].result, pdu::ContextResult::Acceptance);
    EXPECT_EQ(ac.presentation_contexts[2].result, pdu::ContextResult::AbstractSyntaxNotSupported);
    EXPECT_EQ(ac.presentation_contexts[2].id, 5);
    ASSERT_EQ(n.contexts.size(), 1u);
    EXPECT_EQ(n.contexts[0].id, 3);
}

TEST(Negotiation, AcceptAnyAbstractSyntax) {
    auto rq = request();
    rq.presentation_contexts.push_back({5, "1.2.3.999", {kJpegLossless, kExplicit}});
    rq.presentation_contexts.push_back({7, "1.2.3.998", {kJpegLossless}});
    auto p = policy();
    p.accept_any_abstract_syntax = true;
    p.any_transfer_syntaxes = {kImplicit, kExplicit};
    const Negotiated n = negotiate(rq, p, "", {});
    const auto& ac = acceptance(n);
    ASSERT_EQ(ac.presentation_contexts.size(), 4u);
    EXPECT_EQ(ac.presentation_contexts[2].result, pdu::ContextResult::Acceptance);
    EXPECT_EQ(ac.presentation_contexts[2].transfer_syntax, kExplicit);
    EXPECT_EQ(ac.presentation_contexts[3].result, pdu::ContextResult::TransferSyntaxesNotSupported);
    p.any_transfer_syntaxes.clear();  // the first proposed, whatever it is
    const Negotiated n2 = negotiate(rq, p, "", {});
    const auto& ac2 = acceptance(n2);
    EXPECT_EQ(ac2.presentation_contexts[3].transfer_syntax, kJpegLossless);
}

TEST(Negotiation, RoleSelectionAnsweredPerPolicy) {
    auto rq = request();
    rq.user_information.role_selections.push_back({kCtStorage, true, true});
    rq.user_information.role_selections.push_back({kVerification, false, true});
    const Negotiated n = negotiate(rq, policy(), "", {});
    const auto& roles = acceptance(n).user_information.role_selections;
    ASSERT_EQ(roles.size(), 2u);
    EXPECT_EQ(roles[0], (pdu::RoleSelection{kCtStorage, true, true}));      // SCP allowed
    EXPECT_EQ(roles[1], (pdu::RoleSelection{kVerification, false, false}));  // SCP refused
    ASSERT_EQ(n.contexts.size(), 2u);
    EXPECT_FALSE(n.contexts[0].scu_role);
    EXPECT_FALSE(n.contexts[0].scp_role);
    EXPECT_TRUE(n.contexts[1].scu_role);
    EXPECT_TRUE(n.contexts[1].scp_role);
}

TEST(Negotiation, UserInformationOfTheAnswer) {
    auto rq = request();
    rq.user_information.asynchronous_operations_window = pdu::AsynchronousOperationsWindow{5, 5};
    rq.user_information.user_identity_rq =
        pdu::UserIdentityRq{pdu::UserIdentityType::Username, true, {'u'}, {}};
    AssociationOptions o;
    o.max_pdu_receive = 100'000;
    auto p = policy();
    p.max_pdu_receive = 50'000;
    const Negotiated n = negotiate(rq, p, "", o);
    const auto& ui = acceptance(n).user_information;
    EXPECT_EQ(ui.maximum_length, 50'000u);
    EXPECT_EQ(ui.implementation_class_uid, o.implementation_class_uid);
    EXPECT_EQ(ui.implementation_version_name, o.implementation_version_name);
    ASSERT_TRUE(ui.asynchronous_operations_window.has_value());
    EXPECT_EQ(ui.asynchronous_operations_window->max_operations_invoked, 1);
    EXPECT_FALSE(ui.user_identity_ac.has_value());
}

TEST(Negotiation, AsynchronousOperationsWindowIsNegotiatedDown) {
    // PS3.7 D.3.3.3: the acceptor answers with at most its limit; a proposed 0 (unlimited) is
    // negotiated down to the limit; it performs one operation at a time; no proposal, no answer.
    auto p = policy();
    p.max_operations_invoked = 8;
    auto answer = [&](std::optional<pdu::AsynchronousOperationsWindow> w) {
        auto rq = request();
        rq.user_information.asynchronous_operations_window = w;
        return acceptance(negotiate(rq, p, "", AssociationOptions{})).user_information.asynchronous_operations_window;
    };
    EXPECT_EQ(answer(pdu::AsynchronousOperationsWindow{4, 3}), (pdu::AsynchronousOperationsWindow{4, 1}));
    EXPECT_EQ(answer(pdu::AsynchronousOperationsWindow{100, 1}), (pdu::AsynchronousOperationsWindow{8, 1}));
    EXPECT_EQ(answer(pdu::AsynchronousOperationsWindow{0, 0}), (pdu::AsynchronousOperationsWindow{8, 1}));
    EXPECT_FALSE(answer(std::nullopt).has_value());
    p.max_operations_invoked = 1;
    EXPECT_EQ(answer(pdu::AsynchronousOperationsWindow{0, 0}), (pdu::AsynchronousOperationsWindow{1, 1}));
}


TEST(Negotiation, SopClassExtendedNegotiationAnsweredPerPolicy) {
    constexpr const char* kStudyRootFind = "1.2.840.10008.5.1.4.1.2.2.1";
    constexpr const char* kPatientRootFind = "1.2.840.10008.5.1.4.1.2.1.1";
    auto rq = request();
    rq.presentation_contexts.push_back({5, kStudyRootFind, {kImplicit}});
    rq.presentation_contexts.push_back({7, kPatientRootFind, {kImplicit}});
    // PS3.4 C.5.1.1.1: relational queries (1), combined date-time matching (1), fuzzy (1).
    rq.user_information.extended_negotiations.push_back({kStudyRootFind, {1, 1, 1}});
    rq.user_information.extended_negotiations.push_back({kPatientRootFind, {1}});
    rq.user_information.extended_negotiations.push_back({kCtStorage, {3}});  // no support configured
    rq.user_information.extended_negotiations.push_back({"1.2.3.4", {1}});   // no such context
    auto p = policy();
    p.syntaxes.push_back({kStudyRootFind, {kImplicit}, false, {1}});
    p.syntaxes.push_back({kPatientRootFind, {kImplicit}, false});
    const Negotiated n = negotiate(rq, p, "", {});
    const auto& ac = acceptance(n);
    // Only the Study Root FIND proposal is answered: relational yes, the others no.
    ASSERT_EQ(ac.user_information.extended_negotiations.size(), 1u);
    const auto& answer = ac.user_information.extended_negotiations[0];
    EXPECT_EQ(answer.sop_class_uid, kStudyRootFind);
    EXPECT_EQ(answer.service_class_application_information, (pdu::Bytes{1, 0, 0}));
    ASSERT_EQ(n.contexts.size(), 4u);
    EXPECT_EQ(n.contexts[2].abstract_syntax, kStudyRootFind);
    EXPECT_EQ(n.contexts[2].extended_negotiation, (std::vector<std::uint8_t>{1, 0, 0}));
    EXPECT_TRUE(n.contexts[3].extended_negotiation.empty());
    EXPECT_TRUE(n.contexts[1].extended_negotiation.empty());

    // A proposal of 0 (not wanted) is answered 0; a rejected context is not answered.
    rq.user_information.extended_negotiations = {{kStudyRootFind, {0}}};
    EXPECT_EQ(acceptance(negotiate(rq, p, "", {})).user_information.extended_negotiations.at(0)
                  .service_class_application_information,
              (pdu::Bytes{0}));
    rq.user_information.extended_negotiations = {{kStudyRootFind, {1}}};
    rq.presentation_contexts[2].transfer_syntaxes = {"1.2.840.10008.1.2.2"};
    EXPECT_TRUE(acceptance(negotiate(rq, p, "", {})).user_information.extended_negotiations.empty());
}

TEST(Negotiation, OtherCalledAeTitles) {
    auto p = policy();
    p.other_ae_titles = {"ALIAS", "SECOND "};
    for (const char* title : {"ALIAS", "SECOND", "ARCHIVE"}) {
        auto rq = request();
        rq.called_ae_title = title;
        EXPECT_TRUE(std::holds_alternative<pdu::AssociateAc>(negotiate(rq, p, "", {}).answer)) << title;
    }
    auto rq = request();
    rq.called_ae_title = "ALIAS2";
    EXPECT_EQ(rejection(negotiate(rq, p, "", {})).reason, pdu::reject_reason::kCalledAeTitleNotRecognized);
}

TEST(Negotiation, EmptyAeTitlesAreRejectedWithAWord) {
    auto p = policy();
    p.accept_any_called_ae = true;
    auto rq = request();
    rq.called_ae_title = "";
    Negotiated n = negotiate(rq, p, "", {});
    EXPECT_EQ(rejection(n).reason, pdu::reject_reason::kCalledAeTitleNotRecognized);
    ASSERT_EQ(n.notes.size(), 1u);
    EXPECT_NE(n.notes[0].find("called AE title is empty"), std::string::npos);
    rq = request();
    rq.calling_ae_title = "";
    n = negotiate(rq, p, "", {});
    EXPECT_EQ(rejection(n).reason, pdu::reject_reason::kCallingAeTitleNotRecognized);
    ASSERT_EQ(n.notes.size(), 1u);
}

TEST(Negotiation, DuplicateContextIdIsRejectedNotAborted) {
    auto rq = request();
    rq.presentation_contexts[1].id = 1;  // two contexts with ID 1
    const Negotiated n = negotiate(rq, policy(), "", {});
    const auto& rj = rejection(n);
    EXPECT_EQ(rj.result, pdu::RejectResult::RejectedPermanent);
    EXPECT_EQ(rj.source, pdu::RejectSource::ServiceProviderAcse);
    EXPECT_EQ(rj.reason, pdu::reject_reason::kNoReasonGiven);
    ASSERT_EQ(n.notes.size(), 1u);
    EXPECT_NE(n.notes[0].find("presentation context ID 1 is used twice"), std::string::npos) << n.notes[0];
}

TEST(Negotiation, EvenOrZeroContextIdIsRejected) {
    for (std::uint8_t id : {0, 2, 254}) {
        auto rq = request();
        rq.presentation_contexts[1].id = id;
        const Negotiated n = negotiate(rq, policy(), "", {});
        EXPECT_EQ(rejection(n).source, pdu::RejectSource::ServiceProviderAcse);
        ASSERT_EQ(n.notes.size(), 1u);
        EXPECT_NE(n.notes[0].find("is not odd"), std::string::npos) << n.notes[0];
    }
}

TEST(Negotiation, ContextWithoutSyntaxesIsRefusedTheOthersGoOn) {
    auto p = policy();
    p.accept_any_abstract_syntax = true;  // even then: nothing to accept
    auto rq = request();
    rq.presentation_contexts.push_back({5, "", {kImplicit}});
    rq.presentation_contexts.push_back({7, kCtStorage, {}});
    rq.presentation_contexts.push_back({9, kCtStorage, {""}});
    const Negotiated n = negotiate(rq, p, "", {});
    const auto& ac = acceptance(n);
    ASSERT_EQ(ac.presentation_contexts.size(), 5u);
    EXPECT_EQ(ac.presentation_contexts[0].result, pdu::ContextResult::Acceptance);
    EXPECT_EQ(ac.presentation_contexts[1].result, pdu::ContextResult::Acceptance);
    EXPECT_EQ(ac.presentation_contexts[2].result, pdu::ContextResult::AbstractSyntaxNotSupported);
    EXPECT_EQ(ac.presentation_contexts[3].result, pdu::ContextResult::TransferSyntaxesNotSupported);
    EXPECT_EQ(ac.presentation_contexts[4].result, pdu::ContextResult::TransferSyntaxesNotSupported);
    EXPECT_EQ(n.contexts.size(), 2u);
    ASSERT_EQ(n.notes.size(), 3u);
    EXPECT_NE(n.notes[0].find("presentation context 5 refused: no abstract syntax"), std::string::npos);
    EXPECT_NE(n.notes[1].find("presentation context 7 (1.2.840.10008.5.1.4.1.1.2) refused: no transfer"),
              std::string::npos) << n.notes[1];
    EXPECT_NE(n.notes[2].find("an empty transfer syntax"), std::string::npos);
    EXPECT_TRUE(pdu::encode(pdu::Pdu(ac)).has_value());  // the answer can be sent
}

}  // namespace
}  // namespace dicomkit::net::ul
