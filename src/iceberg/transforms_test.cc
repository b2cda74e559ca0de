#include "iceberg/transforms.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "core/time_util.h"

namespace lakepipe::iceberg {
namespace {

Field Make(Kind kind, std::string name = "c") {
  Field f;
  f.name = std::move(name);
  f.full_kind = kind;
  f.nullable = true;
  return f;
}

Field Decimal(int32_t precision, int32_t scale) {
  Field f = Make(Kind::kDecimal);
  f.precision = precision;
  f.scale = scale;
  f.base = Kind::kInt64;
  SetFlatView(&f);
  return f;
}

Field Timestamp(TimeUnit unit, bool utc) {
  Field f = Make(Kind::kTimestamp);
  f.unit = unit;
  f.utc_adjusted = utc;
  SetFlatView(&f);
  return f;
}

Transform Parsed(std::string_view text) {
  auto t = Transform::Parse(text);
  EXPECT_OK(t);
  return t.ok() ? *t : Transform{};
}

int32_t Hash(const Field& source, const Datum& value) {
  auto input = BucketHashInput(source, value);
  EXPECT_OK(input);
  return input.ok() ? Murmur3Hash32(*input) : 0;
}

int32_t AsInt(const Result<Datum>& d) {
  EXPECT_OK(d);
  return d.ok() ? std::get<int32_t>(*d) : -999;
}

TEST(Transforms, ParseAndPrintTheSpecStrings) {
  for (std::string_view text :
       {"identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void"}) {
    EXPECT_EQ(Parsed(text).ToString(), text);
  }
  EXPECT_EQ(Parsed("bucket[16]").param, 16);
  for (std::string_view bad :
       {"", "bucket", "bucket[]", "bucket[0]", "truncate[-1]", "bucket[4x]", "days", "Identity"}) {
    auto t = Transform::Parse(bad);
    EXPECT_FALSE(t.ok()) << bad;
  }
  auto t = Transform::Parse("weekly");
  EXPECT_NE(t.status().ToString().find("'weekly'"), std::string::npos);
}

// The table spec's Appendix B test vectors.
TEST(Transforms, BucketHashesMatchTheSpecVectors) {
  EXPECT_EQ(Hash(Make(Kind::kInt32), Datum(int32_t{34})), 2017239379);
  EXPECT_EQ(Hash(Make(Kind::kInt64), Datum(int64_t{34})), 2017239379);
  EXPECT_EQ(Hash(Decimal(9, 2), Datum(MinimalBigEndian(1420))), -500754589);
  // The spec's date vector is the hash of the day count as an 8-byte long.
  EXPECT_EQ(Hash(Make(Kind::kDate), Datum(int32_t{17486})), -653330422);
  EXPECT_EQ(Hash(Make(Kind::kTimeMicros), Datum(int64_t{81068000000})), -662762989);
  const Field ts = Timestamp(TimeUnit::kMicros, false);
  const Field tstz = Timestamp(TimeUnit::kMicros, true);
  EXPECT_EQ(Hash(ts, Datum(int64_t{1510871468000000})), -2047944441);
  EXPECT_EQ(Hash(ts, Datum(int64_t{1510871468000001})), -1207196810);
  // 2017-11-16T14:31:08-08:00 is 22:31:08 UTC.
  EXPECT_EQ(Hash(tstz, Datum(int64_t{1510871468000000})), -2047944441);
  EXPECT_EQ(Hash(tstz, Datum(int64_t{1510871468000001})), -1207196810);
  EXPECT_EQ(Hash(Make(Kind::kString), Datum(std::string("iceberg"))), 1210000089);
  EXPECT_EQ(Hash(Make(Kind::kString), Datum(std::string("34"))), -427558391);
  const std::string uuid("\xf7\x9c\x3e\x09\x67\x7c\x4b\xbd\xa4\x79\x3f\x34\x9c\xb7\x85\xe7", 16);
  EXPECT_EQ(Hash(Make(Kind::kUuid), Datum(uuid)), 1488055340);
  const std::string bytes("\x00\x01\x02\x03", 4);
  EXPECT_EQ(Hash(Make(Kind::kBytes), Datum(bytes)), -188683207);
  EXPECT_EQ(Hash(Make(Kind::kFixed), Datum(bytes)), -188683207);
}

TEST(Transforms, BucketOfRows) {
  Field f = Make(Kind::kInt32);
  SetFlatView(&f);
  Column c = Column::ForField(f);
  c.AppendInt32(34);
  c.AppendNull();
  const Transform b16 = Parsed("bucket[16]");
  EXPECT_EQ(AsInt(b16.ApplyRow(f, c, 0)), 3);
  auto null = b16.ApplyRow(f, c, 1);
  ASSERT_OK(null);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*null));
  Field s = Make(Kind::kUuid);
  s.base = Kind::kString;
  SetFlatView(&s);
  Column sc = Column::ForField(s);
  sc.AppendBytes("f79c3e09-677c-4bbd-a479-3f349cb785e7");
  EXPECT_EQ(AsInt(Parsed("bucket[1000]").ApplyRow(s, sc, 0)), 1488055340 % 1000);
  EXPECT_EQ(AsInt(b16.Apply(Make(Kind::kString), Datum(std::string("iceberg")))), 9);
}

