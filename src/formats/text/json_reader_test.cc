#include <gtest/gtest.h>

#include "formats/text/text_test_util.h"

namespace lakepipe::text {
namespace {

using testing::BadRecords;
using testing::Format;
using testing::ParseSchema;
using testing::ReadAll;
using testing::Rows;

const char* kUserSchema = R"({"type": "record", "name": "user", "fields": [
  {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "first_name", "type": "string"},
  {"name": "gender", "type": {"type": "enum", "name": "gender", "symbols": ["female", "male"]}},
  {"name": "post_code", "type": ["null", "string"]},
  {"name": "dob", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "registered", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}]},
  {"name": "age", "type": "int"},
  {"name": "location", "type": ["null", "string"]}
]})";

ReadOptions Options(const char* schema) {
  ReadOptions options;
  options.schema = ParseSchema(schema);
  return options;
}

TEST(JsonLinesReaderTest, ReadsRandomUserShapedLines) {
  const std::string data =
      R"({"id": "3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a11", "first_name": "Ella", "gender": "female", "post_code": 71452, "dob": "1986-02-14T09:27:41.512Z", "registered": "2011-10-03T17:02:55.078Z", "age": 40, "location": {"city": "Aarhus N", "street": {"number": 4512}}})"
      "\n"
      R"({"id": "b7e41d0c-2f93-4c1a-8e55-6a0d9c3f7e20", "first_name": "Oliver", "gender": "male", "post_code": "QJ7 4DN", "dob": "1959-07-30T22:11:08.301Z", "age": 67, "extra": [1, 2]})"
      "\n"
      R"({"age": 28, "gender": "female", "dob": -1000, "first_name": "S\u00f8ren \"the\" Dane", "id": "c2d8f6a4-91e3-4b7f-a0c5-38e7d1b94f62", "post_code": null, "registered": 1700000000000000})"
      "\n";
  ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kJsonLines, data, Options(kUserSchema)));
  std::vector<std::string> rows = Rows(batch);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(
      rows[0],
      R"({"id":"3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a11","first_name":"Ella","gender":"female",)"
      R"("post_code":"71452","dob":"1986-02-14T09:27:41.512Z","registered":"2011-10-03T17:02:55.078Z",)"
      R"("age":40,"location":"{\"city\": \"Aarhus N\", \"street\": {\"number\": 4512}}"})");
  EXPECT_EQ(
      rows[1],
      R"({"id":"b7e41d0c-2f93-4c1a-8e55-6a0d9c3f7e20","first_name":"Oliver","gender":"male",)"
      R"("post_code":"QJ7 4DN","dob":"1959-07-30T22:11:08.301Z","registered":null,"age":67,"location":null})");
  EXPECT_EQ(rows[2],
            R"({"id":"c2d8f6a4-91e3-4b7f-a0c5-38e7d1b94f62","first_name":"Søren \"the\" Dane",)"
            R"("gender":"female","post_code":null,"dob":"1969-12-31T23:59:59Z",)"
            R"("registered":"2023-11-14T22:13:20Z","age":28,"location":null})");
  EXPECT_EQ(batch.column(4).GetInt64(0), 508757261512);
  EXPECT_EQ(batch.column(2).GetInt32(1), 1);
}

TEST(JsonLinesReaderTest, CoercesValuesIntoFieldTypes) {
  const char* schema = R"({"type": "record", "name": "r", "fields": [
    {"name": "i", "type": ["null", "int"]},
    {"name": "l", "type": ["null", "long"]},
    {"name": "f", "type": ["null", "float"]},
    {"name": "d", "type": ["null", "double"]},
    {"name": "b", "type": ["null", "boolean"]},
    {"name": "s", "type": ["null", "string"]},
    {"name": "by", "type": ["null", "bytes"]},
    {"name": "dt", "type": ["null", {"type": "int", "logicalType": "date"}]}
  ]})";
  const std::string data =
      R"({"i": 3.0, "l": "-9223372036854775808", "f": 0.1, "d": "NaN", "b": true, "s": 12.50, "by": "AP8=", "dt": "1969-12-31"})"
      "\n"
      R"({"i": "7", "l": 9223372036854775807, "f": "-Infinity", "d": "Infinity", "b": false, "s": true, "by": "", "dt": 19000})"
      "\n"
      R"({"i": -2147483648, "l": 1e3, "f": 3, "d": "-1.5e-300", "s": [1, "x"], "dt": "2024-02-29"})"
      "\n";
  ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kJsonLines, data, Options(schema)));
  std::vector<std::string> rows = Rows(batch);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(
      rows[0],
      R"({"i":3,"l":-9223372036854775808,"f":0.1,"d":"NaN","b":true,"s":"12.50","by":"AP8=","dt":"1969-12-31"})");
  EXPECT_EQ(
      rows[1],
      R"({"i":7,"l":9223372036854775807,"f":"-Infinity","d":"Infinity","b":false,"s":"true","by":"","dt":"2022-01-08"})");
  EXPECT_EQ(
      rows[2],
      R"({"i":-2147483648,"l":1000,"f":3,"d":-1.5e-300,"b":null,"s":"[1, \"x\"]","by":null,"dt":"2024-02-29"})");
  EXPECT_EQ(batch.column(2).GetFloat(0), 0.1f);
  EXPECT_EQ(batch.column(6).GetBytes(0), std::string("\0\xff", 2));
}

