#include "core/schema.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe {
namespace {

constexpr const char* kUserSchema = R"({
  "type": "record", "name": "User", "namespace": "lakepipe.test", "doc": "people",
  "fields": [
    {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "age", "type": ["null", "int"], "default": null},
    {"name": "score", "type": ["double", "null"]},
    {"name": "gender", "type": {"type": "enum", "name": "Gender", "symbols": ["male", "female"]}},
    {"name": "other_gender", "type": ["null", "Gender"]},
    {"name": "dob", "type": {"type": "int", "logicalType": "date"}},
    {"name": "seen", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 4}},
    {"name": "nothing", "type": "null"}
  ]})";

TEST(SchemaTest, ParsesSupportedTypes) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(kUserSchema));
  EXPECT_EQ(s.name(), "User");
  EXPECT_EQ(s.name_space(), "lakepipe.test");
  ASSERT_EQ(s.num_fields(), 9u);
  EXPECT_EQ(s.field(0).logical, LogicalType::kUuid);
  EXPECT_FALSE(s.field(0).nullable);
  EXPECT_TRUE(s.field(1).nullable);
  EXPECT_TRUE(s.field(1).null_first);
  EXPECT_TRUE(s.field(1).default_value->is_null());
  EXPECT_TRUE(s.field(2).nullable);
  EXPECT_FALSE(s.field(2).null_first);
  EXPECT_EQ(s.field(3).type, Type::kEnum);
  EXPECT_EQ(s.field(3).enum_name, "lakepipe.test.Gender");
  EXPECT_EQ(s.field(3).SymbolIndex("female"), 1);
  EXPECT_EQ(s.field(4).type, Type::kEnum);
  EXPECT_TRUE(s.field(4).nullable);
  EXPECT_EQ(s.field(5).logical, LogicalType::kDate);
  EXPECT_EQ(s.field(6).logical, LogicalType::kTimestampMillis);
  // Unknown or unsupported logical types fall back to the underlying type.
  EXPECT_EQ(s.field(7).type, Type::kBytes);
  EXPECT_EQ(s.field(7).logical, LogicalType::kNone);
  EXPECT_EQ(s.field(8).type, Type::kNull);
  EXPECT_EQ(s.FieldIndex("dob"), 5);
  EXPECT_EQ(s.FieldIndex("missing"), -1);
  // The original text is kept verbatim.
  EXPECT_EQ(s.avro_json(), kUserSchema);
}

TEST(SchemaTest, GeneratedJsonParsesBackToTheSameFields) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(kUserSchema));
  ASSERT_OK_AND_ASSIGN(Schema t, Schema::FromAvroJson(s.ToAvroJson()));
  ASSERT_EQ(t.num_fields(), s.num_fields());
  for (size_t i = 0; i < s.num_fields(); ++i) {
    EXPECT_EQ(t.field(i).Describe(), s.field(i).Describe()) << i;
    EXPECT_EQ(t.field(i).null_first, s.field(i).null_first) << i;
  }
}

TEST(SchemaTest, NamesThatAreNotUtf8StillSerialise) {
  Field f;
  f.name = "bad\xff name";
  f.type = Type::kString;
  Schema s("R", {f});
  EXPECT_NE(s.ToAvroJson().find("bad"), std::string::npos);
}

TEST(SchemaTest, EnumDefaultsAreKeptAndChecked) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":{"type":"enum","name":"E","symbols":["X","Y"],"default":"Y"}},
      {"name":"b","type":"E"}]})"));
  EXPECT_EQ(s.field(0).enum_default, "Y");
  EXPECT_EQ(s.field(1).enum_default, "Y");
  ASSERT_OK_AND_ASSIGN(Schema again, Schema::FromAvroJson(s.ToAvroJson()));
  EXPECT_EQ(again.field(0).enum_default, "Y");
  Status bad = Schema::FromAvroJson(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":{"type":"enum","name":"E","symbols":["X"],"default":"Z"}}]})")
                   .status();
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("\"Z\""), std::string::npos) << bad.message();
}

TEST(SchemaTest, RejectsUnsupportedShapesWithTheFieldName) {
  auto err = [](const char* fields) {
    return Schema::FromAvroJson(std::string(R"({"type":"record","name":"R","fields":[)") + fields +
                                "]}")
        .status();
  };
  Status nested = err(R"({"name":"tags","type":{"type":"array","items":"string"}})");
  EXPECT_EQ(nested.code(), StatusCode::kUnimplemented);
  EXPECT_NE(nested.message().find("'tags'"), std::string::npos) << nested.message();
  EXPECT_EQ(err(R"({"name":"u","type":["int","string"]})").code(), StatusCode::kUnimplemented);
  EXPECT_EQ(err(R"({"name":"1bad","type":"int"})").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(err(R"({"name":"a","type":"int"},{"name":"a","type":"long"})").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(err(R"({"name":"a","type":"Unknown"})").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Schema::FromAvroJson("{not json").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Schema::FromAvroJson(R"({"type":"enum","name":"E","symbols":["A"]})").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakepipe
