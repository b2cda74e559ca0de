#include "formats/avro/avro_datum.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::avro {
namespace {

SchemaPtr ParseSchema(std::string_view json) {
  Result<Schema> schema = Schema::FromAvroJson(json);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  if (!schema.ok()) return std::make_shared<const Schema>();
  return std::make_shared<const Schema>(std::move(schema).value());
}

std::string Record(std::string_view fields) {
  return std::string(R"({"type":"record","name":"r","namespace":"test","fields":[)") +
         std::string(fields) + "]}";
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

std::string EncodeLong(int64_t v) {
  std::string out;
  AppendLong(v, &out);
  return out;
}

TEST(AvroEncodingTest, LongsAreZigzagVarints) {
  EXPECT_EQ(EncodeLong(0), Bytes({0x00}));
  EXPECT_EQ(EncodeLong(-1), Bytes({0x01}));
  EXPECT_EQ(EncodeLong(1), Bytes({0x02}));
  EXPECT_EQ(EncodeLong(-2), Bytes({0x03}));
  EXPECT_EQ(EncodeLong(2), Bytes({0x04}));
  EXPECT_EQ(EncodeLong(-64), Bytes({0x7f}));
  EXPECT_EQ(EncodeLong(64), Bytes({0x80, 0x01}));
  EXPECT_EQ(EncodeLong(INT32_MAX), Bytes({0xfe, 0xff, 0xff, 0xff, 0x0f}));
  EXPECT_EQ(EncodeLong(INT32_MIN), Bytes({0xff, 0xff, 0xff, 0xff, 0x0f}));
  EXPECT_EQ(EncodeLong(INT64_MAX),
            Bytes({0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  EXPECT_EQ(EncodeLong(INT64_MIN),
            Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
  for (int64_t v : {int64_t{0}, int64_t{-64}, int64_t{64}, INT64_MAX, INT64_MIN}) {
    std::string enc = EncodeLong(v);
    std::string_view in = enc;
    int64_t back = 0;
    ASSERT_EQ(ReadLong(&in, &back), VarintRead::kOk);
    EXPECT_EQ(back, v);
    EXPECT_TRUE(in.empty());
  }
}

TEST(AvroEncodingTest, StringsAreLengthPrefixed) {
  std::string out;
  AppendBytes("foo", &out);
  EXPECT_EQ(out, Bytes({0x06, 0x66, 0x6f, 0x6f}));
  out.clear();
  AppendBytes("", &out);
  EXPECT_EQ(out, Bytes({0x00}));
}

TEST(AvroEncodingTest, ReadLongRejectsTruncatedAndOverlongVarints) {
  std::string_view truncated("\x80\x80", 2);
  int64_t v = 0;
  EXPECT_EQ(ReadLong(&truncated, &v), VarintRead::kTruncated);
  EXPECT_EQ(truncated.size(), 2u);
  std::string eleven(10, '\xff');
  eleven.push_back('\x01');
  std::string_view overlong = eleven;
  EXPECT_EQ(ReadLong(&overlong, &v), VarintRead::kOverlong);
  // The tenth byte may only carry the 64th bit.
  std::string ten(9, '\xff');
  ten.push_back('\x02');
  std::string_view too_big = ten;
  EXPECT_EQ(ReadLong(&too_big, &v), VarintRead::kOverlong);
}

TEST(AvroEncodingTest, SpecificationRecordExample) {
  // The specification's example: {"a": 27, "b": "foo"} with a long and a string.
  SchemaPtr schema =
      ParseSchema(Record(R"({"name":"a","type":"long"},{"name":"b","type":"string"})"));
  RecordBatch batch(schema);
  batch.column(0).AppendInt64(27);
  batch.column(1).AppendBytes("foo");
  batch.CommitRow();
  std::string out;
  AppendDatum(batch, 0, &out);
  EXPECT_EQ(out, Bytes({0x36, 0x06, 0x66, 0x6f, 0x6f}));
}

TEST(AvroEncodingTest, EveryTypeHasItsSpecifiedBytes) {
  SchemaPtr schema = ParseSchema(Record(R"(
    {"name":"b","type":"boolean"},
    {"name":"i","type":"int"},
    {"name":"f","type":"float"},
    {"name":"d","type":"double"},
    {"name":"y","type":"bytes"},
    {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
    {"name":"n","type":"null"},
    {"name":"nf","type":["null","string"]},
    {"name":"nl","type":["string","null"]},
    {"name":"vf","type":["null","string"]},
    {"name":"vl","type":["string","null"]})"));
  RecordBatch batch(schema);
  batch.column(0).AppendBool(true);
  batch.column(1).AppendInt32(-3);
  batch.column(2).AppendFloat(1.0f);
  batch.column(3).AppendDouble(1.0);
  batch.column(4).AppendBytes(std::string("\x00\xff", 2));
  batch.column(5).AppendInt32(2);
  batch.column(6).AppendNull();
  batch.column(7).AppendNull();
  batch.column(8).AppendNull();
  batch.column(9).AppendBytes("a");
  batch.column(10).AppendBytes("a");
  batch.CommitRow();
  std::string out;
  AppendDatum(batch, 0, &out);
  std::string expected = Bytes({0x01,                                            // true
                                0x05,                                            // -3
                                0x00, 0x00, 0x80, 0x3f,                          // 1.0f
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f,  // 1.0
                                0x04, 0x00, 0xff,                                // 2 bytes
                                0x04,                                            // symbol C
                                0x00,                                            // null first: 0
                                0x02,                                            // null last: 1
                                0x02, 0x02, 0x61,                                // branch 1, "a"
                                0x00, 0x02, 0x61});                              // branch 0, "a"
  EXPECT_EQ(out, expected);
}

TEST(AvroEncodingTest, MinDatumBytes) {
  EXPECT_EQ(MinDatumBytes(*ParseSchema(Record(R"({"name":"n","type":"null"})"))), 0u);
  EXPECT_EQ(MinDatumBytes(*ParseSchema(
                Record(R"({"name":"a","type":"double"},{"name":"b","type":["null","double"]},)"
                       R"({"name":"c","type":"float"},{"name":"d","type":"string"})"))),
            8u + 1u + 4u + 1u);
}

// ---------------------------------------------------------------------------
// Decoding with the writer's own schema.

const char* kAllTypes = R"(
  {"name":"b","type":"boolean"},
  {"name":"i","type":"int"},
  {"name":"l","type":"long"},
  {"name":"f","type":"float"},
  {"name":"d","type":"double"},
  {"name":"s","type":"string"},
  {"name":"y","type":"bytes"},
  {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
  {"name":"dt","type":{"type":"int","logicalType":"date"}},
  {"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"n","type":"null"},
  {"name":"os","type":["null","string"]},
  {"name":"ol","type":["long","null"]})";

void AppendAllTypesRow(RecordBatch* batch, int k) {
  batch->column(0).AppendBool(k % 2 == 0);
  batch->column(1).AppendInt32(k == 1 ? INT32_MIN : INT32_MAX - k);
  batch->column(2).AppendInt64(k == 1 ? INT64_MIN : INT64_MAX - k);
  batch->column(3).AppendFloat(k == 1 ? -0.0f : std::numeric_limits<float>::infinity());
  batch->column(4).AppendDouble(k == 1 ? std::nan("") : -1e300);
  batch->column(5).AppendBytes(k == 1 ? "" : "h\xc3\xa9llo \xe2\x82\xac");
  batch->column(6).AppendBytes(k == 1 ? std::string() : std::string("\x00\x01\xfe", 3));
  batch->column(7).AppendInt32(k % 3);
  batch->column(8).AppendInt32(-719162 + k);
  batch->column(9).AppendInt64(-1234567890123 * (k + 1));
  batch->column(10).AppendNull();
  if (k == 1) {
    batch->column(11).AppendNull();
    batch->column(12).AppendNull();
  } else {
    batch->column(11).AppendBytes("x");
    batch->column(12).AppendInt64(-5);
  }
  batch->CommitRow();
}

TEST(AvroDecodingTest, RoundTripsEveryType) {
  SchemaPtr schema = ParseSchema(Record(kAllTypes));
  RecordBatch in(schema);
  for (int k = 0; k < 3; ++k) AppendAllTypesRow(&in, k);
  ASSERT_OK_AND_ASSIGN(DatumDecoder decoder, DatumDecoder::Make(schema, schema));
  RecordBatch out(schema);
  for (size_t row = 0; row < in.num_rows(); ++row) {
    std::string datum;
    AppendDatum(in, row, &datum);
    ASSERT_OK(decoder.Decode(datum, &out));
  }
  ASSERT_EQ(out.num_rows(), 3u);
  for (size_t row = 0; row < 3; ++row) {
    EXPECT_EQ(out.column(0).GetBool(row), in.column(0).GetBool(row));
    EXPECT_EQ(out.column(1).GetInt32(row), in.column(1).GetInt32(row));
    EXPECT_EQ(out.column(2).GetInt64(row), in.column(2).GetInt64(row));
    EXPECT_EQ(std::signbit(out.column(3).GetFloat(row)), std::signbit(in.column(3).GetFloat(row)));
    EXPECT_EQ(out.column(3).GetFloat(row), in.column(3).GetFloat(row));
    if (row == 1) {
      EXPECT_TRUE(std::isnan(out.column(4).GetDouble(row)));
    } else {
      EXPECT_EQ(out.column(4).GetDouble(row), in.column(4).GetDouble(row));
    }
    EXPECT_EQ(out.column(5).GetBytes(row), in.column(5).GetBytes(row));
    EXPECT_EQ(out.column(6).GetBytes(row), in.column(6).GetBytes(row));
    EXPECT_EQ(out.column(7).GetInt32(row), in.column(7).GetInt32(row));
    EXPECT_EQ(out.column(8).GetInt32(row), in.column(8).GetInt32(row));
    EXPECT_EQ(out.column(9).GetInt64(row), in.column(9).GetInt64(row));
    EXPECT_TRUE(out.column(10).IsNull(row));
    EXPECT_EQ(out.column(11).IsNull(row), row == 1);
    EXPECT_EQ(out.column(12).IsNull(row), row == 1);
    if (row != 1) {
      EXPECT_EQ(out.column(11).GetBytes(row), "x");
      EXPECT_EQ(out.column(12).GetInt64(row), -5);
    }
  }
}

TEST(AvroDecodingTest, DecodeNextWalksConcatenatedDatums) {
  SchemaPtr schema = ParseSchema(Record(kAllTypes));
  RecordBatch in(schema);
  for (int k = 0; k < 5; ++k) AppendAllTypesRow(&in, k);
  std::string data;
  AppendDatums(in, 0, in.num_rows(), &data);
  ASSERT_OK_AND_ASSIGN(DatumDecoder decoder, DatumDecoder::Make(schema, schema));
  RecordBatch out(schema);
  std::string_view cursor = data;
  std::string reason;
  for (int k = 0; k < 5; ++k) {
    ASSERT_OK_AND_ASSIGN(bool added, decoder.DecodeNext(&cursor, &out, &reason));
    EXPECT_TRUE(added);
  }
  EXPECT_TRUE(cursor.empty());
  EXPECT_EQ(out.num_rows(), 5u);
}

TEST(AvroDecodingTest, EveryTruncationFailsAndLeavesTheBatchUnchanged) {
  SchemaPtr schema = ParseSchema(Record(kAllTypes));
  RecordBatch in(schema);
  AppendAllTypesRow(&in, 0);
  std::string datum;
  AppendDatum(in, 0, &datum);
  ASSERT_OK_AND_ASSIGN(DatumDecoder decoder, DatumDecoder::Make(schema, schema));
  RecordBatch out(schema);
  ASSERT_OK(decoder.Decode(datum, &out));
  for (size_t len = 0; len < datum.size(); ++len) {
    Status st = decoder.Decode(std::string_view(datum.data(), len), &out);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << "prefix of " << len << " bytes";
    EXPECT_NE(st.message().find("malformed Avro datum: field '"), std::string::npos)
        << st.message();
    EXPECT_EQ(out.num_rows(), 1u);
    for (size_t c = 0; c < out.num_columns(); ++c) EXPECT_EQ(out.column(c).size(), 1u);
  }
  // Bytes after the datum are an error too.
  Status trailing = decoder.Decode(datum + "x", &out);
  EXPECT_EQ(trailing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(trailing.message().find("1 bytes follow"), std::string::npos) << trailing.message();
  EXPECT_EQ(out.num_rows(), 1u);
  for (size_t c = 0; c < out.num_columns(); ++c) EXPECT_EQ(out.column(c).size(), 1u);
}

struct MalformedCase {
  const char* fields;
  std::string datum;
  const char* message;
};

TEST(AvroDecodingTest, MalformedValuesNameTheFieldAndTheProblem) {
  std::string huge_length = Bytes({0x02});  // "a" for the first field
  AppendLong(int64_t{1} << 61, &huge_length);
  const MalformedCase cases[] = {
      {R"({"name":"u","type":["null","long"]})", Bytes({0x04, 0x02}),
       "field 'u': union branch index 2 is not 0 or 1"},
      {R"({"name":"b","type":"boolean"})", Bytes({0x02}), "field 'b': boolean byte is 0x02"},
      {R"({"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}})", Bytes({0x04}),
       "field 'e': enum index 2 is not below the 2 symbols"},
      {R"({"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}})", Bytes({0x01}),
       "field 'e': enum index -1"},
      {R"({"name":"i","type":"int"})", EncodeLong(int64_t{1} << 40),
       "field 'i': int value 1099511627776 is out of the 32-bit range"},
      {R"({"name":"s","type":"string"})", Bytes({0x03}), "field 's': negative length -2"},
      {R"({"name":"a","type":"int"},{"name":"s","type":"bytes"})", huge_length,
       "field 's': length 2305843009213693952 exceeds the 0 bytes left"},
      {R"({"name":"l","type":"long"})", std::string(11, '\xff'),
       "field 'l': varint is longer than 10 bytes"},
  };
  for (const MalformedCase& c : cases) {
    SchemaPtr schema = ParseSchema(Record(c.fields));
    ASSERT_OK_AND_ASSIGN(DatumDecoder decoder, DatumDecoder::Make(schema, schema));
    RecordBatch out(schema);
    Status st = decoder.Decode(c.datum, &out);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.fields;
    EXPECT_NE(st.message().find(c.message), std::string::npos)
        << "got: " << st.message() << "\nwanted: " << c.message;
    EXPECT_EQ(out.num_rows(), 0u);
    for (size_t col = 0; col < out.num_columns(); ++col) EXPECT_EQ(out.column(col).size(), 0u);
  }
}

TEST(AvroDecodingTest, InvalidUtf8InAStringRejectsTheRecordAndTheNextOneDecodes) {
  const char* fields =
      R"({"name":"id","type":"int"},{"name":"s","type":["null","string"]},{"name":"y","type":"bytes"})";
  SchemaPtr schema = ParseSchema(Record(fields));
  ASSERT_OK_AND_ASSIGN(DatumDecoder decoder, DatumDecoder::Make(schema, schema));
  auto datum = [](int id, std::string_view s) {
    std::string out;
    AppendLong(id, &out);
    out.push_back('\x02');  // the string branch
    AppendBytes(s, &out);
    AppendBytes(std::string("\xff\xfe", 2), &out);  // bytes need not be UTF-8
    return out;
  };
  const std::string data = datum(1, "caf\xc3\xa9") + datum(2, "bad \xc3(") + datum(3, "ok");
  RecordBatch out(schema);
  std::string_view cursor = data;
  std::string reason;
  ASSERT_OK_AND_ASSIGN(bool first, decoder.DecodeNext(&cursor, &out, &reason));
  EXPECT_TRUE(first);
  ASSERT_OK_AND_ASSIGN(bool second, decoder.DecodeNext(&cursor, &out, &reason));
  EXPECT_FALSE(second);
  EXPECT_NE(reason.find("field 's'"), std::string::npos) << reason;
  EXPECT_NE(reason.find("not valid UTF-8"), std::string::npos) << reason;
  EXPECT_NE(reason.find("offset 4"), std::string::npos) << reason;
  ASSERT_OK_AND_ASSIGN(bool third, decoder.DecodeNext(&cursor, &out, &reason));
  EXPECT_TRUE(third);
  EXPECT_TRUE(cursor.empty());
  ASSERT_EQ(out.num_rows(), 2u);
  for (size_t c = 0; c < out.num_columns(); ++c) EXPECT_EQ(out.column(c).size(), 2u);
  EXPECT_EQ(out.column(0).GetInt32(1), 3);
  EXPECT_EQ(out.column(1).GetBytes(0), "caf\xc3\xa9");

  // Decode() (one datum, e.g. a Kafka payload) fails with the same reason.
  Status st = decoder.Decode(datum(4, "\xed\xa0\x80"), &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("field 's'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("not valid UTF-8"), std::string::npos) << st.message();
  EXPECT_EQ(out.num_rows(), 2u);
}

// ---------------------------------------------------------------------------
// Schema resolution.

// Encodes one row given as a filler over the writer schema and decodes it
// with the reader schema.
template <typename Fill>
Status ResolveOne(std::string_view writer_fields, std::string_view reader_fields, Fill fill,
                  RecordBatch* out_batch = nullptr, std::string* reason = nullptr) {
  SchemaPtr writer = ParseSchema(Record(writer_fields));
  SchemaPtr reader = ParseSchema(Record(reader_fields));
  RecordBatch in(writer);
  fill(&in);
  in.CommitRow();
  std::string datum;
  AppendDatum(in, 0, &datum);
  LP_ASSIGN_OR_RETURN(DatumDecoder decoder, DatumDecoder::Make(writer, reader));
  RecordBatch local(reader);
  RecordBatch* out = out_batch != nullptr ? out_batch : &local;
  if (reason == nullptr) return decoder.Decode(datum, out);
  std::string_view cursor = datum;
  LP_ASSIGN_OR_RETURN(bool added, decoder.DecodeNext(&cursor, out, reason));
  if (!cursor.empty()) return InternalError("DecodeNext did not consume the datum");
  return added ? Status::OK() : InvalidArgumentError("{}", *reason);
}

RecordBatch EmptyBatch(std::string_view fields) { return RecordBatch(ParseSchema(Record(fields))); }

TEST(AvroResolutionTest, NumericPromotions) {
  const char* writer = R"({"name":"a","type":"int"},{"name":"b","type":"int"},
    {"name":"c","type":"int"},{"name":"d","type":"long"},{"name":"e","type":"long"},
    {"name":"f","type":"float"})";
  const char* reader = R"({"name":"a","type":"long"},{"name":"b","type":"float"},
    {"name":"c","type":"double"},{"name":"d","type":"float"},{"name":"e","type":"double"},
    {"name":"f","type":"double"})";
  RecordBatch out = EmptyBatch(reader);
  ASSERT_OK(ResolveOne(
      writer, reader,
      [](RecordBatch* b) {
        b->column(0).AppendInt32(INT32_MIN);
        b->column(1).AppendInt32(-7);
        b->column(2).AppendInt32(INT32_MAX);
        b->column(3).AppendInt64(int64_t{1} << 40);
        b->column(4).AppendInt64(-(int64_t{1} << 53));
        b->column(5).AppendFloat(0.5f);
      },
      &out));
  ASSERT_EQ(out.num_rows(), 1u);
  EXPECT_EQ(out.column(0).GetInt64(0), INT32_MIN);
  EXPECT_EQ(out.column(1).GetFloat(0), -7.0f);
  EXPECT_EQ(out.column(2).GetDouble(0), 2147483647.0);
  EXPECT_EQ(out.column(3).GetFloat(0), 1099511627776.0f);
  EXPECT_EQ(out.column(4).GetDouble(0), -9007199254740992.0);
  EXPECT_EQ(out.column(5).GetDouble(0), 0.5);
}

TEST(AvroResolutionTest, StringsAndBytesReadAsEachOther) {
  const char* writer = R"({"name":"s","type":"string"},{"name":"y","type":"bytes"})";
  const char* reader = R"({"name":"s","type":"bytes"},{"name":"y","type":"string"})";
  RecordBatch out = EmptyBatch(reader);
  ASSERT_OK(ResolveOne(
      writer, reader,
      [](RecordBatch* b) {
        b->column(0).AppendBytes("text");
        b->column(1).AppendBytes("raw");
      },
      &out));
  EXPECT_EQ(out.column(0).GetBytes(0), "text");
  EXPECT_EQ(out.column(1).GetBytes(0), "raw");
}

TEST(AvroResolutionTest, OnlyReaderStringsMustBeUtf8) {
  std::string reason;
  RecordBatch as_string = EmptyBatch(R"({"name":"a","type":"string"})");
  Status st =
      ResolveOne(R"({"name":"a","type":"bytes"})", R"({"name":"a","type":"string"})",
                 [](RecordBatch* b) { b->column(0).AppendBytes(std::string("\x00\xff", 2)); },
                 &as_string, &reason);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(reason.find("field 'a'"), std::string::npos) << reason;
  EXPECT_NE(reason.find("not valid UTF-8"), std::string::npos) << reason;
  EXPECT_EQ(as_string.num_rows(), 0u);

  // A reader that declares the field as bytes keeps such values as they are.
  RecordBatch as_bytes = EmptyBatch(R"({"name":"a","type":"bytes"})");
  ASSERT_OK(ResolveOne(R"({"name":"a","type":"string"})", R"({"name":"a","type":"bytes"})",
                       [](RecordBatch* b) { b->column(0).AppendBytes("\xc0\xaf"); }, &as_bytes,
                       &reason));
  EXPECT_EQ(as_bytes.column(0).GetBytes(0), "\xc0\xaf");
}

TEST(AvroResolutionTest, NoDemotionsOrUnrelatedTypes) {
  struct Case {
    const char* writer;
    const char* reader;
  } cases[] = {
      {R"({"name":"a","type":"long"})", R"({"name":"a","type":"int"})"},
      {R"({"name":"a","type":"double"})", R"({"name":"a","type":"float"})"},
      {R"({"name":"a","type":"string"})", R"({"name":"a","type":"long"})"},
      {R"({"name":"a","type":"boolean"})", R"({"name":"a","type":"int"})"},
      {R"({"name":"a","type":"null"})", R"({"name":"a","type":"int"})"},
      {R"({"name":"a","type":"int"})", R"({"name":"a","type":"null"})"},
      {R"({"name":"a","type":{"type":"enum","name":"E","symbols":["X"]}})",
       R"({"name":"a","type":"string"})"},
      // Different logical types are not reinterpreted (only timestamp units convert).
      {R"({"name":"a","type":{"type":"int","logicalType":"date"}})",
       R"({"name":"a","type":{"type":"long","logicalType":"timestamp-millis"}})"},
      {R"({"name":"a","type":{"type":"int","logicalType":"date"}})",
       R"({"name":"a","type":{"type":"long","logicalType":"timestamp-micros"}})"},
  };
  for (const Case& c : cases) {
    SchemaPtr writer = ParseSchema(Record(c.writer));
    SchemaPtr reader = ParseSchema(Record(c.reader));
    Result<DatumDecoder> decoder = DatumDecoder::Make(writer, reader);
    EXPECT_EQ(decoder.status().code(), StatusCode::kInvalidArgument)
        << c.writer << " -> " << c.reader;
    EXPECT_NE(decoder.status().message().find("reader field 'a'"), std::string::npos)
        << decoder.status().message();
  }
}

TEST(AvroResolutionTest, NullableWideningAndPerRecordNullChecks) {
  // T -> ["null", T].
  RecordBatch widened = EmptyBatch(R"({"name":"a","type":["null","long"]})");
  ASSERT_OK(ResolveOne(R"({"name":"a","type":"long"})", R"({"name":"a","type":["null","long"]})",
                       [](RecordBatch* b) { b->column(0).AppendInt64(9); }, &widened));
  EXPECT_FALSE(widened.column(0).IsNull(0));
  EXPECT_EQ(widened.column(0).GetInt64(0), 9);

  // ["null", T] -> T: values pass, null rejects the record.
  const char* writer = R"({"name":"k","type":"int"},{"name":"a","type":["null","long"]})";
  const char* reader = R"({"name":"k","type":"int"},{"name":"a","type":"long"})";
  RecordBatch out = EmptyBatch(reader);
  ASSERT_OK(ResolveOne(
      writer, reader,
      [](RecordBatch* b) {
        b->column(0).AppendInt32(1);
        b->column(1).AppendInt64(5);
      },
      &out));
  std::string reason;
  Status st = ResolveOne(
      writer, reader,
      [](RecordBatch* b) {
        b->column(0).AppendInt32(2);
        b->column(1).AppendNull();
      },
      &out, &reason);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(reason.find("field 'a'"), std::string::npos) << reason;
  EXPECT_NE(reason.find("not nullable"), std::string::npos) << reason;
  ASSERT_EQ(out.num_rows(), 1u);
  EXPECT_EQ(out.column(0).size(), 1u);
  EXPECT_EQ(out.column(1).size(), 1u);
  EXPECT_EQ(out.column(1).GetInt64(0), 5);

  // A null-typed writer field reads as a nullable reader field.
  RecordBatch from_null = EmptyBatch(R"({"name":"a","type":["string","null"]})");
  ASSERT_OK(ResolveOne(R"({"name":"a","type":"null"})", R"({"name":"a","type":["string","null"]})",
                       [](RecordBatch* b) { b->column(0).AppendNull(); }, &from_null));
  EXPECT_TRUE(from_null.column(0).IsNull(0));
}

TEST(AvroResolutionTest, EnumsResolveBySymbol) {
  const char* writer = R"({"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}})";
  const char* reordered =
      R"({"name":"e","type":{"type":"enum","name":"E","symbols":["C","A","B"]}})";
  RecordBatch out = EmptyBatch(reordered);
  ASSERT_OK(ResolveOne(
      writer, reordered, [](RecordBatch* b) { b->column(0).AppendInt32(1); }, &out));
  EXPECT_EQ(out.column(0).GetInt32(0), 2);  // "B"

  // A symbol the reader lacks takes the reader enum's default ...
  const char* with_default =
      R"({"name":"e","type":{"type":"enum","name":"E","symbols":["A","OTHER"],"default":"OTHER"}})";
  RecordBatch defaulted = EmptyBatch(with_default);
  ASSERT_OK(ResolveOne(
      writer, with_default, [](RecordBatch* b) { b->column(0).AppendInt32(2); }, &defaulted));
  EXPECT_EQ(defaulted.column(0).GetInt32(0), 1);

  // ... or rejects the record when there is none; known symbols still pass.
  const char* narrow = R"({"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}})";
  RecordBatch narrowed = EmptyBatch(narrow);
  ASSERT_OK(ResolveOne(
      writer, narrow, [](RecordBatch* b) { b->column(0).AppendInt32(1); }, &narrowed));
  std::string reason;
  Status st = ResolveOne(
      writer, narrow, [](RecordBatch* b) { b->column(0).AppendInt32(2); }, &narrowed, &reason);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(reason.find("symbol 'C'"), std::string::npos) << reason;
  EXPECT_NE(reason.find("field 'e'"), std::string::npos) << reason;
  EXPECT_EQ(narrowed.num_rows(), 1u);
}

