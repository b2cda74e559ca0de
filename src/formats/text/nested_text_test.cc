// Nested and logical types through the JSON and CSV readers and writers.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/column_json.h"
#include "formats/text/complete_text.h"
#include "formats/text/text_test_util.h"

namespace lakepipe::text {
namespace {

using testing::Format;
using testing::ParseSchema;
using testing::ReadAll;
using testing::WriteAll;

const char* kPeople = R"({"type": "record", "name": "person", "fields": [
  {"name": "id", "type": "long"},
  {"name": "name", "type": ["null", {"type": "record", "name": "name_t", "fields": [
    {"name": "first", "type": "string"},
    {"name": "last", "type": ["null", "string"]}]}]},
  {"name": "location", "type": {"type": "record", "name": "loc_t", "fields": [
    {"name": "street", "type": {"type": "record", "name": "street_t", "fields": [
      {"name": "number", "type": "int"},
      {"name": "name", "type": "string"}]}},
    {"name": "city", "type": ["null", "string"]}]}},
  {"name": "tags", "type": ["null", {"type": "array", "items": ["null", "string"]}]},
  {"name": "scores", "type": ["null", {"type": "map", "values": ["null", "double"]}]},
  {"name": "balance", "type": ["null", {"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 3}]}
]})";

Result<RecordBatch> ReadJson(const SchemaPtr& schema, const std::string& data,
                             uint64_t* rejected = nullptr) {
  ReadOptions options;
  options.schema = schema;
  return ReadAll(Format::kJsonLines, data, options, {}, rejected);
}

TEST(NestedTextTest, ReadsNestedJsonColumnByColumn) {
  SchemaPtr schema = ParseSchema(kPeople);
  const std::string data =
      R"({"id": 1, "name": {"first": "Ann", "last": "Lee"}, "location": {"street": {"number": 12, "name": "Main"}, "city": "Oslo"}, "tags": ["a", null, "b"], "scores": {"x": 1.5, "y": null}, "balance": 12345678901234567890.123})"
      "\n"
      R"({"id": 2, "name": null, "location": {"street": {"name": "Elm", "number": "7"}, "extra": {"k": [1]}}, "tags": [], "balance": "-0.5"})"
      "\n"
      R"({"id": 3, "location": {"street": {"number": -1, "name": ""}, "city": null}, "tags": null, "scores": {}, "balance": 1e2})"
      "\n";
  Result<RecordBatch> batch = ReadJson(schema, data);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(
      BatchJson(*batch),
      R"({"id": 1, "name": {"first": "Ann", "last": "Lee"}, "location": {"street": {"number": 12, "name": "Main"}, "city": "Oslo"}, "tags": ["a", null, "b"], "scores": {"x": 1.5, "y": null}, "balance": 12345678901234567890.123})"
      "\n"
      R"({"id": 2, "name": null, "location": {"street": {"number": 7, "name": "Elm"}, "city": null}, "tags": [], "scores": null, "balance": -0.500})"
      "\n"
      R"({"id": 3, "name": null, "location": {"street": {"number": -1, "name": ""}, "city": null}, "tags": null, "scores": {}, "balance": 100.000})"
      "\n");
}

TEST(NestedTextTest, BadNestedValuesNameTheFieldPath) {
  SchemaPtr schema = ParseSchema(kPeople);
  const std::string ok = R"("location": {"street": {"number": 1, "name": "a"}})";
  const std::pair<std::string, std::string> cases[] = {
      {R"({"id": 1, "location": {"street": {"number": "x", "name": "a"}}})",
       "field 'location.street.number': expected int"},
      {R"({"id": 1, "location": {"street": {"number": 3000000000, "name": "a"}}})",
       "field 'location.street.number': 3000000000 is out of range for int"},
      {R"({"id": 1, "location": {"street": {"name": "a"}}})",
       "field 'location.street.number': missing, and the field is not nullable"},
      {R"({"id": 1, "location": {"street": [1]}})",
       "field 'location.street': expected struct (a JSON object), got an array"},
      {R"({"id": 1, "name": {"last": "x"}, )" + ok + "}",
       "field 'name.first': missing, and the field is not nullable"},
      {R"({"id": 1, "tags": "a", )" + ok + "}", "field 'tags': expected list (a JSON array)"},
      {R"({"id": 1, "scores": {"a": "x"}, )" + ok + "}", "field 'scores{}': expected double"},
      {R"({"id": 1, "balance": 1.0005, )" + ok + "}",
       "field 'balance': 1.0005 has more than 3 fraction digits, too many for decimal(38,3)"},
      {R"({"id": 1, "balance": 1e40, )" + ok + "}",
       "field 'balance': 1e40 has more than 38 digits, too many for decimal(38,3)"},
      {R"({"id": 1, "balance": "12a", )" + ok + "}",
       "field 'balance': expected decimal(38,3), got \"12a\""},
  };
  for (const auto& [json, want] : cases) {
    SCOPED_TRACE(json);
    JsonRecordParser parser(schema);
    RecordBatch batch(schema);
    std::string reason;
    ASSERT_TRUE(parser.Parse(R"({"id": 0, )" + ok + "}", &batch, &reason)) << reason;
    EXPECT_FALSE(parser.Parse(json, &batch, &reason));
    EXPECT_NE(reason.find(want), std::string::npos) << reason;
    EXPECT_EQ(batch.num_rows(), 1u);
    for (size_t c = 0; c < batch.num_columns(); ++c) EXPECT_EQ(batch.column(c).size(), 1u);
    // The batch takes the next good row whole.
    ASSERT_TRUE(parser.Parse(R"({"id": 2, )" + ok + "}", &batch, &reason)) << reason;
    EXPECT_EQ(
        RowJson(batch, 1),
        R"({"id": 2, "name": null, "location": {"street": {"number": 1, "name": "a"}, "city": null}, "tags": null, "scores": null, "balance": null})");
  }
}

const char* kLogical = R"({"type": "record", "name": "r", "fields": [
  {"name": "i8", "type": ["null", {"type": "int", "logicalType": "int8"}]},
  {"name": "i16", "type": ["null", {"type": "int", "logicalType": "int16"}]},
  {"name": "u8", "type": ["null", {"type": "int", "logicalType": "uint8"}]},
  {"name": "u16", "type": ["null", {"type": "int", "logicalType": "uint16"}]},
  {"name": "u32", "type": ["null", {"type": "long", "logicalType": "uint32"}]},
  {"name": "u64", "type": ["null", {"type": "long", "logicalType": "uint64"}]},
  {"name": "d9", "type": ["null", {"type": "int", "logicalType": "decimal", "precision": 9, "scale": 2}]},
  {"name": "d18", "type": ["null", {"type": "long", "logicalType": "decimal", "precision": 18, "scale": 0}]},
  {"name": "dfix", "type": ["null", {"type": "fixed", "name": "d16", "size": 16, "logicalType": "decimal", "precision": 38, "scale": 10}]},
  {"name": "fx", "type": ["null", {"type": "fixed", "name": "f3", "size": 3}]},
  {"name": "uf", "type": ["null", {"type": "fixed", "name": "u16b", "size": 16, "logicalType": "uuid"}]},
  {"name": "tm", "type": ["null", {"type": "int", "logicalType": "time-millis"}]},
  {"name": "tu", "type": ["null", {"type": "long", "logicalType": "time-micros"}]},
  {"name": "tsn", "type": ["null", {"type": "long", "logicalType": "timestamp-nanos"}]},
  {"name": "lts", "type": ["null", {"type": "long", "logicalType": "local-timestamp-micros"}]},
  {"name": "ltm", "type": ["null", {"type": "long", "logicalType": "local-timestamp-millis"}]},
  {"name": "e", "type": ["null", {"type": "enum", "name": "E", "symbols": ["A", "B"]}]},
  {"name": "u", "type": ["null", "long", "string"]},
  {"name": "m", "type": ["null", {"type": "array", "items": {"type": "record", "name": "kv", "fields": [{"name": "key", "type": "int"}, {"name": "value", "type": ["null", "string"]}]}, "logicalType": "map"}]}
]})";

