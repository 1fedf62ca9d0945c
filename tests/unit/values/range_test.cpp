// Query range values for DA, TM and DT (PS3.4 C.2.2.2.5).
#include <dicomkit/core/values.hpp>

#include <gtest/gtest.h>

#include "test_util.hpp"

using namespace dicomkit;

TEST(DateRange, Forms) {
    auto r = parse_date_range("20230101-20231231");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->from, (Date{2023, 1, 1}));
    EXPECT_EQ(r->to, (Date{2023, 12, 31}));

    r = parse_date_range("-20231231");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->from);
    EXPECT_EQ(r->to, (Date{2023, 12, 31}));

    r = parse_date_range("20230101-");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->from, (Date{2023, 1, 1}));
    EXPECT_FALSE(r->to);

    r = parse_date_range("20230615");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->from, r->to);
    EXPECT_EQ(r->from, (Date{2023, 6, 15}));

    r = parse_date_range("20230101 - 20230201 ");  // spaces around the ends
    ASSERT_TRUE(r);
    EXPECT_EQ(r->to, (Date{2023, 2, 1}));
}

TEST(DateRange, QueryPartials) {
    auto r = parse_date_range("2023-202406");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->from, (Date{2023, 0, 0}));
    EXPECT_EQ(r->to, (Date{2024, 6, 0}));
    // Equal on the components both ends have: not reversed.
    EXPECT_TRUE(parse_date_range("20230615-2023"));
    EXPECT_TRUE(parse_date_range("202306-20230601"));
}

TEST(DateRange, Malformed) {
    EXPECT_ERROR(parse_date_range(""), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date_range("-"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date_range("20230101-20230102-20230103"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date_range("20231231-20230101"), ErrorCode::InvalidValue);  // reversed
    EXPECT_ERROR(parse_date_range("2024-2023"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date_range("20230230-"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date_range("-2023123"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date_range("20230101-2023x"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_date_range("202313-"), ErrorCode::InvalidValue);
}

TEST(TimeRange, Forms) {
    EXPECT_ERROR(parse_time_range("0800-1730.5"), ErrorCode::InvalidValue);  // needs HHMMSS
    auto r = parse_time_range("0800-173000.5");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->from->hour, 8);
    EXPECT_EQ(r->to->str(), "173000.5");

    r = parse_time_range("-12");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->from);
    EXPECT_EQ(r->to->hour, 12);

    r = parse_time_range("2359-");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->from->minute, 59);
    EXPECT_FALSE(r->to);

    r = parse_time_range("101010");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->from, r->to);
}

TEST(TimeRange, Malformed) {
    EXPECT_ERROR(parse_time_range(""), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time_range("-"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time_range("2200-0200"), ErrorCode::InvalidValue);  // crosses midnight
    EXPECT_ERROR(parse_time_range("120001-120000"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time_range("2400-"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time_range("10-11-12"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_time_range("10:00-11:00"), ErrorCode::InvalidValue);
    EXPECT_TRUE(parse_time_range("12-1259"));  // same hour: not reversed
}

TEST(DateTimeRange, Forms) {
    auto r = parse_datetime_range("20230101-20231231235959");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->from->str(), "20230101");
    EXPECT_EQ(r->to->str(), "20231231235959");

    r = parse_datetime_range("-2023");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->from);
    EXPECT_EQ(r->to->date.year, 2023);

    r = parse_datetime_range("2023-");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->from->date.year, 2023);
    EXPECT_FALSE(r->to);

    r = parse_datetime_range("2022-2023");  // "-2023" is no offset (hours over 14)
    ASSERT_TRUE(r);
    EXPECT_EQ(r->from->date.year, 2022);
    EXPECT_EQ(r->to->date.year, 2023);
}

TEST(DateTimeRange, DashAsOffsetSign) {
    // A single value whose offset is negative.
    auto r = parse_datetime_range("20230101120000-0500");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->from, r->to);
    EXPECT_EQ(r->from->utc_offset_minutes, -300);

    r = parse_datetime_range("20230101-0500-20230102-0500");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->from->str(), "20230101-0500");
    EXPECT_EQ(r->to->str(), "20230102-0500");

    r = parse_datetime_range("-20230102-0500");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_FALSE(r->from);
    EXPECT_EQ(r->to->utc_offset_minutes, -300);

    r = parse_datetime_range("20230101+0100-");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->from->utc_offset_minutes, 60);
    EXPECT_FALSE(r->to);
}

TEST(DateTimeRange, Malformed) {
    EXPECT_ERROR(parse_datetime_range(""), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime_range("-"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime_range("20231301-"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime_range("2023-20241"), ErrorCode::InvalidValue);
    EXPECT_ERROR(parse_datetime_range("abc-def"), ErrorCode::InvalidValue);
    // Two valid readings: 1000..(0100 with offset -0200) or (1000 with offset -0100)..0200.
    EXPECT_ERROR(parse_datetime_range("1000-0100-0200"), ErrorCode::InvalidValue);
}
