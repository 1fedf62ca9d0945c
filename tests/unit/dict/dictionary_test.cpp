// Attribute lookups: exact tags, repeating groups, generic rules, keywords, text parsing.
#include <dicomkit/dict/dictionary.hpp>
#include <dicomkit/dict/generated/tables.hpp>
#include <dicomkit/dict/tags.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

namespace dicomkit::dict {
namespace {

const AttributeInfo& must_find(Tag tag) {
    const AttributeInfo* info = find(tag);
    EXPECT_NE(info, nullptr) << tag.str();
    static const AttributeInfo none{};
    return info ? *info : none;
}

TEST(Dictionary, PatientName) {
    const AttributeInfo& a = must_find(Tag{0x0010, 0x0010});
    EXPECT_EQ(a.keyword, "PatientName");
    EXPECT_EQ(a.name, "Patient's Name");
    EXPECT_EQ(a.vr(), VR::PN);
    EXPECT_EQ(a.vr_count, 1);
    EXPECT_EQ(a.vm, "1");
    EXPECT_FALSE(a.retired);
    EXPECT_EQ(a.mask, 0xFFFFFFFFu);
    EXPECT_TRUE(a.allows(VR::PN));
    EXPECT_FALSE(a.allows(VR::LO));
}

TEST(Dictionary, PixelDataIsObOrOw) {
    const AttributeInfo& a = must_find(Tag{0x7FE0, 0x0010});
    EXPECT_EQ(a.keyword, "PixelData");
    EXPECT_EQ(a.vr_count, 2);
    EXPECT_EQ(a.vrs[0], VR::OB);
    EXPECT_EQ(a.vrs[1], VR::OW);
    EXPECT_TRUE(a.allows(VR::OW));
    EXPECT_FALSE(a.allows(VR::UN));
    EXPECT_EQ(implicit_vr(Tag{0x7FE0, 0x0010}), VR::OB);
}

TEST(Dictionary, UsOrSs) {
    const AttributeInfo& a = must_find(Tag{0x0028, 0x0106});
    EXPECT_EQ(a.keyword, "SmallestImagePixelValue");
    EXPECT_EQ(a.vr_count, 2);
    EXPECT_EQ(a.vrs[0], VR::US);
    EXPECT_EQ(a.vrs[1], VR::SS);
    EXPECT_EQ(a.vm, "1");
}

TEST(Dictionary, ThreeVrs) {
    const AttributeInfo& a = must_find(Tag{0x0028, 0x1200});
    EXPECT_EQ(a.keyword, "GrayLookupTableData");
    EXPECT_EQ(a.vr_count, 3);
    EXPECT_TRUE(a.allows(VR::US));
    EXPECT_TRUE(a.allows(VR::SS));
    EXPECT_TRUE(a.allows(VR::OW));
    EXPECT_TRUE(a.retired);
    EXPECT_EQ(a.vm, "1-n or 1");
}

TEST(Dictionary, RetiredAttribute) {
    const AttributeInfo& a = must_find(Tag{0x0008, 0x0001});
    EXPECT_EQ(a.keyword, "LengthToEnd");
    EXPECT_TRUE(a.retired);
    EXPECT_EQ(a.vr(), VR::UL);
}

TEST(Dictionary, RetiredWithoutKeywordKeepsVr) {
    const AttributeInfo& a = must_find(Tag{0x0018, 0x0061});
    EXPECT_EQ(a.keyword, "");
    EXPECT_TRUE(a.retired);
    EXPECT_EQ(a.vr(), VR::DS);
    // No VR given at all: known, but nothing to say about the encoding.
    const AttributeInfo& b = must_find(Tag{0x0028, 0x0020});
    EXPECT_EQ(b.vr_count, 0);
    EXPECT_EQ(implicit_vr(Tag{0x0028, 0x0020}), VR::UN);
}

TEST(Dictionary, CommandElements) {
    const AttributeInfo& a = must_find(Tag{0x0000, 0x0100});
    EXPECT_EQ(a.keyword, "CommandField");
    EXPECT_EQ(a.vr(), VR::US);
    EXPECT_EQ(keyword_of(Tag{0x0000, 0x0000}), "CommandGroupLength");
    EXPECT_EQ(keyword_of(Tag{0x0000, 0x0900}), "Status");
    EXPECT_EQ(implicit_vr(Tag{0x0000, 0x1000}), VR::UI);  // AffectedSOPInstanceUID
}

TEST(Dictionary, ItemsAndDelimitersHaveNoVr) {
    for (Tag t : {tags::Item, tags::ItemDelimitationItem, tags::SequenceDelimitationItem}) {
        const AttributeInfo& a = must_find(t);
        EXPECT_EQ(a.vr_count, 0) << t.str();
        EXPECT_EQ(a.vr(), VR::UN);
    }
    EXPECT_EQ(keyword_of(tags::Item), "Item");
}

TEST(Dictionary, OverlayRepeatingGroup) {
    for (std::uint16_t g : {0x6000, 0x6002, 0x601E}) {
        const AttributeInfo* a = find(Tag{g, 0x3000});
        ASSERT_NE(a, nullptr) << std::hex << g;
        EXPECT_EQ(a->keyword, "OverlayData");
        EXPECT_EQ(a->tag, (Tag{0x6000, 0x3000}));
        EXPECT_EQ(a->mask, 0xFF00FFFFu);
        EXPECT_EQ(a->vrs[0], VR::OB);
        EXPECT_TRUE(a->allows(VR::OW));
    }
    EXPECT_EQ(keyword_of(Tag{0x6004, 0x0010}), "OverlayRows");
    EXPECT_EQ(implicit_vr(Tag{0x6004, 0x0050}), VR::SS);  // OverlayOrigin
}

TEST(Dictionary, RepeatingGroupsOnlyInTheirRange) {
    // PS3.5 7.6: overlays are the even groups 6000-601E; 6020 is not one of them.
    EXPECT_EQ(find(Tag{0x6020, 0x3000}), nullptr);
    // Odd groups are private: no shadowing of the standard repeating groups.
    EXPECT_EQ(find(Tag{0x6001, 0x3000}), nullptr);
    EXPECT_EQ(implicit_vr(Tag{0x6003, 0x0010}), VR::LO);  // a private creator, not OverlayRows
}

TEST(Dictionary, CurveRepeatingGroup) {
    const AttributeInfo* a = find(Tag{0x5004, 0x0010});
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->keyword, "NumberOfPoints");
    EXPECT_TRUE(a->retired);
    EXPECT_EQ(a->vr(), VR::US);
    EXPECT_EQ(keyword_of(Tag{0x5002, 0x3000}), "CurveData");
}

TEST(Dictionary, VariablePixelData) {
    const AttributeInfo* a = find(Tag{0x7F02, 0x0010});
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->keyword, "VariablePixelData");
    EXPECT_TRUE(a->retired);
    // The exact PixelData entry wins over the 7Fxx pattern.
    EXPECT_EQ(keyword_of(Tag{0x7FE0, 0x0010}), "PixelData");
}

TEST(Dictionary, ElementRanges) {
    EXPECT_EQ(keyword_of(Tag{0x0020, 0x3105}), "SourceImageIDs");
    EXPECT_EQ(keyword_of(Tag{0x0028, 0x0410}), "RowsForNthOrderCoefficients");
    EXPECT_EQ(keyword_of(Tag{0x0028, 0x04F3}), "CoefficientCodingPointers");
    // (0028,0400) is an exact entry of its own, not an instance of (0028,04x0).
    EXPECT_EQ(keyword_of(Tag{0x0028, 0x0400}), "TransformLabel");
    EXPECT_EQ(keyword_of(Tag{0x1000, 0x0125}), "ShiftTableTriplet");
    EXPECT_EQ(keyword_of(Tag{0x1010, 0x1234}), "ZonalMap");
    const AttributeInfo* a = find(Tag{0x1000, 0x0010});
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->keyword, "EscapeTriplet");
    EXPECT_EQ(a->mask, 0xFFFF000Fu);
    // Element x digits do not carry over to other groups, private or not.
    EXPECT_EQ(find(Tag{0x1001, 0x1010}), nullptr);
    EXPECT_EQ(find(Tag{0x1002, 0x0010}), nullptr);
    EXPECT_EQ(find(Tag{0x0029, 0x3105}), nullptr);
}