TEST(NestedTextTest, ReadsEveryLogicalTypeAndWritesItBack) {
  SchemaPtr schema = ParseSchema(kLogical);
  const std::string data =
      R"({"i8": -128, "i16": 32767, "u8": 255, "u16": 65535, "u32": 4294967295, "u64": 18446744073709551615, )"
      R"("d9": -1234567.89, "d18": "999999999999999999", "dfix": -1234567890123456789012345678.0123456789, )"
      R"("fx": "AAEC", "uf": "0123abcd-4567-89ab-cdef-0123456789ab", "tm": "12:34:56.789", "tu": "23:59:59.999999", )"
      R"("tsn": "2024-01-31T12:34:56.123456789Z", "lts": "2024-01-31 12:34:56.5", "ltm": 1706704496789, )"
      R"("e": "B", "u": {"member0": null, "member1": "x"}, "m": [{"key": 1, "value": "a"}, {"key": 2, "value": null}]})"
      "\n{}\n"
      // Maps with non-string keys as DuckDB writes them: an object.
      R"({"m": {"3": "c", "-4": null}})"
      "\n";
  Result<RecordBatch> batch = ReadJson(schema, data);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  ASSERT_EQ(batch->num_rows(), 3u);
  EXPECT_EQ(ValueJson(schema->field(18), batch->column(18), 2),
            R"([{"key": 3, "value": "c"}, {"key": -4, "value": null}])");
  EXPECT_EQ(
      RowJson(*batch, 0),
      R"({"i8": -128, "i16": 32767, "u8": 255, "u16": 65535, "u32": 4294967295, "u64": 18446744073709551615, )"
      R"("d9": -1234567.89, "d18": 999999999999999999, "dfix": -1234567890123456789012345678.0123456789, )"
      R"("fx": "\\x00\\x01\\x02", "uf": "0123abcd-4567-89ab-cdef-0123456789ab", "tm": "12:34:56.789", "tu": "23:59:59.999999", )"
      R"("tsn": "2024-01-31T12:34:56.123456789Z", "lts": "2024-01-31T12:34:56.500", "ltm": "2024-01-31T12:34:56.789", )"
      R"("e": "B", "u": {"member0": null, "member1": "x"}, "m": [{"key": 1, "value": "a"}, {"key": 2, "value": null}]})");

  // JSON Lines and CSV write the values so that the readers take them back.
  for (Format format : {Format::kJsonLines, Format::kJsonArray, Format::kCsv}) {
    Result<std::string> text = WriteAll(format, *batch);
    ASSERT_TRUE(text.ok()) << text.status().ToString();
    ReadOptions options;
    options.schema = schema;
    Result<RecordBatch> back = ReadAll(format, *text, options);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << *text;
    std::string diff;
    EXPECT_TRUE(BatchesEqual(*batch, *back, &diff)) << diff << "\n" << *text;
  }
}

