#include <gtest/gtest.h>

#include "formats/text/text_test_util.h"

namespace lakepipe {
namespace {

using text::testing::ParseSchema;
using text::testing::Rows;

const char* kSchema = R"({"type": "record", "name": "r", "fields": [
  {"name": "id", "type": "long"},
  {"name": "name", "type": ["null", "string"]},
  {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
  {"name": "at", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]}
]})";

TEST(JsonRecordParserTest, AppendsOneCommittedRowPerObject) {
  SchemaPtr schema = ParseSchema(kSchema);
  JsonRecordParser parser(schema);
  EXPECT_EQ(parser.schema(), schema);
  RecordBatch batch(schema);
  std::string reason;
  ASSERT_TRUE(
      parser.Parse(R"({"id": 1, "name": "a\"b", "color": "RED", "at": "2026-11-21T05:00:00Z"})",
                   &batch, &reason))
      << reason;
  // Surrounding whitespace is fine; missing nullable keys are null; unknown keys ignored.
  ASSERT_TRUE(
      parser.Parse(" \n{\"color\": \"GREEN\", \"id\": \"2\", \"x\": [1]}\r\n", &batch, &reason))
      << reason;
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{
                             R"({"id":1,"name":"a\"b","color":"RED","at":"2026-11-21T05:00:00Z"})",
                             R"({"id":2,"name":null,"color":"GREEN","at":null})"}));
}

TEST(JsonRecordParserTest, ReportsBadRecordsAndLeavesTheBatchAsItWas) {
  SchemaPtr schema = ParseSchema(kSchema);
  JsonRecordParser parser(schema);
  RecordBatch batch(schema);
  std::string reason;
  ASSERT_TRUE(parser.Parse(R"({"id": 1, "color": "RED"})", &batch, &reason)) << reason;
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty input: expected a JSON object"},
      {"   ", "empty input: expected a JSON object"},
      {"not json", "expected a JSON object, got"},
      {"[1, 2]", "expected a JSON object, got [1, 2]"},
      {R"({"id": 1)", "invalid JSON"},
      {R"({"id": 1, "color": "RED"} trailing)", "invalid JSON"},
      {R"({"color": "RED"})", "field 'id': missing, and the field is not nullable"},
      {R"({"id": "abc", "color": "RED"})", "field 'id': expected long"},
      {R"({"id": 1, "color": "BLUE"})", "field 'color': expected one of the symbols RED, GREEN"},
      {R"({"id": 1, "color": null})", "field 'color': got null, and the field is not nullable"},
  };
  for (const auto& [json, want] : cases) {
    SCOPED_TRACE(json);
    reason.clear();
    EXPECT_FALSE(parser.Parse(json, &batch, &reason));
    EXPECT_NE(reason.find(want), std::string::npos) << reason;
    EXPECT_EQ(batch.num_rows(), 1u);
    for (size_t c = 0; c < batch.num_columns(); ++c) EXPECT_EQ(batch.column(c).size(), 1u);
  }
  // The parser is still usable after bad records.
  ASSERT_TRUE(parser.Parse(R"({"id": 3, "color": "GREEN"})", &batch, &reason)) << reason;
  EXPECT_EQ(batch.num_rows(), 2u);
}

TEST(JsonRecordParserTest, DoesNotReadPastTheInput) {
  // The input is a view into a larger buffer: the bytes after it must not count.
  SchemaPtr schema = ParseSchema(kSchema);
  JsonRecordParser parser(schema);
  RecordBatch batch(schema);
  std::string reason;
  const std::string buffer = R"({"id": 7, "color": "RED"}{"id": 8})";
  ASSERT_TRUE(parser.Parse(std::string_view(buffer).substr(0, 25), &batch, &reason)) << reason;
  EXPECT_FALSE(parser.Parse(std::string_view(buffer).substr(0, 10), &batch, &reason));
  EXPECT_EQ(batch.num_rows(), 1u);
}

}  // namespace
}  // namespace lakepipe
