#include "core/schema.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

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
    return Schema::FromAvroJson(
               std::string(R"({"type":"record","name":"R","fields":[)") + fields + "]}",
               {.complete_types = false})
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

// Every type of the complete model, at several depths.
constexpr const char* kCompleteSchema = R"({"type": "record", "name": "Person", "namespace": "lp",
  "fields": [
    {"name": "id", "type": {"type": "fixed", "name": "Id", "size": 16, "logicalType": "uuid"},
     "field-id": 1},
    {"name": "name", "field-id": 2, "type": {"type": "record", "name": "Name", "fields": [
      {"name": "first", "type": "string", "field-id": 3},
      {"name": "last", "type": ["null", "string"], "field-id": 4}]}},
    {"name": "tags", "field-id": 5,
     "type": ["null", {"type": "array", "items": ["null", "string"], "element-id": 6}]},
    {"name": "scores", "field-id": 7,
     "type": {"type": "map", "values": ["null", "double"], "key-id": 8, "value-id": 9}},
    {"name": "deep", "type": {"type": "array", "items": {"type": "map", "values":
      {"type": "array", "items": {"type": "record", "name": "Leaf", "fields": [
        {"name": "x", "type": ["null", "Name"]}]}}}}},
    {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
    {"name": "cents", "type": {"type": "fixed", "name": "Cents", "size": 5, "logicalType": "decimal",
                               "precision": 11, "scale": 2}},
    {"name": "raw", "type": {"type": "fixed", "name": "Raw", "size": 3}},
    {"name": "raw2", "type": ["null", "Raw"]},
    {"name": "text_id", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "born", "type": {"type": "int", "logicalType": "date"}},
    {"name": "wake", "type": {"type": "int", "logicalType": "time-millis"}},
    {"name": "sleep", "type": {"type": "long", "logicalType": "time-micros"}},
    {"name": "t_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "t_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    {"name": "t_ns", "type": {"type": "long", "logicalType": "timestamp-nanos"}},
    {"name": "l_ms", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
    {"name": "l_us", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
    {"name": "l_ns", "type": {"type": "long", "logicalType": "local-timestamp-nanos"}},
    {"name": "i8", "type": {"type": "int", "logicalType": "int8"}},
    {"name": "i16", "type": {"type": "int", "logicalType": "int16"}},
    {"name": "u8", "type": {"type": "int", "logicalType": "uint8"}},
    {"name": "u16", "type": {"type": "int", "logicalType": "uint16"}},
    {"name": "u32", "type": {"type": "long", "logicalType": "uint32"}},
    {"name": "u64", "type": {"type": "long", "logicalType": "uint64"}},
    {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}},
    {"name": "shape", "type": {"type": "bytes", "logicalType": "geometry", "crs": "OGC:CRS84"}},
    {"name": "either", "type": ["int", "null", "string", "Name"]},
    {"name": "both", "type": ["long", "string"]},
    {"name": "only", "type": ["string"]},
    {"name": "maybe", "type": ["long", "null"]},
    {"name": "bounds", "field-id": 125, "type": ["null", {"type": "array", "logicalType": "map",
      "items": {"type": "record", "name": "k126_v127", "fields": [
        {"name": "key", "type": "int", "field-id": 126},
        {"name": "value", "type": "bytes", "field-id": 127}]}}]}
  ]})";

TEST(SchemaTest, RefusesWhatTheFlatViewCannotDescribeWithUnsupported) {
  Status s = Schema::FromAvroJson(kCompleteSchema, {.complete_types = false}).status();
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.ToString().find("unsupported: field 'id' is a uuid on a fixed(16)"),
            std::string::npos)
      << s.ToString();
  Status nested = Schema::FromAvroJson(R"({"type":"record","name":"R","fields":[
      {"name":"name","type":{"type":"record","name":"N","fields":[{"name":"a","type":"int"}]}}]})",
                                       {.complete_types = false})
                      .status();
  EXPECT_NE(nested.ToString().find("unsupported: field 'name' is a record (nested struct)"),
            std::string::npos)
      << nested.ToString();
}