TEST(JsonLinesReaderTest, AcceptsBareNonFiniteNumbersAsDuckDbWritesThem) {
  const char* schema = R"({"type": "record", "name": "r", "fields": [
    {"name": "d", "type": "double"}, {"name": "f", "type": "float"}]})";
  const std::string data =
      "{\"d\":NaN,\"f\":Infinity}\n"
      "{\"d\":-Infinity,\"f\":-Infinity}\n"
      "{\"d\":-0.0,\"f\":NaN}\n";
  ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kJsonLines, data, Options(schema)));
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{R"({"d":"NaN","f":"Infinity"})",
                                                   R"({"d":"-Infinity","f":"-Infinity"})",
                                                   R"({"d":-0.0,"f":"NaN"})"}));
  BadRecords bad;
  ReadOptions options = Options(
      R"({"type": "record", "name": "r", "fields": [{"name": "n", "type": ["null", "long"]}]})");
  options.bad_records = bad.Sink();
  ASSERT_OK_AND_ASSIGN(batch,
                       ReadAll(Format::kJsonLines, "{\"n\":NaN}\n{\"n\":-Infinity}\n", options));
  EXPECT_EQ(batch.num_rows(), 0u);
  ASSERT_EQ(bad.records.size(), 2u);
  EXPECT_NE(bad.records[0].reason.find("invalid JSON"), std::string::npos) << bad.records[0].reason;
  EXPECT_EQ(bad.records[1].reason, "field 'n': expected long, got -Infinity");
}

struct BadCase {
  const char* line;
  const char* reason;
};

TEST(JsonLinesReaderTest, ExplainsValuesThatDoNotFit) {
  const char* schema = R"({"type": "record", "name": "r", "fields": [
    {"name": "age", "type": ["null", "int"]},
    {"name": "ok", "type": ["null", "boolean"]},
    {"name": "u", "type": ["null", {"type": "string", "logicalType": "uuid"}]},
    {"name": "e", "type": ["null", {"type": "enum", "name": "E", "symbols": ["A", "B"]}]},
    {"name": "ts", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}]},
    {"name": "f", "type": ["null", "float"]},
    {"name": "need", "type": "string", "default": ""}
  ]})";
  const BadCase cases[] = {
      {R"({"age": "abc", "need": ""})", R"(field 'age': expected int, got "abc")"},
      {R"({"age": 3.5, "need": ""})", "field 'age': expected int, got 3.5"},
      {R"({"age": 3000000000, "need": ""})",
       "field 'age': 3000000000 is out of range for int (declare the field long)"},
      {R"({"age": {"x": 1}, "need": ""})", "field 'age': expected int, got an object"},
      {R"({"ok": "maybe", "need": ""})", R"(field 'ok': expected boolean, got "maybe")"},
      {R"({"ok": 1, "need": ""})", "field 'ok': expected boolean, got 1"},
      {R"({"u": "not-a-uuid", "need": ""})",
       R"(field 'u': expected uuid (8-4-4-4-12 hex digits), got "not-a-uuid")"},
      {R"({"e": "C", "need": ""})", R"(field 'e': expected one of the symbols A, B, got "C")"},
      {R"({"ts": "yesterday", "need": ""})",
       R"(field 'ts': expected timestamp (ISO-8601 or epoch microseconds), got "yesterday")"},
      {R"({"f": 1e39, "need": ""})",
       "field 'f': 1e39 is out of range for float (declare it double)"},
      {R"({"age": 1})", "field 'need': missing, and the field is not nullable"},
      {R"({"need": null})", "field 'need': got null, and the field is not nullable"},
      {R"([1, 2])", "expected a JSON object, got [1, 2]"},
      {R"("text")", R"(expected a JSON object, got "text")"},
      {R"({"need": "x"} {"need": "y"})", R"(unexpected text after the JSON object: {"need": "y"})"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.line);
    BadRecords bad;
    ReadOptions options = Options(schema);
    options.bad_records = bad.Sink();
    uint64_t rejected = 0;
    ASSERT_OK_AND_ASSIGN(RecordBatch batch,
                         ReadAll(Format::kJsonLines, std::string(c.line) + "\n{\"need\": \"ok\"}\n",
                                 options, {}, &rejected));
    EXPECT_EQ(batch.num_rows(), 1u);
    EXPECT_EQ(rejected, 1u);
    ASSERT_EQ(bad.records.size(), 1u);
    EXPECT_EQ(bad.records[0].reason, c.reason);
    EXPECT_EQ(bad.records[0].raw, c.line);
  }
}

