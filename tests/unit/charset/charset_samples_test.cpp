// Values from the charset sample files (pydicom's chr*.dcm, see MANIFEST.tsv of the shared data):
// the raw bytes as stored, and the text pydicom decodes them to, checked against the standard.
// Bytes include the padding SPACE where the file has one; decode keeps it.
#include "charset_test_util.hpp"

namespace dicomkit::test {
namespace {

struct Sample {
    const char* charset;
    VR vr;
    std::string raw;
    std::string text;
};

/// Decodes to the expected text; encoding that text gives bytes that decode to it again, and,
/// when `exact`, are the stored bytes (less a trailing padding SPACE).
void check(const Sample& s, bool exact) {
    const auto cs = charset(s.charset);
    EXPECT_EQ(decoded(cs, s.raw, s.vr), s.text);
    const std::string bytes = encoded(cs, s.text, s.vr);
    EXPECT_EQ(decoded(cs, bytes, s.vr), s.text);
    if (exact) {
        std::string stored = s.raw;
        if (stored.size() > bytes.size() && stored.back() == ' ') stored.pop_back();
        EXPECT_EQ(bytes, stored);
    }
}

TEST(CharsetSamples, ChrArab) {
    check({"ISO_IR 127", VR::PN, hex("e2 c8 c7 e6 ea 5e e4 e6 d2 c7 d1 20"), "قباني^لنزار "}, true);
}

TEST(CharsetSamples, ChrFren) {
    check({"ISO_IR 100", VR::PN, hex("42 75 63 5e 4a e9 72 f4 6d 65"), "Buc^Jérôme"}, true);
}

TEST(CharsetSamples, ChrFrenMultiValued) {
    check({"ISO_IR 100", VR::PN,
           hex("42 75 63 5e 4a e9 72 f4 6d 65 5c 42 75 63 5e 4a e9 72 f4 6d 65 20"),
           "Buc^Jérôme\\Buc^Jérôme "},
          true);
}

TEST(CharsetSamples, ChrGerm) {
    check(
        {"ISO_IR 100", VR::PN, hex("c4 6e 65 61 73 5e 52 fc 64 69 67 65 72 20"), "Äneas^Rüdiger "},
        true);
}

TEST(CharsetSamples, ChrGreek) {
    check({"ISO_IR 126", VR::PN, hex("c4 e9 ef ed f5 f3 e9 ef f2 20"), "Διονυσιος "}, true);
}

TEST(CharsetSamples, ChrH31) {
    check(
        {"\\ISO 2022 IR 87", VR::PN,
         hex("59 61 6d 61 64 61 5e 54 61 72 6f 75 3d 1b 24 42 3b 33 45 44 1b 28 42 5e 1b 24 42 42 "
             "40 4f 3a 1b 28 42 3d 1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 "
             "26 "
             "1b 28 42"),
         "Yamada^Tarou=山田^太郎=やまだ^たろう"},
        true);
}

TEST(CharsetSamples, ChrH32) {
    check({"ISO 2022 IR 13\\ISO 2022 IR 87", VR::PN,
           hex("d4 cf c0 de 5e c0 db b3 3d 1b 24 42 3b 33 45 44 1b 28 4a 5e 1b 24 42 42 40 4f 3a "
               "1b 28 "
               "4a 3d 1b 24 42 24 64 24 5e 24 40 1b 28 4a 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 4a"),
           "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"},
          true);
}

TEST(CharsetSamples, ChrHbrw) {
    check({"ISO_IR 138", VR::PN, hex("f9 f8 e5 ef 5e e3 e1 e5 f8 e4"), "שרון^דבורה"}, true);
}

TEST(CharsetSamples, ChrI2) {
    check({"\\ISO 2022 IR 149", VR::PN,
           hex("48 6f 6e 67 5e 47 69 6c 64 6f 6e 67 3d 1b 24 29 43 fb f3 5e 1b 24 29 43 d1 ce d4 "
               "d7 3d "
               "1b 24 29 43 c8 ab 5e 1b 24 29 43 b1 e6 b5 bf"),
           "Hong^Gildong=洪^吉洞=홍^길동"},
          true);
}

const std::string kJapName =
    "1b 24 42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42";

void check_japanese_multi(const char* term) {
    SCOPED_TRACE(term);
    check({term, VR::PN, hex(kJapName + " 20"), "やまだ^たろう "}, true);
    // (0010,1001) Other Patient Names: two values; the designation ends at '\' as well.
    check(
        {term, VR::PN, hex(kJapName + " 5c " + kJapName + " 20"), "やまだ^たろう\\やまだ^たろう "},
        true);
    // (0010,21B0) Additional Patient History, LT.
    check({term, VR::LT, hex("1b 24 42 24 3f 24 6d 24 26 1b 28 42"), "たろう"}, true);
}

TEST(CharsetSamples, ChrJapMulti) { check_japanese_multi("\\ISO 2022 IR 87"); }

TEST(CharsetSamples, ChrJapMultiExplicitIR6) {
    check_japanese_multi("ISO 2022 IR 6\\ISO 2022 IR 87");
}

TEST(CharsetSamples, ChrKoreanMulti) {
    // The file returns G0 to ISO-IR 6 needlessly before the end; the encoder does not.
    const std::string name = "1b 24 29 43 b1 e8 c8 f1 c1 df 1b 28 42";
    check({"\\ISO 2022 IR 149", VR::PN, hex(name + " 20"), "김희중 "}, false);
    check({"\\ISO 2022 IR 149", VR::PN, hex(name + " 5c " + name + " 20"), "김희중\\김희중 "},
          false);
    check({"\\ISO 2022 IR 149", VR::LT, hex(name + " 20"), "김희중 "}, false);
    EXPECT_EQ(encoded(charset("\\ISO 2022 IR 149"), "김희중", VR::PN),
              hex("1b 24 29 43 b1 e8 c8 f1 c1 df"));
}

TEST(CharsetSamples, ChrRuss) {
    // The file's name mixes Cyrillic and Latin letters (c, e, y, p are ASCII bytes).
    check({"ISO_IR 144", VR::PN, hex("bb ee da 63 65 dc d1 79 70 d3"), "Люкceмбypг"}, true);
}

const std::string kSqItemName =
    "d4 cf c0 de 5e c0 db b3 3d 1b 24 42 3b 33 45 44 1b 28 42 5e 1b 24 42 42 40 4f 3a 1b 28 42 3d "
    "1b 24 "
    "42 24 64 24 5e 24 40 1b 28 42 5e 1b 24 42 24 3f 24 6d 24 26 1b 28 42";

TEST(CharsetSamples, ChrSQEncoding) {
    // Top level ISO_IR 192; the sequence item declares ISO 2022 IR 13\ISO 2022 IR 87 and returns
    // G0 with ESC ( B (ISO-IR 6) rather than ESC ( J, which decodes the same.
    check(
        {"ISO_IR 192", VR::PN, hex("44 6f 63 74 6f 72 5e 57 68 6f 5e 5e 4d 44"), "Doctor^Who^^MD"},
        true);
    check({"ISO 2022 IR 13\\ISO 2022 IR 87", VR::PN, hex(kSqItemName),
           "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう"},
          false);
}

TEST(CharsetSamples, ChrSQEncoding1) {
    // The item inherits ISO 2022 IR 13\ISO 2022 IR 87 from the top level.
    const auto cs = charset("ISO 2022 IR 13\\ISO 2022 IR 87");
    EXPECT_EQ(decoded(cs, hex("44 6f 63 74 6f 72 5e 57 68 6f 5e 5e 4d 44"), VR::PN),
              "Doctor^Who^^MD");
    EXPECT_EQ(decoded(cs, hex(kSqItemName), VR::PN), "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう");
}

TEST(CharsetSamples, ChrX1) {
    check({"ISO_IR 192", VR::PN,
           hex("57 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d e7 8e 8b 5e e5 b0 8f e6 9d b1 3d 20"),
           "Wang^XiaoDong=王^小東= "},
          true);
}

TEST(CharsetSamples, ChrX2) {
    check({"GB18030", VR::PN,
           hex("57 61 6e 67 5e 58 69 61 6f 44 6f 6e 67 3d cd f5 5e d0 a1 b6 ab 3d"),
           "Wang^XiaoDong=王^小东="},
          true);
}

TEST(CharsetSamples, EmptyCharsetIsTheDefaultRepertoire) {
    // empty_charset_LEI.dcm: (0008,0005) present with an empty value.
    const auto cs = charset("");
    EXPECT_TRUE(cs.terms().empty());
    EXPECT_EQ(decoded(cs, "Doe^John", VR::PN), "Doe^John");
}

}  // namespace
}  // namespace dicomkit::test
