#include "core/units.h"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe {
namespace {

TEST(UnitsTest, ParsesSizes) {
  ASSERT_OK_AND_ASSIGN(uint64_t a, ParseByteSize("128MiB"));
  EXPECT_EQ(a, 128ull << 20);
  ASSERT_OK_AND_ASSIGN(uint64_t b, ParseByteSize("1048576"));
  EXPECT_EQ(b, 1048576u);
  ASSERT_OK_AND_ASSIGN(uint64_t c, ParseByteSize("10MB"));
  EXPECT_EQ(c, 10000000u);
  EXPECT_FALSE(ParseByteSize("ten").ok());
  EXPECT_FALSE(ParseByteSize("5 parsecs").ok());
  EXPECT_FALSE(ParseByteSize("99999999999999999999").ok());
}

TEST(UnitsTest, Formats) {
  EXPECT_EQ(FormatBytes(980), "980 B");
  EXPECT_EQ(FormatBytes(3u << 20), "3.0 MiB");
  EXPECT_EQ(FormatCount(1000000), "1,000,000");
  EXPECT_EQ(FormatCount(12), "12");
}

// A counter read twice: the rate never wraps around or divides by zero.
TEST(UnitsTest, RatePerSecondGuardsItsInterval) {
  EXPECT_DOUBLE_EQ(RatePerSecond(100, 600, 2.0), 250.0);
  EXPECT_DOUBLE_EQ(RatePerSecond(100, 100, 2.0), 0.0);
  EXPECT_DOUBLE_EQ(RatePerSecond(18000, 15316, 45.0), 0.0) << "a counter that went down";
  EXPECT_DOUBLE_EQ(RatePerSecond(0, 500, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(RatePerSecond(0, 500, -1.0), 0.0);
  EXPECT_DOUBLE_EQ(RatePerSecond(0, 500, std::numeric_limits<double>::quiet_NaN()), 0.0);
  EXPECT_EQ(FormatRate(100, 600, 2.0), "250/s");
  EXPECT_EQ(FormatRate(18000, 15316, 45.0), "0/s");
  EXPECT_EQ(FormatRate(0, UINT64_MAX, 1e-300), "18,446,744,073,709,551,615/s")
      << "clamped to what a count can hold";
}

}  // namespace
}  // namespace lakepipe
