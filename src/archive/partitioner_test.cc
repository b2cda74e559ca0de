#include "archive/partitioner.h"

#include <cstdio>
#include <limits>
#include <random>
#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/text/text_formats.h"

namespace lakepipe::archive {
namespace {

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not found in: " << text;
}

const char* kSchema = R"({"type": "record", "name": "r", "fields": [
  {"name": "b", "type": "boolean"},
  {"name": "i", "type": "int"},
  {"name": "l", "type": "long"},
  {"name": "f", "type": "float"},
  {"name": "d", "type": "double"},
  {"name": "s", "type": ["null", "string"]},
  {"name": "y", "type": "bytes"},
  {"name": "e", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
  {"name": "dt", "type": ["null", {"type": "int", "logicalType": "date"}]},
  {"name": "tm", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]},
  {"name": "tu", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}]},
  {"name": "iso", "type": ["null", "string"]},
  {"name": "u", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "n", "type": "null"}
]})";

// 2026-11-21T05:07:09.123Z, a Saturday, day 325 of the year.
constexpr int64_t kMillis = 1795237629123;

class PartitionerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Schema> schema = Schema::FromAvroJson(kSchema);
    ASSERT_OK(schema);
    schema_ = std::make_shared<const Schema>(*schema);
  }

  // A one-row batch from JSON (fields not given take defaults below).
  RecordBatch Row(const std::string& fields) {
    RecordBatch batch(schema_);
    JsonRecordParser parser(schema_);
    std::string json = R"({"b": true, "i": -5, "l": 9007199254740993, "f": 1.5, "d": -0.25,)"
                       R"( "y": "AA==", "e": "GREEN", "u": "3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a11")";
    if (!fields.empty()) json += ", " + fields;
    json += "}";
    std::string reason;
    EXPECT_TRUE(parser.Parse(json, &batch, &reason)) << reason;
    return batch;
  }

  std::string Path(std::string_view templ, std::string_view time_field, const RecordBatch& batch,
                   int64_t kafka_ms = kMillis) {
    Result<Partitioner> p = Partitioner::Make(*schema_, templ, time_field);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    if (!p.ok()) return "";
    std::string out = "garbage to be replaced";
    p->PathFor(batch, 0, kafka_ms, &out);
    return out;
  }

  Status MakeError(std::string_view templ, std::string_view time_field = "") {
    Result<Partitioner> p = Partitioner::Make(*schema_, templ, time_field);
    return p.ok() ? Status::OK() : p.status();
  }

  SchemaPtr schema_;
};

TEST_F(PartitionerTest, DefaultTemplateOverKafkaTimestamps) {
  const RecordBatch batch = Row("");
  EXPECT_EQ(Path(kDefaultPartitionTemplate, "", batch), "event_date=2026-11-21/hour=05");
  EXPECT_EQ(Path(kDefaultPartitionTemplate, "", batch, 0), "event_date=1970-01-01/hour=00");
  EXPECT_EQ(Path(kDefaultPartitionTemplate, "", batch, -1),
            "event_date=__HIVE_DEFAULT_PARTITION__/hour=__HIVE_DEFAULT_PARTITION__");
  ASSERT_OK_AND_ASSIGN(Partitioner p, Partitioner::Make(*schema_, kDefaultPartitionTemplate, ""));
  EXPECT_EQ(p.names(), (std::vector<std::string>{"event_date", "hour"}));
  EXPECT_EQ(p.EventTimeMicros(batch, 0, kMillis), kMillis * 1000);
  EXPECT_EQ(p.EventTimeMicros(batch, 0, -1), std::nullopt);
}

TEST_F(PartitionerTest, EveryFormatSpecifier) {
  const RecordBatch batch = Row("");
  EXPECT_EQ(Path("t={event_time:%Y.%m.%d %H.%M.%S j%j u%u 100%%}", "", batch),
            "t=2026.11.21 05.07.09 j325 u6 100%25");
  // Without a FORMAT: ISO-8601 (':' escaped).
  EXPECT_EQ(Path("t={event_time}", "", batch), "t=2026-11-21T05%3A07%3A09.123Z");
  // Before 1970, and a year before 1000 (from a time field: a negative Kafka
  // timestamp means none, so it cannot express these).
  EXPECT_EQ(Path("t={event_time:%Y-%m-%d-%H}", "tm", Row(R"("tm": -3600000)")), "t=1969-12-31-23");
  EXPECT_EQ(Path("t={event_time:%Y-%j}", "tm", Row(R"("tm": -62104147200000)")), "t=0001-365");
}