// A number goes into an integer field only when its value is exactly an
// integer of the field's range: nothing is rounded through a double.
TEST(JsonLinesReaderTest, IntegersAreExactOrTheRecordIsBad) {
  const char* schema = R"({"type": "record", "name": "r", "fields": [
    {"name": "l", "type": ["null", "long"]},
    {"name": "i", "type": ["null", "int"]},
    {"name": "d", "type": ["null", {"type": "int", "logicalType": "date"}]}
  ]})";
  const std::string good = R"({"l": 9223372036854775807})"
                           "\n"
                           R"({"l": -9223372036854775808})"
                           "\n"
                           R"({"l": 1234567890123456789.0})"
                           "\n"
                           R"({"l": 9007199254740993.0})"
                           "\n"
                           R"({"l": -9.223372036854775808e18, "i": 1e2, "d": 19000.0})"
                           "\n"
                           R"({"l": -0.0, "i": -2147483648.0, "d": "1.9e4"})"
                           "\n";
  ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kJsonLines, good, Options(schema)));
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{
                             R"({"l":9223372036854775807,"i":null,"d":null})",
                             R"({"l":-9223372036854775808,"i":null,"d":null})",
                             R"({"l":1234567890123456789,"i":null,"d":null})",
                             R"({"l":9007199254740993,"i":null,"d":null})",
                             R"({"l":-9223372036854775808,"i":100,"d":"2022-01-08"})",
                             R"({"l":0,"i":-2147483648,"d":"2022-01-08"})",
                         }));
  const BadCase cases[] = {
      {R"({"l": -9223372036854775809})",
       "field 'l': -9223372036854775809 is out of range for long (-2^63 to 2^63-1)"},
      {R"({"l": -9223372036854776808})",
       "field 'l': -9223372036854776808 is out of range for long (-2^63 to 2^63-1)"},
      {R"({"l": 9223372036854775808})",
       "field 'l': 9223372036854775808 is out of range for long (-2^63 to 2^63-1)"},
      {R"({"l": 9223372036854775808.0})",
       "field 'l': 9223372036854775808.0 is out of range for long (-2^63 to 2^63-1)"},
      {R"({"l": 1e400})", "field 'l': 1e400 is out of range for long (-2^63 to 2^63-1)"},
      {R"({"l": "-9223372036854775809"})",
       "field 'l': -9223372036854775809 is out of range for long (-2^63 to 2^63-1)"},
      {R"({"l": 1.5})", "field 'l': expected long, got 1.5"},
      {R"({"l": 1234567890123456789.5})", "field 'l': expected long, got 1234567890123456789.5"},
      {R"({"l": 1e-400})", "field 'l': expected long, got 1e-400"},
      {R"({"i": 2147483648.0})",
       "field 'i': 2147483648.0 is out of range for int (declare the field long)"},
      {R"({"i": 4294967296.5})", "field 'i': expected int, got 4294967296.5"},
      {R"({"d": 2147483648})", "field 'd': 2147483648 is out of range for a date"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.line);
    BadRecords bad;
    ReadOptions options = Options(schema);
    options.bad_records = bad.Sink();
    ASSERT_OK_AND_ASSIGN(batch, ReadAll(Format::kJsonLines, std::string(c.line) + "\n", options));
    EXPECT_EQ(batch.num_rows(), 0u) << Rows(batch)[0];
    ASSERT_EQ(bad.records.size(), 1u);
    EXPECT_EQ(bad.records[0].reason, c.reason);
  }
}

