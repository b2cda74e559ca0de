#include "iceberg/table_metadata.h"

#include <regex>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

// A format v2 document as Java (Spark) writes it, with keys lakepipe does
// not model: statistics, partition-statistics, a tag with retention keys.
constexpr const char* kJavaV2 = R"js({
  "format-version" : 2,
  "table-uuid" : "9c12d441-03fe-4693-9a96-a0705ddf69c1",
  "location" : "s3://bucket/wh/db/events",
  "last-sequence-number" : 2,
  "last-updated-ms" : 1733600000000,
  "last-column-id" : 3,
  "current-schema-id" : 0,
  "schemas" : [ {
    "type" : "struct",
    "schema-id" : 0,
    "identifier-field-ids" : [ 1 ],
    "fields" : [ { "id" : 1, "name" : "id", "required" : true, "type" : "long" },
                 { "id" : 2, "name" : "ts", "required" : false, "type" : "timestamptz" },
                 { "id" : 3, "name" : "payload", "required" : false, "type" : "string" } ]
  } ],
  "default-spec-id" : 0,
  "partition-specs" : [ { "spec-id" : 0, "fields" : [
    { "name" : "ts_day", "transform" : "day", "source-id" : 2, "field-id" : 1000 } ] } ],
  "last-partition-id" : 1000,
  "default-sort-order-id" : 0,
  "sort-orders" : [ { "order-id" : 0, "fields" : [ ] } ],
  "properties" : { "write.format.default" : "parquet", "owner" : "spark" },
  "current-snapshot-id" : 5781947118336215154,
  "refs" : {
    "main" : { "snapshot-id" : 5781947118336215154, "type" : "branch" },
    "audit" : { "snapshot-id" : 638933773299822130, "type" : "tag", "max-ref-age-ms" : 86400000 }
  },
  "snapshots" : [ {
    "sequence-number" : 1,
    "snapshot-id" : 638933773299822130,
    "timestamp-ms" : 1733599000000,
    "summary" : { "operation" : "append", "added-data-files" : "1", "total-records" : "4" },
    "manifest-list" : "s3://bucket/wh/db/events/metadata/snap-638933773299822130-1-7e67.avro",
    "schema-id" : 0
  }, {
    "sequence-number" : 2,
    "snapshot-id" : 5781947118336215154,
    "parent-snapshot-id" : 638933773299822130,
    "timestamp-ms" : 1733600000000,
    "summary" : { "operation" : "append", "added-data-files" : "1", "total-records" : "10" },
    "manifest-list" : "s3://bucket/wh/db/events/metadata/snap-5781947118336215154-1-8a62.avro",
    "schema-id" : 0
  } ],
  "statistics" : [ { "snapshot-id" : 5781947118336215154, "statistics-path" : "s3://bucket/s.puffin",
                     "file-size-in-bytes" : 413, "file-footer-size-in-bytes" : 294,
                     "blob-metadata" : [ ] } ],
  "partition-statistics" : [ ],
  "snapshot-log" : [ { "timestamp-ms" : 1733599000000, "snapshot-id" : 638933773299822130 },
                     { "timestamp-ms" : 1733600000000, "snapshot-id" : 5781947118336215154 } ],
  "metadata-log" : [ { "timestamp-ms" : 1733598000000,
                       "metadata-file" : "s3://bucket/wh/db/events/metadata/00000-8a62.metadata.json" } ]
})js";

// A format v1 document: one "schema", "partition-spec" as a list of fields.
constexpr const char* kV1 = R"js({
  "format-version" : 1,
  "table-uuid" : "fb072c92-a02b-11e9-ae9c-1bb7bc9eca94",
  "location" : "file:///tmp/wh/t/",
  "last-updated-ms" : 1600000000000,
  "last-column-id" : 2,
  "schema" : { "type" : "struct", "fields" : [
    { "id" : 1, "name" : "id", "required" : true, "type" : "int" },
    { "id" : 2, "name" : "name", "required" : false, "type" : "string" } ] },
  "partition-spec" : [ { "name" : "id_bucket", "transform" : "bucket[16]", "source-id" : 1 } ],
  "properties" : { },
  "current-snapshot-id" : -1,
  "snapshots" : [ ]
})js";