TEST(SchemaTest, ParsesEveryTypeOfTheCompleteModel) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(kCompleteSchema, {.complete_types = true}));
  auto f = [&](const char* name) -> const Field& { return s.field(s.FieldIndex(name)); };
  EXPECT_EQ(f("id").kind(), Kind::kUuid);
  EXPECT_EQ(f("id").base, Kind::kFixed);
  EXPECT_EQ(f("id").fixed_size, 16);
  EXPECT_EQ(f("id").field_id, 1);
  EXPECT_FALSE(f("id").IsFlat());
  const Field& name = f("name");
  EXPECT_EQ(name.kind(), Kind::kStruct);
  EXPECT_EQ(name.type_name, "lp.Name");
  ASSERT_EQ(name.children.size(), 2u);
  EXPECT_EQ(name.children[1].name, "last");
  EXPECT_TRUE(name.children[1].nullable);
  EXPECT_EQ(name.children[1].field_id, 4);
  const Field& tags = f("tags");
  EXPECT_EQ(tags.kind(), Kind::kList);
  EXPECT_TRUE(tags.nullable);
  EXPECT_EQ(tags.children.at(0).name, "element");
  EXPECT_EQ(tags.children[0].field_id, 6);
  EXPECT_TRUE(tags.children[0].nullable);
  const Field& scores = f("scores");
  EXPECT_EQ(scores.kind(), Kind::kMap);
  EXPECT_EQ(scores.children.at(0).kind(), Kind::kString);
  EXPECT_FALSE(scores.children[0].nullable);
  EXPECT_EQ(scores.children[0].field_id, 8);
  EXPECT_EQ(scores.children[1].field_id, 9);
  EXPECT_TRUE(scores.children[1].nullable);
  // array<map<array<Leaf{x: nullable Name}>>>, Name referenced by name.
  const Field& leaf = f("deep").children[0].children[1].children[0];
  EXPECT_EQ(leaf.kind(), Kind::kStruct);
  EXPECT_EQ(leaf.children[0].kind(), Kind::kStruct);
  EXPECT_EQ(leaf.children[0].children[0].name, "first");
  EXPECT_EQ(f("price").kind(), Kind::kDecimal);
  EXPECT_EQ(f("price").precision, 10);
  EXPECT_EQ(f("price").scale, 2);
  EXPECT_EQ(f("price").base, Kind::kBytes);
  EXPECT_EQ(f("price").type, Type::kBytes);  // the flat view falls back
  EXPECT_EQ(f("cents").base, Kind::kFixed);
  EXPECT_EQ(StorageOf(f("cents")), Storage::kBinary);
  EXPECT_EQ(f("raw").kind(), Kind::kFixed);
  EXPECT_EQ(f("raw2").kind(), Kind::kFixed);
  EXPECT_EQ(f("raw2").fixed_size, 3);
  EXPECT_TRUE(f("raw2").nullable);
  EXPECT_EQ(f("text_id").kind(), Kind::kUuid);
  EXPECT_TRUE(f("text_id").IsFlat());
  EXPECT_EQ(f("text_id").logical, LogicalType::kUuid);
  EXPECT_EQ(f("born").kind(), Kind::kDate);
  EXPECT_EQ(f("wake").kind(), Kind::kTimeMillis);
  EXPECT_EQ(f("sleep").kind(), Kind::kTimeMicros);
  EXPECT_EQ(f("t_ms").logical, LogicalType::kTimestampMillis);
  EXPECT_EQ(f("t_ns").unit, TimeUnit::kNanos);
  EXPECT_TRUE(f("t_ns").utc_adjusted);
  EXPECT_EQ(f("t_ns").logical, LogicalType::kNone);
  EXPECT_FALSE(f("l_us").utc_adjusted);
  EXPECT_EQ(f("l_us").unit, TimeUnit::kMicros);
  EXPECT_EQ(f("l_us").kind(), Kind::kTimestamp);
  EXPECT_EQ(f("l_us").logical, LogicalType::kNone);  // not a UTC instant
  EXPECT_EQ(f("i8").kind(), Kind::kInt8);
  EXPECT_EQ(f("u16").kind(), Kind::kUInt16);
  EXPECT_EQ(f("u32").kind(), Kind::kUInt32);
  EXPECT_EQ(StorageOf(f("u32")), Storage::kInt64);
  EXPECT_EQ(f("u64").kind(), Kind::kUInt64);
  EXPECT_EQ(f("color").kind(), Kind::kEnum);
  // Logical types lakepipe does not interpret keep their attributes.
  EXPECT_EQ(f("shape").kind(), Kind::kBytes);
  EXPECT_EQ(f("shape").type_attributes.value("crs", ""), "OGC:CRS84");
  EXPECT_EQ(f("shape").Describe(), "bytes (geometry)");
  EXPECT_EQ(f("maybe").Describe(), "nullable long");
}

