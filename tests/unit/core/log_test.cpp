// log::printable: values from outside cannot forge or hide in a log line.
#include <gtest/gtest.h>

#include <string>

#include <dicomkit/base/log.hpp>

using dicomkit::log::printable;

TEST(LogPrintable, KeepsPrintableAscii) { EXPECT_EQ(printable("1.2.840.10008 CT^Doe"), "1.2.840.10008 CT^Doe"); }

TEST(LogPrintable, EscapesControlAndNonAsciiBytes) {
    EXPECT_EQ(printable("1.2\nW: forged"), "1.2\\x0aW: forged");
    EXPECT_EQ(printable(std::string("a\0b\r", 4)), "a\\x00b\\x0d");
    EXPECT_EQ(printable("M\xc3\xbcller"), "M\\xc3\\xbcller");
    EXPECT_EQ(printable("a\\x0a"), "a\\\\x0a");  // a literal backslash cannot pass for an escape
}

TEST(LogPrintable, CutsLongValues) {
    const std::string out = printable(std::string(300, '1'), 10);
    EXPECT_EQ(out, "1111111111...(300 bytes)");
}