TEST(NestedTextTest, RefusesValuesOutOfRangeOfLogicalTypes) {
  SchemaPtr schema = ParseSchema(kLogical);
  const std::pair<std::string, std::string> cases[] = {
      {R"({"i8": 128})", "field 'i8': 128 is out of range for int8 (-128 to 127)"},
      {R"({"u8": -1})", "field 'u8': -1 is out of range for uint8 (0 to 255)"},
      {R"({"u32": 4294967296})", "field 'u32': 4294967296 is out of range for uint32"},
      {R"({"u64": 18446744073709551616})", "field 'u64': 18446744073709551616 is out of range"},
      {R"({"u64": -1})", "field 'u64': -1 is out of range"},
      {R"({"d9": 12345678.9})", "field 'd9': 12345678.9 has more than 9 digits"},
      {R"({"fx": "AAECAw=="})", "field 'fx': expected fixed(3)"},
      {R"({"uf": "nope"})", "field 'uf': expected uuid"},
      {R"({"tm": "25:00:00"})", "field 'tm': expected time"},
      {R"({"tm": 86400001})", "field 'tm': 86400001 is out of range for time"},
      {R"({"e": "C"})", "field 'e': expected one of the symbols A, B"},
      {R"({"m": [{"value": "a"}]})", "field 'm': a map entry without a \"key\""},
      {R"({"u": {"member0": 1, "member1": "x"}})",
       "field 'u': 2 members of the union are set; a union value has one member"},
      {R"({"m": [{"key": "x", "value": "a"}]})", "field 'm{key}': expected int"},
  };
  for (const auto& [json, want] : cases) {
    SCOPED_TRACE(json);
    JsonRecordParser parser(schema);
    RecordBatch batch(schema);
    std::string reason;
    EXPECT_FALSE(parser.Parse(json, &batch, &reason));
    EXPECT_NE(reason.find(want), std::string::npos) << reason;
    EXPECT_EQ(batch.num_rows(), 0u);
  }
}

