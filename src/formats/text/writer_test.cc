#include <cfloat>
#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "formats/text/text_test_util.h"

namespace lakepipe::text {
namespace {

using testing::ExpectSameBatch;
using testing::Format;
using testing::ParseSchema;
using testing::ReadAll;
using testing::WriteAll;

// Every type, required and nullable, plus a null-typed field.
const char* kAllTypes = R"({"type": "record", "name": "all", "fields": [
  {"name": "b", "type": "boolean"},
  {"name": "i", "type": "int"},
  {"name": "l", "type": "long"},
  {"name": "f", "type": "float"},
  {"name": "d", "type": "double"},
  {"name": "s", "type": "string"},
  {"name": "by", "type": "bytes"},
  {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["RED", "GREEN", "BLUE"]}},
  {"name": "dt", "type": {"type": "int", "logicalType": "date"}},
  {"name": "tms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "tus", "type": {"type": "long", "logicalType": "timestamp-micros"}},
  {"name": "u", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "nb", "type": ["null", "boolean"]},
  {"name": "ni", "type": ["null", "int"]},
  {"name": "nl", "type": ["null", "long"]},
  {"name": "nf", "type": ["null", "float"]},
  {"name": "nd", "type": ["null", "double"]},
  {"name": "ns", "type": ["null", "string"]},
  {"name": "nby", "type": ["null", "bytes"]},
  {"name": "ne", "type": ["null", {"type": "enum", "name": "E2", "symbols": ["X", "Y"]}]},
  {"name": "ndt", "type": ["null", {"type": "int", "logicalType": "date"}]},
  {"name": "ntms", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]},
  {"name": "ntus", "type": ["null", {"type": "long", "logicalType": "timestamp-micros"}]},
  {"name": "nu", "type": ["null", {"type": "string", "logicalType": "uuid"}]},
  {"name": "z", "type": "null"}
]})";

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr float kInfF = std::numeric_limits<float>::infinity();

// Control characters, DEL and a NUL byte inside a string.
constexpr char kControl[] = "tab\tback\\slash \x01 control \x7f and nul \0!";

RecordBatch AllTypesBatch() {
  RecordBatch batch(ParseSchema(kAllTypes));
  const std::vector<std::string> strings = {
      "",
      "plain",
      "with, comma; and semicolon",
      "quote \" inside \"\"",
      "new\nline\r\nand CR\r",
      " leading and trailing ",
      "unicode S\xC3\xB8ren \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x8E\x89",
      std::string(kControl, sizeof(kControl) - 1),
      "{\"looks\": [\"like\", \"json\"]}",
  };
  const size_t n = strings.size();
  const std::vector<float> floats = {std::nanf(""), kInfF, -kInfF, FLT_MAX, FLT_TRUE_MIN,
                                     -0.0f,         0.1f,  -1.5f,  3.4e-20f};
  const std::vector<double> doubles = {std::nan(""), kInf, -kInf,   DBL_MAX,       5e-324,
                                       -0.0,         0.1,  1.0 / 3, -123456789.125};
  const std::vector<int64_t> longs = {std::numeric_limits<int64_t>::min(),
                                      std::numeric_limits<int64_t>::max(),
                                      0,
                                      -1,
                                      1,
                                      1LL << 53,
                                      (1LL << 53) + 1,
                                      -(1LL << 60),
                                      42};
  const std::vector<int32_t> ints = {std::numeric_limits<int32_t>::min(),
                                     std::numeric_limits<int32_t>::max(),
                                     0,
                                     -1,
                                     1,
                                     7,
                                     -7,
                                     100000,
                                     2};
  // 0001-01-01, 1900-01-01, 1969-12-31, epoch, 2024-02-29, 9999-12-31, ...
  const std::vector<int32_t> dates = {-719162, -25567, -1, 0, 19782, 2932896, 1, 365, -365};
  const std::vector<int64_t> millis = {
      -62135596800000, -1, 0, 1, 1700000000123, 253402300799999, -2208988800000, 999, -86400000};
  const std::vector<int64_t> micros = {
      -62135596800000000, -1,     0,   1, 1700000000123456, 253402300799999999,
      -2208988800000001,  999000, 1000};
  const std::vector<std::string> bytes = {"",     std::string("\0", 1),     "\xff\xfe", "abc",
                                          "abcd", std::string(300, '\x80'), "\n",       "\"",
                                          ","};
  for (size_t r = 0; r < n; ++r) {
    size_t c = 0;
    batch.column(c++).AppendBool(r % 2 == 0);
    batch.column(c++).AppendInt32(ints[r]);
    batch.column(c++).AppendInt64(longs[r]);
    batch.column(c++).AppendFloat(floats[r]);
    batch.column(c++).AppendDouble(doubles[r]);
    batch.column(c++).AppendBytes(strings[r]);
    batch.column(c++).AppendBytes(bytes[r]);
    batch.column(c++).AppendInt32(static_cast<int32_t>(r % 3));
    batch.column(c++).AppendInt32(dates[r]);
    batch.column(c++).AppendInt64(millis[r]);
    batch.column(c++).AppendInt64(micros[r]);
    batch.column(c++).AppendBytes(r % 2 ? "3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a11"
                                        : "B7E41D0C-2F93-4C1A-8E55-6A0D9C3F7E20");
    // Nullable copies: every third row is null; strings keep "" apart from null.
    const bool null = r % 3 == 1;
    auto nullable = [&](auto append) {
      Column& col = batch.column(c++);
      if (null) {
        col.AppendNull();
      } else {
        append(col);
      }
    };
    nullable([&](Column& col) { col.AppendBool(r % 2 == 1); });
    nullable([&](Column& col) { col.AppendInt32(ints[n - 1 - r]); });
    nullable([&](Column& col) { col.AppendInt64(longs[n - 1 - r]); });
    nullable([&](Column& col) { col.AppendFloat(floats[n - 1 - r]); });
    nullable([&](Column& col) { col.AppendDouble(doubles[n - 1 - r]); });
    nullable([&](Column& col) { col.AppendBytes(strings[n - 1 - r]); });
    nullable([&](Column& col) { col.AppendBytes(bytes[n - 1 - r]); });
    nullable([&](Column& col) { col.AppendInt32(static_cast<int32_t>(r % 2)); });
    nullable([&](Column& col) { col.AppendInt32(dates[n - 1 - r]); });
    nullable([&](Column& col) { col.AppendInt64(millis[n - 1 - r]); });
    nullable([&](Column& col) { col.AppendInt64(micros[n - 1 - r]); });
    nullable([&](Column& col) { col.AppendBytes("c2d8f6a4-91e3-4b7f-a0c5-38e7d1b94f62"); });
    batch.column(c++).AppendNull();
    batch.CommitRow();
  }
  return batch;
}