TEST(AvroResolutionTest, MissingReaderFieldsTakeTheirDefaults) {
  const char* writer = R"({"name":"k","type":"int"})";
  const char* reader = R"({"name":"k","type":"int"},
    {"name":"b","type":"boolean","default":true},
    {"name":"i","type":"int","default":-4},
    {"name":"l","type":"long","default":9007199254740993},
    {"name":"f","type":"float","default":1.5},
    {"name":"d","type":"double","default":"NaN"},
    {"name":"s","type":"string","default":"h\u00e9"},
    {"name":"y","type":"bytes","default":"\u0000\u00ff"},
    {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"B"},
    {"name":"n","type":["null","string"],"default":null},
    {"name":"v","type":["string","null"],"default":"v"},
    {"name":"z","type":"null","default":null})";
  RecordBatch out = EmptyBatch(reader);
  ASSERT_OK(ResolveOne(
      writer, reader, [](RecordBatch* b) { b->column(0).AppendInt32(3); }, &out));
  ASSERT_EQ(out.num_rows(), 1u);
  EXPECT_EQ(out.column(0).GetInt32(0), 3);
  EXPECT_TRUE(out.column(1).GetBool(0));
  EXPECT_EQ(out.column(2).GetInt32(0), -4);
  EXPECT_EQ(out.column(3).GetInt64(0), 9007199254740993);
  EXPECT_EQ(out.column(4).GetFloat(0), 1.5f);
  EXPECT_TRUE(std::isnan(out.column(5).GetDouble(0)));
  EXPECT_EQ(out.column(6).GetBytes(0), "h\xc3\xa9");
  EXPECT_EQ(out.column(7).GetBytes(0), std::string("\x00\xff", 2));
  EXPECT_EQ(out.column(8).GetInt32(0), 1);
  EXPECT_TRUE(out.column(9).IsNull(0));
  EXPECT_EQ(out.column(10).GetBytes(0), "v");
  EXPECT_TRUE(out.column(11).IsNull(0));
}

