#include "core/time_util.h"

#include <ctime>
#include <random>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe {
namespace {

TEST(TimeUtilTest, CivilRoundTripAcrossEras) {
  for (int64_t d = -800000; d <= 800000; d += 97) {
    CivilDate c = CivilFromDays(d);
    ASSERT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
}

TEST(TimeUtilTest, FormatsDatesAndTimestamps) {
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatDate(20413), "2025-11-21");
  EXPECT_EQ(FormatTimestampMicros(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestampMicros(-1), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTimestampMicros(1500), "1970-01-01T00:00:00.001500Z");
  EXPECT_EQ(FormatTimestampMicros(123000), "1970-01-01T00:00:00.123Z");
  EXPECT_EQ(FormatTimestampMillis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimestampMillis(1763700000000), "2025-11-21T04:40:00Z");
}

TEST(TimeUtilTest, ExtremeValuesDoNotOverflow) {
  EXPECT_EQ(FloorMod(INT64_MIN, 86400000000LL), 71945224192LL);
  EXPECT_EQ(FloorMod(-1, 1000), 999);
  EXPECT_EQ(FloorMod(1, 1000), 1);
  EXPECT_EQ(FloorDiv(-1, 1000), -1);
  // Formatting the extremes must not overflow (checked under UBSan).
  EXPECT_FALSE(FormatTimestampMicros(INT64_MIN).empty());
  EXPECT_FALSE(FormatTimestampMicros(INT64_MAX).empty());
  EXPECT_FALSE(FormatTimestampMillis(INT64_MIN).empty());
  EXPECT_FALSE(FormatTimestampMillis(INT64_MAX).empty());
}

TEST(TimeUtilTest, ParsesIsoTimestamps) {
  ASSERT_OK_AND_ASSIGN(int64_t a, ParseTimestampMicros("2025-11-21T04:40:00Z"));
  EXPECT_EQ(a, 1763700000000000);
  ASSERT_OK_AND_ASSIGN(int64_t b, ParseTimestampMicros("2025-11-21T06:40:00.5+02:00"));
  EXPECT_EQ(b, 1763700000500000);
  ASSERT_OK_AND_ASSIGN(int64_t c, ParseTimestampMicros("1969-12-31 23:59:59.999999"));
  EXPECT_EQ(c, -1);
  ASSERT_OK_AND_ASSIGN(int64_t d, ParseTimestampMicros("2025-11-21"));
  EXPECT_EQ(d, 1763683200000000);
  ASSERT_OK_AND_ASSIGN(int64_t e, ParseTimestampMicros("2025-11-21T04:40:00.123456789Z"));
  EXPECT_EQ(e, 1763700000123456);
  for (int64_t v :
       {int64_t{-62135596800000000}, int64_t{-1}, int64_t{0}, int64_t{253402300799999999}}) {
    ASSERT_OK_AND_ASSIGN(int64_t back, ParseTimestampMicros(FormatTimestampMicros(v)));
    EXPECT_EQ(back, v);
  }
}

TEST(TimeUtilTest, FormattingAgreesWithLibc) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20000; ++i) {
    // Seconds between 1901 and 2200, where gmtime_r is exact.
    const int64_t secs = static_cast<int64_t>(rng() % 9467280000ULL) - 2145916800LL;
    const time_t t = static_cast<time_t>(secs);
    struct tm tm {};
    ASSERT_NE(gmtime_r(&t, &tm), nullptr);
    char buf[64];
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
    ASSERT_EQ(FormatTimestampMicros(secs * 1000000), buf);
    ASSERT_EQ(FormatTimestampMillis(secs * 1000), buf);
    strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
    ASSERT_EQ(FormatDate(static_cast<int32_t>(FloorDiv(secs, 86400))), buf);
  }
}

TEST(TimeUtilTest, FormatAndParseRoundTripOverTheWholeCalendar) {
  // Every 97th day of 0000..9999 at varied times; the common form parses on
  // the fast path, other spellings on the general one.
  int checked = 0;
  for (int64_t day = DaysFromCivil(0, 1, 1); day <= DaysFromCivil(9999, 12, 31); day += 97) {
    const int64_t micros =
        day * 86400000000LL + FloorMod(day, 86400) * 1000000 + FloorMod(day, 1000000);
    ASSERT_OK_AND_ASSIGN(int64_t a, ParseTimestampMicros(FormatTimestampMicros(micros)));
    ASSERT_EQ(a, micros);
    const int64_t millis = FloorDiv(micros, 1000);
    ASSERT_OK_AND_ASSIGN(int64_t b, ParseTimestampMicros(FormatTimestampMillis(millis)));
    ASSERT_EQ(b, millis * 1000);
    ASSERT_OK_AND_ASSIGN(
        int64_t c, ParseTimestampMicros(FormatDate(static_cast<int32_t>(day)) + " 23:59:59+00:00"));
    ASSERT_EQ(c, day * 86400000000LL + 86399000000LL);
    ++checked;
  }
  EXPECT_GT(checked, 37000);
  ASSERT_OK_AND_ASSIGN(int64_t v, ParseTimestampMicros("2024-02-29T12:00:00.123456789Z"));
  EXPECT_EQ(v, 1709208000123456);
  // Shapes near the common one that are invalid, or valid only for the general parser.
  EXPECT_FALSE(ParseTimestampMicros("2023-02-29T00:00:00Z").ok());
  EXPECT_FALSE(ParseTimestampMicros("2024-01-01T24:00:00Z").ok());
  EXPECT_FALSE(ParseTimestampMicros("2024-01-01T00:00:00.Z").ok());
  EXPECT_FALSE(ParseTimestampMicros("2024-1-01T00:00:00Z").ok());
  ASSERT_OK_AND_ASSIGN(int64_t leap, ParseTimestampMicros("2016-12-31T23:59:60Z"));
  EXPECT_EQ(leap, 1483228800000000);
  ASSERT_OK_AND_ASSIGN(int64_t offset, ParseTimestampMicros("2024-01-01T01:00:00+01:00"));
  EXPECT_EQ(offset, 1704067200000000);
  ASSERT_OK_AND_ASSIGN(int64_t lower, ParseTimestampMicros("2024-01-01T00:00:00z"));
  EXPECT_EQ(lower, 1704067200000000);
}

TEST(TimeUtilTest, RejectsMalformedText) {
  for (const char* bad :
       {"", "2025-13-01", "2025-02-30", "2025-11-21T25:00:00Z", "2025-11-21T04:40", "x2025-11-21",
        "2025-11-21T04:40:00Zjunk", "2025/11/21"}) {
    if (std::string_view(bad) == "2025-11-21T04:40") continue;  // minutes-only is accepted
    EXPECT_FALSE(ParseTimestampMicros(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseTimestampMicros("2025-11-21T04:40").ok());
  EXPECT_FALSE(ParseDate("2025-11-21T00:00:00Z").ok());
  EXPECT_TRUE(LooksLikeDate("2024-02-29"));
  EXPECT_FALSE(LooksLikeDate("2023-02-29"));
  EXPECT_TRUE(LooksLikeTimestamp("2024-02-29T10:00:00Z"));
  EXPECT_FALSE(LooksLikeTimestamp("2024-02-29"));
}

}  // namespace
}  // namespace lakepipe