TEST(Transforms, TruncateIntsRoundTowardNegativeInfinity) {
  const Transform t10 = Parsed("truncate[10]");
  const Field i = Make(Kind::kInt32);
  EXPECT_EQ(AsInt(t10.Apply(i, Datum(int32_t{1}))), 0);
  EXPECT_EQ(AsInt(t10.Apply(i, Datum(int32_t{-1}))), -10);
  EXPECT_EQ(AsInt(t10.Apply(i, Datum(int32_t{-10}))), -10);
  auto l = t10.Apply(Make(Kind::kInt64), Datum(int64_t{-11}));
  ASSERT_OK(l);
  EXPECT_EQ(std::get<int64_t>(*l), -20);
}

TEST(Transforms, TruncateDecimalsStringsAndBinary) {
  // 10.65 truncated with width 50 at scale 2 is 10.50.
  auto d = Parsed("truncate[50]").Apply(Decimal(9, 2), Datum(MinimalBigEndian(1065)));
  ASSERT_OK(d);
  EXPECT_EQ(std::get<std::string>(*d), MinimalBigEndian(1050));
  auto neg = Parsed("truncate[50]").Apply(Decimal(9, 2), Datum(MinimalBigEndian(-1)));
  ASSERT_OK(neg);
  EXPECT_EQ(std::get<std::string>(*neg), MinimalBigEndian(-50));
  auto s = Parsed("truncate[3]").Apply(Make(Kind::kString), Datum(std::string("iceberg")));
  ASSERT_OK(s);
  EXPECT_EQ(std::get<std::string>(*s), "ice");
  // Code points, not bytes: three two-byte letters stay whole.
  auto u = Parsed("truncate[3]")
               .Apply(Make(Kind::kString), Datum(std::string("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9")));
  ASSERT_OK(u);
  EXPECT_EQ(std::get<std::string>(*u), "\xc3\xa9\xc3\xa9\xc3\xa9");
  auto b =
      Parsed("truncate[3]").Apply(Make(Kind::kBytes), Datum(std::string("\x01\x02\x03\x04\x05")));
  ASSERT_OK(b);
  EXPECT_EQ(std::get<std::string>(*b), "\x01\x02\x03");
}

TEST(Transforms, TimeTransformsCountUnitsSince1970) {
  const Field ts = Timestamp(TimeUnit::kMicros, true);
  const Datum v(int64_t{1512151975038194});  // 2017-12-01T18:12:55.038194
  EXPECT_EQ(AsInt(Parsed("hour").Apply(ts, v)), 420042);
  EXPECT_EQ(AsInt(Parsed("day").Apply(ts, v)), 17501);
  EXPECT_EQ(AsInt(Parsed("month").Apply(ts, v)), 575);
  EXPECT_EQ(AsInt(Parsed("year").Apply(ts, v)), 47);
  const Field date = Make(Kind::kDate);
  EXPECT_EQ(AsInt(Parsed("day").Apply(date, Datum(int32_t{17501}))), 17501);
  EXPECT_EQ(AsInt(Parsed("month").Apply(date, Datum(int32_t{17501}))), 575);
}

