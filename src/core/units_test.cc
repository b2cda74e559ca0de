#include "core/units.h"

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

}  // namespace
}  // namespace lakepipe
