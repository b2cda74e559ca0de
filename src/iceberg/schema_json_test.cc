#include "iceberg/schema_json.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

// The table spec's Appendix C example, with a struct added.
constexpr const char* kSpecSchema = R"js({"type":"struct","schema-id":0,"fields":[
  {"id":1,"name":"id","required":true,"type":"long"},
  {"id":2,"name":"ts","required":false,"type":"timestamptz","doc":"event time"},
  {"id":3,"name":"tags","required":false,"type":{"type":"list","element-id":5,"element-required":true,"element":"string"}},
  {"id":4,"name":"attrs","required":false,"type":{"type":"map","key-id":6,"key":"string","value-id":7,"value-required":false,"value":"double"}},
  {"id":8,"name":"loc","required":false,"type":{"type":"struct","fields":[
    {"id":9,"name":"lat","required":true,"type":"decimal(9, 2)"
},
    {"id":10,"name":"code","required":false,"type":"fixed[3]"}]
}
}]
})js";

Field Make(std::string name, Kind kind, bool nullable = false) {
  Field f;
  f.name = std::move(name);
  f.full_kind = kind;
  f.nullable = nullable;
  SetFlatView(&f);
  return f;
}

TEST(SchemaJson, TheSpecExampleParses) {
  auto schema = SchemaFromJson(json::parse(kSpecSchema));
  ASSERT_OK(schema);
  ASSERT_EQ(schema->num_fields(), 5u);
  const Field& id = schema->field(0);
  EXPECT_EQ(id.kind(), Kind::kInt64);
  EXPECT_FALSE(id.nullable);
  EXPECT_EQ(id.field_id, 1);
  const Field& ts = schema->field(1);
  EXPECT_EQ(ts.kind(), Kind::kTimestamp);
  EXPECT_TRUE(ts.utc_adjusted);
  EXPECT_EQ(ts.unit, TimeUnit::kMicros);
  EXPECT_EQ(ts.doc, "event time");
  const Field& tags = schema->field(2);
  ASSERT_EQ(tags.kind(), Kind::kList);
  EXPECT_EQ(tags.children[0].field_id, 5);
  EXPECT_FALSE(tags.children[0].nullable);
  const Field& attrs = schema->field(3);
  ASSERT_EQ(attrs.kind(), Kind::kMap);
  EXPECT_EQ(attrs.children[0].field_id, 6);
  EXPECT_EQ(attrs.children[1].field_id, 7);
  EXPECT_TRUE(attrs.children[1].nullable);
  const Field& lat = schema->field(4).children[0];
  EXPECT_EQ(lat.kind(), Kind::kDecimal);
  EXPECT_EQ(lat.precision, 9);
  EXPECT_EQ(lat.scale, 2);
  EXPECT_EQ(schema->field(4).children[1].fixed_size, 3);
  EXPECT_EQ(MaxFieldId(schema->fields()), 10);
}

TEST(SchemaJson, RoundTripsTheSpecExample) {
  auto schema = SchemaFromJson(json::parse(kSpecSchema));
  ASSERT_OK(schema);
  auto out = SchemaToJson(*schema);
  ASSERT_OK(out);
  json want = json::parse(kSpecSchema);
  // Written in the canonical form, without the space.
  want["fields"][4]["type"]["fields"][0]["type"] = "decimal(9,2)";
  EXPECT_EQ(*out, want) << out->dump();
}

TEST(SchemaJson, EveryPrimitiveRoundTrips) {
  json fields = json::array();
  int32_t id = 0;
  for (const char* type : {"boolean", "int", "long", "float", "double", "date", "time", "timestamp",
                           "timestamptz", "timestamp_ns", "timestamptz_ns", "string", "uuid",
                           "fixed[16]", "binary", "decimal(38,10)", "decimal(18,0)"}) {
    ++id;
    fields.push_back(
        {{"id", id}, {"name", fmt::format("c{}", id)}, {"required", id % 2 == 0}, {"type", type}});
  }
  const json in = {{"type", "struct"}, {"schema-id", 3}, {"fields", fields}};
  auto schema = SchemaFromJson(in);
  ASSERT_OK(schema);
  auto out = SchemaToJson(*schema, 3);
  ASSERT_OK(out);
  EXPECT_EQ(*out, in) << out->dump();
  // The Avro schema core generates for it is valid.
  EXPECT_OK(Schema::FromAvroJson(schema->avro_json()));
}

