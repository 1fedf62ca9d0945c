// UID and storage SOP class lookups.
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/generated/tables.hpp>
#include <dicomkit/dict/uids.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace dicomkit::dict {
namespace {

TEST(Uids, ExplicitVrLittleEndian) {
    const UidInfo* u = find_uid("1.2.840.10008.1.2.1");
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->kind, UidKind::TransferSyntax);
    EXPECT_EQ(u->name, "Explicit VR Little Endian");
    EXPECT_EQ(u->keyword, "ExplicitVRLittleEndian");
    EXPECT_FALSE(u->retired);
    EXPECT_EQ(to_string(u->kind), "Transfer Syntax");
    static_assert(uids::ExplicitVRLittleEndian == "1.2.840.10008.1.2.1");
    EXPECT_EQ(find_uid_keyword("ExplicitVRLittleEndian"), u);
}

TEST(Uids, Kinds) {
    EXPECT_EQ(find_uid("1.2.840.10008.1.1")->kind, UidKind::SopClass);  // Verification
    EXPECT_EQ(find_uid("1.2.840.10008.3.1.1.1")->kind, UidKind::ApplicationContextName);
    EXPECT_EQ(find_uid("1.2.840.10008.2.16.4")->kind, UidKind::CodingScheme);  // DCM
    EXPECT_EQ(find_uid("1.2.840.10008.1.2.2")->retired, true);  // Explicit VR Big Endian
    EXPECT_EQ(find_uid(uids::JPEG2000Lossless)->kind, UidKind::TransferSyntax);
    std::set<UidKind> kinds;
    for (const UidInfo& u : all_uids()) kinds.insert(u.kind);
    EXPECT_GE(kinds.size(), 10u);
    EXPECT_EQ(kinds.count(UidKind::Other), 0u);  // every type in the table is mapped
}

TEST(Uids, Unknown) {
    EXPECT_EQ(find_uid(""), nullptr);
    EXPECT_EQ(find_uid("1.2.840.10008.1.2.1 "), nullptr);  // no trimming
    using namespace std::string_view_literals;
    EXPECT_EQ(find_uid("1.2.840.10008.1.2.1\0"sv), nullptr);  // callers strip the UI padding
    EXPECT_EQ(find_uid("1.2.840.10008.1.2.99"), nullptr);
    EXPECT_EQ(find_uid("9"), nullptr);
    EXPECT_EQ(find_uid_keyword("explicitvrlittleendian"), nullptr);
    EXPECT_EQ(find_uid_keyword(""), nullptr);
}

TEST(Uids, TableSortedAndKeywordsRoundTrip) {
    auto all = all_uids();
    EXPECT_GE(all.size(), detail::kUidSourceRows);
    EXPECT_GE(all.size(), 450u);
    EXPECT_TRUE(std::adjacent_find(all.begin(), all.end(), [](const auto& a, const auto& b) {
                    return !(a.uid < b.uid);
                }) == all.end());
    std::size_t keywords = 0;
    for (const UidInfo& u : all) {
        EXPECT_EQ(find_uid(u.uid), &u) << u.uid;
        if (u.keyword.empty()) continue;
        EXPECT_EQ(find_uid_keyword(u.keyword), &u) << u.keyword;
        ++keywords;
    }
    EXPECT_EQ(keywords, detail::kUidKeywordCount);
}

TEST(Uids, UidTablesSorted) {
    // Was a static_assert when the tables held string_views (see KeywordIndexSorted).
    const auto& kw = detail::kUidKeywords;
    for (std::size_t i = 1; i < kw.size(); ++i) EXPECT_LT(kw[i - 1].keyword.view(), kw[i].keyword.view()) << i;
    for (const auto& e : kw) EXPECT_EQ(detail::kUids[e.index].keyword.view(), e.keyword.view());
    auto storage = storage_sop_classes();
    for (std::size_t i = 1; i < storage.size(); ++i) EXPECT_LT(storage[i - 1].uid.view(), storage[i].uid.view()) << i;
}

TEST(StorageSopClasses, CtImageStorage) {
    constexpr std::string_view ct = "1.2.840.10008.5.1.4.1.1.2";
    EXPECT_TRUE(is_storage_sop_class(ct));
    EXPECT_EQ(uids::CTImageStorage, ct);
    const UidInfo* u = find_uid(ct);
    ASSERT_NE(u, nullptr);
    EXPECT_EQ(u->name, "CT Image Storage");
    EXPECT_EQ(u->kind, UidKind::SopClass);
    auto all = storage_sop_classes();
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& s) { return s.uid == ct; });
    ASSERT_NE(it, all.end());
    EXPECT_EQ(it->iod, "CT Image");
}

TEST(StorageSopClasses, NotStorage) {
    EXPECT_FALSE(is_storage_sop_class(uids::Verification));
    EXPECT_FALSE(is_storage_sop_class(uids::ExplicitVRLittleEndian));
    EXPECT_FALSE(is_storage_sop_class(""));
    EXPECT_FALSE(is_storage_sop_class("1.2.840.10008.5.1.4.1.1"));  // a prefix of every one
    EXPECT_FALSE(is_storage_sop_class("1.2.840.10008.5.1.4.1.1.2.9"));
}

TEST(StorageSopClasses, AllAreKnownSopClasses) {
    auto all = storage_sop_classes();
    EXPECT_EQ(all.size(), detail::kStorageSopClassCount);
    EXPECT_GE(all.size(), 150u);
    for (const StorageSopClass& s : all) {
        EXPECT_TRUE(is_storage_sop_class(s.uid)) << s.uid;
        EXPECT_FALSE(s.iod.empty()) << s.uid;
        const UidInfo* u = find_uid(s.uid);
        ASSERT_NE(u, nullptr) << s.uid;
        EXPECT_EQ(u->kind, UidKind::SopClass) << s.uid;
        EXPECT_EQ(u->name, s.name) << s.uid;
    }
}

}  // namespace
}  // namespace dicomkit::dict
