// Iceberg tables found in a file catalog (a temp warehouse with tables
// committed through the catalog: manifests and manifest lists written by the
// iceberg module) and declared by lakepipe sql.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "iceberg/catalog.h"
#include "iceberg/manifest.h"
#include "warehouse/iceberg_tables.h"
#include "warehouse/sql.h"

namespace lakepipe::warehouse {
namespace {

using iceberg::TableIdentifier;

Field Column(std::string name, Kind kind, bool nullable) {
  Field f;
  f.name = std::move(name);
  f.full_kind = kind;
  f.nullable = nullable;
  SetFlatView(&f);
  return f;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

class IcebergTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    warehouse_ = ::lakepipe::testing::MakeTempDir("iceberg-tables");
    options_.type = "file";
    options_.warehouse = warehouse_;
    auto catalog = iceberg::CatalogRegistry::Default().Make(options_);
    ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
    catalog_ = std::move(catalog).value();
  }

  // Creates ns.name with columns id and country; with `files`, appends one
  // snapshot listing them (paths under the table's data/).
  iceberg::LoadedTable Create(const std::string& dotted, const std::vector<std::string>& files) {
    auto id = TableIdentifier::Parse(dotted);
    EXPECT_TRUE(id.ok());
    const std::string location = *catalog_->DefaultLocation(*id);
    Schema schema("t", {Column("id", Kind::kInt64, false), Column("country", Kind::kString, true)});
    auto metadata = iceberg::TableMetadata::New(location, schema, iceberg::PartitionSpec{});
    EXPECT_TRUE(metadata.ok()) << metadata.status().ToString();
    auto created = catalog_->CreateTable(*id, *metadata);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    if (files.empty()) return *created;

    iceberg::TableMetadata updated = created->metadata;
    const int64_t snapshot_id = iceberg::NewSnapshotId(updated);
    iceberg::ManifestContext context{updated.CurrentSchema(), updated.DefaultSpec(), snapshot_id};
    std::vector<iceberg::ManifestEntry> entries;
    for (const std::string& f : files) {
      iceberg::ManifestEntry e;
      e.snapshot_id = snapshot_id;
      e.data_file.file_path = location + "/data/" + f;
      e.data_file.record_count = 10;
      e.data_file.file_size_in_bytes = 1000;
      entries.push_back(e);
    }
    auto manifest = iceberg::WriteManifest(context, entries);
    EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
    const std::string manifest_path = location + "/metadata/m0.avro";
    WriteFile(manifest_path, *manifest);
    auto list = iceberg::WriteManifestList(
        snapshot_id, std::nullopt, 1,
        {iceberg::SummarizeManifest(context, manifest_path, static_cast<int64_t>(manifest->size()),
                                    1, entries)});
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    const std::string list_path = location + "/metadata/snap-0.avro";
    WriteFile(list_path, *list);

    iceberg::Snapshot s;
    s.snapshot_id = snapshot_id;
    s.sequence_number = ++updated.last_sequence_number;
    s.timestamp_ms = updated.last_updated_ms + 1;
    s.manifest_list = list_path;
    s.summary = {{"operation", "append"}};
    s.schema_id = 0;
    updated.current_snapshot_id = snapshot_id;
    updated.snapshots.push_back(s);
    iceberg::TableCommit commit;
    commit.requirements = nlohmann::json::array(
        {{{"type", "assert-ref-snapshot-id"}, {"ref", "main"}, {"snapshot-id", nullptr}}});
    commit.updates = nlohmann::json::array(
        {{{"action", "add-snapshot"}, {"snapshot", updated.ToJson()["snapshots"].back()}},
         {{"action", "set-snapshot-ref"},
          {"ref-name", "main"},
          {"type", "branch"},
          {"snapshot-id", snapshot_id}}});
    auto committed = catalog_->CommitTable(*id, *created, updated, commit);
    EXPECT_TRUE(committed.ok()) << committed.status().ToString();
    return committed.ok() ? *committed : *created;
  }

