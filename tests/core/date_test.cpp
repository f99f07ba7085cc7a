#include "core/date.h"

#include <gtest/gtest.h>

namespace kohort {

TEST(Date, EpochAndKnownDays) {
  EXPECT_EQ(make_date(1970, 1, 1), 0);
  EXPECT_EQ(make_date(2000, 3, 1), 11017);
  EXPECT_EQ(make_date(1969, 12, 31), -1);
  EXPECT_EQ(format_date(make_date(2024, 2, 29)), "2024-02-29");
}

TEST(Date, RoundTripEveryDayOfTwoCenturies) {
  for (Date d = make_date(1900, 1, 1); d <= make_date(2100, 12, 31); ++d) {
    auto parsed = parse_date(format_date(d));
    ASSERT_TRUE(parsed.has_value()) << d;
    ASSERT_EQ(*parsed, d);
  }
}

TEST(Date, RejectsInvalidText) {
  EXPECT_FALSE(parse_date("2023-02-29").has_value());
  EXPECT_FALSE(parse_date("2023-13-01").has_value());
  EXPECT_FALSE(parse_date("2023-1-01").has_value());
  EXPECT_FALSE(parse_date("20230101").has_value());
  EXPECT_TRUE(parse_date("2000-02-29").has_value());
  EXPECT_FALSE(parse_date("1900-02-29").has_value());
}

TEST(Date, AgeInCompletedYears) {
  Date birth = make_date(1980, 6, 15);
  EXPECT_EQ(age_in_years(birth, make_date(2020, 6, 14)), 39);
  EXPECT_EQ(age_in_years(birth, make_date(2020, 6, 15)), 40);
}

}  // namespace kohort
