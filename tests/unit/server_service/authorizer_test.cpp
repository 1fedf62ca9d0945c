// PolicyAuthorizer: peers and their permissions, unknown AEs, addresses, TLS-only peers and move
// destinations; AllowAll.
#include <gtest/gtest.h>

#include <dicomkit/server/service/authorizer.hpp>

namespace dicomkit::server::service {
namespace {

AccessPolicy policy() {
    AccessPolicy p;
    p.peers.push_back({"CT1", "127.0.0.2", true, false, {Action::Store}});
    p.peers.push_back({"WS", "localhost", false, false, {Action::Query, Action::Retrieve}});
    p.peers.push_back({"PACS2", "10.0.0.9", false, false, {Action::MoveDestination}});
    p.peers.push_back({"SECURE", "127.0.0.1", false, true, {Action::Store, Action::Query}});
    return p;
}

Caller caller(std::string ae, std::string address = "127.0.0.2:40000", bool tls = false) {
    return Caller{std::move(ae), std::move(address), tls, std::nullopt};
}

TEST(Authorizer, Actions) {
    for (Action a : {Action::Echo, Action::Store, Action::Query, Action::Retrieve, Action::MoveDestination})
        EXPECT_EQ(parse_action(to_string(a)), a);
    EXPECT_EQ(to_string(Action::MoveDestination), "move-destination");
    EXPECT_FALSE(parse_action("delete"));
}

TEST(Authorizer, WebUsersByRole) {
    PolicyAuthorizer a(policy());
    Caller reader{"", "127.0.0.1:5000", false, std::string("ann"), WebRole::Read};
    Caller writer{"", "127.0.0.1:5000", false, std::string("bob"), WebRole::Write};
    Caller admin{"", "127.0.0.1:5000", false, std::string("eve"), WebRole::Admin};
    EXPECT_TRUE(a.check(reader, Action::Query));
    EXPECT_TRUE(a.check(reader, Action::Retrieve));
    auto no = a.check(reader, Action::Store);
    ASSERT_FALSE(no);
    EXPECT_EQ(no.error().kind, ErrorKind::NotAuthorized);
    EXPECT_NE(no.error().message.find("ann (role read)"), std::string::npos) << no.error().message;
    EXPECT_TRUE(a.check(writer, Action::Store));
    EXPECT_FALSE(a.check(writer, Action::Administer));
    EXPECT_TRUE(a.check(admin, Action::Administer));
    // A web user is not a peer, and a peer never administers.
    EXPECT_FALSE(a.check(Caller{"", "", false, std::string("x"), WebRole::None}, Action::Query));
    EXPECT_FALSE(a.check(caller("CT1"), Action::Administer));
}

TEST(Authorizer, PeersHaveTheirPermissions) {
    const PolicyAuthorizer a(policy());
    EXPECT_TRUE(a.check(caller("CT1"), Action::Store));
    EXPECT_TRUE(a.check(caller("CT1  "), Action::Store)) << "padding is not part of the AE title";
    EXPECT_TRUE(a.check(caller("CT1"), Action::Echo)) << "echo goes with any service";
    auto r = a.check(caller("CT1"), Action::Query);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::NotAuthorized);
    EXPECT_EQ(r.error().message, "calling AE CT1 lacks the query permission");
    EXPECT_TRUE(a.check(caller("WS"), Action::Retrieve));
    EXPECT_FALSE(a.check(caller("WS"), Action::Store));
    EXPECT_FALSE(a.check(caller("PACS2"), Action::Echo)) << "a destination only is not a caller";
}

TEST(Authorizer, SeveralEntriesAddUp) {
    AccessPolicy p = policy();
    p.peers.push_back({"CT1", "127.0.0.3", false, false, {Action::Query}});
    const PolicyAuthorizer a(p);
    EXPECT_TRUE(a.check(caller("CT1"), Action::Store));
    EXPECT_TRUE(a.check(caller("CT1"), Action::Query));
}

TEST(Authorizer, UnknownAEs) {
    AccessPolicy p = policy();
    const PolicyAuthorizer closed(p);
    auto r = closed.check(caller("OTHER"), Action::Store);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "calling AE OTHER lacks the store permission");
    EXPECT_FALSE(closed.admit(caller("OTHER")));
    p.accept_unknown = true;
    const PolicyAuthorizer open(p);
    EXPECT_TRUE(open.check(caller("OTHER"), Action::Store));
    EXPECT_TRUE(open.check(caller("OTHER"), Action::Retrieve));
    EXPECT_TRUE(open.admit(caller("OTHER", "192.0.2.1:5")));
    EXPECT_FALSE(open.check(caller("CT1"), Action::Query)) << "a known peer keeps its own rights";
    EXPECT_FALSE(open.check_destination(caller("WS"), "OTHER")) << "unknown AEs are never destinations";
}