// Timestamps are accepted in the range every reader of the lake handles.
TEST(JsonLinesReaderTest, TimestampsOutsideWhatReadersAcceptAreBadRecords) {
  const char* schema = R"({"type": "record", "name": "r", "fields": [
    {"name": "ms", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]},
    {"name": "us", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}]}
  ]})";
  const std::string good = R"({"ms": -62135596800000, "us": -62135596800000000})"
                           "\n"
                           R"({"ms": 253402300799999, "us": 253402300799999999})"
                           "\n"
                           R"({"ms": "9999-12-31T23:59:59.999Z", "us": "0001-01-01T00:00:00Z"})"
                           "\n";
  ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kJsonLines, good, Options(schema)));
  EXPECT_EQ(Rows(batch),
            (std::vector<std::string>{
                R"({"ms":"0001-01-01T00:00:00Z","us":"0001-01-01T00:00:00Z"})",
                R"({"ms":"9999-12-31T23:59:59.999Z","us":"9999-12-31T23:59:59.999999Z"})",
                R"({"ms":"9999-12-31T23:59:59.999Z","us":"0001-01-01T00:00:00Z"})",
            }));
  const std::string range = "(0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)";
  const std::pair<std::string, std::string> cases[] = {
      {R"({"ms": 9223372036854775807})", "field 'ms': 9223372036854775807"},
      {R"({"ms": -9223372036854775808})", "field 'ms': -9223372036854775808"},
      {R"({"ms": 253402300800000})", "field 'ms': 253402300800000"},
      {R"({"ms": -62135596800001})", "field 'ms': -62135596800001"},
      {R"({"us": 253402300800000000})", "field 'us': 253402300800000000"},
      {R"({"us": "-9223372036854775808"})", "field 'us': -9223372036854775808"},
      {R"({"us": "0000-12-31T23:59:59.999999Z"})", "field 'us': 0000-12-31T23:59:59.999999Z"},
      {R"({"ms": "9999-12-31T23:59:59-01:00"})", "field 'ms': 9999-12-31T23:59:59-01:00"},
  };
  for (const auto& [line, field] : cases) {
    SCOPED_TRACE(line);
    BadRecords bad;
    ReadOptions options = Options(schema);
    options.bad_records = bad.Sink();
    ASSERT_OK_AND_ASSIGN(batch, ReadAll(Format::kJsonLines, line + "\n", options));
    EXPECT_EQ(batch.num_rows(), 0u);
    ASSERT_EQ(bad.records.size(), 1u);
    EXPECT_EQ(bad.records[0].reason,
              field + " is outside the timestamps the lake's readers accept " + range);
  }
}

TEST(JsonLinesReaderTest, InvalidJsonIsABadRecord) {
  const char* schema =
      R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": ["null", "long"]}]})";
  for (const char* line :
       {R"({"a": 1)", R"({"a" 1})", R"({"a": tru})", R"({"a": 1,})", "{'a': 1}"}) {
    SCOPED_TRACE(line);
    BadRecords bad;
    ReadOptions options = Options(schema);
    options.bad_records = bad.Sink();
    ASSERT_OK_AND_ASSIGN(
        RecordBatch batch,
        ReadAll(Format::kJsonLines, std::string("{\"a\": 5}\n") + line + "\n", options));
    EXPECT_EQ(batch.num_rows(), 1u);
    ASSERT_EQ(bad.records.size(), 1u);
    EXPECT_NE(bad.records[0].reason.find("invalid JSON ("), std::string::npos)
        << bad.records[0].reason;
    EXPECT_EQ(bad.records[0].line, 2u);
  }
}

