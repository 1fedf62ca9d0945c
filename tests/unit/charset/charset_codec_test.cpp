// The code sets one by one and the ISO 2022 rules around them: which delimiters end a
// designation for which VR (PS3.5 6.1.2.5.3), switching among several single-byte sets, JIS X
// 0212, and a round trip through every character of every single-byte set.
#include "charset_test_util.hpp"

namespace dicomkit::test {
namespace {

TEST(CharsetCodec, SingleByteSets) {
    struct Case {
        const char* term;
        std::string raw;
        const char* text;
    };
    // ISO_IR 127 (Arabic) is checked below with escapes: its letters join in an editor.
    const Case cases[] = {
        {"ISO_IR 100", "\xC4\xE9\xFF", "Äéÿ"},
        {"ISO_IR 101", "\xA3\xB1\xE8", "Łąč"},
        {"ISO_IR 109", "\xA1\xFE", "Ħŝ"},
        {"ISO_IR 110", "\xA1\xBF", "Ąŋ"},
        {"ISO_IR 144", "\xB0\xEF", "Ая"},
        {"ISO_IR 126", "\xC1\xF9", "Αω"},
        {"ISO_IR 138", "\xE0\xFA", "את"},
        {"ISO_IR 148", "\xD0\xFE", "Ğş"},
        {"ISO_IR 203", "\xA4\xBC", "€Œ"},
        {"ISO_IR 166", "\xC0\xD2\xC9\xD2\xE4\xB7\xC2", "ภาษาไทย"},
        {"ISO_IR 13", "\xB1\xB2\xB3\xDF", "ｱｲｳﾟ"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.term);
        const auto cs = charset(c.term);
        EXPECT_EQ(decoded(cs, c.raw, VR::LO), c.text);
        EXPECT_EQ(encoded(cs, c.text, VR::LO), c.raw);
    }
    const auto arabic = charset("ISO_IR 127");
    EXPECT_EQ(decoded(arabic, "\xC7\xE4", VR::LO), "\xD8\xA7\xD9\x84");  // ALEF, LAM
    EXPECT_EQ(encoded(arabic, "\xD8\xA7\xD9\x84", VR::LO), "\xC7\xE4");
}

TEST(CharsetCodec, EveryCharacterOfEverySingleByteSetRoundTrips) {
    for (const char* term :
         {"ISO_IR 100", "ISO_IR 101", "ISO_IR 109", "ISO_IR 110", "ISO_IR 144", "ISO_IR 127",
          "ISO_IR 126", "ISO_IR 138", "ISO_IR 148", "ISO_IR 203", "ISO_IR 166", "ISO_IR 13"}) {
        const auto cs = charset(term);
        int mapped = 0;
        for (int b = 0xA0; b <= 0xFF; ++b) {
            const std::string raw(1, static_cast<char>(b));
            auto text = cs.decode(raw, VR::LT);
            if (!text) continue;
            ++mapped;
            EXPECT_EQ(encoded(cs, *text, VR::LT), raw) << term << " byte " << b;
        }
        EXPECT_GE(mapped, 51) << term;  // ISO 8859-6 has the fewest: NBSP and 50 more
    }
}

TEST(CharsetCodec, DelimitersEndDesignationsAccordingToTheVR) {
    const auto cs = charset("ISO 2022 IR 100\\ISO 2022 IR 126");
    // LO: '\' separates values, so G1 is ISO-IR 100 again after it.
    EXPECT_EQ(decoded(cs, "\x1B-F\xE9\\\xE9", VR::LO), "ι\\é");
    // LT: '\' is text, the Greek designation goes on; CR LF ends it.
    EXPECT_EQ(decoded(cs, "\x1B-F\xE9\\\xE9\r\n\xE9", VR::LT), "ι\\ι\r\né");
    // PN: '^' and '=' end it as well; in LO they do not.
    EXPECT_EQ(decoded(cs, "\x1B-F\xE9^\xE9=\x1B-F\xE9=\xE9", VR::PN), "ι^é=ι=é");
    EXPECT_EQ(decoded(cs, "\x1B-F\xE9^\xE9=\xE9", VR::LO), "ι^ι=ι");
    // TAB and FF too.
    EXPECT_EQ(decoded(cs, "\x1B-F\xE9\t\xE9\x1B-F\xE9\f\xE9", VR::ST), "ι\téι\fé");
}

TEST(CharsetCodec, DelimiterBytesInsideTwoByteCharactersAreNotDelimiters) {
    // ま is 0x24 0x5E in JIS X 0208: its second byte is '^' but does not end the component.
    const auto cs = charset("\\ISO 2022 IR 87");
    EXPECT_EQ(decoded(cs, "\x1B$B$^\x1B(B^A", VR::PN), "ま^A");
    // 綾 is 0x30 0x3D ('=' second), ボ is 0x25 0x5C ('\' second).
    EXPECT_EQ(decoded(cs, "\x1B$B0=\x1B(B", VR::PN), "綾");
    EXPECT_EQ(decoded(cs, "\x1B$B%\\\x1B(B\\A", VR::PN), "ボ\\A");
    EXPECT_EQ(encoded(cs, "綾=ま", VR::PN), "\x1B$B0=\x1B(B=\x1B$B$^\x1B(B");
}

TEST(CharsetCodec, EncoderSwitchesAmongSingleByteSetsAndReturnsToValue1) {
    const auto cs = charset("ISO 2022 IR 100\\ISO 2022 IR 126");
    // é from G1 as designated initially; ι needs ISO-IR 126; before '\' and at the end the
    // value-1 set is designated again (PS3.5 6.1.2.5.3).
    EXPECT_EQ(encoded(cs, "éι\\é", VR::LO), "\xE9\x1B-F\xE9\x1B-A\\\xE9");
    EXPECT_EQ(encoded(cs, "ιé", VR::LO), "\x1B-F\xE9\x1B-A\xE9");
    EXPECT_EQ(decoded(cs, "\xE9\x1B-F\xE9\x1B-A\\\xE9", VR::LO), "éι\\é");
}

TEST(CharsetCodec, SupplementaryKanjiOfJisX0212) {
    // 丂 (U+4E02) is JIS X 0212 0x30 0x21, designated to G0 with ESC $ ( D.
    const auto cs = charset("\\ISO 2022 IR 87\\ISO 2022 IR 159");
    const std::string raw = "\x1B$B;3\x1B$(D0!\x1B(B";
    EXPECT_EQ(decoded(cs, raw, VR::PN), "山丂");
    EXPECT_EQ(encoded(cs, "山丂", VR::PN), raw);
    EXPECT_FALSE(charset("\\ISO 2022 IR 87").encode("丂", VR::PN));
}

TEST(CharsetCodec, JapaneseHalfAndFullWidthKatakanaComeFromDifferentSets) {
    const auto cs = charset("ISO 2022 IR 13\\ISO 2022 IR 87");
    EXPECT_EQ(encoded(cs, "ｱア", VR::LO), "\xB1\x1B$B%\"\x1B(J");
    EXPECT_EQ(decoded(cs, "\xB1\x1B$B%\"\x1B(J", VR::LO), "ｱア");
}

TEST(CharsetCodec, Value1MultiByteG1SetIsDesignatedInitially) {
    // A lone "ISO 2022 IR 149": KS X 1001 is in G1 from the start (EUC-KR bytes, no escapes).
    const auto cs = charset("ISO 2022 IR 149");
    EXPECT_EQ(decoded(cs, "\xC8\xAB^\xB1\xE6\xB5\xBF", VR::PN), "홍^길동");
    EXPECT_EQ(encoded(cs, "홍^길동", VR::PN), "\xC8\xAB^\xB1\xE6\xB5\xBF");
}

TEST(CharsetCodec, SpacesAndControlsInJisMode) {
    const auto cs = charset("\\ISO 2022 IR 87");
    EXPECT_EQ(encoded(cs, "山 田\r\n山", VR::LT),
              "\x1B$B;3\x1B(B \x1B$BED\x1B(B\r\n\x1B$B;3\x1B(B");
    // A line end takes G0 back to ASCII for the decoder even without ESC ( B.
    EXPECT_EQ(decoded(cs, "\x1B$B;3\r\nA", VR::LT), "山\r\nA");
}

}  // namespace
}  // namespace dicomkit::test
