#include "iceberg/table_report.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "iceberg/file_catalog.h"
#include "iceberg/table_fixture.h"
#include "s3/moto.h"
#include "s3/s3_store.h"
#include "storage/object_store.h"

namespace lakepipe::iceberg {
namespace {

using Json = nlohmann::ordered_json;

struct Opened {
  TableFixture fixture;
  LoadedTable table;
};

Opened Open(const std::string& name, bool broken) {
  Opened o;
  auto fixture = BuildTableFixture(lakepipe::testing::MakeTempDir(name), broken);
  EXPECT_OK(fixture);
  if (!fixture.ok()) return o;
  o.fixture = *fixture;
  auto table = OpenTableRef(o.fixture.location, CatalogOptions{});
  EXPECT_OK(table);
  if (table.ok()) o.table = *table;
  return o;
}

TEST(TableReport, ShowListsSchemaSpecFilesAndOffsets) {
  Opened o = Open("show", false);
  ASSERT_FALSE(o.fixture.files.empty());
  ASSERT_OK_AND_ASSIGN(Json show, ShowTable(o.table));
  EXPECT_EQ(show["location"], o.fixture.location);
  EXPECT_NE(show["metadata_location"].get<std::string>().find("/metadata/v"), std::string::npos);
  const Json& fields = show["schema"]["fields"];
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0]["name"], "id");
  EXPECT_EQ(fields[0]["id"], 1);
  EXPECT_EQ(fields[1]["type"], "string");
  ASSERT_EQ(show["partition_spec"]["fields"].size(), 1u);
  EXPECT_EQ(show["partition_spec"]["fields"][0]["source"], "region");
  EXPECT_EQ(show["partition_spec"]["fields"][0]["transform"], "identity");
  EXPECT_EQ(show["partition_spec"]["fields"][0]["field_id"], 1000);
  EXPECT_EQ(show["snapshots"], 3);
  EXPECT_EQ(show["current_snapshot"]["snapshot_id"], o.fixture.snapshot_ids.back());
  EXPECT_EQ(show["current_snapshot"]["total_records"], 26);

  const Json& files = show["data_files"];
  ASSERT_EQ(files.size(), o.fixture.files.size());
  for (const FixtureFile& f : o.fixture.files) {
    bool found = false;
    for (const Json& j : files) {
      if (j["path"] != f.path) continue;
      found = true;
      EXPECT_EQ(j["records"], f.records);
      EXPECT_EQ(j["size"], f.size);
      EXPECT_EQ(j["format"], "PARQUET");
      EXPECT_EQ(j["partition"]["region"], f.region);
    }
    EXPECT_TRUE(found) << f.path;
  }
  const Json expected = Json::parse(R"([
    {"group": "archivers", "topic": "orders", "partition": 0, "offset": 17},
    {"group": "archivers", "topic": "orders", "partition": 1, "offset": 9}])");
  EXPECT_EQ(show["kafka_offsets"], expected);

  const std::string text = ShowText(show);
  EXPECT_NE(text.find("1000  region = identity(region)"), std::string::npos) << text;
  EXPECT_NE(text.find("archivers"), std::string::npos) << text;
}