TEST(SchemaTest, IcebergArraysOfKeyValueRecordsAreMaps) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(kCompleteSchema, {.complete_types = true}));
  const Field& bounds = s.field(s.FieldIndex("bounds"));
  EXPECT_EQ(bounds.kind(), Kind::kMap);
  EXPECT_TRUE(bounds.avro_map_as_array);
  EXPECT_TRUE(bounds.nullable);
  EXPECT_EQ(bounds.field_id, 125);
  ASSERT_EQ(bounds.children.size(), 2u);
  EXPECT_EQ(bounds.children[0].kind(), Kind::kInt32);
  EXPECT_EQ(bounds.children[0].field_id, 126);
  EXPECT_EQ(bounds.children[1].kind(), Kind::kBytes);
  EXPECT_EQ(bounds.children[1].field_id, 127);
  EXPECT_EQ(bounds.Describe(), "nullable map<int, bytes>");
  EXPECT_TRUE(bounds.type_attributes.is_null());
  EXPECT_EQ(
      bounds.TypeJson().dump(),
      R"(["null",{"items":{"fields":[{"field-id":126,"name":"key","type":"int"},)"
      R"({"field-id":127,"name":"value","type":"bytes"}],"name":"lp.k126_v127","type":"record"},)"
      R"("logicalType":"map","type":"array"}])");
}

TEST(SchemaTest, UnionsMapToANullableTypeOrAStructOfMembers) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(kCompleteSchema, {.complete_types = true}));
  const Field& either = s.field(s.FieldIndex("either"));
  EXPECT_EQ(either.kind(), Kind::kStruct);
  EXPECT_TRUE(either.avro_union);
  EXPECT_TRUE(either.nullable);
  EXPECT_EQ(either.null_branch, 1);
  ASSERT_EQ(either.children.size(), 3u);
  EXPECT_EQ(either.children[0].name, "member0");
  EXPECT_EQ(either.children[0].kind(), Kind::kInt32);
  EXPECT_EQ(either.children[0].union_branch, 0);
  EXPECT_EQ(either.children[1].name, "member1");
  EXPECT_EQ(either.children[1].kind(), Kind::kString);
  EXPECT_EQ(either.children[1].union_branch, 2);
  EXPECT_EQ(either.children[2].name, "member2");
  EXPECT_EQ(either.children[2].kind(), Kind::kStruct);
  EXPECT_EQ(either.children[2].union_branch, 3);
  for (const Field& m : either.children) EXPECT_TRUE(m.nullable) << m.name;
  EXPECT_EQ(either.Describe(),
            "nullable union {member0: nullable int, member1: nullable string, member2: nullable "
            "struct {first: string, last: nullable string}}");
  const Field& both = s.field(s.FieldIndex("both"));
  EXPECT_TRUE(both.avro_union);
  EXPECT_FALSE(both.nullable);
  EXPECT_EQ(both.null_branch, -1);
  const Field& only = s.field(s.FieldIndex("only"));
  EXPECT_EQ(only.kind(), Kind::kString);
  EXPECT_TRUE(only.single_branch_union);
  EXPECT_FALSE(only.IsFlat());
  const Field& maybe = s.field(s.FieldIndex("maybe"));
  EXPECT_TRUE(maybe.nullable);
  EXPECT_FALSE(maybe.null_first);
  EXPECT_TRUE(maybe.IsFlat());
}