TEST_F(PartitionerTest, TimeFieldVariants) {
  const std::string templ = "d={event_time:%Y-%m-%d}/h={event_time:%H}/w={event_time:%u}";
  // 2024-02-29T23:59:58Z, a Thursday.
  EXPECT_EQ(Path(templ, "tm", Row(R"("tm": 1709251198000)")), "d=2024-02-29/h=23/w=4");
  EXPECT_EQ(Path(templ, "tu", Row(R"("tu": 1709251198000000)")), "d=2024-02-29/h=23/w=4");
  EXPECT_EQ(Path(templ, "dt", Row(R"("dt": "2000-01-01")")), "d=2000-01-01/h=00/w=6");
  EXPECT_EQ(Path(templ, "iso", Row(R"("iso": "2024-03-01T01:59:58+02:00")")),
            "d=2024-02-29/h=23/w=4");
  // The Kafka timestamp does not matter once a time field is given.
  EXPECT_EQ(Path(templ, "tm", Row(R"("tm": 1709251198000)"), -1), "d=2024-02-29/h=23/w=4");
  // Null or unparsable event times go to the default partition.
  const std::string null_path =
      "d=__HIVE_DEFAULT_PARTITION__/h=__HIVE_DEFAULT_PARTITION__/w=__HIVE_DEFAULT_PARTITION__";
  EXPECT_EQ(Path(templ, "tm", Row("")), null_path);
  EXPECT_EQ(Path(templ, "iso", Row(R"("iso": "yesterday")")), null_path);
  // A FORMAT also works on the time field itself, and on any date or timestamp field.
  EXPECT_EQ(Path("y={iso:%Y}/m={tm:%m}/d={dt:%d}", "iso",
                 Row(R"("iso": "2024-03-01T01:59:58+02:00", "tm": 0, "dt": 3)")),
            "y=2024/m=01/d=04");
}

// Event times outside what the lake's readers accept (years 0001 to 9999)
// make the record bad instead of landing in a partition readers choke on.
TEST_F(PartitionerTest, EventTimesOutsideWhatReadersAcceptAreNotReadable) {
  const std::string range = "(0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)";
  const std::string templ = "d={event_time:%Y-%m-%d}";
  ASSERT_OK_AND_ASSIGN(Partitioner kafka, Partitioner::Make(*schema_, templ, ""));
  const RecordBatch row = Row("");
  std::string reason;
  EXPECT_TRUE(kafka.EventTimeReadable(row, 0, kMillis, &reason));
  EXPECT_TRUE(kafka.EventTimeReadable(row, 0, -1, &reason));  // none: null
  EXPECT_TRUE(kafka.EventTimeReadable(row, 0, 253402300799999, &reason));
  EXPECT_FALSE(kafka.EventTimeReadable(row, 0, 253402300800000, &reason));
  EXPECT_EQ(reason,
            "the Kafka timestamp 253402300800000 is outside the event times the lake's "
            "readers accept " +
                range);
  EXPECT_FALSE(kafka.EventTimeReadable(row, 0, std::numeric_limits<int64_t>::max(), &reason));

  ASSERT_OK_AND_ASSIGN(Partitioner date, Partitioner::Make(*schema_, templ, "dt"));
  EXPECT_TRUE(date.EventTimeReadable(Row(R"("dt": 2932896)"), 0, kMillis, &reason));
  EXPECT_TRUE(date.EventTimeReadable(Row(""), 0, kMillis, &reason));  // null
  for (const int64_t day :
       {int64_t{2932897}, int64_t{-719163}, int64_t{2147483647}, int64_t{-2147483648}}) {
    SCOPED_TRACE(day);
    EXPECT_FALSE(date.EventTimeReadable(Row(fmt::format(R"("dt": {})", day)), 0, kMillis, &reason));
    EXPECT_EQ(reason, fmt::format("field 'dt': day {} is outside the event times the lake's "
                                  "readers accept {}",
                                  day, range));
  }

  ASSERT_OK_AND_ASSIGN(Partitioner iso, Partitioner::Make(*schema_, templ, "iso"));
  EXPECT_TRUE(iso.EventTimeReadable(Row(R"("iso": "9999-12-31T23:59:59Z")"), 0, kMillis, &reason));
  EXPECT_TRUE(iso.EventTimeReadable(Row(R"("iso": "yesterday")"), 0, kMillis, &reason));
  EXPECT_FALSE(iso.EventTimeReadable(Row(R"("iso": "0000-06-01T00:00:00Z")"), 0, kMillis, &reason));
  EXPECT_EQ(reason,
            "field 'iso': 0000-06-01T00:00:00Z is outside the event times the lake's "
            "readers accept " +
                range);

  // A template without the event time does not look at it.
  ASSERT_OK_AND_ASSIGN(Partitioner none, Partitioner::Make(*schema_, "i={i}", "dt"));
  EXPECT_TRUE(none.EventTimeReadable(Row(R"("dt": 2147483647)"), 0, kMillis, &reason));
}