class RoundTripTest : public ::testing::TestWithParam<Format> {};

TEST_P(RoundTripTest, EveryTypeSurvivesWritingAndReading) {
  RecordBatch batch = AllTypesBatch();
  ASSERT_OK_AND_ASSIGN(std::string text, WriteAll(GetParam(), batch));
  ReadOptions options;
  options.schema = batch.schema();
  for (size_t chunk : {size_t{13}, kDefaultChunkBytes}) {
    ReaderTuning tuning;
    tuning.chunk_bytes = chunk;
    ASSERT_OK_AND_ASSIGN(RecordBatch back, ReadAll(GetParam(), text, options, tuning));
    ExpectSameBatch(batch, back);
  }
}

TEST_P(RoundTripTest, EmptyOutputReadsBackEmpty) {
  RecordBatch batch(ParseSchema(kAllTypes));
  ASSERT_OK_AND_ASSIGN(std::string text, WriteAll(GetParam(), batch));
  ReadOptions options;
  options.schema = batch.schema();
  ASSERT_OK_AND_ASSIGN(RecordBatch back, ReadAll(GetParam(), text, options));
  EXPECT_EQ(back.num_rows(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Formats, RoundTripTest,
                         ::testing::Values(Format::kJsonLines, Format::kJsonArray, Format::kCsv),
                         [](const ::testing::TestParamInfo<Format>& info) {
                           switch (info.param) {
                             case Format::kJsonLines:
                               return "JsonLines";
                             case Format::kJsonArray:
                               return "JsonArray";
                             case Format::kCsv:
                               return "Csv";
                           }
                           return "Unknown";
                         });

const char* kSmall = R"({"type": "record", "name": "r", "fields": [
  {"name": "id", "type": "long"},
  {"name": "s", "type": ["null", "string"]},
  {"name": "d", "type": ["null", "double"]},
  {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}}
]})";

RecordBatch SmallBatch() {
  RecordBatch batch(ParseSchema(kSmall));
  auto row = [&](int64_t id, const char* s, double d, bool d_null, int64_t at) {
    batch.column(0).AppendInt64(id);
    if (s == nullptr) {
      batch.column(1).AppendNull();
    } else {
      batch.column(1).AppendBytes(s);
    }
    if (d_null) {
      batch.column(2).AppendNull();
    } else {
      batch.column(2).AppendDouble(d);
    }
    batch.column(3).AppendInt64(at);
    batch.CommitRow();
  };
  row(1, "a, \"b\"", 0.5, false, 0);
  row(2, "", std::nan(""), false, -1);
  row(3, nullptr, -kInf, false, 1700000000123);
  row(4, " pad", 0, true, 86400000);
  return batch;
}