TEST(TableReport, HistoryIsNewestFirstWithCountsAndRanges) {
  Opened o = Open("history", false);
  ASSERT_EQ(o.fixture.snapshot_ids.size(), 3u);
  ASSERT_OK_AND_ASSIGN(Json history, TableHistory(o.table.metadata));
  const Json& s = history["snapshots"];
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0]["snapshot_id"], o.fixture.snapshot_ids[2]);
  EXPECT_EQ(s[0]["parent_snapshot_id"], o.fixture.snapshot_ids[1]);
  EXPECT_EQ(s[2]["snapshot_id"], o.fixture.snapshot_ids[0]);
  EXPECT_TRUE(s[2]["parent_snapshot_id"].is_null());
  EXPECT_EQ(s[2]["operation"], "append");
  EXPECT_EQ(s[2]["added_data_files"], 2);
  EXPECT_EQ(s[2]["added_records"], 15);
  EXPECT_EQ(s[1]["total_records"], 22);
  EXPECT_EQ(s[0]["total_data_files"], 4);
  EXPECT_TRUE(s[0]["current_ancestor"].get<bool>());
  EXPECT_EQ(s[1]["kafka"]["group"], "archivers");
  EXPECT_EQ(s[1]["kafka"]["ranges"],
            Json::parse(R"([{"topic": "orders", "partition": 0, "start": 10, "end": 17}])"));
  EXPECT_NE(HistoryText(history).find("orders/0 [10, 17)"), std::string::npos);

  // A snapshot off the current branch (a commit that lost) is listed, not
  // marked as an ancestor.
  TableMetadata with_orphan = o.table.metadata;
  Snapshot orphan = with_orphan.snapshots.front();
  orphan.snapshot_id = 77;
  orphan.parent_snapshot_id = o.fixture.snapshot_ids[0];
  orphan.timestamp_ms = with_orphan.snapshots.back().timestamp_ms + 1000;
  with_orphan.snapshots.push_back(orphan);
  ASSERT_OK_AND_ASSIGN(Json more, TableHistory(with_orphan));
  ASSERT_EQ(more["snapshots"].size(), 4u);
  EXPECT_EQ(more["snapshots"][0]["snapshot_id"], 77);
  EXPECT_FALSE(more["snapshots"][0]["current_ancestor"].get<bool>());
  EXPECT_TRUE(more["snapshots"][1]["current_ancestor"].get<bool>());
  EXPECT_EQ(HistoryText(more).find("* 77 "), std::string::npos);
}

TEST(TableReport, VerifyOfACleanTableFindsNothing) {
  Opened o = Open("verify-clean", false);
  ASSERT_OK_AND_ASSIGN(Json verify, VerifyTable(o.table));
  EXPECT_TRUE(verify["clean"].get<bool>()) << verify.dump(2);
  EXPECT_EQ(verify["data_files"], 4);
  EXPECT_TRUE(verify["problems"].empty());
}

TEST(TableReport, VerifyNamesEachProblem) {
  Opened o = Open("verify-broken", true);
  ASSERT_OK_AND_ASSIGN(Json verify, VerifyTable(o.table));
  EXPECT_FALSE(verify["clean"].get<bool>());
  EXPECT_EQ(verify["data_files"], 7);
  std::map<std::string, Json> by_kind;
  for (const Json& p : verify["problems"]) by_kind[p["kind"]] = p;
  ASSERT_EQ(verify["problems"].size(), 5u) << verify.dump(2);
  EXPECT_EQ(by_kind["duplicate"]["path"], o.fixture.duplicate_file);
  EXPECT_EQ(by_kind["duplicate"]["count"], 2);
  EXPECT_EQ(by_kind["missing"]["path"], o.fixture.missing_file);
  EXPECT_EQ(by_kind["size"]["path"], o.fixture.resized_file);
  EXPECT_EQ(by_kind["size"]["actual"].get<int64_t>(),
            by_kind["size"]["expected"].get<int64_t>() + 1);
  EXPECT_EQ(by_kind["gap"]["partition"], 0);
  EXPECT_EQ(by_kind["gap"]["previous"], Json::parse("[10, 17]"));
  EXPECT_EQ(by_kind["gap"]["next"], Json::parse("[20, 23]"));
  EXPECT_EQ(by_kind["gap"]["snapshot_id"], o.fixture.snapshot_ids[3]);
  EXPECT_EQ(by_kind["overlap"]["partition"], 1);
  EXPECT_EQ(by_kind["overlap"]["snapshot_id"], o.fixture.snapshot_ids[4]);
  const std::string text = VerifyText(verify);
  EXPECT_NE(text.find("offsets 17..19 are in no snapshot"), std::string::npos) << text;
  EXPECT_NE(text.find("offsets 7..8 are in two snapshots"), std::string::npos) << text;
  EXPECT_NE(text.find("5 problems"), std::string::npos) << text;
}

