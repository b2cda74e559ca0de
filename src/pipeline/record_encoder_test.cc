#include "pipeline/record_encoder.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/avro/avro_datum.h"

namespace lakepipe {
namespace {

SchemaPtr TestSchema() {
  auto parsed = Schema::FromAvroJson(R"({"type":"record","name":"E","fields":[
      {"name":"id","type":"string"},
      {"name":"n","type":["null","long"]},
      {"name":"kind","type":{"type":"enum","name":"K","symbols":["A","B"]}},
      {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}]})");
  return std::make_shared<const Schema>(std::move(parsed).value());
}

RecordBatch TwoRows(const SchemaPtr& schema) {
  RecordBatch b(schema);
  b.column(0).AppendBytes("u-1");
  b.column(1).AppendInt64(42);
  b.column(2).AppendInt32(1);
  b.column(3).AppendInt64(1763700000123);
  b.CommitRow();
  b.column(0).AppendBytes("");
  b.column(1).AppendNull();
  b.column(2).AppendInt32(0);
  b.column(3).AppendInt64(-1);
  b.CommitRow();
  return b;
}

TEST(RecordEncoderTest, JsonMessagesAreOneObjectEach) {
  const SchemaPtr schema = TestSchema();
  const RecordBatch b = TwoRows(schema);
  ASSERT_OK_AND_ASSIGN(RecordEncoder enc,
                       RecordEncoder::Make(PayloadFormat::kJson, *schema, std::nullopt));
  std::string out = "stale";
  enc.Encode(b, 0, &out);
  EXPECT_EQ(out, R"({"id":"u-1","n":42,"kind":"B","at":"2025-11-21T04:40:00.123Z"})");
  enc.Encode(b, 1, &out);
  EXPECT_EQ(out, R"({"id":"","n":null,"kind":"A","at":"1969-12-31T23:59:59.999Z"})");
  EXPECT_FALSE(RecordEncoder::Make(PayloadFormat::kJson, *schema, 7).ok());
}

TEST(RecordEncoderTest, AvroMessagesDecodeAndCarryTheConfluentHeader) {
  const SchemaPtr schema = TestSchema();
  const RecordBatch b = TwoRows(schema);
  ASSERT_OK_AND_ASSIGN(RecordEncoder plain,
                       RecordEncoder::Make(PayloadFormat::kAvro, *schema, std::nullopt));
  ASSERT_OK_AND_ASSIGN(RecordEncoder framed,
                       RecordEncoder::Make(PayloadFormat::kAvro, *schema, 0x01020304));
  std::string p, f;
  plain.Encode(b, 0, &p);
  framed.Encode(b, 0, &f);
  ASSERT_EQ(f.size(), p.size() + 5);
  EXPECT_EQ(f.substr(0, 5), std::string("\x00\x01\x02\x03\x04", 5));
  EXPECT_EQ(f.substr(5), p);
  ASSERT_OK_AND_ASSIGN(avro::DatumDecoder dec, avro::DatumDecoder::Make(schema, schema));
  RecordBatch back(schema);
  ASSERT_OK(dec.Decode(p, &back));
  plain.Encode(b, 1, &p);
  ASSERT_OK(dec.Decode(p, &back));
  ASSERT_EQ(back.num_rows(), 2u);
  EXPECT_EQ(back.column(0).GetBytes(0), "u-1");
  EXPECT_EQ(back.column(1).GetInt64(0), 42);
  EXPECT_TRUE(back.column(1).IsNull(1));
  EXPECT_EQ(back.column(2).GetInt32(0), 1);
  EXPECT_EQ(back.column(3).GetInt64(1), -1);
}

TEST(RecordEncoderTest, KeysComeFromAField) {
  const SchemaPtr schema = TestSchema();
  const RecordBatch b = TwoRows(schema);
  std::string key;
  ASSERT_OK_AND_ASSIGN(KeyExtractor id, KeyExtractor::Make(*schema, "id"));
  EXPECT_TRUE(id.Extract(b, 0, &key));
  EXPECT_EQ(key, "u-1");
  ASSERT_OK_AND_ASSIGN(KeyExtractor n, KeyExtractor::Make(*schema, "n"));
  EXPECT_TRUE(n.Extract(b, 0, &key));
  EXPECT_EQ(key, "42");
  EXPECT_FALSE(n.Extract(b, 1, &key));
  ASSERT_OK_AND_ASSIGN(KeyExtractor kind, KeyExtractor::Make(*schema, "kind"));
  EXPECT_TRUE(kind.Extract(b, 1, &key));
  EXPECT_EQ(key, "A");
  ASSERT_OK_AND_ASSIGN(KeyExtractor at, KeyExtractor::Make(*schema, "at"));
  EXPECT_TRUE(at.Extract(b, 0, &key));
  EXPECT_EQ(key, "2025-11-21T04:40:00.123Z");
  Status missing = KeyExtractor::Make(*schema, "user_id").status();
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("id, n, kind, at"), std::string::npos) << missing.message();
  EXPECT_EQ(ParsePayloadFormat("protobuf").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakepipe
