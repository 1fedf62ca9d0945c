// DS, IS and AS values (PS3.5 6.2), with randomised round-trip checks for DS.
#include <dicomkit/core/values.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "test_util.hpp"

using namespace dicomkit;

TEST(DecimalString, Grammar) {
    struct Case {
        const char* text;
        double value;
    };
    for (auto [text, value] :
         {Case{"0", 0.0}, Case{"1", 1.0}, Case{"-1.5", -1.5}, Case{"+2.25", 2.25}, Case{"1.", 1.0},
          Case{".5", 0.5}, Case{"-.5", -0.5}, Case{"1e3", 1000.0}, Case{"1E3", 1000.0},
          Case{"2.5e-3", 0.0025}, Case{"-2.5E+2", -250.0}, Case{" 3.75", 3.75}, Case{"3.75 ", 3.75},
          Case{"  42  ", 42.0}, Case{"007", 7.0}, Case{"1234567890123456", 1234567890123456.0}}) {
        auto v = parse_decimal_string(text);
        ASSERT_TRUE(v) << text << ": " << v.error().to_string();
        EXPECT_DOUBLE_EQ(*v, value) << text;
    }
    EXPECT_TRUE(std::signbit(*parse_decimal_string("-0")));
}

TEST(DecimalString, Malformed) {
    for (const char* text : {"",    "   ",   ".",   "+",         "-",     "e5",  ".e5", "1e",
                             "1e+", "1.2.3", "1,5", "1 5",       "1e5.0", "--1", "+-1", "0x10",
                             "nan", "NaN",   "inf", "-Infinity", "1d5",   "12a", "1\\2"}) {
        EXPECT_ERROR(parse_decimal_string(text), ErrorCode::InvalidValue);
    }
}

TEST(DecimalString, LengthLimit) {
    EXPECT_TRUE(parse_decimal_string("-1.2345678901234"));    // 16 characters
    EXPECT_TRUE(parse_decimal_string("-1.2345678901234  "));  // trailing padding not counted
    EXPECT_ERROR(parse_decimal_string("-1.23456789012345"), ErrorCode::InvalidValue);  // 17
    EXPECT_ERROR(parse_decimal_string(" -1.2345678901234"), ErrorCode::InvalidValue);  // 17
    auto v = parse_decimal_string("-1.23456789012345", true);
    ASSERT_TRUE(v);
    EXPECT_DOUBLE_EQ(*v, -1.23456789012345);
    EXPECT_ERROR(parse_decimal_string("1.2.3", true), ErrorCode::InvalidValue);
}