TEST(AvroResolutionTest, MissingFieldWithoutDefaultOrWithABadDefaultIsAnError) {
  SchemaPtr writer = ParseSchema(Record(R"({"name":"k","type":"int"})"));
  Result<DatumDecoder> no_default =
      DatumDecoder::Make(writer, ParseSchema(Record(R"({"name":"extra","type":"int"})")));
  EXPECT_EQ(no_default.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_default.status().message().find("'extra'"), std::string::npos);
  EXPECT_NE(no_default.status().message().find("no default"), std::string::npos);
  for (const char* bad :
       {R"({"name":"x","type":"int","default":"3"})",
        R"({"name":"x","type":"int","default":4294967296})",
        R"({"name":"x","type":"string","default":null})",
        R"({"name":"x","type":"bytes","default":"\u0100"})",
        R"({"name":"x","type":{"type":"enum","name":"E","symbols":["A"]},"default":"Z"})"}) {
    Result<DatumDecoder> d = DatumDecoder::Make(writer, ParseSchema(Record(bad)));
    EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(d.status().message().find("reader field 'x'"), std::string::npos)
        << d.status().message();
  }
}

TEST(AvroResolutionTest, WriterFieldsTheReaderDropsAreSkipped) {
  const char* writer = R"(
    {"name":"s","type":"string"},
    {"name":"u","type":["null","bytes"]},
    {"name":"v","type":["double","null"]},
    {"name":"f","type":"float"},
    {"name":"b","type":"boolean"},
    {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}},
    {"name":"n","type":"null"},
    {"name":"l","type":"long"},
    {"name":"keep","type":"string"})";
  const char* reader = R"({"name":"keep","type":"string"})";
  RecordBatch out = EmptyBatch(reader);
  ASSERT_OK(ResolveOne(
      writer, reader,
      [](RecordBatch* b) {
        b->column(0).AppendBytes("skip me");
        b->column(1).AppendBytes("also");
        b->column(2).AppendDouble(2.5);
        b->column(3).AppendFloat(1);
        b->column(4).AppendBool(true);
        b->column(5).AppendInt32(1);
        b->column(6).AppendNull();
        b->column(7).AppendInt64(INT64_MIN);
        b->column(8).AppendBytes("kept");
      },
      &out));
  EXPECT_EQ(out.column(0).GetBytes(0), "kept");
}