TEST(SchemaJson, CoreKindsMapToIcebergTypes) {
  Field ts = Make("ts_ms", Kind::kTimestamp);
  ts.unit = TimeUnit::kMillis;
  ts.utc_adjusted = false;
  SetFlatView(&ts);
  const Schema schema("r", {Make("a", Kind::kInt8), Make("b", Kind::kUInt16),
                            Make("c", Kind::kUInt32, true), Make("d", Kind::kTimeMillis), ts});
  auto out = SchemaToJson(schema);
  ASSERT_OK(out);
  const json& f = (*out)["fields"];
  EXPECT_EQ(f[0]["type"], "int");
  EXPECT_EQ(f[1]["type"], "int");
  EXPECT_EQ(f[2]["type"], "long");
  EXPECT_EQ(f[2]["required"], false);
  EXPECT_EQ(f[3]["type"], "time");
  EXPECT_EQ(f[4]["type"], "timestamp");
}

TEST(SchemaJson, FieldsWithoutIdsGetFreshOnes) {
  Field list = Make("xs", Kind::kList, true);
  list.children.push_back(Make("element", Kind::kInt64, true));
  SetFlatView(&list);
  Field a = Make("a", Kind::kString);
  a.field_id = 7;
  const Schema schema("r", {a, list, Make("b", Kind::kDouble)});
  auto out = SchemaToJson(schema);
  ASSERT_OK(out);
  const json& f = (*out)["fields"];
  EXPECT_EQ(f[0]["id"], 7);
  EXPECT_EQ(f[1]["id"], 8);
  EXPECT_EQ(f[2]["id"], 9);
  EXPECT_EQ(f[1]["type"]["element-id"], 10);
  EXPECT_EQ(f[1]["type"]["element-required"], false);
}

TEST(SchemaJson, Uint64AndUnionsAreRefusedNamingTheField) {
  const Schema big("r", {Make("a", Kind::kInt32), Make("counter", Kind::kUInt64)});
  auto out = SchemaToJson(big);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().ToString().find("unsupported: field 'counter' is a uint64"),
            std::string::npos)
      << out.status().ToString();

  auto parsed = Schema::FromAvroJson(
      R"js({"type":"record","name":"r","fields":[{"name":"either","type":["int","string"]}]})js");
  ASSERT_OK(parsed);
  auto union_out = SchemaToJson(*parsed);
  ASSERT_FALSE(union_out.ok());
  EXPECT_NE(union_out.status().ToString().find("unsupported: field 'either' is an Avro union"),
            std::string::npos)
      << union_out.status().ToString();
}

// avsc, a reader we did not write, accepts the Avro schema of a table
// schema parsed from Iceberg JSON (record, fixed and decimal names, a map
// with int keys, types used twice), with its field ids.
TEST(SchemaJson, AvscReadsTheAvroSchemaOfAnIcebergSchema) {
  LP_NEEDS_NODE_PACKAGE(LAKEPIPE_SOURCE_DIR, "avsc");
  json in = json::parse(kSpecSchema);
  int32_t id = 10;
  for (const char* type : {"fixed[16]", "fixed[16]", "decimal(38,10)", "decimal(38,10)", "uuid",
                           "uuid", "timestamptz", "date"}) {
    ++id;
    in["fields"].push_back(
        {{"id", id}, {"name", fmt::format("c{}", id)}, {"required", false}, {"type", type}});
  }
  in["fields"].push_back({{"id", 30},
                          {"name", "counts"},
                          {"required", true},
                          {"type",
                           {{"type", "map"},
                            {"key-id", 31},
                            {"key", "int"},
                            {"value-id", 32},
                            {"value-required", true},
                            {"value", "long"}}}});
  auto schema = SchemaFromJson(in);
  ASSERT_OK(schema);
  const std::string dir = testing::MakeTempDir("iceberg_avsc");
  std::ofstream(dir + "/schema.avsc") << schema->avro_json();
  const std::string script =
      "const avsc = require('avsc'); const fs = require('fs');"
      "const s = JSON.parse(fs.readFileSync(process.argv[1] + '/schema.avsc', 'utf8'));"
      "avsc.Type.forSchema(s);"
      "const ids = s.fields.map((f) => f['field-id']).join(',');"
      "process.exit(ids === '1,2,3,4,8,11,12,13,14,15,16,17,18,30' ? 0 : 3);";
  const testing::NodeRun run = testing::RunNodeScript(LAKEPIPE_SOURCE_DIR, script, dir);
  EXPECT_EQ(run.status, 0) << run.output << schema->avro_json();
}

TEST(SchemaJson, BadJsonIsRefused) {
  for (
      const char* text :
      {R"js({"type":"record","fields":[]})js",
       R"js({"type":"struct","fields":[{"id":1,"name":"a","required":true,"type":"varchar"}]})js",
       R"js({"type":"struct","fields":[{"name":"a","required":true,"type":"int"}]})js",
       R"js({"type":"struct","fields":[{"id":1,"name":"a","type":"decimal(39,2)"}]})js",
       R"js({"type":"struct","fields":[{"id":1,"name":"a","type":{"type":"list","element":"int"}}]})js"}) {
    EXPECT_FALSE(SchemaFromJson(json::parse(text)).ok()) << text;
  }
}

}  // namespace
}  // namespace lakepipe::iceberg