TEST(NestedTextTest, CsvCellsHoldNestedValuesAsJson) {
  SchemaPtr schema = ParseSchema(kPeople);
  const std::string data =
      R"({"id": 1, "name": {"first": "A, \"B\"", "last": null}, "location": {"street": {"number": 12, "name": "Main"}, "city": "Oslo"}, "tags": ["a,b", null], "scores": {"x": 0.1}, "balance": 0.001})"
      "\n"
      R"({"id": 2, "location": {"street": {"number": 1, "name": ""}}, "tags": []})"
      "\n";
  Result<RecordBatch> batch = ReadJson(schema, data);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  Result<std::string> csv = WriteAll(Format::kCsv, *batch);
  ASSERT_TRUE(csv.ok()) << csv.status().ToString();
  EXPECT_EQ(
      *csv,
      "id,name,location,tags,scores,balance\n"
      R"(1,"{""first"":""A, \""B\"""",""last"":null}","{""street"":{""number"":12,""name"":""Main""},""city"":""Oslo""}","[""a,b"",null]","{""x"":0.1}",0.001)"
      "\n"
      R"(2,,"{""street"":{""number"":1,""name"":""""},""city"":null}",[],,)"
      "\n");
  ReadOptions options;
  options.schema = schema;
  Result<RecordBatch> back = ReadAll(Format::kCsv, *csv, options);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  std::string diff;
  EXPECT_TRUE(BatchesEqual(*batch, *back, &diff)) << diff;

  back = ReadAll(Format::kCsv, "id,location\n1,\"{\"\"street\"\": 5}\"\n", options);
  ASSERT_FALSE(back.ok());
  EXPECT_NE(back.status().ToString().find(
                "field 'location.street': expected struct (a JSON object), got \"5\""),
            std::string::npos)
      << back.status().ToString();
}

TEST(NestedTextTest, StructKeysMatchInAnyOrderAndTheLastDuplicateWins) {
  SchemaPtr schema = ParseSchema(R"({"type": "record", "name": "r", "fields": [
    {"name": "s", "type": {"type": "record", "name": "s_t", "fields": [
      {"name": "a", "type": ["null", "long"]},
      {"name": "b", "type": ["null", "string"]},
      {"name": "a_long_field_name_of_many_bytes", "type": ["null", {"type": "array", "items": "int"}]}]}}]})");
  const std::string data =
      R"({"s": {"b": "q", "a": 1, "a_long_field_name_of_many_bytes": [1, 2]}})"
      "\n"
      R"({"s": {"a_long_field_name_of_many_bytes": [3], "a": 2, "a": 3, "a_long_field_name_of_many_bytes": [4, 5], "a_long": 0}})"
      "\n"
      R"({"s": {"\u0061": 4, "\u0062": "\u00e9\"\n\u0001"}})"
      "\n";
  Result<RecordBatch> batch = ReadJson(schema, data);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_EQ(BatchJson(*batch),
            R"({"s": {"a": 1, "b": "q", "a_long_field_name_of_many_bytes": [1, 2]}})"
            "\n"
            R"({"s": {"a": 3, "b": null, "a_long_field_name_of_many_bytes": [4, 5]}})"
            "\n"
            R"({"s": {"a": 4, "b": "é\"\n\u0001", "a_long_field_name_of_many_bytes": null}})"
            "\n");
  // Strings print as nlohmann::json dumps them.
  const Field& f = schema->field(0).children[1];
  const Column& c = batch->column(0).child(1);
  EXPECT_EQ(ValueJson(f, c, 2), nlohmann::json(std::string(c.GetBytes(2))).dump());
  EXPECT_EQ(ValueJson(f, c, 2), "\"\xC3\xA9\\\"\\n\\u0001\"");
}

TEST(NestedTextTest, ParsesDecimalTextExactly) {
  const std::tuple<std::string, int, int, std::string> cases[] = {
      {"12345678901234567890.123", 38, 3, "12345678901234567890123"},
      {"-99999999999999999999999999999999999.999", 38, 3,
       "-99999999999999999999999999999999999999"},
      {"1.5e-1", 5, 2, "15"},
      {"+0.000", 5, 2, "0"},
      {"-0", 5, 0, "0"},
      {"12.30", 4, 1, "123"},
      {"1E3", 4, 0, "1000"},
  };
  for (const auto& [text, precision, scale, want] : cases) {
    SCOPED_TRACE(text);
    Int128 v = 0;
    ASSERT_EQ(ParseDecimalText(text, precision, scale, &v), DecimalText::kOk);
    const bool negative = v < 0;
    __extension__ unsigned __int128 u = negative ? -static_cast<unsigned __int128>(v) : v;
    std::string digits;
    do {
      digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
      u /= 10;
    } while (u != 0);
    EXPECT_EQ((negative ? "-" : "") + digits, want);
  }
  Int128 v = 0;
  EXPECT_EQ(ParseDecimalText("1.234", 5, 2, &v), DecimalText::kTooManyFractionDigits);
  EXPECT_EQ(ParseDecimalText("1000", 5, 2, &v), DecimalText::kTooManyDigits);
  EXPECT_EQ(ParseDecimalText("1e", 5, 2, &v), DecimalText::kNotANumber);
  EXPECT_EQ(ParseDecimalText(".", 5, 2, &v), DecimalText::kNotANumber);
  EXPECT_EQ(ParseDecimalText("1.2.3", 5, 2, &v), DecimalText::kNotANumber);
}

}  // namespace
}  // namespace lakepipe::text