TEST(SchemaTest, CompleteTypesRoundTripThroughAvroJson) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(kCompleteSchema, {.complete_types = true}));
  const std::string written = s.ToAvroJson();
  ASSERT_OK_AND_ASSIGN(Schema t, Schema::FromAvroJson(written, {.complete_types = true}));
  ASSERT_EQ(t.num_fields(), s.num_fields());
  for (size_t i = 0; i < s.num_fields(); ++i) {
    EXPECT_EQ(t.field(i).Describe(), s.field(i).Describe()) << s.field(i).name;
    EXPECT_EQ(t.field(i).TypeJson(), s.field(i).TypeJson()) << s.field(i).name;
    EXPECT_EQ(t.field(i).field_id, s.field(i).field_id) << s.field(i).name;
  }
  // The writer's output is stable: writing the reparsed schema gives the same text.
  EXPECT_EQ(t.ToAvroJson(), written);
  // Union branches come back in their order, null included; a named type is
  // defined once and referred to by its full name afterwards.
  EXPECT_NE(written.find(R"("type":["int","null","string","lp.Name"])"), std::string::npos)
      << written;
  EXPECT_EQ(s.field(s.FieldIndex("only")).TypeJson().dump(), R"(["string"])");
  EXPECT_EQ(s.field(s.FieldIndex("tags")).TypeJson().dump(),
            R"(["null",{"element-id":6,"items":["null","string"],"type":"array"}])");
  EXPECT_EQ(s.field(s.FieldIndex("shape")).TypeJson().dump(),
            R"({"crs":"OGC:CRS84","logicalType":"geometry","type":"bytes"})");
  EXPECT_NE(written.find(R"("field-id":3)"), std::string::npos) << written;
}

TEST(SchemaTest, InvalidLogicalTypesFallBackToTheUnderlyingType) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":{"type":"bytes","logicalType":"decimal","precision":2,"scale":3}},
      {"name":"b","type":{"type":"fixed","name":"F","size":2,"logicalType":"decimal","precision":5}},
      {"name":"c","type":{"type":"string","logicalType":"date"}},
      {"name":"d","type":{"type":"fixed","name":"G","size":8,"logicalType":"uuid"}}]})",
                                                      {.complete_types = true}));
  EXPECT_EQ(s.field(0).kind(), Kind::kBytes);
  EXPECT_EQ(s.field(0).type_attributes.value("scale", 0), 3);
  EXPECT_EQ(s.field(1).kind(), Kind::kFixed);  // 2 bytes hold 4 digits, not 5
  EXPECT_EQ(s.field(2).kind(), Kind::kString);
  EXPECT_EQ(s.field(3).kind(), Kind::kFixed);
  ASSERT_OK_AND_ASSIGN(Schema t, Schema::FromAvroJson(s.ToAvroJson(), {.complete_types = true}));
  EXPECT_EQ(t.field(0).TypeJson(), s.field(0).TypeJson());
  EXPECT_EQ(t.field(1).TypeJson(), s.field(1).TypeJson());
}

TEST(SchemaTest, AUnionOfNullAloneIsANullField) {
  constexpr const char* kText = R"({"type":"record","name":"R","fields":[
      {"name":"n","type":["null"]}]})";
  EXPECT_EQ(Schema::FromAvroJson(kText, {.complete_types = false}).status().code(),
            StatusCode::kUnimplemented);
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(kText));
  EXPECT_EQ(s.field(0).kind(), Kind::kNull);
  EXPECT_EQ(s.field(0).TypeJson().dump(), R"(["null"])");
}