Field Make(std::string name, Kind kind, bool nullable = true) {
  Field f;
  f.name = std::move(name);
  f.full_kind = kind;
  f.nullable = nullable;
  SetFlatView(&f);
  return f;
}

Schema EventsSchema() {
  Field ts = Make("ts", Kind::kTimestamp);
  ts.unit = TimeUnit::kMicros;
  return Schema("events", {Make("id", Kind::kInt64, false), ts, Make("name", Kind::kString),
                           Make("day", Kind::kDate)});
}

TEST(TableMetadata, AJavaDocumentParsesAndWritesBackWithItsExtraKeys) {
  ASSERT_OK_AND_ASSIGN(TableMetadata m, TableMetadata::Parse(kJavaV2));
  EXPECT_EQ(m.format_version, 2);
  EXPECT_EQ(m.location, "s3://bucket/wh/db/events");
  EXPECT_EQ(m.last_sequence_number, 2);
  ASSERT_NE(m.CurrentSchema(), nullptr);
  EXPECT_EQ(m.CurrentSchema()->schema->num_fields(), 3u);
  EXPECT_EQ(m.CurrentSchema()->identifier_field_ids, std::vector<int32_t>{1});
  ASSERT_NE(m.DefaultSpec(), nullptr);
  ASSERT_EQ(m.DefaultSpec()->fields.size(), 1u);
  EXPECT_EQ(m.DefaultSpec()->fields[0].transform.kind, TransformKind::kDay);
  ASSERT_NE(m.CurrentSnapshot(), nullptr);
  EXPECT_EQ(m.CurrentSnapshot()->summary.at("total-records"), "10");
  ASSERT_EQ(m.Ancestry().size(), 2u);
  EXPECT_EQ(m.Ancestry()[1]->snapshot_id, 638933773299822130);
  EXPECT_TRUE(m.extra.contains("statistics"));
  EXPECT_TRUE(m.extra.contains("partition-statistics"));

  json original = json::parse(kJavaV2);
  json written = m.ToJson();
  // Every key of the original comes back with the same value.
  for (const auto& [key, value] : original.items()) {
    ASSERT_TRUE(written.contains(key)) << key;
    EXPECT_EQ(written[key], value) << key;
  }
  ASSERT_OK_AND_ASSIGN(TableMetadata again, TableMetadata::Parse(m.ToText()));
  EXPECT_EQ(again.ToJson(), written);
}

TEST(TableMetadata, AVersion1DocumentReadsItsSingularForms) {
  ASSERT_OK_AND_ASSIGN(TableMetadata m, TableMetadata::Parse(kV1));
  EXPECT_EQ(m.format_version, 1);
  EXPECT_EQ(m.location, "file:///tmp/wh/t");
  EXPECT_EQ(m.current_schema_id, 0);
  ASSERT_EQ(m.schemas.size(), 1u);
  ASSERT_EQ(m.partition_specs.size(), 1u);
  ASSERT_EQ(m.DefaultSpec()->fields.size(), 1u);
  EXPECT_EQ(m.DefaultSpec()->fields[0].field_id, 1000);  // v1 may omit it
  EXPECT_EQ(m.last_partition_id, 1000);
  EXPECT_FALSE(m.current_snapshot_id);
  EXPECT_EQ(m.CurrentSnapshot(), nullptr);

  json v2 = m.ToJson();  // written back as v2, without the v1 forms
  EXPECT_EQ(v2["format-version"], 2);
  EXPECT_FALSE(v2.contains("schema"));
  EXPECT_FALSE(v2.contains("partition-spec"));
  EXPECT_EQ(v2["partition-specs"][0]["fields"][0]["transform"], "bucket[16]");
  EXPECT_EQ(v2["sort-orders"], json::parse(R"([{"order-id":0,"fields":[]}])"));
}

TEST(TableMetadata, ANewTableWritesEveryRequiredField) {
  ASSERT_OK_AND_ASSIGN(PartitionSpec spec, ParsePartitionSpec("day(ts)", EventsSchema()));
  ASSERT_OK_AND_ASSIGN(TableMetadata m, TableMetadata::New("s3://b/wh/db/events/", EventsSchema(),
                                                           spec, {{"owner", "lakepipe"}}));
  json j = m.ToJson();
  for (const char* key :
       {"format-version", "table-uuid", "location", "last-sequence-number", "last-updated-ms",
        "last-column-id", "schemas", "current-schema-id", "partition-specs", "default-spec-id",
        "last-partition-id", "properties", "current-snapshot-id", "snapshots", "snapshot-log",
        "metadata-log", "sort-orders", "default-sort-order-id", "refs"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["location"], "s3://b/wh/db/events");
  EXPECT_EQ(j["last-column-id"], 4);
  EXPECT_EQ(j["last-partition-id"], 1000);
  EXPECT_EQ(j["current-snapshot-id"], -1);
  EXPECT_EQ(j["refs"], json::object());
  EXPECT_EQ(j["schemas"][0]["fields"][1]["type"], "timestamptz");
  EXPECT_EQ(j["schemas"][0]["fields"][1]["id"], 2);
  EXPECT_EQ(j["partition-specs"][0], json::parse(R"({"spec-id":0,"fields":[
              {"source-id":2,"field-id":1000,"name":"ts_day","transform":"day"}]})"));
  ASSERT_OK_AND_ASSIGN(TableMetadata again, TableMetadata::Parse(m.ToText()));
  EXPECT_EQ(again.ToJson(), j);
}

TEST(TableMetadata, AnUnpartitionedTableHasLastPartitionId999) {
  ASSERT_OK_AND_ASSIGN(TableMetadata m,
                       TableMetadata::New("/tmp/t", EventsSchema(), PartitionSpec{}));
  EXPECT_EQ(m.ToJson()["last-partition-id"], 999);
  EXPECT_EQ(m.ToJson()["partition-specs"][0]["fields"], json::array());
}

TEST(TableMetadata, MainFollowsTheCurrentSnapshot) {
  ASSERT_OK_AND_ASSIGN(TableMetadata m, TableMetadata::Parse(kJavaV2));
  m.current_snapshot_id = 638933773299822130;
  json j = m.ToJson();
  EXPECT_EQ(j["refs"]["main"]["snapshot-id"], 638933773299822130);
  EXPECT_EQ(j["refs"]["audit"]["max-ref-age-ms"], 86400000);
}

TEST(TableMetadata, ErrorsNameTheBadKey) {
  json doc = json::parse(kJavaV2);
  doc.erase("location");
  auto missing = TableMetadata::FromJson(doc);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("'location' is missing"), std::string::npos)
      << missing.status().ToString();

  doc = json::parse(kJavaV2);
  doc["snapshots"][1]["manifest-list"] = 7;
  auto wrong = TableMetadata::FromJson(doc);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("'snapshots[1].manifest-list' is not a string"),
            std::string::npos)
      << wrong.status().ToString();

  doc = json::parse(kJavaV2);
  doc["current-snapshot-id"] = 42;
  auto dangling = TableMetadata::FromJson(doc);
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.status().message().find("current-snapshot-id"), std::string::npos);

  doc = json::parse(kJavaV2);
  doc["partition-specs"][0]["fields"][0]["transform"] = "zorder";
  auto transform = TableMetadata::FromJson(doc);
  ASSERT_FALSE(transform.ok());
  EXPECT_NE(transform.status().message().find("partition-specs[0].fields[0].transform"),
            std::string::npos)
      << transform.status().ToString();

  auto not_json = TableMetadata::Parse("{\"format-version\": 2,");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.status().code(), StatusCode::kInvalidArgument);

  doc = json::parse(kJavaV2);
  doc["format-version"] = 3;
  EXPECT_EQ(TableMetadata::FromJson(doc).status().code(), StatusCode::kUnimplemented);
}

