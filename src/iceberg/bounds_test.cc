#include "iceberg/bounds.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::iceberg {
namespace {

Field Make(Kind kind, bool nullable = false) {
  Field f;
  f.name = "c";
  f.full_kind = kind;
  f.nullable = nullable;
  SetFlatView(&f);
  return f;
}

std::string Hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(digits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(digits[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

std::string SerializedRow(const Field& field, const Column& column, size_t row = 0) {
  auto d = ReadDatum(field, column, row);
  EXPECT_OK(d);
  return d.ok() ? Hex(Serialize(*d)) : "";
}

TEST(Bounds, IntegersAreLittleEndian) {
  Field f = Make(Kind::kInt32);
  Column c = Column::ForField(f);
  c.AppendInt32(34);
  EXPECT_EQ(SerializedRow(f, c), "22000000");
  Field l = Make(Kind::kInt64);
  Column lc = Column::ForField(l);
  lc.AppendInt64(-2);
  EXPECT_EQ(SerializedRow(l, lc), "feffffffffffffff");
}

TEST(Bounds, DateIsFourBytesAndTimestampsAreMicros) {
  Field d = Make(Kind::kDate);
  Column dc = Column::ForField(d);
  dc.AppendInt32(17486);
  EXPECT_EQ(SerializedRow(d, dc), "4e440000");
  Field ts = Make(Kind::kTimestamp);
  ts.unit = TimeUnit::kMillis;
  Column tc = Column::ForField(ts);
  tc.AppendInt64(1);
  EXPECT_EQ(SerializedRow(ts, tc), "e803000000000000");
  Field t = Make(Kind::kTimeMillis);
  Column ttc = Column::ForField(t);
  ttc.AppendInt32(2);
  EXPECT_EQ(SerializedRow(t, ttc), "d007000000000000");
}

TEST(Bounds, UuidTextBecomesSixteenBigEndianBytes) {
  Field u = Make(Kind::kUuid);
  u.base = Kind::kString;
  SetFlatView(&u);
  Column c = Column::ForField(u);
  c.AppendBytes("f79c3e09-677c-4bbd-a479-3f349cb785e7");
  c.AppendBytes("not-a-uuid");
  EXPECT_EQ(SerializedRow(u, c), "f79c3e09677c4bbda4793f349cb785e7");
  EXPECT_FALSE(ReadDatum(u, c, 1).ok());
}

TEST(Bounds, DecimalsAreMinimalBigEndian) {
  Field d = Make(Kind::kDecimal);
  d.precision = 9;
  d.scale = 2;
  d.base = Kind::kInt32;
  SetFlatView(&d);
  Column c = Column::ForField(d);
  c.AppendInt32(1420);
  c.AppendInt32(-1);
  c.AppendInt32(128);
  EXPECT_EQ(SerializedRow(d, c, 0), "058c");
  EXPECT_EQ(SerializedRow(d, c, 1), "ff");
  EXPECT_EQ(SerializedRow(d, c, 2), "0080");
  Field fx = Make(Kind::kDecimal);
  fx.precision = 20;
  fx.base = Kind::kFixed;
  fx.fixed_size = 9;
  SetFlatView(&fx);
  Column fc = Column::ForField(fx);
  fc.AppendBytes(std::string("\xff\xff\xff\xff\xff\xff\xff\xff\x80", 9));
  EXPECT_EQ(SerializedRow(fx, fc), "80");
}

TEST(Bounds, NullAndUnsupportedKinds) {
  Field f = Make(Kind::kInt64, /*nullable=*/true);
  Column c = Column::ForField(f);
  c.AppendNull();
  auto d = ReadDatum(f, c, 0);
  ASSERT_OK(d);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*d));
  Field u = Make(Kind::kUInt64);
  u.name = "big";
  Column uc = Column::ForField(u);
  uc.AppendInt64(1);
  auto bad = ReadDatum(u, uc, 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("unsupported: field 'big' is a uint64"), std::string::npos)
      << bad.status().ToString();
}

TEST(Bounds, StringBoundsTruncateByCodePoints) {
  EXPECT_EQ(TruncateLowerBound("abcdef", true, 2), "ab");
  EXPECT_EQ(TruncateUpperBound("abcdef", true, 2), "ac");
  EXPECT_EQ(TruncateUpperBound("ab", true, 2), "ab");
  // "é" is two bytes, one code point.
  EXPECT_EQ(TruncateLowerBound("\xc3\xa9\xc3\xa9\xc3\xa9", true, 2), "\xc3\xa9\xc3\xa9");
  EXPECT_EQ(TruncateUpperBound("\xc3\xa9\xc3\xa9\xc3\xa9", true, 2), "\xc3\xa9\xc3\xaa");
  // U+10FFFF cannot be incremented: it is dropped and the previous one incremented.
  EXPECT_EQ(TruncateUpperBound("a\xf4\x8f\xbf\xbfz", true, 2), "b");
  EXPECT_EQ(TruncateUpperBound("\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbfz", true, 2), std::nullopt);
  // U+D7FF + 1 skips the surrogates.
  EXPECT_EQ(TruncateUpperBound("\xed\x9f\xbfz", true, 1), "\xee\x80\x80");
  const std::string long_text(40, 'x');
  EXPECT_EQ(TruncateLowerBound(long_text, true).size(), 16u);
}

TEST(Bounds, BinaryBoundsTruncateByBytes) {
  EXPECT_EQ(TruncateLowerBound(std::string("\x01\x02\x03", 3), false, 2),
            std::string("\x01\x02", 2));
  EXPECT_EQ(TruncateUpperBound(std::string("\x01\x02\x03", 3), false, 2),
            std::string("\x01\x03", 2));
  EXPECT_EQ(TruncateUpperBound(std::string("\x01\xff\x03", 3), false, 2), std::string("\x02", 1));
  EXPECT_EQ(TruncateUpperBound(std::string("\xff\xff\x03", 3), false, 2), std::nullopt);
}

}  // namespace
}  // namespace lakepipe::iceberg