TEST(AvroResolutionTest, ReaderAliasesMatchWriterNames) {
  const char* writer = R"({"name":"old_name","type":"int"})";
  const char* reader = R"({"name":"new_name","type":"long","aliases":["older","old_name"]})";
  RecordBatch out = EmptyBatch(reader);
  ASSERT_OK(ResolveOne(
      writer, reader, [](RecordBatch* b) { b->column(0).AppendInt32(12); }, &out));
  EXPECT_EQ(out.column(0).GetInt64(0), 12);

  // Two reader fields may not read the same writer field.
  Result<DatumDecoder> twice = DatumDecoder::Make(
      ParseSchema(Record(writer)),
      ParseSchema(Record(R"({"name":"old_name","type":"int"},)"
                         R"({"name":"copy","type":"int","aliases":["old_name"]})")));
  EXPECT_EQ(twice.status().code(), StatusCode::kInvalidArgument);
}

TEST(AvroResolutionTest, TimestampUnitsConvertAndUuidReadsPlainStrings) {
  const char* millis = R"({"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}})";
  const char* micros = R"({"name":"t","type":{"type":"long","logicalType":"timestamp-micros"}})";
  RecordBatch up = EmptyBatch(micros);
  ASSERT_OK(ResolveOne(
      millis, micros, [](RecordBatch* b) { b->column(0).AppendInt64(-1500); }, &up));
  EXPECT_EQ(up.column(0).GetInt64(0), -1500000);
  RecordBatch down = EmptyBatch(millis);
  ASSERT_OK(ResolveOne(
      micros, millis, [](RecordBatch* b) { b->column(0).AppendInt64(-1500); }, &down));
  EXPECT_EQ(down.column(0).GetInt64(0), -2);  // floor, before 1970
  std::string reason;
  Status overflow = ResolveOne(
      millis, micros, [](RecordBatch* b) { b->column(0).AppendInt64(INT64_MAX / 10); }, &up,
      &reason);
  EXPECT_EQ(overflow.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(reason.find("does not fit"), std::string::npos) << reason;

  const char* uuid = R"({"name":"id","type":{"type":"string","logicalType":"uuid"}})";
  RecordBatch ids = EmptyBatch(uuid);
  ASSERT_OK(ResolveOne(
      R"({"name":"id","type":"string"})", uuid,
      [](RecordBatch* b) { b->column(0).AppendBytes("123e4567-e89b-12d3-a456-426614174000"); },
      &ids));
  EXPECT_EQ(ids.column(0).GetBytes(0), "123e4567-e89b-12d3-a456-426614174000");
}