TEST(TextWriterTest, JsonLinesText) {
  ASSERT_OK_AND_ASSIGN(std::string text, WriteAll(Format::kJsonLines, SmallBatch()));
  EXPECT_EQ(text,
            "{\"id\":1,\"s\":\"a, \\\"b\\\"\",\"d\":0.5,\"at\":\"1970-01-01T00:00:00Z\"}\n"
            "{\"id\":2,\"s\":\"\",\"d\":\"NaN\",\"at\":\"1969-12-31T23:59:59.999Z\"}\n"
            "{\"id\":3,\"s\":null,\"d\":\"-Infinity\",\"at\":\"2023-11-14T22:13:20.123Z\"}\n"
            "{\"id\":4,\"s\":\" pad\",\"d\":null,\"at\":\"1970-01-02T00:00:00Z\"}\n");
}

TEST(TextWriterTest, JsonArrayText) {
  RecordBatch batch = SmallBatch();
  ASSERT_OK_AND_ASSIGN(std::string text, WriteAll(Format::kJsonArray, batch));
  EXPECT_EQ(text.substr(0, 2), "[{");
  EXPECT_NE(text.find("\"},\n{\"id\":2"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 4), "\"}]\n");
  ASSERT_OK_AND_ASSIGN(std::string empty,
                       WriteAll(Format::kJsonArray, RecordBatch(batch.schema())));
  EXPECT_EQ(empty, "[]\n");
}

TEST(TextWriterTest, CsvText) {
  ASSERT_OK_AND_ASSIGN(std::string text, WriteAll(Format::kCsv, SmallBatch()));
  EXPECT_EQ(text,
            "id,s,d,at\n"
            "1,\"a, \"\"b\"\"\",0.5,1970-01-01T00:00:00Z\n"
            "2,\"\",NaN,1969-12-31T23:59:59.999Z\n"
            "3,,-Infinity,2023-11-14T22:13:20.123Z\n"
            "4,\" pad\",,1970-01-02T00:00:00Z\n");
  WriteOptions options;
  options.csv.header = false;
  options.csv.delimiter = '\t';
  ASSERT_OK_AND_ASSIGN(text, WriteAll(Format::kCsv, SmallBatch(), options));
  EXPECT_EQ(text.substr(0, text.find('\n')), "1\t\"a, \"\"b\"\"\"\t0.5\t1970-01-01T00:00:00Z")
      << "tab-separated: a comma needs no quotes, but a quote still does";
}

TEST(TextWriterTest, InvalidUtf8BecomesReplacementCharacter) {
  RecordBatch batch(ParseSchema(
      R"({"type": "record", "name": "r", "fields": [{"name": "s", "type": "string"}]})"));
  batch.column(0).AppendBytes("bad \xff byte");
  batch.CommitRow();
  ASSERT_OK_AND_ASSIGN(std::string json, WriteAll(Format::kJsonLines, batch));
  EXPECT_EQ(json, "{\"s\":\"bad \xEF\xBF\xBD byte\"}\n");
  ASSERT_OK_AND_ASSIGN(std::string csv, WriteAll(Format::kCsv, batch));
  EXPECT_EQ(csv, "s\nbad \xEF\xBF\xBD byte\n");
}

TEST(TextWriterTest, AbortAndDestructorDiscardTheFile) {
  for (bool explicit_abort : {true, false}) {
    std::string sink = "untouched";
    bool aborted = false;
    {
      ASSERT_OK_AND_ASSIGN(
          std::unique_ptr<FileWriter> writer,
          NewJsonLinesWriter(std::make_unique<testing::StringOutputStream>(&sink, &aborted),
                             ParseSchema(kSmall), WriteOptions{}));
      ASSERT_OK(writer->Write(SmallBatch()));
      EXPECT_EQ(writer->rows_written(), 4u);
      EXPECT_GT(writer->bytes_written(), 100u);  // buffered bytes count
      if (explicit_abort) {
        writer->Abort();
        EXPECT_FALSE(writer->Write(SmallBatch()).ok());
        EXPECT_FALSE(writer->Finish().ok());
      }
    }
    EXPECT_TRUE(aborted);
    EXPECT_EQ(sink, "untouched");
  }
}

TEST(TextWriterTest, RejectsBatchesOfAnotherSchema) {
  std::string sink;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<FileWriter> writer,
                       NewCsvWriter(std::make_unique<testing::StringOutputStream>(&sink),
                                    ParseSchema(kSmall), WriteOptions{}));
  RecordBatch other(
      ParseSchema(R"({"type": "record", "name": "r", "fields": [{"name": "x", "type": "int"}]})"));
  Status status = writer->Write(other);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  ASSERT_OK(writer->Write(SmallBatch()));
  ASSERT_OK(writer->Finish());
  EXPECT_FALSE(sink.empty());
}

TEST(TextWriterTest, AppendJsonRowMatchesTheWriter) {
  RecordBatch batch = SmallBatch();
  std::string row;
  AppendJsonRow(batch, 2, &row);
  EXPECT_EQ(row, "{\"id\":3,\"s\":null,\"d\":\"-Infinity\",\"at\":\"2023-11-14T22:13:20.123Z\"}");
}

}  // namespace
}  // namespace lakepipe::text