TEST(DecimalString, OutOfDoubleRange) {
    EXPECT_ERROR(parse_decimal_string("1e999"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_decimal_string("-1e309"), ErrorCode::InvalidValue);
    EXPECT_EQ(*parse_decimal_string("1e-999"), 0.0);
    EXPECT_TRUE(std::signbit(*parse_decimal_string("-1e-999")));
    EXPECT_EQ(*parse_decimal_string("0.001e-400"), 0.0);
    EXPECT_GT(*parse_decimal_string("5e-324"), 0.0);  // the smallest subnormal
}

TEST(DecimalString, FormatExamples) {
    EXPECT_EQ(*format_decimal_string(0.0), "0");
    EXPECT_EQ(*format_decimal_string(-0.0), "-0");
    EXPECT_EQ(*format_decimal_string(1.0), "1");
    EXPECT_EQ(*format_decimal_string(-2.5), "-2.5");
    EXPECT_EQ(*format_decimal_string(0.1), "0.1");
    EXPECT_EQ(*format_decimal_string(1e20), "1e20");
    EXPECT_EQ(*format_decimal_string(1e-5), "1e-5");
    EXPECT_EQ(*format_decimal_string(-1.5e-300), "-1.5e-300");
    EXPECT_EQ(*format_decimal_string(123456789.0), "123456789");
    EXPECT_EQ(*format_decimal_string(3.141592653589793), "3.14159265358979");
    EXPECT_EQ(*format_decimal_string(-3.141592653589793), "-3.1415926535898");
    EXPECT_EQ(*format_decimal_string(1.0 / 3.0), "0.33333333333333");
    EXPECT_EQ(*format_decimal_string(1e-5 / 3.0), "3.33333333333e-6");
    // "1.797693135e308" would fit but reads back as out of range: rounded down instead.
    EXPECT_EQ(*format_decimal_string(std::numeric_limits<double>::max()), "1.79769313e308");
    EXPECT_EQ(*format_decimal_string(-std::numeric_limits<double>::max()), "-1.79769313e308");
}

TEST(DecimalString, FormatRefusesNonFinite) {
    EXPECT_ERROR(format_decimal_string(std::numeric_limits<double>::quiet_NaN()),
                 ErrorCode::InvalidArgument);
    EXPECT_ERROR(format_decimal_string(std::numeric_limits<double>::infinity()),
                 ErrorCode::InvalidArgument);
    EXPECT_ERROR(format_decimal_string(-std::numeric_limits<double>::infinity()),
                 ErrorCode::InvalidArgument);
}

namespace {

/// Formats `v`, checks the text is a valid DS of at most 16 characters and returns its value.
double format_and_read_back(double v) {
    auto text = format_decimal_string(v);
    EXPECT_TRUE(text) << v;
    if (!text) return std::numeric_limits<double>::quiet_NaN();
    EXPECT_LE(text->size(), 16u) << *text;
    auto back = parse_decimal_string(*text);
    EXPECT_TRUE(back) << *text;
    return back ? *back : std::numeric_limits<double>::quiet_NaN();
}

double relative_error(double a, double b) { return a == b ? 0.0 : std::fabs(a - b) / std::fabs(b); }

}  // namespace

// Within 1e-9 .. 1e16 in magnitude, 16 characters always hold at least 11 significant digits.
TEST(DecimalString, PropertyRoundTripWithinTenDigits) {
    std::mt19937_64 rng(20240229);
    std::uniform_real_distribution<double> exponent(-9.0, 16.0);
    std::uniform_real_distribution<double> mantissa(1.0, 10.0);
    for (int i = 0; i < 20000; ++i) {
        double v = mantissa(rng) * std::pow(10.0, std::floor(exponent(rng)));
        if (i % 2) v = -v;
        const double back = format_and_read_back(v);
        ASSERT_LE(relative_error(back, v), 1e-10) << v;
    }
}

// Any finite double, from random bit patterns (subnormals included): a 16-character DS keeps
// at least 9 significant digits even for "-d.dddddddde-308".
TEST(DecimalString, PropertyRoundTripAnyFiniteDouble) {
    std::mt19937_64 rng(1993);
    int tested = 0;
    while (tested < 20000) {
        const double v = std::bit_cast<double>(rng());
        if (!std::isfinite(v)) continue;
        ++tested;
        const double back = format_and_read_back(v);
        ASSERT_LE(relative_error(back, v), 5e-9) << v;
    }
}

// Values with a short exact form come back exactly, as the shortest text.
TEST(DecimalString, PropertyShortValuesExact) {
    std::mt19937_64 rng(7);
    std::uniform_int_distribution<std::int64_t> digits(-99999999, 99999999);
    std::uniform_int_distribution<int> scale(0, 6);
    for (int i = 0; i < 20000; ++i) {
        const double v = static_cast<double>(digits(rng)) / std::pow(10.0, scale(rng));
        const double back = format_and_read_back(v);
        ASSERT_EQ(back, v) << *format_decimal_string(v);
    }
}

TEST(IntegerString, ValidAndLimits) {
    EXPECT_EQ(*parse_integer_string("0"), 0);
    EXPECT_EQ(*parse_integer_string("+12"), 12);
    EXPECT_EQ(*parse_integer_string("-12"), -12);
    EXPECT_EQ(*parse_integer_string("  42 "), 42);
    EXPECT_EQ(*parse_integer_string("2147483647"), 2147483647);
    EXPECT_EQ(*parse_integer_string("-2147483648"), -2147483648LL);
    EXPECT_EQ(*parse_integer_string("+2147483647"), 2147483647);
    EXPECT_EQ(*parse_integer_string("000000000001"), 1);  // 12 characters
    EXPECT_ERROR(parse_integer_string("2147483648"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_integer_string("-2147483649"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_integer_string("99999999999"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_integer_string("99999999999999999999999", true), ErrorCode::InvalidValue);
}

TEST(IntegerString, LengthLimit) {
    EXPECT_ERROR(parse_integer_string("0000000000001"), ErrorCode::InvalidValue);  // 13
    EXPECT_ERROR(parse_integer_string("  -2147483648"), ErrorCode::InvalidValue);  // 13
    EXPECT_EQ(*parse_integer_string("0000000000001", true), 1);
    EXPECT_EQ(*parse_integer_string("-2147483648  "), -2147483648LL);  // padding not counted
}

TEST(IntegerString, Malformed) {
    for (const char* text :
         {"", "  ", "+", "-", "1.0", "1e3", "12a", "1 2", "0x10", "--1", "+-1", "١٢"}) {
        EXPECT_ERROR(parse_integer_string(text), ErrorCode::InvalidValue);
    }
}

TEST(AgeString, Valid) {
    auto a = parse_age("018M");
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_EQ(*a, (Age{18, 'M'}));
    EXPECT_EQ(a->str(), "018M");
    EXPECT_EQ(*parse_age("000D"), (Age{0, 'D'}));
    EXPECT_EQ(*parse_age("052W"), (Age{52, 'W'}));
    EXPECT_EQ(*parse_age("999Y"), (Age{999, 'Y'}));
}

TEST(AgeString, Malformed) {
    for (const char* text :
         {"", "18M", "0018M", "018m", "018X", "01AM", "A18Y", "-18Y", "018", "018 Y", " 18Y"}) {
        EXPECT_ERROR(parse_age(text), ErrorCode::InvalidValue);
    }
}