TEST(AvroResolutionTest, LogicalTypesAnnotateTheUnderlyingType) {
  const char* uuid = R"({"name":"a","type":{"type":"string","logicalType":"uuid"}})";
  const char* date = R"({"name":"a","type":{"type":"int","logicalType":"date"}})";
  const char* millis = R"({"name":"a","type":{"type":"long","logicalType":"timestamp-millis"}})";
  const char* micros = R"({"name":"a","type":{"type":"long","logicalType":"timestamp-micros"}})";
  const std::string text = "123e4567-e89b-12d3-a456-426614174000";

  // A reader without the logical type reads the underlying values.
  RecordBatch str = EmptyBatch(R"({"name":"a","type":"string"})");
  ASSERT_OK(ResolveOne(
      uuid, R"({"name":"a","type":"string"})",
      [&](RecordBatch* b) { b->column(0).AppendBytes(text); }, &str));
  EXPECT_EQ(str.column(0).GetBytes(0), text);
  RecordBatch raw = EmptyBatch(R"({"name":"a","type":"bytes"})");
  ASSERT_OK(ResolveOne(
      uuid, R"({"name":"a","type":"bytes"})",
      [&](RecordBatch* b) { b->column(0).AppendBytes(text); }, &raw));
  EXPECT_EQ(raw.column(0).GetBytes(0), text);
  RecordBatch days = EmptyBatch(R"({"name":"a","type":"int"})");
  ASSERT_OK(ResolveOne(
      date, R"({"name":"a","type":"int"})", [](RecordBatch* b) { b->column(0).AppendInt32(-3); },
      &days));
  EXPECT_EQ(days.column(0).GetInt32(0), -3);
  RecordBatch days_long = EmptyBatch(R"({"name":"a","type":"long"})");
  ASSERT_OK(ResolveOne(
      date, R"({"name":"a","type":"long"})",
      [](RecordBatch* b) { b->column(0).AppendInt32(20000); }, &days_long));
  EXPECT_EQ(days_long.column(0).GetInt64(0), 20000);
  RecordBatch ms = EmptyBatch(R"({"name":"a","type":"long"})");
  ASSERT_OK(ResolveOne(
      millis, R"({"name":"a","type":"long"})",
      [](RecordBatch* b) { b->column(0).AppendInt64(1700000000123); }, &ms));
  EXPECT_EQ(ms.column(0).GetInt64(0), 1700000000123);
  RecordBatch us = EmptyBatch(R"({"name":"a","type":"double"})");
  ASSERT_OK(ResolveOne(
      micros, R"({"name":"a","type":"double"})",
      [](RecordBatch* b) { b->column(0).AppendInt64(-5); }, &us));
  EXPECT_EQ(us.column(0).GetDouble(0), -5.0);

  // A writer without one: the reader's logical type says what the values are.
  RecordBatch ts = EmptyBatch(millis);
  ASSERT_OK(ResolveOne(R"({"name":"a","type":"long"})", millis,
                       [](RecordBatch* b) { b->column(0).AppendInt64(1700000000123); }, &ts));
  EXPECT_EQ(ts.column(0).GetInt64(0), 1700000000123);
  RecordBatch ts_from_int = EmptyBatch(micros);
  ASSERT_OK(ResolveOne(R"({"name":"a","type":"int"})", micros,
                       [](RecordBatch* b) { b->column(0).AppendInt32(7); }, &ts_from_int));
  EXPECT_EQ(ts_from_int.column(0).GetInt64(0), 7);
  RecordBatch d = EmptyBatch(date);
  ASSERT_OK(ResolveOne(R"({"name":"a","type":"int"})", date,
                       [](RecordBatch* b) { b->column(0).AppendInt32(19000); }, &d));
  EXPECT_EQ(d.column(0).GetInt32(0), 19000);
  RecordBatch id = EmptyBatch(uuid);
  ASSERT_OK(ResolveOne(R"({"name":"a","type":"bytes"})", uuid,
                       [&](RecordBatch* b) { b->column(0).AppendBytes(text); }, &id));
  EXPECT_EQ(id.column(0).GetBytes(0), text);

  // Two different logical types: refused, naming both, unless they convert.
  Result<DatumDecoder> refused =
      DatumDecoder::Make(ParseSchema(Record(date)), ParseSchema(Record(millis)));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("date"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("timestamp-millis"), std::string::npos)
      << refused.status().message();
}

TEST(AvroResolutionTest, ReaderFieldOrderIsTheReaders) {
  const char* writer = R"({"name":"a","type":"int"},{"name":"b","type":"string"})";
  const char* reader = R"({"name":"b","type":"string"},{"name":"a","type":"int"})";
  RecordBatch out = EmptyBatch(reader);
  ASSERT_OK(ResolveOne(
      writer, reader,
      [](RecordBatch* b) {
        b->column(0).AppendInt32(1);
        b->column(1).AppendBytes("one");
      },
      &out));
  EXPECT_EQ(out.column(0).GetBytes(0), "one");
  EXPECT_EQ(out.column(1).GetInt32(0), 1);
}

}  // namespace
}  // namespace lakepipe::avro
