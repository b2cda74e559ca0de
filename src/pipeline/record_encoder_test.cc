#include "pipeline/record_encoder.h"

#include <gtest/gtest.h>

#include "core/column_json.h"
#include "core/testing.h"
#include "formats/avro/avro_datum.h"
#include "sources/source.h"

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

// People in the randomuser.me API's nested shape: JSON messages are the
// nested objects, the key is found inside a struct, and Avro messages are
// nested datums that decode to the same rows.
TEST(RecordEncoderTest, NestedRecordsAreNestedJsonAndKeyedByAPath) {
  SourceOptions options;
  options.seed = 7;
  options.shape = UserShape::kApi;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> users, OpenSource("users", options));
  RecordBatch batch(users->schema());
  ASSERT_OK(users->Next(&batch, 2));
  const Schema& schema = *users->schema();
  ASSERT_OK_AND_ASSIGN(RecordEncoder enc,
                       RecordEncoder::Make(PayloadFormat::kJson, schema, std::nullopt));
  std::string out;
  enc.Encode(batch, 0, &out);
  const std::string prefix =
      R"({"gender":"female","name":{"title":"Miss","first":"Sabine","last":"Koch"},)"
      R"("location":{"street":{"number":6432,"name":"Schulstraße"},"city":"Kassel",)"
      R"("state":"Hessen",)";
  EXPECT_EQ(out.substr(0, prefix.size()), prefix);
  EXPECT_NE(out.find(R"("dob":{"date":"2006-08-24T08:04:15.402Z","age":19})"), std::string::npos)
      << out;
  EXPECT_NE(out.find(R"("description":"Abu Dhabi, Muscat, Baku, Tbilisi"})"), std::string::npos)
      << out;

  ASSERT_OK_AND_ASSIGN(KeyExtractor key, KeyExtractor::Make(schema, "login.uuid"));
  std::string k;
  EXPECT_TRUE(key.Extract(batch, 0, &k));
  EXPECT_EQ(k, "837b408f-c52a-4ec1-a86f-3fa4f85cbe12");
  ASSERT_OK_AND_ASSIGN(KeyExtractor nat, KeyExtractor::Make(schema, "nat"));
  EXPECT_TRUE(nat.Extract(batch, 0, &k));
  EXPECT_EQ(k, "DE");
  Result<KeyExtractor> whole = KeyExtractor::Make(schema, "login");
  ASSERT_FALSE(whole.ok());
  EXPECT_NE(whole.status().message().find("key field 'login' is a struct; name a value inside it"),
            std::string::npos)
      << whole.status().ToString();
  Result<KeyExtractor> missing = KeyExtractor::Make(schema, "login.id");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("'login' has fields: uuid, username"),
            std::string::npos)
      << missing.status().ToString();
  EXPECT_FALSE(KeyExtractor::Make(schema, "gender.x").ok());

  // Avro messages are nested datums: decoded with the schema (plain, and
  // after the Confluent header), they are the rows that were encoded.
  ASSERT_OK_AND_ASSIGN(RecordEncoder avro,
                       RecordEncoder::Make(PayloadFormat::kAvro, schema, std::nullopt));
  ASSERT_OK_AND_ASSIGN(RecordEncoder framed, RecordEncoder::Make(PayloadFormat::kAvro, schema, 9));
  ASSERT_OK_AND_ASSIGN(avro::DatumDecoder dec,
                       avro::DatumDecoder::Make(users->schema(), users->schema()));
  RecordBatch back(users->schema());
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    avro.Encode(batch, row, &out);
    ASSERT_OK(dec.Decode(out, &back));
    framed.Encode(batch, row, &out);
    EXPECT_EQ(out.substr(0, 5), std::string("\x00\x00\x00\x00\x09", 5));
    ASSERT_OK(dec.Decode(out.substr(5), &back));
  }
  ASSERT_EQ(back.num_rows(), 2 * batch.num_rows());
  for (size_t row = 0; row < back.num_rows(); ++row) {
    EXPECT_EQ(RowJson(back, row), RowJson(batch, row / 2));
  }
  EXPECT_NE(
      RowJson(back, 0).find(R"("name": {"title": "Miss", "first": "Sabine", "last": "Koch"})"),
      std::string::npos)
      << RowJson(back, 0);
}