TEST(Dictionary, GroupLength) {
    const AttributeInfo* a = find(Tag{0x0009, 0x0000});
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->keyword, "GenericGroupLength");
    EXPECT_EQ(a->vr(), VR::UL);
    EXPECT_EQ(implicit_vr(Tag{0x0008, 0x0000}), VR::UL);
    // A group length, not the (1000,xxx0) or (1010,xxxx) element they would match.
    EXPECT_EQ(keyword_of(Tag{0x1000, 0x0000}), "GenericGroupLength");
    EXPECT_EQ(keyword_of(Tag{0x1010, 0x0000}), "GenericGroupLength");
    // Groups with their own entry keep it.
    EXPECT_EQ(keyword_of(Tag{0x0002, 0x0000}), "FileMetaInformationGroupLength");
}

TEST(Dictionary, PrivateCreator) {
    const AttributeInfo* a = find(Tag{0x0029, 0x0010});
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->keyword, "PrivateCreator");
    EXPECT_EQ(a->vr(), VR::LO);
    EXPECT_EQ(implicit_vr(Tag{0x0029, 0x00FF}), VR::LO);
    EXPECT_EQ(implicit_vr(Tag{0x0009, 0x0010}), VR::LO);
}

TEST(Dictionary, UnknownTags) {
    EXPECT_EQ(find(Tag{0x0029, 0x1010}), nullptr);
    EXPECT_EQ(implicit_vr(Tag{0x0029, 0x1010}), VR::UN);
    EXPECT_EQ(keyword_of(Tag{0x0029, 0x1010}), "");
    // Below the private creator range and above it.
    EXPECT_EQ(find(Tag{0x0029, 0x0005}), nullptr);
    EXPECT_EQ(find(Tag{0x0029, 0x0100}), nullptr);
    // Not private: groups 1-7 and FFFF are reserved, no creator there.
    EXPECT_EQ(find(Tag{0x0003, 0x0010}), nullptr);
    EXPECT_EQ(find(Tag{0xFFFF, 0x0010}), nullptr);
    // An unassigned element in a standard group.
    EXPECT_EQ(find(Tag{0x0010, 0x0011}), nullptr);
    EXPECT_EQ(find(Tag{0xFFFF, 0xFFFF}), nullptr);
    EXPECT_EQ(implicit_vr(Tag{0x0010, 0x0011}), VR::UN);
}

TEST(Dictionary, FindKeyword) {
    const AttributeInfo* a = find_keyword("PatientID");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->tag, (Tag{0x0010, 0x0020}));
    EXPECT_EQ(find_keyword("patientid"), nullptr);  // case-sensitive
    EXPECT_EQ(find_keyword(""), nullptr);
    EXPECT_EQ(find_keyword("PatientNam"), nullptr);
    EXPECT_EQ(find_keyword("PatientNameX"), nullptr);
    EXPECT_EQ(find_keyword("GenericGroupLength"), nullptr);
    const AttributeInfo* overlay = find_keyword("OverlayData");
    ASSERT_NE(overlay, nullptr);
    EXPECT_EQ(overlay->tag, (Tag{0x6000, 0x3000}));
}

TEST(Dictionary, KeywordRoundTripOverAllEntries) {
    std::map<std::string_view, int> uses;
    for (const AttributeInfo& e : all_attributes())
        if (!e.keyword.empty()) ++uses[e.keyword];
    std::size_t checked = 0;
    for (const AttributeInfo& e : all_attributes()) {
        if (e.keyword.empty() || uses[e.keyword] != 1) continue;
        const AttributeInfo* k = find_keyword(e.keyword);
        ASSERT_NE(k, nullptr) << e.keyword;
        EXPECT_EQ(k, &e) << e.keyword;
        EXPECT_EQ(k->tag, e.tag) << e.keyword;
        if (e.mask == 0xFFFFFFFF) {
            EXPECT_EQ(find(e.tag), &e) << e.keyword;
        } else if ((e.tag.value() & 0xFFFF) != 0) {
            // The x = 0 instance of a pattern finds the pattern unless an exact entry exists.
            const AttributeInfo* f = find(e.tag);
            ASSERT_NE(f, nullptr) << e.keyword;
            EXPECT_TRUE(f == &e || f->mask == 0xFFFFFFFF) << e.keyword;
        }
        ++checked;
    }
    EXPECT_EQ(checked, detail::kAttributeKeywordCount);
    EXPECT_GE(checked, 5000u);
}