TEST(PartitionSpecText, EveryTransformGetsJavasDefaultName) {
  ASSERT_OK_AND_ASSIGN(
      PartitionSpec spec,
      ParsePartitionSpec(
          "day(ts), bucket[16](id), truncate[4](name), hour(ts), month(ts), year(day), name",
          EventsSchema()));
  std::vector<std::string> names;
  for (const PartitionField& f : spec.fields) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ts_day", "id_bucket", "name_trunc", "ts_hour",
                                             "ts_month", "day_year", "name"}));
  for (size_t i = 0; i < spec.fields.size(); ++i) {
    EXPECT_EQ(spec.fields[i].field_id, 1000 + static_cast<int32_t>(i));
  }
  EXPECT_EQ(spec.fields[1].source_id, 1);
  EXPECT_EQ(spec.fields[1].transform.ToString(), "bucket[16]");
  EXPECT_EQ(spec.fields[2].transform.ToString(), "truncate[4]");
  EXPECT_EQ(spec.fields[6].transform.kind, TransformKind::kIdentity);

  ASSERT_OK_AND_ASSIGN(std::vector<Field> type, spec.PartitionType(EventsSchema()));
  ASSERT_EQ(type.size(), 7u);
  EXPECT_EQ(type[0].kind(), Kind::kDate);    // day
  EXPECT_EQ(type[1].kind(), Kind::kInt32);   // bucket
  EXPECT_EQ(type[2].kind(), Kind::kString);  // truncate keeps the type
  EXPECT_EQ(type[3].kind(), Kind::kInt32);   // hour
  EXPECT_EQ(type[1].name, "id_bucket");
  EXPECT_EQ(type[1].field_id, 1001);
  EXPECT_TRUE(type[1].nullable);
}

TEST(PartitionSpecText, RefusalsNameTheProblem) {
  auto unknown = ParsePartitionSpec("day(nope)", EventsSchema());
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'nope'"), std::string::npos);
  auto refused = ParsePartitionSpec("hour(name)", EventsSchema());  // hour needs a timestamp
  EXPECT_FALSE(refused.ok());
  auto twice = ParsePartitionSpec("day(ts), day(ts)", EventsSchema());
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(twice.status().message().find("ts_day"), std::string::npos);
  auto bad = ParsePartitionSpec("bucket[16](id", EventsSchema());
  EXPECT_FALSE(bad.ok());
  ASSERT_OK_AND_ASSIGN(PartitionSpec none, ParsePartitionSpec("  ", EventsSchema()));
  EXPECT_TRUE(none.fields.empty());
}

TEST(TableMetadata, MetadataLogKeepsTheNewestEntries) {
  ASSERT_OK_AND_ASSIGN(TableMetadata m, TableMetadata::Parse(kJavaV2));
  m.properties["write.metadata.previous-versions-max"] = "2";
  AddPreviousMetadataFile(&m, 1, "a.json");
  AddPreviousMetadataFile(&m, 2, "b.json");
  ASSERT_EQ(m.metadata_log.size(), 2u);
  EXPECT_EQ(m.metadata_log[0].metadata_file, "a.json");
  EXPECT_EQ(m.metadata_log[1].timestamp_ms, 2);
}

TEST(TableMetadata, IdsAreFreshAndWellFormed) {
  ASSERT_OK_AND_ASSIGN(TableMetadata m, TableMetadata::Parse(kJavaV2));
  std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> uuids;
  for (int i = 0; i < 100; ++i) {
    std::string u = NewUuid();
    EXPECT_TRUE(std::regex_match(u, uuid)) << u;
    uuids.insert(u);
    int64_t id = NewSnapshotId(m);
    EXPECT_GT(id, 0);
    EXPECT_LT(id, int64_t{1} << 53);
    EXPECT_EQ(m.FindSnapshot(id), nullptr);
  }
  EXPECT_EQ(uuids.size(), 100u);
}

}  // namespace
}  // namespace lakepipe::iceberg