// Timestamps keep their fraction at a whole second, as APIs write them;
// lists and maps are arrays and objects.
TEST(RecordEncoderTest, NestedJsonWritesWholeSecondsWithTheirFraction) {
  ASSERT_OK_AND_ASSIGN(Schema parsed,
                       Schema::FromAvroJson(R"({"type":"record","name":"N","fields":[
        {"name":"s","type":["null",{"type":"record","name":"S","fields":[
          {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},
          {"name":"us","type":{"type":"long","logicalType":"timestamp-micros"}}]}]},
        {"name":"l","type":{"type":"array","items":["null","int"]}},
        {"name":"m","type":{"type":"map","values":"string"}}]})",
                                            SchemaParseOptions{.complete_types = true}));
  auto schema = std::make_shared<const Schema>(std::move(parsed));
  RecordBatch b(schema);
  b.column(0).AppendStruct();
  b.column(0).child(0).AppendInt64(1767225600000);  // 2026-01-01T00:00:00Z
  b.column(0).child(1).AppendInt64(-1);
  b.column(1).child(0).AppendInt32(1);
  b.column(1).child(0).AppendNull();
  b.column(1).FinishList();
  b.column(2).child(0).AppendBytes("k\"");
  b.column(2).child(1).AppendBytes("v");
  b.column(2).FinishList();
  b.CommitRow();
  b.column(0).AppendNull();
  b.column(1).FinishList();
  b.column(2).FinishList();
  b.CommitRow();
  ASSERT_OK_AND_ASSIGN(RecordEncoder enc,
                       RecordEncoder::Make(PayloadFormat::kJson, *schema, std::nullopt));
  std::string out;
  enc.Encode(b, 0, &out);
  EXPECT_EQ(out, R"({"s":{"at":"2026-01-01T00:00:00.000Z","us":"1969-12-31T23:59:59.999999Z"},)"
                 R"("l":[1,null],"m":{"k\"":"v"}})");
  enc.Encode(b, 1, &out);
  EXPECT_EQ(out, R"({"s":null,"l":[],"m":{}})");
}

// Framed messages are read with the registered schema, which declares a
// decimal stored on long on bytes (as Avro defines decimals); plain
// messages follow the schema given out of band.
TEST(RecordEncoderTest, FramedAvroDeclaresDecimalsOnLongOnBytes) {
  ASSERT_OK_AND_ASSIGN(Schema parsed, Schema::FromAvroJson(R"({"type":"record","name":"D","fields":[
      {"name":"d","type":["null",{"type":"long","logicalType":"decimal","precision":10,"scale":2}]}]})"));
  const auto schema = std::make_shared<const Schema>(std::move(parsed));
  RecordBatch b(schema);
  b.column(0).AppendInt64(-150);
  b.CommitRow();
  b.column(0).AppendNull();
  b.CommitRow();
  ASSERT_OK_AND_ASSIGN(RecordEncoder framed, RecordEncoder::Make(PayloadFormat::kAvro, *schema, 9));
  ASSERT_OK_AND_ASSIGN(RecordEncoder plain,
                       RecordEncoder::Make(PayloadFormat::kAvro, *schema, std::nullopt));
  // What a registry consumer gets back for the id: the registered text.
  const SchemaPtr declared = avro::AvroWriterSchema(schema);
  ASSERT_OK_AND_ASSIGN(Schema registered, Schema::FromAvroJson(declared->avro_json()));
  EXPECT_EQ(registered.field(0).base, Kind::kBytes);
  const auto writer = std::make_shared<const Schema>(std::move(registered));
  ASSERT_OK_AND_ASSIGN(avro::DatumDecoder dec, avro::DatumDecoder::Make(writer, writer));
  RecordBatch back(writer);
  std::string f;
  for (size_t row = 0; row < 2; ++row) {
    framed.Encode(b, row, &f);
    ASSERT_OK(dec.Decode(std::string_view(f).substr(5), &back));
  }
  // Branch 1 (zigzag 2), 2 bytes, 0xff6a (-150).
  framed.Encode(b, 0, &f);
  EXPECT_EQ(f.substr(5), std::string("\x02\x04\xff\x6a", 4));
  EXPECT_EQ(RowJson(back, 0), R"({"d": -1.50})");
  EXPECT_EQ(RowJson(back, 1), R"({"d": null})");

  std::string p;
  plain.Encode(b, 0, &p);
  ASSERT_OK_AND_ASSIGN(avro::DatumDecoder as_given, avro::DatumDecoder::Make(schema, schema));
  RecordBatch given(schema);
  ASSERT_OK(as_given.Decode(p, &given));
  EXPECT_EQ(given.column(0).GetInt64(0), -150);
}

}  // namespace
}  // namespace lakepipe