TEST_F(PartitionerTest, FieldValuesOfEachType) {
  const RecordBatch batch =
      Row(R"("s": "text", "dt": "2026-11-21", "tm": 1795237629123, "tu": 1795237629123456)");
  EXPECT_EQ(Path("b={b}/i={i}/l={l}/f={f}/d={d}/e={e}", "", batch),
            "b=true/i=-5/l=9007199254740993/f=1.5/d=-0.25/e=GREEN");
  EXPECT_EQ(Path("s={s}/u={u}/dt={dt}", "", batch),
            "s=text/u=3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a11/dt=2026-11-21");
  EXPECT_EQ(Path("tm={tm}/tu={tu}", "", batch),
            "tm=2026-11-21T05%3A07%3A09.123Z/tu=2026-11-21T05%3A07%3A09.123456Z");
  // Literal text around placeholders, and literal braces.
  EXPECT_EQ(Path("v=x{i}y{e}/w={{{b}}}", "", batch), "v=x-5yGREEN/w=%7Btrue}");
  EXPECT_EQ(Path("source=kafka", "", batch), "source=kafka");
  // Non-finite numbers.
  const RecordBatch inf = Row(R"("d": "NaN", "f": "-Infinity")");
  EXPECT_EQ(Path("d={d}/f={f}", "", inf), "d=NaN/f=-Infinity");
  // Nulls: a null field, the null type, or any null placeholder in a value.
  EXPECT_EQ(
      Path("s={s}/n={n}/v=a{s}b", "", Row("")),
      "s=__HIVE_DEFAULT_PARTITION__/n=__HIVE_DEFAULT_PARTITION__/v=__HIVE_DEFAULT_PARTITION__");
  // An empty string too.
  EXPECT_EQ(Path("s={s}", "", Row(R"("s": "")")), "s=__HIVE_DEFAULT_PARTITION__");
  // An empty template: an unpartitioned table.
  EXPECT_EQ(Path("", "", batch), "");
}

TEST(EscapeHiveValueTest, HivesEscapeSet) {
  // Every ASCII byte: Hive escapes the control characters, 0x7F and " # % ' * / : = ? \ { [ ] ^.
  const std::string special = "\"#%'*/:=?\\{[]^";
  for (int c = 1; c < 128; ++c) {
    const std::string value = std::string("a") + static_cast<char>(c);
    const bool escaped =
        c < 0x20 || c == 0x7f || special.find(static_cast<char>(c)) != std::string::npos;
    char hex[4];
    std::snprintf(hex, sizeof hex, "%%%02X", c);
    EXPECT_EQ(EscapeHiveValue(value, false), escaped ? std::string("a") + hex : value) << c;
  }
  EXPECT_EQ(EscapeHiveValue(std::string("a\0b", 3), false), "a%00b");
  const std::pair<std::string, std::string> cases[] = {
      {"../../etc", "..%2F..%2Fetc"},
      {"..", ".."},
      {"a/b", "a%2Fb"},
      {"x=y", "x%3Dy"},
      {"%2F", "%252F"},
      {"C:\\temp\\x", "C%3A%5Ctemp%5Cx"},
      {"line\nbreak\r\t", "line%0Abreak%0D%09"},
      {"space and +plus&amp;~", "space and +plus&amp;~"},
      {"café ✓ 日本語 😀", "café ✓ 日本語 😀"},
      {"bad\xff utf8 \xc3", "bad%FF utf8 %C3"},
      {"\xed\xa0\x80", "%ED%A0%80"},  // a UTF-16 surrogate is not UTF-8
      {"NULL", "%4EULL"},
      {"null", "%6Eull"},
      {"Null", "%4Eull"},
      {"nullable", "nullable"},
      {"__HIVE_DEFAULT_PARTITION__", "%5F_HIVE_DEFAULT_PARTITION__"},
  };
  for (const auto& [value, want] : cases) EXPECT_EQ(EscapeHiveValue(value, false), want) << value;
  EXPECT_EQ(EscapeHiveValue("", false), "__HIVE_DEFAULT_PARTITION__");
  EXPECT_EQ(EscapeHiveValue("anything", true), "__HIVE_DEFAULT_PARTITION__");
  std::string appended = "k=";
  AppendHiveValue("a/b", false, &appended);
  EXPECT_EQ(appended, "k=a%2Fb");
}

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}