TEST(JsonLinesReaderTest, MissingNullUnknownAndDuplicateKeys) {
  const char* schema = R"({"type": "record", "name": "r", "fields": [
    {"name": "a", "type": "long"}, {"name": "b", "type": ["string", "null"]},
    {"name": "nothing", "type": "null"}]})";
  const std::string data =
      "{\"a\": 1}\n"
      "{\"zzz\": {\"deep\": [1, 2]}, \"b\": \"x\", \"a\": 2, \"nothing\": null}\n"
      "{\"a\": 3, \"b\": \"first\", \"b\": \"second\", \"a\": 4}\n"
      "{\"b\": null, \"a\": 5, \"\\u0061\": 6}\n";
  ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kJsonLines, data, Options(schema)));
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{
                             R"({"a":1,"b":null,"nothing":null})",
                             R"({"a":2,"b":"x","nothing":null})",
                             R"({"a":4,"b":"second","nothing":null})",
                             R"({"a":6,"b":null,"nothing":null})",
                         }));
}

TEST(JsonLinesReaderTest, BadLinesGoToTheSinkWithLineAndOffset) {
  const char* schema =
      R"({"type": "record", "name": "r", "fields": [{"name": "n", "type": "int"}]})";
  const std::string data =
      "{\"n\": 1}\r\n"
      "\r\n"
      "   \n"
      "{\"n\": \"x\"}\r\n"
      "{\"n\": 2}\n"
      "not json\n"
      "{\"n\": 3}";
  BadRecords bad;
  ReadOptions options = Options(schema);
  options.bad_records = bad.Sink();
  uint64_t rejected = 0;
  ASSERT_OK_AND_ASSIGN(RecordBatch batch,
                       ReadAll(Format::kJsonLines, data, options, {}, &rejected));
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{R"({"n":1})", R"({"n":2})", R"({"n":3})"}));
  EXPECT_EQ(rejected, 2u);
  ASSERT_EQ(bad.records.size(), 2u);
  EXPECT_EQ(bad.records[0].source, "test.txt");
  EXPECT_EQ(bad.records[0].line, 4u);
  EXPECT_EQ(bad.records[0].offset, 16u);
  EXPECT_EQ(bad.records[0].raw, "{\"n\": \"x\"}");
  EXPECT_EQ(bad.records[1].line, 6u);
  EXPECT_EQ(bad.records[1].raw, "not json");

  // Without a sink the first bad line stops reading.
  Result<RecordBatch> failed = ReadAll(Format::kJsonLines, data, Options(schema));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(failed.status().message(), "test.txt:4: field 'n': expected int, got \"x\"");
}

TEST(JsonLinesReaderTest, SinkErrorStopsReading) {
  ReadOptions options =
      Options(R"({"type": "record", "name": "r", "fields": [{"name": "n", "type": "int"}]})");
  options.bad_records = [](const BadRecord&) {
    return Status(StatusCode::kUnavailable, "dlq down");
  };
  Result<RecordBatch> failed = ReadAll(Format::kJsonLines, "{\"n\": 1}\nbad\n", options);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
}

TEST(JsonLinesReaderTest, ByteOrderMarkAndMissingFinalNewline) {
  ReadOptions options =
      Options(R"({"type": "record", "name": "r", "fields": [{"name": "n", "type": "int"}]})");
  ASSERT_OK_AND_ASSIGN(RecordBatch batch,
                       ReadAll(Format::kJsonLines, "\xEF\xBB\xBF{\"n\": 1}\n{\"n\": 2}", options));
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{R"({"n":1})", R"({"n":2})"}));
}

TEST(JsonLinesReaderTest, LinesLongerThanTheChunk) {
  ReadOptions options = Options(
      R"({"type": "record", "name": "r", "fields": [{"name": "s", "type": "string"}, {"name": "n", "type": "int"}]})");
  const std::string long_value(100000, 'v');
  std::string data;
  for (int i = 0; i < 20; ++i) {
    data += "{\"s\": \"" + (i % 3 == 0 ? long_value : std::string("short")) +
            "\", \"n\": " + std::to_string(i) + "}\n";
  }
  for (size_t chunk : {size_t{7}, size_t{4096}, kDefaultChunkBytes}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    ReaderTuning tuning;
    tuning.chunk_bytes = chunk;
    ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kJsonLines, data, options, tuning));
    ASSERT_EQ(batch.num_rows(), 20u);
    for (size_t i = 0; i < 20; ++i) {
      EXPECT_EQ(batch.column(1).GetInt32(i), static_cast<int32_t>(i));
      EXPECT_EQ(batch.column(0).GetBytes(i).size(), i % 3 == 0 ? long_value.size() : 5u);
    }
  }
}