TEST(Dictionary, TableShape) {
    auto all = all_attributes();
    EXPECT_EQ(all.size(), detail::kAttributeSourceRows);
    EXPECT_GE(all.size(), 5000u);
    EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                               [](const auto& a, const auto& b) { return a.tag < b.tag; }));
    std::size_t patterns = 0;
    for (const AttributeInfo& e : all) {
        EXPECT_EQ(e.tag.value() & ~e.mask, 0u) << e.tag.str();
        EXPECT_LE(e.vr_count, 3);
        if (e.mask != 0xFFFFFFFF) ++patterns;
    }
    EXPECT_EQ(patterns, detail::kPatternCount);
    EXPECT_GE(patterns, 80u);
    // Command elements are in the same table.
    EXPECT_EQ(all.front().tag, (Tag{0x0000, 0x0000}));
}

TEST(Dictionary, KeywordIndexSorted) {
    // Was a static_assert when the tables held string_views; their strings are now offsets into
    // the table's character array, read at run time.
    const auto& index = detail::kAttributeKeywords;
    for (std::size_t i = 1; i < index.size(); ++i)
        EXPECT_LT(index[i - 1].keyword.view(), index[i].keyword.view()) << i;
    for (const auto& e : index) EXPECT_EQ(detail::kAttributes[e.index].keyword.view(), e.keyword.view());
}

TEST(Dictionary, GenericEntriesText) {
    EXPECT_EQ(find(Tag{0x0009, 0x0000})->keyword.view(), "GenericGroupLength");
    EXPECT_EQ(find(Tag{0x0009, 0x0000})->name.view(), "Group Length");
    EXPECT_EQ(find(Tag{0x0009, 0x0010})->keyword.view(), "PrivateCreator");
    EXPECT_EQ(find(Tag{0x0009, 0x0010})->name.view(), "Private Creator");
    EXPECT_EQ(find(Tag{0x0009, 0x0010})->vm.view(), "1");
}

TEST(Dictionary, TagConstants) {
    static_assert(tags::PatientName == Tag{0x0010, 0x0010});
    static_assert(tags::PixelData == Tag{0x7FE0, 0x0010});
    static_assert(tags::CommandField == Tag{0x0000, 0x0100});
    static_assert(tags::TransferSyntaxUID == Tag{0x0002, 0x0010});
    EXPECT_EQ(keyword_of(tags::StudyInstanceUID), "StudyInstanceUID");
    EXPECT_EQ(find_keyword("SOPInstanceUID")->tag, tags::SOPInstanceUID);
}

TEST(Dictionary, ParseTagOrKeyword) {
    const Tag pn{0x0010, 0x0010};
    EXPECT_EQ(parse_tag_or_keyword("PatientName"), pn);
    EXPECT_EQ(parse_tag_or_keyword("(0010,0010)"), pn);
    EXPECT_EQ(parse_tag_or_keyword("00100010"), pn);
    EXPECT_EQ(parse_tag_or_keyword("0010,0010"), pn);
    EXPECT_EQ(parse_tag_or_keyword("(7fe0,0010)"), tags::PixelData);
    EXPECT_EQ(parse_tag_or_keyword("(0029,1010)"), (Tag{0x0029, 0x1010}));  // unknown is fine
    EXPECT_EQ(parse_tag_or_keyword("CommandField"), tags::CommandField);
    EXPECT_FALSE(parse_tag_or_keyword(""));
    EXPECT_FALSE(parse_tag_or_keyword("NoSuchKeyword"));
    EXPECT_FALSE(parse_tag_or_keyword("patientname"));
    EXPECT_FALSE(parse_tag_or_keyword("0010001"));
    EXPECT_FALSE(parse_tag_or_keyword("001000100"));
    EXPECT_FALSE(parse_tag_or_keyword("(0010,001G)"));
}

}  // namespace
}  // namespace dicomkit::dict
