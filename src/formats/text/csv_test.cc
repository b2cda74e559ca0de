#include <gtest/gtest.h>

#include "formats/text/text_test_util.h"

namespace lakepipe::text {
namespace {

using testing::BadRecords;
using testing::Format;
using testing::ParseSchema;
using testing::ReadAll;
using testing::Rows;

const char* kSchema = R"({"type": "record", "name": "r", "fields": [
  {"name": "id", "type": "long"},
  {"name": "name", "type": ["null", "string"]},
  {"name": "score", "type": ["null", "double"]},
  {"name": "ok", "type": ["null", "boolean"]}
]})";

ReadOptions Options(const char* schema = kSchema) {
  ReadOptions options;
  options.schema = ParseSchema(schema);
  return options;
}

TEST(CsvReaderTest, ReadsQuotedFieldsAndLineEnds) {
  const std::string data =
      "id,name,score,ok\r\n"
      "1,plain,1.5,true\r\n"
      "2,\"with, comma\",-2e3,FALSE\n"
      "3,\"say \"\"hi\"\"\",NaN,1\n"
      "4,\"two\r\nlines\nhere\",Infinity,0\n"
      "5,,,\n"
      "6,\"\",-Infinity,True";
  for (size_t chunk : {size_t{1}, size_t{5}, kDefaultChunkBytes}) {
    SCOPED_TRACE("chunk " + std::to_string(chunk));
    ReaderTuning tuning;
    tuning.chunk_bytes = chunk;
    ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kCsv, data, Options(), tuning));
    EXPECT_EQ(Rows(batch),
              (std::vector<std::string>{
                  R"({"id":1,"name":"plain","score":1.5,"ok":true})",
                  R"({"id":2,"name":"with, comma","score":-2000,"ok":false})",
                  R"({"id":3,"name":"say \"hi\"","score":"NaN","ok":true})",
                  R"({"id":4,"name":"two\r\nlines\nhere","score":"Infinity","ok":false})",
                  R"({"id":5,"name":null,"score":null,"ok":null})",
                  R"({"id":6,"name":"","score":"-Infinity","ok":true})",
              }));
  }
}

TEST(CsvReaderTest, MapsHeaderColumnsByName) {
  const std::string data =
      "\xEF\xBB\xBF"
      "extra,ok,id\n"
      "ignored,true,7\n"
      "x,,8\n";
  ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kCsv, data, Options()));
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{
                             R"({"id":7,"name":null,"score":null,"ok":true})",
                             R"({"id":8,"name":null,"score":null,"ok":null})",
                         }));
}

TEST(CsvReaderTest, MissingRequiredColumnFailsAtOpen) {
  Result<std::unique_ptr<RecordReader>> reader =
      testing::OpenReader(Format::kCsv, "name,score\nx,1\n", Options());
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.status().message(),
            "test.txt: the CSV header has no column 'id', which the schema requires (header "
            "columns: name, score); make the field nullable or fix the header");
}

TEST(CsvReaderTest, WithoutHeaderColumnsGoByPosition) {
  ReadOptions options = Options();
  options.csv_header = false;
  options.csv_delimiter = ';';
  ASSERT_OK_AND_ASSIGN(RecordBatch batch,
                       ReadAll(Format::kCsv, "1;a;2.5;false\n2;\"b;c\";;\n", options));
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{
                             R"({"id":1,"name":"a","score":2.5,"ok":false})",
                             R"({"id":2,"name":"b;c","score":null,"ok":null})",
                         }));
}

TEST(CsvReaderTest, BadRowsReportTheLineWhereTheyStart) {
  const std::string data =
      "id,name,score,ok\n"
      "1,\"multi\nline\",1,true\n"
      "2,too,many,fields,here\n"
      "x,\"also\nmulti\",1,true\n"
      "\n"
      "3,\"bad\"quote,1,true\n"
      ",empty id,1,true\n"
      "4,last,2.5,yes\n"
      "5,fine,3,false\n"
      "6,\"never closed,1,true\n";
  BadRecords bad;
  ReadOptions options = Options();
  options.bad_records = bad.Sink();
  uint64_t rejected = 0;
  ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kCsv, data, options, {}, &rejected));
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{
                             R"({"id":1,"name":"multi\nline","score":1,"ok":true})",
                             R"({"id":5,"name":"fine","score":3,"ok":false})",
                         }));
  EXPECT_EQ(rejected, 6u);
  ASSERT_EQ(bad.records.size(), 6u);
  EXPECT_EQ(bad.records[0].line, 4u);
  EXPECT_EQ(bad.records[0].reason, "expected 4 fields, got 5");
  EXPECT_EQ(bad.records[0].raw, "2,too,many,fields,here");
  EXPECT_EQ(bad.records[1].line, 5u);
  EXPECT_EQ(bad.records[1].reason, "field 'id': expected long, got \"x\"");
  EXPECT_EQ(bad.records[2].line, 8u);
  EXPECT_EQ(bad.records[2].reason,
            "field 2: unexpected text after the closing quote: quote,1,true");
  EXPECT_EQ(bad.records[3].line, 9u);
  EXPECT_EQ(bad.records[3].reason, "field 'id': empty value, and the field is not nullable");
  EXPECT_EQ(bad.records[4].line, 10u);
  EXPECT_EQ(bad.records[4].reason, "field 'ok': expected boolean, got \"yes\"");
  EXPECT_EQ(bad.records[5].line, 12u);
  EXPECT_EQ(bad.records[5].reason, "the file ends inside a quoted field (unterminated '\"')");

  Result<RecordBatch> failed = ReadAll(Format::kCsv, data, Options());
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().message(), "test.txt:4: expected 4 fields, got 5");
}

TEST(CsvReaderTest, EmptyStringVersusNullForEveryType) {
  const char* schema = R"({"type": "record", "name": "r", "fields": [
    {"name": "s", "type": ["null", "string"]},
    {"name": "b", "type": ["null", "bytes"]},
    {"name": "i", "type": ["null", "int"]},
    {"name": "d", "type": ["null", {"type": "int", "logicalType": "date"}]}
  ]})";
  ASSERT_OK_AND_ASSIGN(
      RecordBatch batch,
      ReadAll(Format::kCsv, "s,b,i,d\n,,,\n\"\",\"\",\"\",\"\"\n x ,AP8=, 42 , 2024-01-31 \n",
              Options(schema)));
  EXPECT_EQ(Rows(batch), (std::vector<std::string>{
                             R"({"s":null,"b":null,"i":null,"d":null})",
                             R"({"s":"","b":"","i":null,"d":null})",
                             R"({"s":" x ","b":"AP8=","i":42,"d":"2024-01-31"})",
                         }));
}

TEST(CsvReaderTest, SingleColumnEmptyLinesAreNulls) {
  const char* schema =
      R"({"type": "record", "name": "r", "fields": [{"name": "s", "type": ["null", "string"]}]})";
  ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kCsv, "s\na\n\n\"\"\n", Options(schema)));
  EXPECT_EQ(Rows(batch),
            (std::vector<std::string>{R"({"s":"a"})", R"({"s":null})", R"({"s":""})"}));
}

TEST(CsvReaderTest, EmptyFileHasNoRows) {
  ASSERT_OK_AND_ASSIGN(RecordBatch batch, ReadAll(Format::kCsv, "", Options()));
  EXPECT_EQ(batch.num_rows(), 0u);
  ASSERT_OK_AND_ASSIGN(batch, ReadAll(Format::kCsv, "id,name\n", Options()));
  EXPECT_EQ(batch.num_rows(), 0u);
}

}  // namespace
}  // namespace lakepipe::text