TEST(JsonLinesReaderTest, OneLineLargerThanTheDefaultChunk) {
  ReadOptions options =
      Options(R"({"type": "record", "name": "r", "fields": [{"name": "s", "type": "string"}]})");
  const std::string big(kDefaultChunkBytes + 12345, 'b');
  ASSERT_OK_AND_ASSIGN(
      RecordBatch batch,
      ReadAll(Format::kJsonLines, "{\"s\": \"a\"}\n{\"s\": \"" + big + "\"}\n{\"s\": \"c\"}\n",
              options));
  ASSERT_EQ(batch.num_rows(), 3u);
  EXPECT_EQ(batch.column(0).GetBytes(1), big);
  EXPECT_EQ(batch.column(0).GetBytes(2), "c");
}

TEST(JsonLinesReaderTest, LineOverTheLimitIsABadRecord) {
  ReadOptions options =
      Options(R"({"type": "record", "name": "r", "fields": [{"name": "s", "type": "string"}]})");
  BadRecords bad;
  options.bad_records = bad.Sink();
  ReaderTuning tuning;
  tuning.chunk_bytes = 64;
  tuning.max_record_bytes = 1000;
  const std::string line = "{\"s\": \"" + std::string(5000, 'x') + "\"}";
  ASSERT_OK_AND_ASSIGN(RecordBatch batch,
                       ReadAll(Format::kJsonLines, "{\"s\": \"a\"}\n" + line + "\n{\"s\": \"b\"}\n",
                               options, tuning));
  EXPECT_EQ(batch.num_rows(), 2u);
  ASSERT_EQ(bad.records.size(), 1u);
  EXPECT_EQ(bad.records[0].line, 2u);
  EXPECT_EQ(bad.records[0].reason, "the line is 5009 bytes, longer than the limit of 1000 bytes");
  EXPECT_EQ(bad.records[0].raw.size(), 1024u);
}

TEST(JsonLinesReaderTest, FillsBatchesOfTheRequestedSize) {
  ReadOptions options =
      Options(R"({"type": "record", "name": "r", "fields": [{"name": "n", "type": "int"}]})");
  options.batch_rows = 2;
  ASSERT_OK_AND_ASSIGN(
      auto reader,
      testing::OpenReader(Format::kJsonLines,
                          "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n{\"n\":5}\n", options));
  RecordBatch batch(options.schema);
  std::vector<size_t> sizes;
  while (true) {
    ASSERT_OK_AND_ASSIGN(bool more, reader->ReadBatch(&batch));
    if (!more) break;
    sizes.push_back(batch.num_rows());
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
  EXPECT_EQ(batch.num_rows(), 0u);
}

TEST(JsonLinesReaderTest, NeedsASchema) {
  Result<std::unique_ptr<RecordReader>> reader =
      NewJsonLinesReader(NewMemoryInputFile("x.jsonl", "{}\n"), ReadOptions{});
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);
}

const char* kSmallSchema = R"({"type": "record", "name": "r", "fields": [
  {"name": "a", "type": "long"}, {"name": "b", "type": ["null", "string"]}]})";

TEST(JsonArrayReaderTest, ReadsPrettyPrintedArrays) {
  const std::string data =
      "\xEF\xBB\xBF[\n"
      "  {\n"
      "    \"a\": 1,\n"
      "    \"b\": \"[not, the, end]\"\n"
      "  },\n"
      "  {\"a\": 2, \"b\": \"\\\"}\"},\n"
      "  {\"a\": 3}\n"
      "]\n";
  for (size_t chunk : {size_t{3}, kDefaultChunkBytes}) {
    ReaderTuning tuning;
    tuning.chunk_bytes = chunk;
    ASSERT_OK_AND_ASSIGN(RecordBatch batch,
                         ReadAll(Format::kJsonArray, data, Options(kSmallSchema), tuning));
    EXPECT_EQ(Rows(batch),
              (std::vector<std::string>{R"({"a":1,"b":"[not, the, end]"})", R"({"a":2,"b":"\"}"})",
                                        R"({"a":3,"b":null})"}));
  }
}

