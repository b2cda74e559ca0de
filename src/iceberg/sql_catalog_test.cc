// The sql catalog on a SQLite file: the tables and columns the JDBC
// catalog and pyiceberg share (checked with the sqlite3 CLI), commits by
// compare-and-swap on metadata_location between handles on one file.
#include <sqlite3.h>

#include <barrier>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "iceberg/catalog.h"
#include "iceberg/catalog_testing.h"

namespace lakepipe::iceberg {
namespace {

using iceberg::testing::AppendCommit;
using iceberg::testing::SmallTable;
using iceberg::testing::WithSnapshot;

// What the sqlite3 CLI prints for `sql` on `db`.
std::string Sqlite3(const std::string& db, const std::string& sql) {
  std::string cmd = "sqlite3 '" + db + "' \"" + sql + "\" 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return "<popen failed>";
  std::string out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  return out;
}

std::vector<std::string> MetadataFiles(const std::string& location) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(location + "/metadata")) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class SqlCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::lakepipe::testing::MakeTempDir("sql-catalog");
    db_ = dir_ + "/catalog.db";
    catalog_ = Open();
    ASSERT_NE(catalog_, nullptr);
  }

  std::unique_ptr<Catalog> Open(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    CatalogOptions options;
    options.type = "sql";
    options.uri = db_;
    options.warehouse = dir_ + "/wh";
    options.timeout = timeout;
    auto catalog = CatalogRegistry::Default().Make(options);
    EXPECT_OK(catalog);
    return catalog.ok() ? std::move(catalog).value() : nullptr;
  }

  LoadedTable Create() {
    auto loc = catalog_->DefaultLocation(id_);
    EXPECT_OK(loc);
    auto created = catalog_->CreateTable(id_, SmallTable(*loc));
    EXPECT_OK(created);
    return created.ok() ? *created : LoadedTable{};
  }

  Result<LoadedTable> Append(Catalog* catalog, const LoadedTable& base, const std::string& list) {
    TableMetadata updated = WithSnapshot(base.metadata, list);
    return catalog->CommitTable(id_, base, updated, AppendCommit(base.metadata, updated));
  }

  std::string dir_;
  std::string db_;
  std::unique_ptr<Catalog> catalog_;
  TableIdentifier id_{{"db"}, "events"};
};

TEST_F(SqlCatalogTest, TheSqlite3CliSeesTheStandardTablesAndRows) {
  LoadedTable v0 = Create();
  std::string location = dir_ + "/wh/db/events";
  EXPECT_TRUE(v0.metadata_location.starts_with(location + "/metadata/00000-"))
      << v0.metadata_location;
  EXPECT_TRUE(v0.metadata_location.ends_with(".metadata.json"));

  std::string schema = Sqlite3(db_, ".schema");
  for (const char* text :
       {"CREATE TABLE iceberg_tables(", "catalog_name VARCHAR(255) NOT NULL",
        "table_namespace VARCHAR(255) NOT NULL", "table_name VARCHAR(255) NOT NULL",
        "metadata_location VARCHAR(1000)", "previous_metadata_location VARCHAR(1000)",
        "iceberg_type VARCHAR(5)", "PRIMARY KEY (catalog_name, table_namespace, table_name)",
        "CREATE TABLE iceberg_namespace_properties(", "namespace VARCHAR(255) NOT NULL",
        "property_key VARCHAR(255)", "property_value VARCHAR(1000)",
        "PRIMARY KEY (catalog_name, namespace, property_key)"}) {
    EXPECT_NE(schema.find(text), std::string::npos) << text << " not in:\n" << schema;
  }
  EXPECT_EQ(Sqlite3(db_,
                    "SELECT catalog_name, table_namespace, table_name, metadata_location, "
                    "ifnull(previous_metadata_location, 'NULL'), iceberg_type FROM iceberg_tables"),
            "lakepipe|db|events|" + v0.metadata_location + "|NULL|TABLE\n");
  EXPECT_EQ(Sqlite3(db_, "SELECT * FROM iceberg_namespace_properties"),
            "lakepipe|db|exists|true\n");

  ASSERT_OK_AND_ASSIGN(LoadedTable v1, Append(catalog_.get(), v0, "snap-1.avro"));
  EXPECT_TRUE(v1.metadata_location.starts_with(location + "/metadata/00001-"))
      << v1.metadata_location;
  EXPECT_EQ(Sqlite3(db_,
                    "SELECT metadata_location, previous_metadata_location FROM "
                    "iceberg_tables WHERE table_name = 'events'"),
            v1.metadata_location + "|" + v0.metadata_location + "\n");
  ASSERT_OK_AND_ASSIGN(LoadedTable loaded, Open()->LoadTable(id_));
  EXPECT_EQ(loaded.metadata_location, v1.metadata_location);
  EXPECT_EQ(loaded.metadata.CurrentSnapshot()->manifest_list, "snap-1.avro");
  ASSERT_EQ(loaded.metadata.metadata_log.size(), 1u);
  EXPECT_EQ(loaded.metadata.metadata_log[0].metadata_file, v0.metadata_location);
}