TEST(Transforms, TimeTransformsBefore1970FloorToTheContainingUnit) {
  const Field ts = Timestamp(TimeUnit::kMicros, true);
  const Datum minus_one(int64_t{-1});
  EXPECT_EQ(AsInt(Parsed("hour").Apply(ts, minus_one)), -1);
  EXPECT_EQ(AsInt(Parsed("day").Apply(ts, minus_one)), -1);
  EXPECT_EQ(AsInt(Parsed("month").Apply(ts, minus_one)), -1);
  EXPECT_EQ(AsInt(Parsed("year").Apply(ts, minus_one)), -1);
  const Field date = Make(Kind::kDate);
  EXPECT_EQ(AsInt(Parsed("year").Apply(date, Datum(int32_t{-1}))), -1);
  EXPECT_EQ(AsInt(Parsed("month").Apply(date, Datum(int32_t{-1}))), -1);
  // 1969-01-01 is day -365: still year -1, month -12.
  EXPECT_EQ(AsInt(Parsed("month").Apply(date, Datum(int32_t{-365}))), -12);
  EXPECT_EQ(AsInt(Parsed("year").Apply(date, Datum(int32_t{-366}))), -2);
}

TEST(Transforms, TimestampsInEveryUnitAreUtc) {
  Field ms = Timestamp(TimeUnit::kMillis, true);
  Column mc = Column::ForField(ms);
  mc.AppendInt64(1512151975038);
  mc.AppendInt64(-1);
  EXPECT_EQ(AsInt(Parsed("hour").ApplyRow(ms, mc, 0)), 420042);
  EXPECT_EQ(AsInt(Parsed("day").ApplyRow(ms, mc, 1)), -1);
  Field ns = Timestamp(TimeUnit::kNanos, false);
  Column nc = Column::ForField(ns);
  nc.AppendInt64(1512151975038194000);
  EXPECT_EQ(AsInt(Parsed("hour").ApplyRow(ns, nc, 0)), 420042);
  // Bucketing by millis hashes the micros.
  EXPECT_EQ(AsInt(Parsed("bucket[1000000]").ApplyRow(ms, mc, 0)),
            (Murmur3Hash32(Serialize(Datum(int64_t{1512151975038000}))) & 0x7FFFFFFF) % 1000000);
}

TEST(Transforms, ResultTypesAndRefusals) {
  const Field ts = Timestamp(TimeUnit::kMicros, true);
  auto day = Parsed("day").ResultType(ts);
  ASSERT_OK(day);
  EXPECT_EQ(day->kind(), Kind::kDate);
  auto bucket = Parsed("bucket[8]").ResultType(Make(Kind::kString));
  ASSERT_OK(bucket);
  EXPECT_EQ(bucket->kind(), Kind::kInt32);
  auto hour = Parsed("hour").ResultType(ts);
  ASSERT_OK(hour);
  EXPECT_EQ(hour->kind(), Kind::kInt32);
  auto same = Parsed("truncate[4]").ResultType(Decimal(10, 2));
  ASSERT_OK(same);
  EXPECT_EQ(same->kind(), Kind::kDecimal);
  EXPECT_EQ(same->scale, 2);
  auto bad = Parsed("hour").ResultType(Make(Kind::kDate, "event_date"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("'hour'"), std::string::npos);
  EXPECT_NE(bad.status().ToString().find("'event_date'"), std::string::npos);
  EXPECT_FALSE(Parsed("bucket[4]").ResultType(Make(Kind::kDouble)).ok());
  EXPECT_FALSE(Parsed("truncate[4]").ResultType(Make(Kind::kFixed)).ok());
  EXPECT_FALSE(Parsed("identity").ResultType(Make(Kind::kUInt64)).ok());
  EXPECT_OK(Parsed("void").ResultType(Make(Kind::kDouble)));
}

}  // namespace
}  // namespace lakepipe::iceberg