TEST(SchemaTest, RecursiveRecordsAreUnsupported) {
  Status s = Schema::FromAvroJson(R"({"type":"record","name":"Node","fields":[
      {"name":"next","type":["null","Node"]}]})",
                                  {.complete_types = true})
                 .status();
  EXPECT_EQ(s.code(), StatusCode::kUnimplemented);
  EXPECT_NE(s.message().find("recursive"), std::string::npos) << s.message();
}

TEST(SchemaTest, FieldsMadeInCodeDeriveTheirKind) {
  Field f;
  f.name = "t";
  f.type = Type::kLong;
  f.logical = LogicalType::kTimestampMillis;
  EXPECT_EQ(f.kind(), Kind::kTimestamp);
  EXPECT_EQ(f.AvroLogicalType(), "timestamp-millis");
  EXPECT_TRUE(f.IsFlat());
  EXPECT_EQ(StorageOf(f), Storage::kInt64);
  Schema s("R", {f});
  ASSERT_OK_AND_ASSIGN(Schema t, Schema::FromAvroJson(s.avro_json()));
  EXPECT_EQ(t.field(0).logical, LogicalType::kTimestampMillis);
}

// avsc, a reader we did not write, parses the schema lakepipe writes and
// finds it the same as the original: equal Parsing Canonical Form (names,
// types, union branch order, sizes, symbols; the attributes it strips are
// compared by CompleteTypesRoundTripThroughAvroJson).
TEST(SchemaTest, AvscReadsTheWrittenSchemaAsTheOriginal) {
  LP_NEEDS_NODE_PACKAGE(LAKEPIPE_SOURCE_DIR, "avsc");
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(kCompleteSchema, {.complete_types = true}));
  const std::string dir = testing::MakeTempDir("avsc");
  std::ofstream(dir + "/original.avsc") << kCompleteSchema;
  std::ofstream(dir + "/written.avsc") << s.ToAvroJson();
  const std::string script =
      "const avsc = require('avsc'); const fs = require('fs');"
      "const t = (f) => avsc.Type.forSchema(JSON.parse(fs.readFileSync(f, 'utf8')));"
      "const a = t(process.argv[1] + '/original.avsc'), b = t(process.argv[1] + '/written.avsc');"
      "process.exit(a.fingerprint().equals(b.fingerprint()) ? 0 : 3);";
  const testing::NodeRun run = testing::RunNodeScript(LAKEPIPE_SOURCE_DIR, script, dir);
  EXPECT_EQ(run.status, 0) << run.output;
}

TEST(SchemaTest, AssignsMissingFieldIdsBreadthFirst) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":{"type":"record","name":"A","fields":[
        {"name":"x","type":"int"},{"name":"y","type":"int","field-id":2}]}},
      {"name":"b","type":{"type":"map","values":{"type":"array","items":"long"}}},
      {"name":"c","type":"int","field-id":7}]})",
                                                      {.complete_types = true}));
  std::vector<Field> fields = s.fields();
  AssignMissingFieldIds(&fields);
  EXPECT_EQ(fields[0].field_id, 8);  // top level first
  EXPECT_EQ(fields[1].field_id, 9);
  EXPECT_EQ(fields[2].field_id, 7);               // kept
  EXPECT_EQ(fields[0].children[0].field_id, 10);  // then the next level
  EXPECT_EQ(fields[0].children[1].field_id, 2);
  EXPECT_EQ(fields[1].children[0].field_id, 11);  // map key
  EXPECT_EQ(fields[1].children[1].field_id, 12);  // map value
  EXPECT_EQ(fields[1].children[1].children[0].field_id, 13);
  Schema with_ids("R", fields);
  EXPECT_NE(with_ids.ToAvroJson().find(R"("key-id":11,"value-id":12)"), std::string::npos)
      << with_ids.ToAvroJson();
}

}  // namespace
}  // namespace lakepipe