TEST_F(SqlCatalogTest, TheLoserOfACompareAndSwapIsRefusedAndLeavesNoFile) {
  LoadedTable v0 = Create();
  std::unique_ptr<Catalog> other = Open();  // a second handle on the same file
  ASSERT_OK(Append(catalog_.get(), v0, "mine"));
  auto lost = Append(other.get(), v0, "theirs");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kFailedPrecondition) << lost.status().ToString();
  EXPECT_EQ(MetadataFiles(dir_ + "/wh/db/events").size(), 2u);
  ASSERT_OK_AND_ASSIGN(LoadedTable loaded, other->LoadTable(id_));
  EXPECT_EQ(loaded.metadata.CurrentSnapshot()->manifest_list, "mine");
}

TEST_F(SqlCatalogTest, OfHandlesRacingOneCommitsAndTheOthersAreRefused) {
  LoadedTable v0 = Create();
  constexpr int kWriters = 6;
  std::vector<std::unique_ptr<Catalog>> handles;
  for (int i = 0; i < kWriters; ++i) handles.push_back(Open());
  std::vector<Status> results(kWriters);
  std::barrier start(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = Append(handles[i].get(), v0, "writer-" + std::to_string(i)).status();
    });
  }
  for (auto& t : writers) t.join();
  int wins = 0;
  std::string winner;
  for (int i = 0; i < kWriters; ++i) {
    if (results[i].ok()) {
      ++wins;
      winner = "writer-" + std::to_string(i);
    } else {
      EXPECT_EQ(results[i].code(), StatusCode::kFailedPrecondition) << results[i].ToString();
    }
  }
  EXPECT_EQ(wins, 1);
  ASSERT_OK_AND_ASSIGN(LoadedTable loaded, catalog_->LoadTable(id_));
  EXPECT_EQ(loaded.metadata.CurrentSnapshot()->manifest_list, winner);
  EXPECT_EQ(MetadataFiles(dir_ + "/wh/db/events").size(), 2u);
}

TEST_F(SqlCatalogTest, ALockedDatabaseIsUnavailableAfterTheTimeout) {
  LoadedTable v0 = Create();
  std::unique_ptr<Catalog> impatient = Open(std::chrono::milliseconds(200));
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  auto blocked = Append(impatient.get(), v0, "blocked");
  sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), StatusCode::kUnavailable) << blocked.status().ToString();
  EXPECT_EQ(MetadataFiles(dir_ + "/wh/db/events").size(), 1u);
  ASSERT_OK(Append(impatient.get(), v0, "later"));
}

TEST_F(SqlCatalogTest, CreateRefusesAnExistingTableAndNeedsANamespace) {
  Create();
  ASSERT_OK_AND_ASSIGN(std::string location, catalog_->DefaultLocation(id_));
  auto again = catalog_->CreateTable(id_, SmallTable(location));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status().ToString();
  EXPECT_EQ(MetadataFiles(location).size(), 1u);
  auto bare = catalog_->CreateTable(TableIdentifier{{}, "t"}, SmallTable(dir_ + "/t"));
  EXPECT_EQ(bare.status().code(), StatusCode::kInvalidArgument);
  auto missing = catalog_->LoadTable(TableIdentifier{{"db"}, "nope"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(SqlCatalogTest, UsesADatabaseWithoutIcebergTypeAsItIs) {
  std::string db = dir_ + "/v0.db";  // as pyiceberg creates it
  Sqlite3(db,
          "CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace "
          "VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, metadata_location "
          "VARCHAR(1000), previous_metadata_location VARCHAR(1000), PRIMARY KEY (catalog_name, "
          "table_namespace, table_name))");
  CatalogOptions options;
  options.type = "sql";
  options.uri = "sqlite:///" + db;
  options.warehouse = dir_ + "/wh0";
  ASSERT_OK_AND_ASSIGN(auto catalog, CatalogRegistry::Default().Make(options));
  ASSERT_OK_AND_ASSIGN(LoadedTable v0,
                       catalog->CreateTable(id_, SmallTable(dir_ + "/wh0/db/events")));
  ASSERT_OK(Append(catalog.get(), v0, "x"));
  EXPECT_EQ(Sqlite3(db, "SELECT count(*) FROM pragma_table_info('iceberg_tables')"), "5\n");
  EXPECT_EQ(Sqlite3(db, "SELECT table_name FROM iceberg_tables"), "events\n");
}

}  // namespace
}  // namespace lakepipe::iceberg