  std::string warehouse_;
  iceberg::CatalogOptions options_;
  std::unique_ptr<iceberg::Catalog> catalog_;
};

TEST(IcebergViewName, ArchivedTablesAreTheRawZone) {
  EXPECT_EQ(IcebergViewName("users"), "users_raw");
  EXPECT_EQ(IcebergViewName("users_raw"), "users_raw");
  EXPECT_EQ(IcebergViewName("users_clean"), "users_clean");
  EXPECT_EQ(IcebergViewName("users_rejected"), "users_rejected");
  EXPECT_EQ(IcebergViewName("user_activity_analytics_revenue_daily"),
            "user_activity_analytics_revenue_daily");
}

TEST_F(IcebergTablesTest, FindsEveryTableOfTheFileCatalogWithItsCurrentMetadataAndFiles) {
  const iceberg::LoadedTable users = Create("default.users", {"a.parquet", "b.parquet"});
  Create("default.users_clean", {});
  Create("other.orders", {"c.parquet"});
  // Hive files beside them are not tables of the catalog.
  std::filesystem::create_directories(warehouse_ + "/users/raw/parquet");
  WriteFile(warehouse_ + "/users/raw/parquet/x.parquet", "not iceberg");

  IcebergDiscovery d;
  d.catalog = options_;
  d.list_files = true;
  auto tables = DiscoverIcebergTables(d);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  ASSERT_EQ(tables->size(), 3u);
  const LakeTable& orders = (*tables)[0];
  EXPECT_EQ(orders.name, "orders_raw");
  EXPECT_EQ(orders.iceberg->Identifier(), "other.orders");
  const LakeTable& clean = (*tables)[1];
  EXPECT_EQ(clean.name, "users_clean");
  EXPECT_EQ(clean.zone, "clean");
  EXPECT_EQ(clean.table, "users");
  EXPECT_FALSE(clean.iceberg->snapshot_id.has_value());
  EXPECT_TRUE(clean.iceberg->data_files.empty());
  const LakeTable& raw = (*tables)[2];
  EXPECT_EQ(raw.name, "users_raw");
  EXPECT_EQ(raw.iceberg->metadata_location, users.metadata_location);
  EXPECT_EQ(raw.iceberg->snapshot_id, users.metadata.current_snapshot_id);
  EXPECT_EQ(raw.iceberg->data_files,
            (std::vector<std::string>{users.metadata.location + "/data/a.parquet",
                                      users.metadata.location + "/data/b.parquet"}));
  ASSERT_EQ(raw.schema->fields().size(), 2u);
  EXPECT_EQ(raw.schema->fields()[1].name, "country");

  SqlOptions o;
  o.dialect = "duckdb";
  o.location = warehouse_;
  o.live_files = true;
  auto sql = GenerateSql(*tables, o);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_NE(sql->find(users.metadata.location + "/data/b.parquet'"), std::string::npos) << *sql;

  d.only_table = "users";
  d.list_files = false;
  tables = DiscoverIcebergTables(d);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  EXPECT_EQ(tables->size(), 2u);

  d.only_table.clear();
  d.identifiers = {"orders"};  // namespace "default": there is none
  tables = DiscoverIcebergTables(d);
  EXPECT_EQ(tables.status().code(), StatusCode::kNotFound) << tables.status().ToString();
  d.identifiers = {"other.orders"};
  tables = DiscoverIcebergTables(d);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  EXPECT_EQ(tables->front().name, "orders_raw");
}

TEST_F(IcebergTablesTest, AnEmptyWarehouseOrAnUnlistedRestCatalogIsAClearError) {
  IcebergDiscovery d;
  d.catalog = options_;
  auto tables = DiscoverIcebergTables(d);
  EXPECT_EQ(tables.status().code(), StatusCode::kNotFound);
  EXPECT_NE(tables.status().message().find(warehouse_), std::string::npos)
      << tables.status().ToString();
  d.catalog.type = "rest";
  d.catalog.uri = "http://127.0.0.1:1";
  tables = DiscoverIcebergTables(d);
  EXPECT_EQ(tables.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tables.status().message().find("--iceberg-table"), std::string::npos);
}

TEST_F(IcebergTablesTest, TwoTablesWithOneViewNameAreRefused) {
  Create("default.users", {});
  Create("default.users_raw", {});
  IcebergDiscovery d;
  d.catalog = options_;
  auto tables = DiscoverIcebergTables(d);
  EXPECT_EQ(tables.status().code(), StatusCode::kInvalidArgument) << tables.status().ToString();
}

}  // namespace
}  // namespace lakepipe::warehouse