TEST(EscapeHiveValueTest, LongValuesAreCutAndHashed) {
  const std::string kilobyte(1024, 'x');
  const std::string capped = EscapeHiveValue(kilobyte, false);
  EXPECT_EQ(capped.size(), kMaxEscapedValueBytes);
  EXPECT_EQ(capped.substr(0, 183), std::string(183, 'x'));
  EXPECT_EQ(capped[183], '~');
  EXPECT_EQ(capped.find_first_not_of("0123456789abcdef", 184), std::string::npos);
  // Deterministic, and distinct long values with the same prefix stay distinct.
  EXPECT_EQ(EscapeHiveValue(kilobyte, false), capped);
  std::string other = kilobyte;
  other.back() = 'y';
  EXPECT_NE(EscapeHiveValue(other, false), capped);
  EXPECT_EQ(EscapeHiveValue(other, false).substr(0, 184), capped.substr(0, 184));
  // Exactly at the cap: kept whole.
  const std::string exact(kMaxEscapedValueBytes, 'z');
  EXPECT_EQ(EscapeHiveValue(exact, false), exact);
  EXPECT_NE(EscapeHiveValue(exact + "z", false), exact + "z");
  // Cuts never split an escape or a UTF-8 sequence.
  for (const std::string& unit : {std::string("/"), std::string("é"), std::string("日"),
                                  std::string("😀"), std::string("a/é")}) {
    std::string value;
    while (value.size() < 1024) value += unit;
    const std::string out = EscapeHiveValue(value, false);
    SCOPED_TRACE(unit);
    EXPECT_LE(out.size(), kMaxEscapedValueBytes);
    EXPECT_GE(out.size(), kMaxEscapedValueBytes - 4);
    EXPECT_TRUE(IsValidUtf8(out));
    const std::string body = out.substr(0, out.size() - 17);
    EXPECT_EQ(out[out.size() - 17], '~');
    for (size_t i = 0; i < body.size(); ++i) {
      if (body[i] == '%') {
        ASSERT_LE(i + 3, body.size()) << "cut inside an escape";
      }
    }
    EXPECT_EQ(body.find('/'), std::string::npos);
  }
}

TEST_F(PartitionerTest, PathsNeverLeaveTheTable) {
  ASSERT_OK_AND_ASSIGN(Partitioner p, Partitioner::Make(*schema_, "s={s}/e={event_time:%Y}", ""));
  std::mt19937_64 rng(42);
  const std::string alphabet = std::string("./\\=%:?*\0\n\xff\xc3\xa9", 13) + "ab";
  std::set<std::string> seen;
  for (int round = 0; round < 2000; ++round) {
    RecordBatch batch(schema_);
    std::string value;
    const size_t n = rng() % (round % 10 == 0 ? 400 : 12);
    for (size_t k = 0; k < n; ++k) value.push_back(alphabet[rng() % alphabet.size()]);
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      Column& col = batch.column(c);
      if (c == 5) {
        col.AppendBytes(value);
      } else if (col.nullable() || col.storage() == Storage::kNone) {
        col.AppendNull();
      } else if (col.storage() == Storage::kBinary) {
        col.AppendBytes("");
      } else if (col.storage() == Storage::kInt64) {
        col.AppendInt64(0);
      } else if (col.storage() == Storage::kInt32) {
        col.AppendInt32(0);
      } else if (col.storage() == Storage::kBool) {
        col.AppendBool(false);
      } else if (col.storage() == Storage::kFloat) {
        col.AppendFloat(0);
      } else {
        col.AppendDouble(0);
      }
    }
    batch.CommitRow();
    std::string path;
    p.PathFor(batch, 0, kMillis, &path);
    SCOPED_TRACE(path);
    const size_t slash = path.find('/');
    ASSERT_NE(slash, std::string::npos);
    ASSERT_EQ(path.substr(slash), "/e=2026");
    const std::string component = path.substr(0, slash);
    ASSERT_EQ(component.rfind("s=", 0), 0u);
    ASSERT_EQ(component.find_first_of(std::string("\\\0\n", 3)), std::string::npos);
    ASSERT_LE(component.size(), 2 + kMaxEscapedValueBytes);
    ASSERT_TRUE(IsValidUtf8(component));
    seen.insert(value.empty() ? std::string("\x01empty") : component);
  }
  EXPECT_GT(seen.size(), 1000u);
}

