#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/column_json.h"
#include "formats/text/text_test_util.h"

namespace lakepipe::text {
namespace {

Result<Schema> Infer(const FormatInfo& format, const std::string& data, InferOptions options = {}) {
  auto file = NewMemoryInputFile("test.txt", data);
  return InferSchema(file.get(), format, options);
}

// "name: description" per field, e.g. "age: nullable long".
std::vector<std::string> Describe(const Schema& schema) {
  std::vector<std::string> out;
  for (const Field& f : schema.fields()) out.push_back(f.name + ": " + f.Describe());
  return out;
}

TEST(InferSchemaTest, JsonLinesWidensAndTracksNulls) {
  const std::string data =
      R"({"id": 1, "big": 1, "mix": 1, "name": "a", "flag": true, "gone": null, "when": "2024-01-31", "at": "2024-01-31T10:00:00Z", "uid": "3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a11", "nested": {"x": 1}})"
      "\n"
      R"({"id": 2, "big": 3000000000, "mix": 2.5, "name": "b", "flag": false, "gone": null, "when": "1969-07-20", "at": "1969-07-20 20:17:40.5+00:00", "uid": "B7E41D0C-2F93-4C1A-8E55-6A0D9C3F7E20", "nested": [1], "late": "x"})"
      "\n"
      "not json at all\n"
      "\n"
      R"({"id": 3, "big": -5, "mix": 3, "name": null, "flag": true, "when": "2000-02-29", "at": "2000-02-29T00:00:00.123456Z", "uid": "c2d8f6a4-91e3-4b7f-a0c5-38e7d1b94f62", "nested": "s"})"
      "\n";
  ASSERT_OK_AND_ASSIGN(Schema schema, Infer(JsonLinesFormat(), data));
  EXPECT_EQ(schema.name(), "record");
  EXPECT_EQ(Describe(schema), (std::vector<std::string>{
                                  "id: int",
                                  "big: long",
                                  "mix: double",
                                  "name: nullable string",
                                  "flag: boolean",
                                  "gone: null",
                                  "when: int (date)",
                                  "at: long (timestamp-micros)",
                                  "uid: string (uuid)",
                                  "nested: string",
                                  "late: nullable string",
                              }));
  EXPECT_TRUE(schema.field(5).nullable);
}

TEST(InferSchemaTest, MixedKindsBecomeStrings) {
  const std::string data =
      "{\"a\": 1, \"b\": true, \"c\": \"2024-01-01\", \"d\": \"2024-01-01T00:00:00Z\"}\n"
      "{\"a\": \"one\", \"b\": 0, \"c\": \"2024-01-01T00:00:00Z\", \"d\": 5}\n";
  ASSERT_OK_AND_ASSIGN(Schema schema, Infer(JsonLinesFormat(), data));
  EXPECT_EQ(Describe(schema),
            (std::vector<std::string>{"a: string", "b: string", "c: string", "d: string"}));
}

TEST(InferSchemaTest, NonFiniteDoublesStayDoubles) {
  const std::string data =
      "{\"a\": 1.5, \"b\": NaN, \"c\": \"Infinity\"}\n"
      "{\"a\": \"NaN\", \"b\": 2, \"c\": \"-Infinity\"}\n";
  ASSERT_OK_AND_ASSIGN(Schema schema, Infer(JsonLinesFormat(), data));
  EXPECT_EQ(Describe(schema), (std::vector<std::string>{"a: double", "b: double", "c: double"}));
}

TEST(InferSchemaTest, InferredSchemaReadsTheFile) {
  const std::string data =
      "{\"id\": 1, \"post_code\": 71452, \"dob\": \"1986-02-14T09:27:41.512Z\"}\n"
      "{\"id\": 2, \"post_code\": \"QJ7 4DN\", \"dob\": \"1959-07-30T22:11:08.301Z\"}\n";
  ASSERT_OK_AND_ASSIGN(Schema schema, Infer(JsonLinesFormat(), data));
  ReadOptions options;
  options.schema = std::make_shared<const Schema>(schema);
  ASSERT_OK_AND_ASSIGN(RecordBatch batch,
                       testing::ReadAll(testing::Format::kJsonLines, data, options));
  EXPECT_EQ(testing::Rows(batch),
            (std::vector<std::string>{
                R"({"id":1,"post_code":"71452","dob":"1986-02-14T09:27:41.512Z"})",
                R"({"id":2,"post_code":"QJ7 4DN","dob":"1959-07-30T22:11:08.301Z"})"}));
}

TEST(InferSchemaTest, JsonArraysAndSampleSize) {
  const std::string data = "[\n {\"a\": 1},\n {\"a\": 2},\n {\"a\": 3.5}\n]\n";
  ASSERT_OK_AND_ASSIGN(Schema all, Infer(JsonArrayFormat(), data));
  EXPECT_EQ(Describe(all), (std::vector<std::string>{"a: double"}));
  InferOptions two;
  two.sample_rows = 2;
  two.record_name = "sampled";
  ASSERT_OK_AND_ASSIGN(Schema sampled, Infer(JsonArrayFormat(), data, two));
  EXPECT_EQ(Describe(sampled), (std::vector<std::string>{"a: int"}));
  EXPECT_EQ(sampled.name(), "sampled");
}

TEST(InferSchemaTest, JsonWithoutObjectsIsAnError) {
  Result<Schema> schema = Infer(JsonLinesFormat(), "\n[1, 2]\n");
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.status().code(), StatusCode::kInvalidArgument);
}

// A sample whose only record is over the record limit (64 MiB) says so, as
// reading with a schema does, instead of claiming there is no object.
TEST(InferSchemaTest, RecordsOverTheLimitAreNamedAsTheReason) {
  const std::string big = "{\"s\": \"" + std::string(kDefaultMaxRecordBytes, 'x') + "\"}";
  const std::string limit =
      fmt::format("longer than the limit of {} bytes", kDefaultMaxRecordBytes);
  Result<Schema> json = Infer(JsonLinesFormat(), "\n" + big + "\n");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(json.status().message(),
            fmt::format("test.txt:2: the line is {} bytes, {}; no other record among the first "
                        "10000 is a JSON object to infer a schema from: give a schema",
                        big.size(), limit));
  Result<Schema> array = Infer(JsonArrayFormat(), "[" + big + "]");
  ASSERT_FALSE(array.ok());
  EXPECT_NE(array.status().message().find(
                fmt::format("test.txt:1: the element is {} bytes, {}", big.size() + 1, limit)),
            std::string::npos)
      << array.status().message();
  Result<Schema> csv = Infer(CsvFormat(), "s" + std::string(kDefaultMaxRecordBytes, 'x') + "\n1\n");
  ASSERT_FALSE(csv.ok());
  EXPECT_EQ(csv.status().message(),
            fmt::format("test.txt:1: the CSV header row is {} bytes, {}: give a schema",
                        kDefaultMaxRecordBytes + 1, limit));
}

TEST(InferSchemaTest, CsvTypesFromText) {
  const std::string data =
      "id,score,flag,name,when,at,empty,uid,weird name!\n"
      "1,1.5,true,alice,2024-01-31,2024-01-31T10:00:00Z,,3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a11,x\n"
      "2,NaN,FALSE,\"bob, jr\",1999-12-31,1999-12-31 "
      "23:59:59,,b7e41d0c-2f93-4c1a-8e55-6a0d9c3f7e20,\n"
      "3000000000,-2e5,true,,2000-01-01,2000-01-01T00:00:00.5Z,,c2d8f6a4-91e3-4b7f-a0c5-"
      "38e7d1b94f62,\"\"\n"
      "bad,row\n";
  ASSERT_OK_AND_ASSIGN(Schema schema, Infer(CsvFormat(), data));
  EXPECT_EQ(Describe(schema), (std::vector<std::string>{
                                  "id: long",
                                  "score: double",
                                  "flag: boolean",
                                  "name: nullable string",
                                  "when: int (date)",
                                  "at: long (timestamp-micros)",
                                  "empty: null",
                                  "uid: string (uuid)",
                                  "weird name!: nullable string",
                              }));
}

TEST(InferSchemaTest, CsvWithoutHeaderNamesColumnsByPosition) {
  InferOptions options;
  options.csv_header = false;
  options.csv_delimiter = '|';
  ASSERT_OK_AND_ASSIGN(Schema schema, Infer(CsvFormat(), "1|x\n2|y\n", options));
  EXPECT_EQ(Describe(schema), (std::vector<std::string>{"column0: int", "column1: string"}));
}

TEST(InferSchemaTest, CsvRejectsDuplicateColumnNames) {
  Result<Schema> schema = Infer(CsvFormat(), "a,b,a\n1,2,3\n");
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.status().message(),
            "test.txt: the CSV header names column 'a' twice; rename one or give a schema");
}

TEST(InferSchemaTest, CsvIntegersThenDecimalsWiden) {
  ASSERT_OK_AND_ASSIGN(Schema schema, Infer(CsvFormat(), "n,m\n1,1\n2.5,x\n"));
  EXPECT_EQ(Describe(schema), (std::vector<std::string>{"n: double", "m: string"}));
}

}  // namespace
}  // namespace lakepipe::text

namespace lakepipe::text {
namespace {

TEST(InferSchemaTest, NestedObjectsAndArraysBecomeStructsAndLists) {
  const std::string data =
      R"({"name": {"title": "Ms", "first": "Ella"}, "location": {"street": {"number": 4512, "name": "S"}, "postcode": 71452}, "tags": [1, 2], "ids": [{"a": 1}], "empty": [], "mixed": {"x": 1}})"
      "\n"
      R"({"name": {"first": "Oli", "last": "P"}, "location": {"street": {"number": 3000000000, "name": "R"}, "postcode": "AB1"}, "tags": [2.5, null], "ids": [{"b": "x"}, {"a": 2}], "empty": [], "mixed": [1]})"
      "\n"
      R"({"name": null, "location": {"street": {"number": 1, "name": "T"}, "postcode": 1}, "tags": null, "ids": [], "empty": []})"
      "\n";
  auto file = NewMemoryInputFile("test.txt", data);
  ASSERT_OK_AND_ASSIGN(Schema schema, InferSchema(file.get(), JsonLinesFormat(), {}));
  EXPECT_EQ(
      schema.ToAvroJson(),
      R"({"type":"record","name":"record","fields":[)"
      R"({"name":"name","type":["null",{"type":"record","name":"name","fields":[{"name":"title","type":["null","string"]},{"name":"first","type":"string"},{"name":"last","type":["null","string"]}]}]},)"
      R"({"name":"location","type":{"type":"record","name":"location","fields":[{"name":"street","type":{"type":"record","name":"location_street","fields":[{"name":"number","type":"long"},{"name":"name","type":"string"}]}},{"name":"postcode","type":"string"}]}},)"
      R"({"name":"tags","type":["null",{"type":"array","items":["null","double"]}]},)"
      R"({"name":"ids","type":{"type":"array","items":{"type":"record","name":"ids_element","fields":[{"name":"a","type":["null","int"]},{"name":"b","type":["null","string"]}]}}},)"
      R"({"name":"empty","type":{"type":"array","items":["null","string"]}},)"
      R"({"name":"mixed","type":["null","string"]}]})");
  // The inferred schema's Avro JSON parses back to the same schema.
  ASSERT_OK_AND_ASSIGN(
      Schema again,
      Schema::FromAvroJson(schema.ToAvroJson(), SchemaParseOptions{.complete_types = true}));
  EXPECT_EQ(again.ToAvroJson(), schema.ToAvroJson());
  EXPECT_EQ(again.ToString(), schema.ToString());

  // And the reader takes the sampled rows with it.
  ReadOptions options;
  options.schema = std::make_shared<const Schema>(schema);
  ASSERT_OK_AND_ASSIGN(RecordBatch batch,
                       testing::ReadAll(testing::Format::kJsonLines, data, options));
  EXPECT_EQ(
      RowJson(batch, 1),
      R"({"name": {"title": null, "first": "Oli", "last": "P"}, "location": {"street": {"number": 3000000000, "name": "R"}, "postcode": "AB1"}, "tags": [2.5, null], "ids": [{"a": null, "b": "x"}, {"a": 2, "b": null}], "empty": [], "mixed": "[1]"})");
}

}  // namespace
}  // namespace lakepipe::text
