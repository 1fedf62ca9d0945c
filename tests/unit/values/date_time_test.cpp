// DA, TM and DT parsing and formatting (PS3.5 6.2).
#include <dicomkit/core/values.hpp>

#include <gtest/gtest.h>

#include "test_util.hpp"

using namespace dicomkit;

TEST(Date, ParsesAndWritesBack) {
    auto d = parse_date("19930822");
    ASSERT_TRUE(d) << d.error().to_string();
    EXPECT_EQ(*d, (Date{1993, 8, 22}));
    EXPECT_EQ(d->str(), "19930822");
    EXPECT_EQ(parse_date("20240101 ")->str(), "20240101");  // trailing padding
    EXPECT_EQ(Date({2020, 3, 0}).str(), "202003");
    EXPECT_EQ(Date({2020, 0, 0}).str(), "2020");
}

TEST(Date, LeapYears) {
    EXPECT_TRUE(parse_date("20240229"));
    EXPECT_TRUE(parse_date("20000229"));                            // divisible by 400
    EXPECT_ERROR(parse_date("19000229"), ErrorCode::InvalidValue);  // divisible by 100 only
    EXPECT_ERROR(parse_date("20230229"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date("20240230"), ErrorCode::InvalidValue);
    EXPECT_TRUE(is_leap_year(2024));
    EXPECT_FALSE(is_leap_year(2100));
    EXPECT_EQ(days_in_month(2023, 2), 28);
    EXPECT_EQ(days_in_month(2023, 13), 0);
}

TEST(Date, MonthAndDayBounds) {
    EXPECT_TRUE(parse_date("20231231"));
    EXPECT_TRUE(parse_date("20230101"));
    EXPECT_TRUE(parse_date("20230430"));
    EXPECT_ERROR(parse_date("20230431"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date("20231301"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date("20230001"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date("20230100"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date("20230132"), ErrorCode::InvalidValue);
}

TEST(Date, Malformed) {
    EXPECT_ERROR(parse_date(""), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date("        "), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date("2023011"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date("202301011"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date("2023O101"), ErrorCode::InvalidValue);  // letter O
    EXPECT_ERROR(parse_date("2023"), ErrorCode::InvalidValue);      // partial: queries only
    EXPECT_ERROR(parse_date("+2023010"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date(" 20230101"), ErrorCode::InvalidValue);   // leading space
    EXPECT_ERROR(parse_date("2023.01.01"), ErrorCode::InvalidValue);  // ACR-NEMA, strict
}

TEST(Date, LenientAcrNema) {
    auto d = parse_date("2023.01.15", true);
    ASSERT_TRUE(d) << d.error().to_string();
    EXPECT_EQ(*d, (Date{2023, 1, 15}));
    EXPECT_EQ(d->str(), "20230115");
    EXPECT_TRUE(parse_date(" 20230115", true));
    EXPECT_ERROR(parse_date("2023.02.30", true), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date("2023-01-15", true), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date("2023.1.15", true), ErrorCode::InvalidValue);
}

TEST(Time, Forms) {
    auto t = parse_time("07");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->hour, 7);
    EXPECT_FALSE(t->minute);
    EXPECT_EQ(t->str(), "07");

    t = parse_time("1010");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->minute, 10);
    EXPECT_FALSE(t->second);
    EXPECT_EQ(t->str(), "1010");

    t = parse_time("070907.0705");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->hour, 7);
    EXPECT_EQ(t->minute, 9);
    EXPECT_EQ(t->second, 7);
    EXPECT_EQ(t->microsecond, 70500);
    EXPECT_EQ(t->fraction_digits, 4);
    EXPECT_EQ(t->str(), "070907.0705");
}

TEST(Time, FractionDigitsWriteBackAsRead) {
    for (const char* text : {"120000.0", "120000.00", "120000.000000", "235959.999999",
                             "000000.000001", "123456.5", "1234", "00"}) {
        auto t = parse_time(text);
        ASSERT_TRUE(t) << text;
        EXPECT_EQ(t->str(), text);
    }
    EXPECT_EQ(parse_time("120000.5")->microsecond, 500000);
    EXPECT_EQ(parse_time("120000.000001")->microsecond, 1);
    // A fraction set without a digit count is written with all six digits.
    Time t{12, 0, 0, 250000, 0};
    EXPECT_EQ(t.str(), "120000.250000");
}

TEST(Time, Bounds) {
    EXPECT_TRUE(parse_time("000000"));
    EXPECT_TRUE(parse_time("235959"));
    EXPECT_EQ(parse_time("235960")->second, 60);  // leap second
    EXPECT_ERROR(parse_time("240000"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("24"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("2360"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("235961"), ErrorCode::InvalidValue);
}

TEST(Time, Malformed) {
    EXPECT_ERROR(parse_time(""), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("021"), ErrorCode::InvalidValue);  // PS3.5's own invalid example
    EXPECT_ERROR(parse_time("1"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("1234567"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("12a0"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("1200.5"), ErrorCode::InvalidValue);  // fraction needs seconds
    EXPECT_ERROR(parse_time("120000."), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("120000.1234567"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("120000.12a"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("12:00:00"), ErrorCode::InvalidValue);  // ACR-NEMA, strict
    EXPECT_ERROR(parse_time(" 120000"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("-12"), ErrorCode::InvalidValue);
}

TEST(Time, TrailingSpacesTrimmed) {
    auto t = parse_time("1230    ");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->str(), "1230");
}

TEST(Time, LenientAcrNema) {
    auto t = parse_time("12:34:56", true);
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(t->str(), "123456");
    t = parse_time("12:34:56.25", true);
    ASSERT_TRUE(t) << t.error().to_string();
    EXPECT_EQ(t->microsecond, 250000);
    EXPECT_EQ(t->str(), "123456.25");
    EXPECT_EQ(parse_time("08:15", true)->str(), "0815");
    EXPECT_TRUE(parse_time("081500", true));  // the standard form stays valid
    EXPECT_ERROR(parse_time("12:34:", true), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("12:3", true), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("12:34:56:78", true), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("1234:56", true), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("12:34.5", true), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time("25:00:00", true), ErrorCode::InvalidValue);
}

TEST(DateTime, FullValueWithOffset) {
    auto dt = parse_datetime("20240229123456.123456+0530");
    ASSERT_TRUE(dt) << dt.error().to_string();
    EXPECT_EQ(dt->date, (Date{2024, 2, 29}));
    ASSERT_TRUE(dt->time);
    EXPECT_EQ(dt->time->microsecond, 123456);
    EXPECT_EQ(dt->utc_offset_minutes, 330);
    EXPECT_EQ(dt->str(), "20240229123456.123456+0530");
}

TEST(DateTime, PartialValues) {
    for (const char* text :
         {"2024", "202402", "20240229", "2024022913", "202402291305", "20240229130559",
          "20240229130559.1", "2024-0500", "202402+1400", "20240229235960+0000"}) {
        auto dt = parse_datetime(text);
        ASSERT_TRUE(dt) << text << ": " << dt.error().to_string();
        EXPECT_EQ(dt->str(), text);
    }
    auto dt = parse_datetime("2024");
    EXPECT_EQ(dt->date, (Date{2024, 0, 0}));
    EXPECT_FALSE(dt->time);
    EXPECT_FALSE(dt->utc_offset_minutes);
    EXPECT_EQ(parse_datetime("2024-0500")->utc_offset_minutes, -300);
}

TEST(DateTime, OffsetRange) {
    EXPECT_EQ(parse_datetime("20240101-1200")->utc_offset_minutes, -720);
    EXPECT_EQ(parse_datetime("20240101+1400")->utc_offset_minutes, 840);
    EXPECT_EQ(parse_datetime("20240101+0545")->utc_offset_minutes, 345);
    EXPECT_ERROR(parse_datetime("20240101-1201"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("20240101+1401"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("20240101+0160"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("20240101-0000"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("20240101+500"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("20240101+05000"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("20240101+05:00"), ErrorCode::InvalidValue);
}

TEST(DateTime, Malformed) {
    EXPECT_ERROR(parse_datetime(""), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("202"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("20241"), ErrorCode::InvalidValue);  // odd length
    EXPECT_ERROR(parse_datetime("20241301"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("20230229"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("2024010124"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("202401011260"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("2024010112.5"), ErrorCode::InvalidValue);  // fraction needs SS
    EXPECT_ERROR(parse_datetime("20240101120000."), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("20240101120000.1234567"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("2024010112000000"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("2024 0101"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("2024x101"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("+0100"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime("20240101120000.123456+0100 1"), ErrorCode::InvalidValue);
}