TEST(Authorizer, ControlCharactersInTheAETitleAreEscaped) {
    const PolicyAuthorizer a(policy());
    auto r = a.check(caller("X\r\nI: forged"), Action::Store);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
}

TEST(Authorizer, AdmissionChecksAddressAndPermissions) {
    const PolicyAuthorizer a(policy());
    EXPECT_TRUE(a.admit(caller("CT1", "127.0.0.2:1")));
    EXPECT_TRUE(a.admit(caller("CT1", "[::ffff:127.0.0.2]:1"))) << "IPv4-mapped IPv6";
    auto r = a.admit(caller("CT1", "127.0.0.1:1"));
    ASSERT_FALSE(r) << "right AE title, wrong address";
    EXPECT_EQ(r.error().kind, ErrorKind::NotAuthorized);
    EXPECT_TRUE(a.admit(caller("WS", "192.0.2.7:1"))) << "no check_address: the AE title is enough";
    EXPECT_FALSE(a.admit(caller("PACS2", "10.0.0.9:1"))) << "may not store, query or retrieve";
    EXPECT_TRUE(a.address_matches("UNKNOWN", "192.0.2.1:5")) << "unknown AEs: permissions decide";
}

TEST(Authorizer, TlsPeersAreRefusedOnThePlainPortBesideATlsPort) {
    PolicyAuthorizer a(policy());
    EXPECT_TRUE(a.admit(caller("SECURE", "127.0.0.1:9"))) << "no TLS port: the plain one will do";
    a.set_tls_port(2762);
    auto r = a.admit(caller("SECURE", "127.0.0.1:9"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "refused on the plain port: peer SECURE has tls = true, so it must use the TLS port 2762");
    EXPECT_TRUE(a.admit(caller("SECURE", "127.0.0.1:9", true)));
    EXPECT_TRUE(a.admit(caller("WS", "127.0.0.1:9"))) << "other peers use either port";
}

TEST(Authorizer, MoveDestinations) {
    const PolicyAuthorizer a(policy());
    EXPECT_TRUE(a.check_destination(caller("WS"), "PACS2"));
    EXPECT_TRUE(a.check_destination(caller("WS"), "PACS2 "));
    auto r = a.check_destination(caller("WS"), "CT1");
    ASSERT_FALSE(r) << "a peer without move-destination";
    EXPECT_EQ(r.error().kind, ErrorKind::UnknownDestination);
    EXPECT_EQ(r.error().message, "unknown move destination CT1");
    r = a.check_destination(caller("WS"), "NOBODY");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::UnknownDestination);
}

TEST(Authorizer, AllowAll) {
    const AllowAll a;
    EXPECT_TRUE(a.admit(caller("ANY", "192.0.2.1:5")));
    EXPECT_TRUE(a.check(caller("ANY"), Action::Store));
    EXPECT_TRUE(a.check_destination(caller("ANY"), "ANYWHERE"));
}

}  // namespace
}  // namespace dicomkit::server::service
