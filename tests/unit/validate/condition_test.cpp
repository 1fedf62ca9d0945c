// The condition evaluator: each term kind and each way terms combine (Or, And, Xor, Not, groups),
// on data sets built here; and a few conditions of the generated tables by name.
#include <gtest/gtest.h>

#include <vector>

#include <dicomkit/dict/tags.hpp>
#include <dicomkit/validate/condition.hpp>

namespace dicomkit::validate {
namespace {

using tables::Term;
using tables::TermKind;

constexpr std::uint32_t kModality = 0x00080060;
constexpr std::uint32_t kRows = 0x00280010;
constexpr std::uint32_t kImageType = 0x00080008;
constexpr std::uint32_t kRefSeries = 0x00081115;
constexpr std::uint32_t kSeriesUid = 0x0020000E;
constexpr std::uint32_t kFip = 0x00280009;  // Frame Increment Pointer (AT)

tables::Text text(std::string_view s) {
    const tables::Text t = tables::find_text(s);
    EXPECT_EQ(t.view(), s) << "the tables hold no \"" << s << '"';
    return t;
}

Term term(TermKind k, std::uint32_t tag, std::uint8_t op = tables::OpOr, bool neg = false) {
    return Term{k, op, static_cast<std::uint8_t>(neg), -1, 0, tag, 0, {}, 0};
}

DataSet item_with_series(const char* uid) {
    DataSet item;
    item.set_string(Tag(kSeriesUid), VR::UI, uid);
    return item;
}

struct Fixture : ::testing::Test {
    DataSet root;
    Scope scope{&root, nullptr, &root};
    void SetUp() override {
        root.set_string(Tag(kModality), VR::CS, "CT");
        root.set_string(Tag(kImageType), VR::CS, "ORIGINAL\\PRIMARY\\AXIAL");
        root.set(Element::from_number<std::uint16_t>(Tag(kRows), VR::US, 512));
        root.set(Element(Tag(kRefSeries), VR::SQ, Sequence{{item_with_series("1.2.3"), item_with_series("1.2.4")}}));
        std::vector<std::uint8_t> at = {0x08, 0x00, 0x60, 0x00};  // (0008,0060) little endian
        root.set(Element::from_bytes(Tag(kFip), VR::AT, at));
        root.set(Element(Tag(0x60000010), VR::US));  // an overlay group element, empty
    }
    bool eval(std::vector<Term> terms, const Scope* s = nullptr) { return evaluate_terms(terms, s ? *s : scope); }
};

TEST_F(Fixture, PresenceKinds) {
    EXPECT_TRUE(evaluate_term(term(TermKind::ElementPresent, kModality), scope));
    EXPECT_FALSE(evaluate_term(term(TermKind::ElementPresent, 0x00100010), scope));
    Term masked = term(TermKind::ElementPresentMasked, 0x60000010);
    masked.aux = 0xFF00FFFF;
    masked.tag = 0x60020010;
    EXPECT_TRUE(evaluate_term(masked, scope));
    EXPECT_TRUE(evaluate_term(term(TermKind::ValuePresent, kModality), scope));
    EXPECT_FALSE(evaluate_term(term(TermKind::ValuePresent, 0x60000010), scope));
    Term third = term(TermKind::ValuePresent, kImageType);
    third.selector = 2;
    EXPECT_TRUE(evaluate_term(third, scope));
    third.selector = 3;
    EXPECT_FALSE(evaluate_term(third, scope));
    EXPECT_TRUE(evaluate_term(term(TermKind::ElementPresentInRoot, kRows), scope));
    Term group = term(TermKind::GroupPresent, 0x60000000);
    group.aux = 0xFF00;
    EXPECT_TRUE(evaluate_term(group, scope));
    group.tag = 0x50000000;
    EXPECT_FALSE(evaluate_term(group, scope));
}

TEST_F(Fixture, ItemsAndPaths) {
    const DataSet& item = root.find(Tag(kRefSeries))->sequence().items[1];
    Scope child{&item, &scope, &root};
    EXPECT_TRUE(evaluate_term(term(TermKind::ElementPresentAbove, kModality), child));
    EXPECT_FALSE(evaluate_term(term(TermKind::ElementPresentAbove, kModality), scope));
    Term above = term(TermKind::StringValueMatchAbove, kModality);
    above.text = text("CT");
    EXPECT_TRUE(evaluate_term(above, child));
    Term within = term(TermKind::ElementPresentWithin, kSeriesUid);
    within.aux = kRefSeries;
    EXPECT_TRUE(evaluate_term(within, scope));
    Term within_value = term(TermKind::StringValueMatchWithin, kSeriesUid);
    within_value.aux = kRefSeries;
    within_value.text = text("1.2.4");
    EXPECT_TRUE(evaluate_term(within_value, scope));
    within_value.text = text("1.2.5");
    EXPECT_FALSE(evaluate_term(within_value, scope));
    Term path = term(TermKind::ElementPresentInPathFromRoot, kSeriesUid);
    path.aux = kRefSeries;
    EXPECT_TRUE(evaluate_term(path, child));
    Term first = term(TermKind::ElementPresentInPathFromRootFirstItem, kSeriesUid);
    first.aux = kRefSeries;
    EXPECT_TRUE(evaluate_term(first, child));
    Term seq_items = term(TermKind::SequencePresentInPathFromRootHasItems, kRefSeries);
    seq_items.aux = kRefSeries;
    EXPECT_FALSE(evaluate_term(seq_items, scope));  // no nested sequence in the items
    Term first_items = term(TermKind::SequencePresentInPathFromRootFirstItemHasItems, kRefSeries);
    first_items.aux = kRefSeries;
    EXPECT_FALSE(evaluate_term(first_items, scope));
    EXPECT_TRUE(evaluate_term(term(TermKind::SequenceHasItems, kRefSeries), scope));
    EXPECT_FALSE(evaluate_term(term(TermKind::SequenceHasOneItem, kRefSeries), scope));
    EXPECT_TRUE(evaluate_term(term(TermKind::SequenceHasTwoItems, kRefSeries), scope));
    EXPECT_TRUE(evaluate_term(term(TermKind::SequenceHasMultipleItems, kRefSeries), scope));
}

TEST_F(Fixture, ValueKinds) {
    Term s = term(TermKind::StringValueMatch, kImageType);
    s.text = text("AXIAL");
    EXPECT_TRUE(evaluate_term(s, scope));  // any value
    s.selector = 0;
    EXPECT_FALSE(evaluate_term(s, scope));
    s.selector = 2;
    EXPECT_TRUE(evaluate_term(s, scope));
    Term r = term(TermKind::StringValueMatchRoot, kModality);
    r.text = text("CT");
    EXPECT_TRUE(evaluate_term(r, scope));
    Term b = term(TermKind::BinaryValueMatch, kRows);
    b.number = 512;
    for (std::uint8_t cmp : {tables::CmpEq, tables::CmpLe, tables::CmpGe}) {
        b.cmp = cmp;
        EXPECT_TRUE(evaluate_term(b, scope)) << int(cmp);
    }
    for (std::uint8_t cmp : {tables::CmpNe, tables::CmpLt, tables::CmpGt}) {
        b.cmp = cmp;
        EXPECT_FALSE(evaluate_term(b, scope)) << int(cmp);
    }
    b.kind = TermKind::BinaryValueMatchRoot;
    b.cmp = tables::CmpGt;
    b.number = 256;
    EXPECT_TRUE(evaluate_term(b, scope));
    Term t = term(TermKind::TagValueMatch, kFip);
    t.aux = kModality;
    EXPECT_TRUE(evaluate_term(t, scope));
    t.kind = TermKind::TagValueMatchRoot;
    t.aux = kRows;
    EXPECT_FALSE(evaluate_term(t, scope));
}

TEST_F(Fixture, Operators) {
    auto yes = [] { return term(TermKind::ElementPresent, kModality); };
    auto no = [] { return term(TermKind::ElementPresent, 0x00100010); };
    auto with = [](Term t, std::uint8_t op, bool neg = false) {
        t.op = op;
        t.negate = neg;
        return t;
    };
    EXPECT_FALSE(eval({}));
    EXPECT_TRUE(eval({no(), yes()}));                           // Or by default
    EXPECT_FALSE(eval({yes(), with(no(), tables::OpAnd)}));     // And
    EXPECT_TRUE(eval({yes(), with(no(), tables::OpAnd, true)}));  // And Not
    EXPECT_FALSE(eval({yes(), with(yes(), tables::OpXor)}));    // Xor
    EXPECT_TRUE(eval({no(), with(yes(), tables::OpXor)}));
    EXPECT_TRUE(eval({with(no(), tables::OpOr, true)}));        // Not
    // yes And (no Or no) -> false; yes And Not (no Or no) -> true
    Term open{TermKind::Open, 0, 0, 0, 0, 0, 0, {}, 0};
    Term close_and{TermKind::Close, tables::OpAnd, 0, 0, 0, 0, 0, {}, 0};
    Term close_and_not{TermKind::Close, tables::OpAnd, 1, 0, 0, 0, 0, {}, 0};
    EXPECT_FALSE(eval({yes(), open, no(), no(), close_and}));
    EXPECT_TRUE(eval({yes(), open, no(), no(), close_and_not}));
    Term close_or{TermKind::Close, tables::OpOr, 0, 0, 0, 0, 0, {}, 0};
    EXPECT_TRUE(eval({no(), open, no(), yes(), close_or}));
}

TEST_F(Fixture, GeneratedConditionsByName) {
    EXPECT_EQ(find_condition("NoSuchCondition"), tables::kNoCondition);
    EXPECT_FALSE(evaluate_condition(tables::kNever, scope));
    EXPECT_TRUE(evaluate_condition(tables::kAlways, scope));
    std::uint16_t ct = find_condition("CTImageInstance");
    ASSERT_NE(ct, tables::kNoCondition);
    EXPECT_FALSE(evaluate_condition(ct, scope));
    root.set_string(Tag(0x00080016), VR::UI, "1.2.840.10008.5.1.4.1.1.2");
    EXPECT_TRUE(evaluate_condition(ct, scope));
    std::uint16_t frames = find_condition("NumberOfFramesIsAbsentOrOne");
    ASSERT_NE(frames, tables::kNoCondition);
    EXPECT_TRUE(evaluate_condition(frames, scope));
    root.set_string(Tag(0x00280008), VR::IS, "3");
    EXPECT_FALSE(evaluate_condition(frames, scope));
    root.set_string(Tag(0x00280008), VR::IS, "1");
    EXPECT_TRUE(evaluate_condition(frames, scope));
}

}  // namespace
}  // namespace dicomkit::validate
