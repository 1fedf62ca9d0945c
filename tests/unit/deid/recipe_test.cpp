#include <gtest/gtest.h>

#include <dicomkit/deid/recipe.hpp>
#include <dicomkit/dict/tags.hpp>

using namespace dicomkit;
using namespace dicomkit::deid;

TEST(Recipe, ParsesOptionsTagsPixelsAndSafePrivate) {
    auto r = parse_recipe(R"toml(
method = "study XYZ"
[options]
retain_uids = true
retain_dates = "modified"
clean_pixel_data = true
[tags]
PatientComments = "K"
"(0008,0080)" = { action = "D", value = "SITE 7" }
"(60xx,3000)" = "K"
[patient]
prefix = "XYZ-"
digits = 6
[[clean_pixel]]
modality = "US"
rows = 480
columns = 640
regions = [[0, 0, 640, 40], [600, 440, 40, 40]]
[[safe_private]]
group = "0029"
creator = "ACME 1.0"
element = "10"
)toml",
                          "r.toml");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->options.retain_uids);
    EXPECT_EQ(r->options.dates, DateOption::Modified);
    EXPECT_TRUE(r->options.clean_pixel_data);
    ASSERT_EQ(r->tags.size(), 3u);
    EXPECT_EQ(r->method, "study XYZ");
    EXPECT_EQ(r->patient.prefix, "XYZ-");
    EXPECT_EQ(r->patient.digits, 6);
    bool saw_mask = false, saw_value = false;
    for (const TagRule& t : r->tags) {
        if (t.mask != 0xFFFFFFFFu) {
            saw_mask = true;
            EXPECT_TRUE(t.matches(Tag{0x6004, 0x3000}));
            EXPECT_FALSE(t.matches(Tag{0x6004, 0x3001}));
        }
        if (t.value) {
            saw_value = true;
            EXPECT_EQ(t.tag, tags::InstitutionName);
            EXPECT_EQ(*t.value, "SITE 7");
        }
    }
    EXPECT_TRUE(saw_mask && saw_value);
    ASSERT_EQ(r->pixel_rules.size(), 1u);
    EXPECT_EQ(r->pixel_rules[0].regions.size(), 2u);
    EXPECT_EQ(r->pixel_rules[0].regions[1].x, 600u);
    ASSERT_EQ(r->safe_private.size(), 1u);
    EXPECT_EQ(r->safe_private[0].group, 0x0029);
    EXPECT_EQ(r->safe_private[0].element, 0x10);
}

TEST(Recipe, ErrorsNameTheFileAndLine) {
    auto bad_action = parse_recipe("[tags]\n\nPatientName = \"Q\"\n", "site.toml");
    ASSERT_FALSE(bad_action);
    EXPECT_NE(bad_action.error().message.find("site.toml:3:"), std::string::npos) << bad_action.error().message;
    EXPECT_NE(bad_action.error().message.find("unknown action 'Q'"), std::string::npos);

    auto bad_tag = parse_recipe("[tags]\nNoSuchKeyword = \"X\"\n", "site.toml");
    ASSERT_FALSE(bad_tag);
    EXPECT_NE(bad_tag.error().message.find("site.toml:2:"), std::string::npos);

    auto syntax = parse_recipe("[options\n", "s.toml");
    ASSERT_FALSE(syntax);
    EXPECT_NE(syntax.error().message.find("s.toml:1:"), std::string::npos);

    auto unknown = parse_recipe("[options]\nretain_everything = true\n", "u.toml");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("retain_everything"), std::string::npos);

    auto value_not_d = parse_recipe("[tags]\nPatientName = { action = \"X\", value = \"A\" }\n", "v.toml");
    EXPECT_FALSE(value_not_d);
    auto even_group = parse_recipe("[[safe_private]]\ngroup = \"0010\"\ncreator = \"A\"\nelement = 1\n", "g.toml");
    EXPECT_FALSE(even_group);
}

TEST(Recipe, ATableHeaderWithoutAKeyIsAnErrorInEveryBuild) {
    // toml++ states "a key starts here" as an assert (an abort without NDEBUG, an assumption
    // with it); base/toml.hpp makes that inert so that its parser's error path answers.
    for (const char* text : {"[[\nmodality = \"US\"\n", "[=]\n", "[ # c\n", "[tags]\n  [\n", "[[\t]]\n", "[\r\n"}) {
        auto r = parse_recipe(text, "h.toml");
        ASSERT_FALSE(r) << text;
        EXPECT_NE(r.error().message.find("h.toml:"), std::string::npos) << r.error().message;
    }
}

TEST(PatientMap, ParsesQuotedFieldsAndRefusesBadRows) {
    auto m = parse_patient_map("original_id,new_id,new_name\r\n1000072164,P001,\"Doe^John\"\n\"a,b\",P002,\n\n",
                               "p.csv");
    ASSERT_TRUE(m) << m.error().to_string();
    ASSERT_EQ(m->size(), 2u);
    EXPECT_EQ(m->at("1000072164").id, "P001");
    EXPECT_EQ(m->at("1000072164").name, "Doe^John");
    EXPECT_EQ(m->at("a,b").name, "P002");  // empty name: the new ID

    auto header = parse_patient_map("id,new\n", "p.csv");
    ASSERT_FALSE(header);
    EXPECT_NE(header.error().message.find("p.csv:1:"), std::string::npos);
    auto dup = parse_patient_map("original_id,new_id\nA,B\nA,C\n", "p.csv");
    ASSERT_FALSE(dup);
    EXPECT_NE(dup.error().message.find("p.csv:3:"), std::string::npos);
    EXPECT_FALSE(parse_patient_map("original_id,new_id\n\"A,B\n", "p.csv"));
    EXPECT_FALSE(parse_patient_map("", "p.csv"));
    auto with_original_name = parse_patient_map("original_id,new_id,new_name,original_name\nA,B,C,D\n", "p.csv");
    ASSERT_TRUE(with_original_name);
    EXPECT_EQ(csv_field("a,\"b\""), "\"a,\"\"b\"\"\"");
}

TEST(Recipe, NonAsciiOnlyInStringsAndComments) {
    auto bare = parse_recipe("[\xEF\xB2\xBFkey]\n", "n.toml");
    ASSERT_FALSE(bare);
    EXPECT_NE(bare.error().message.find("n.toml:1:2:"), std::string::npos) << bare.error().message;
    auto text = parse_recipe("# Z\xC3\xBCrich\n[tags]\nInstitutionName = { action = \"D\", value = \"Z\xC3\xBCrich \xF0\x9F\x8F\xA5\" }\n",
                             "q.toml");
    ASSERT_TRUE(text) << text.error().message;
    ASSERT_EQ(text->tags.size(), 1u);
    EXPECT_EQ(*text->tags[0].value, "Z\xC3\xBCrich \xF0\x9F\x8F\xA5");
    EXPECT_FALSE(parse_recipe("a = 'Z\xC3\xBCrich'\n", "l.toml"));
    EXPECT_FALSE(parse_recipe("a = \"\xC3\"\n", "u.toml"));
    EXPECT_FALSE(parse_recipe("a = \"x\x01\"\n", "c.toml"));
}