// On S3 (moto_server): the table opened by its s3:// location, a deleted
// object reported missing and a rewritten one resized.
TEST(TableReport, VerifyOnS3) {
  auto moto = s3::testing::Moto::Start();
  ASSERT_OK(moto);
  s3::S3Options o;
  o.endpoint = (*moto)->endpoint();
  o.credentials = s3::testing::Moto::TestCredentials();
  ASSERT_OK_AND_ASSIGN(auto client, s3::S3Client::Make(o));
  // The bucket the other S3 tests of this binary use, in case they run after.
  ASSERT_OK(client->CreateBucket("warehouse"));
  s3::RegisterS3Store(&ObjectStoreRegistry::Default(), o);

  ASSERT_OK_AND_ASSIGN(TableFixture fixture,
                       BuildTableFixture("s3://warehouse/table-report", true));
  EXPECT_EQ(fixture.location, "s3://warehouse/table-report/db/events");
  ASSERT_OK_AND_ASSIGN(LoadedTable table, OpenTableRef(fixture.location, {}));
  ASSERT_OK_AND_ASSIGN(Json show, ShowTable(table));
  EXPECT_EQ(show["data_files"].size(), 7u);
  ASSERT_OK_AND_ASSIGN(Json verify, VerifyTable(table));
  std::map<std::string, std::string> paths;
  for (const Json& p : verify["problems"]) {
    paths[p["kind"]] = p.contains("path") ? p["path"].get<std::string>() : "";
  }
  EXPECT_EQ(paths, (std::map<std::string, std::string>{{"duplicate", fixture.duplicate_file},
                                                       {"gap", ""},
                                                       {"missing", fixture.missing_file},
                                                       {"overlap", ""},
                                                       {"size", fixture.resized_file}}))
      << verify.dump(2);
}

TEST(TableReport, ATableWithoutSnapshotsIsShownAndClean) {
  CatalogOptions options;
  options.warehouse = lakepipe::testing::MakeTempDir("empty");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Catalog> catalog, MakeFileCatalog(options));
  ASSERT_OK_AND_ASSIGN(TableIdentifier id, TableIdentifier::Parse("db.empty"));
  ASSERT_OK_AND_ASSIGN(Schema schema,
                       Schema::FromAvroJson(R"({"type": "record", "name": "t", "fields": [
                         {"name": "id", "type": "long"}]})"));
  ASSERT_OK_AND_ASSIGN(std::string location, catalog->DefaultLocation(id));
  ASSERT_OK_AND_ASSIGN(TableMetadata metadata, TableMetadata::New(location, schema, {}));
  ASSERT_OK(catalog->CreateTable(id, metadata));
  ASSERT_OK_AND_ASSIGN(LoadedTable table, OpenTableRef("db.empty", options));

  ASSERT_OK_AND_ASSIGN(Json show, ShowTable(table));
  EXPECT_TRUE(show["current_snapshot"].is_null());
  EXPECT_EQ(show["snapshots"], 0);
  EXPECT_TRUE(show["data_files"].empty());
  EXPECT_TRUE(show["kafka_offsets"].empty());
  EXPECT_TRUE(show["partition_spec"]["fields"].empty());
  const std::string text = ShowText(show);
  EXPECT_NE(text.find("unpartitioned"), std::string::npos) << text;
  EXPECT_NE(text.find("kafka offsets: none committed"), std::string::npos) << text;
  ASSERT_OK_AND_ASSIGN(Json history, TableHistory(table.metadata));
  EXPECT_TRUE(history["snapshots"].empty());
  ASSERT_OK_AND_ASSIGN(Json verify, VerifyTable(table));
  EXPECT_TRUE(verify["clean"].get<bool>());
  EXPECT_EQ(verify["data_files"], 0);
}

TEST(TableReport, TablesAreOpenedByNameOrLocation) {
  Opened o = Open("open", false);
  CatalogOptions options;
  options.warehouse = o.fixture.warehouse;
  ASSERT_OK_AND_ASSIGN(LoadedTable by_name, OpenTableRef("db.events", options));
  EXPECT_EQ(by_name.metadata.table_uuid, o.table.metadata.table_uuid);
  ASSERT_OK_AND_ASSIGN(LoadedTable by_uri, OpenTableRef("file://" + o.fixture.location + "/", {}));
  EXPECT_EQ(by_uri.metadata.table_uuid, o.table.metadata.table_uuid);

  auto bare = OpenTableRef("events", options);
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bare.status().message().find("namespace.name"), std::string::npos);
  auto absent = OpenTableRef("db.nothing", options);
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), StatusCode::kNotFound);
  EXPECT_NE(absent.status().message().find("db.nothing"), std::string::npos);
}

}  // namespace
}  // namespace lakepipe::iceberg
