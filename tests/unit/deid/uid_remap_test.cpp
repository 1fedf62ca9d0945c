#include <gtest/gtest.h>

#include <dicomkit/deid/uid_remap.hpp>

using namespace dicomkit::deid;

TEST(UidRemap, HmacSha256MatchesRfc4231) {
    // RFC 4231 test case 2.
    const Digest d = hmac_sha256("Jefe", "what do ya want for nothing?");
    std::string hex;
    for (auto b : d) hex += "0123456789abcdef"[b >> 4], hex += "0123456789abcdef"[b & 15];
    EXPECT_EQ(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(UidRemap, RepeatableKeyedAndValid) {
    UidRemapper a("secret"), b("secret"), c("other");
    const std::string uid = "1.2.826.0.1.3680043.8.498.12345";
    const std::string r = a.remap(uid);
    EXPECT_EQ(r, b.remap(uid));
    EXPECT_EQ(r, a.remap(uid + std::string(1, '\0')));  // padding ignored
    EXPECT_NE(r, c.remap(uid));
    EXPECT_NE(r, a.remap(uid + "6"));
    ASSERT_TRUE(r.starts_with("2.25."));
    EXPECT_LE(r.size(), 64u);
    for (char ch : r.substr(5)) EXPECT_TRUE(ch >= '0' && ch <= '9');
    EXPECT_TRUE(r.size() == 5 || r[5] != '0');  // no leading zero in a component
}

TEST(UidRemap, WellKnownUidsStay) {
    UidRemapper a("secret");
    EXPECT_EQ(a.remap("1.2.840.10008.5.1.4.1.1.2"), "1.2.840.10008.5.1.4.1.1.2");
    EXPECT_EQ(a.remap("1.2.840.10008.1.2.1"), "1.2.840.10008.1.2.1");
    EXPECT_EQ(a.remap(""), "");
    EXPECT_TRUE(is_well_known_uid("1.2.840.10008.1.1"));
    EXPECT_FALSE(is_well_known_uid("1.2.3.4"));
}

TEST(UidRemap, KeyedNumbersAreInRange) {
    UidRemapper a("k");
    for (int i = 0; i < 100; ++i) {
        auto n = a.keyed_number("date-shift", std::to_string(i), 3650);
        EXPECT_LT(n, 3650u);
    }
    EXPECT_EQ(a.keyed_number("p", "x", 1000), a.keyed_number("p", "x", 1000));
}

TEST(UidRemap, PrekeyedHmacMatchesTheOneShot) {
    const std::string long_key(200, 'k');  // longer than a block: hashed first (RFC 2104)
    for (const std::string& key : {std::string("Jefe"), std::string(""), long_key}) {
        KeyedHmac mac(key);
        for (const std::string& m : {std::string("what do ya want for nothing?"), std::string(), std::string(1000, 'x')})
            EXPECT_EQ(mac(m), hmac_sha256(key, m));
    }
}

TEST(UidRemap, RepeatedAndInterleavedKeysGiveTheComputedValue) {
    // Each thread remembers replacements: two keys used in turn, and UIDs met again, must still
    // give what a fresh remapper computes.
    UidRemapper a("one"), b("two");
    const std::string u1 = "1.2.826.0.1.3680043.8.498.77", u2 = "1.2.826.0.1.3680043.8.498.78";
    const std::string a1 = UidRemapper("one").remap(u1), b1 = UidRemapper("two").remap(u1);
    const std::string a2 = UidRemapper("one").remap(u2);
    ASSERT_NE(a1, b1);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(a.remap(u1), a1);
        EXPECT_EQ(b.remap(u1), b1);
        EXPECT_EQ(a.remap(u2 + " "), a2);
        std::string out = "x\\";
        a.remap_append(u1, out);
        EXPECT_EQ(out, "x\\" + a1);
    }
    // Many distinct UIDs (more than one thread keeps) leave the answers unchanged.
    for (int i = 0; i < 20000; ++i) (void)a.remap("1.2.3." + std::to_string(i));
    EXPECT_EQ(a.remap(u1), a1);
    EXPECT_EQ(a.remap("1.2.3.5"), UidRemapper("one").remap("1.2.3.5"));
}