TEST(JsonArrayReaderTest, EmptyArraysAndEmptyFiles) {
  for (const char* data : {"[]", " [ ]\n", "", "\n\n"}) {
    ASSERT_OK_AND_ASSIGN(RecordBatch batch,
                         ReadAll(Format::kJsonArray, data, Options(kSmallSchema)));
    EXPECT_EQ(batch.num_rows(), 0u);
  }
}

TEST(JsonArrayReaderTest, ReadsObjectsOneAfterAnother) {
  ASSERT_OK_AND_ASSIGN(
      RecordBatch batch,
      ReadAll(Format::kJsonArray, "{\"a\": 1}\n{\"a\": 2}{\"a\": 3,\n \"b\": \"x\"}",
              Options(kSmallSchema)));
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{R"({"a":1,"b":null})", R"({"a":2,"b":null})",
                                                   R"({"a":3,"b":"x"})"}));
}

TEST(JsonArrayReaderTest, BadElementsReportTheLineWhereTheyStart) {
  const std::string data =
      "[\n"
      "  {\"a\": 1},\n"
      "  {\n"
      "    \"a\": \"one\"\n"
      "  },\n"
      "  7,\n"
      "  {\"a\": 2} {\"a\": 3},\n"
      "  [1],\n"
      "  {\"a\": 4}\n"
      "]\n";
  BadRecords bad;
  ReadOptions options = Options(kSmallSchema);
  options.bad_records = bad.Sink();
  ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kJsonArray, data, options));
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{R"({"a":1,"b":null})", R"({"a":2,"b":null})",
                                                   R"({"a":4,"b":null})"}));
  ASSERT_EQ(bad.records.size(), 4u);
  EXPECT_EQ(bad.records[0].line, 3u);
  EXPECT_EQ(bad.records[0].reason, "field 'a': expected long, got \"one\"");
  EXPECT_EQ(bad.records[0].raw, "{\n    \"a\": \"one\"\n  }");
  EXPECT_EQ(bad.records[0].offset, 16u);
  EXPECT_EQ(bad.records[1].line, 6u);
  EXPECT_EQ(bad.records[1].reason, "expected a JSON object, got 7");
  EXPECT_EQ(bad.records[2].line, 7u);
  EXPECT_EQ(bad.records[2].reason, "missing ',' before this array element");
  EXPECT_EQ(bad.records[3].line, 8u);
  EXPECT_EQ(bad.records[3].reason, "expected a JSON object, got [1]");

  Result<RecordBatch> failed = ReadAll(Format::kJsonArray, data, Options(kSmallSchema));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "test.txt:3: field 'a': expected long, got \"one\"");
}

TEST(JsonArrayReaderTest, TruncatedAndMalformedFiles) {
  BadRecords bad;
  ReadOptions options = Options(kSmallSchema);
  options.bad_records = bad.Sink();
  ASSERT_OK_AND_ASSIGN(RecordBatch batch,
                       ReadAll(Format::kJsonArray, "[{\"a\": 1},\n {\"a\": 2", options));
  EXPECT_EQ(batch.num_rows(), 1u);
  ASSERT_EQ(bad.records.size(), 1u);
  EXPECT_EQ(bad.records[0].line, 2u);
  EXPECT_EQ(bad.records[0].reason, "the file ends inside this element (is it truncated?)");

  bad.records.clear();
  ASSERT_OK_AND_ASSIGN(batch, ReadAll(Format::kJsonArray, "[{\"a\": 1},\n{\"a\": 2}\n", options));
  EXPECT_EQ(batch.num_rows(), 2u);
  ASSERT_EQ(bad.records.size(), 1u);
  EXPECT_EQ(bad.records[0].reason,
            "the JSON array is not closed with ']' (is the file truncated?)");

  Result<RecordBatch> trailing = ReadAll(Format::kJsonArray, "[{\"a\": 1}]\n{\"a\": 2}\n", options);
  ASSERT_FALSE(trailing.ok());
  EXPECT_EQ(trailing.status().message(),
            "test.txt:2: unexpected text after the JSON array: {\"a\": 2}");

  Result<RecordBatch> scalar = ReadAll(Format::kJsonArray, "\n\"just a string\"", options);
  ASSERT_FALSE(scalar.ok());
  EXPECT_EQ(scalar.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(scalar.status().message().find("test.txt:2: not a JSON array"), std::string::npos)
      << scalar.status().message();
}

}  // namespace
}  // namespace lakepipe::text