TEST_F(PartitionerTest, TemplateValidation) {
  const std::pair<std::string, std::string> cases[] = {
      {"event_date", "component 'event_date' is not name=value"},
      {"a=1//b=2", "component '' is not name=value"},
      {"/a=1", "component '' is not name=value"},
      {"a=1/", "component '' is not name=value"},
      {"=1", "'' is not a valid partition name"},
      {"1a=1", "'1a' is not a valid partition name"},
      {"a-b=1", "'a-b' is not a valid partition name"},
      {std::string(51, 'n') + "=1", "at most 50 characters"},
      {"a=1/A={i}", "the name 'A' appears twice"},
      {"a=", "component 'a=' has no value"},
      {"a={nope}", "'nope' is not a field of the schema (fields: b, i, l"},
      {"a={}", "empty placeholder"},
      {"a={:%Y}", "empty placeholder"},
      {"a={i", "'{' without '}'"},
      {"a=i}", "unmatched '}'"},
      {"a={event_time:%Y/%m}", "a placeholder cannot hold '/'"},
      {"a={event_time:%q}", "unknown FORMAT specifier '%q'"},
      {"a={event_time:%}", "lone '%'"},
      {"a={event_time:}", "the FORMAT after ':' is empty"},
      {"a={i:%Y}", "field 'i' is int: a FORMAT applies only to event_time"},
      {"a={s:%Y}", "field 's' is nullable string: a FORMAT applies only"},
      {"a={y}", "field 'y' is bytes"},
  };
  for (const auto& [templ, want] : cases) {
    SCOPED_TRACE(templ);
    Status status = MakeError(templ);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
    EXPECT_TRUE(Contains(status.message(), want));
  }
  Status status = MakeError(kDefaultPartitionTemplate, "missing");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(status.message(), "time field 'missing' is not in the schema"));
  status = MakeError(kDefaultPartitionTemplate, "l");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(status.message(), "time field 'l' is long"));
  EXPECT_OK(MakeError(kDefaultPartitionTemplate, "iso"));
}

// Partition values are top-level primitive fields: a record, list or map
// (or a value inside one) is refused naming the field, never written as a
// null partition.
TEST(PartitionerNestedTest, NestedFieldsAreRefusedByName) {
  ASSERT_OK_AND_ASSIGN(Schema schema, Schema::FromAvroJson(R"({"type": "record", "name": "p",
    "fields": [
      {"name": "nat", "type": "string"},
      {"name": "location", "type": {"type": "record", "name": "L", "fields": [
        {"name": "country", "type": "string"}]}},
      {"name": "dob", "type": {"type": "record", "name": "D", "fields": [
        {"name": "date", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}},
      {"name": "tags", "type": {"type": "array", "items": "string"}},
      {"name": "attrs", "type": {"type": "map", "values": "long"}},
      {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9,
                                 "scale": 2}}]})"));
  const std::pair<std::string, std::string> cases[] = {
      {"c={location}", "field 'location' is struct {country: string}: partition by a top-level"},
      {"c={location.country}",
       "'location.country' is inside field 'location' (struct {country: string}): use a "
       "top-level string"},
      {"t={tags}", "field 'tags' is list"},
      {"a={attrs}", "field 'attrs' is map"},
      {"p={price}", "field 'price' is bytes (decimal(9, 2))"},
  };
  for (const auto& [templ, want] : cases) {
    SCOPED_TRACE(templ);
    Result<Partitioner> p = Partitioner::Make(schema, templ, "");
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(p.status().message(), want));
  }
  Result<Partitioner> time = Partitioner::Make(schema, kDefaultPartitionTemplate, "dob.date");
  ASSERT_FALSE(time.ok());
  EXPECT_TRUE(Contains(time.status().message(),
                       "time field 'dob.date' is inside field 'dob' (struct {date: long "
                       "(timestamp-millis)}): use a top-level timestamp-millis"));
  Result<Partitioner> nat = Partitioner::Make(schema, "nat={nat}", "");
  EXPECT_OK(nat.status());
}

}  // namespace
}  // namespace lakepipe::archive
