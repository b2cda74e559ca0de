// The file catalog on local paths and on S3 (moto_server): versions,
// version-hint.text, the exclusive create that lets exactly one of several
// writers of the same base commit.
#include "iceberg/file_catalog.h"

#include <barrier>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "iceberg/catalog_testing.h"
#include "s3/moto.h"
#include "s3/s3_store.h"
#include "storage/object_store.h"

namespace lakepipe::iceberg {
namespace {

using iceberg::testing::AppendCommit;
using iceberg::testing::SmallTable;
using iceberg::testing::WithSnapshot;

// A fresh warehouse: a local directory, or a prefix of a moto bucket.
using WarehouseMaker = std::string (*)();

std::string LocalWarehouse() { return ::lakepipe::testing::MakeTempDir("file-catalog"); }

std::string MotoWarehouse() {
  static std::unique_ptr<s3::testing::Moto> moto;
  static int runs = 0;
  if (!moto) {
    auto started = s3::testing::Moto::Start();
    if (!started.ok()) {
      ADD_FAILURE() << started.status().ToString();
      return "s3://moto-server-missing/x";
    }
    moto = std::move(started).value();
    s3::S3Options o;
    o.endpoint = moto->endpoint();
    o.credentials = s3::testing::Moto::TestCredentials();
    auto client = s3::S3Client::Make(o);
    EXPECT_TRUE(client.ok() && (*client)->CreateBucket("warehouse").ok());
    s3::RegisterS3Store(&ObjectStoreRegistry::Default(), o);
  }
  return "s3://warehouse/run-" + std::to_string(++runs);
}

std::string Read(const std::string& uri) {
  auto in = OpenInputFile(uri);
  if (!in.ok()) return "<" + in.status().ToString() + ">";
  auto text = ReadWholeFile(in->get());
  return text.ok() ? *text : "<" + text.status().ToString() + ">";
}

class FileCatalogTest : public ::testing::TestWithParam<WarehouseMaker> {
 protected:
  void SetUp() override {
    warehouse_ = GetParam()();
    CatalogOptions options;
    options.warehouse = warehouse_;
    auto catalog = MakeFileCatalog(options);
    ASSERT_OK(catalog);
    catalog_ = std::move(catalog).value();
  }

  // Creates db.events; its location.
  std::string Create() {
    auto loc = catalog_->DefaultLocation(id_);
    EXPECT_OK(loc);
    auto created = catalog_->CreateTable(id_, SmallTable(*loc));
    EXPECT_OK(created);
    return *loc;
  }

  Result<LoadedTable> Append(const LoadedTable& base, const std::string& list) {
    TableMetadata updated = WithSnapshot(base.metadata, list);
    return catalog_->CommitTable(id_, base, updated, AppendCommit(base.metadata, updated));
  }

  std::string warehouse_;
  std::unique_ptr<Catalog> catalog_;
  TableIdentifier id_{{"db"}, "events"};
};

TEST_P(FileCatalogTest, CreateLoadAndCommitWriteTheNextVersion) {
  std::string location = Create();
  EXPECT_EQ(location, warehouse_ + "/db/events");
  ASSERT_OK_AND_ASSIGN(LoadedTable v1, catalog_->LoadTable(id_));
  EXPECT_EQ(v1.metadata_location, location + "/metadata/v1.metadata.json");
  EXPECT_EQ(Read(location + "/metadata/version-hint.text"), "1");
  EXPECT_EQ(v1.metadata.CurrentSnapshot(), nullptr);

  ASSERT_OK_AND_ASSIGN(LoadedTable v2, Append(v1, location + "/metadata/snap-1.avro"));
  EXPECT_EQ(v2.metadata_location, location + "/metadata/v2.metadata.json");
  EXPECT_EQ(Read(location + "/metadata/version-hint.text"), "2");
  ASSERT_OK_AND_ASSIGN(LoadedTable loaded, catalog_->LoadTable(id_));
  EXPECT_EQ(loaded.metadata_location, v2.metadata_location);
  ASSERT_NE(loaded.metadata.CurrentSnapshot(), nullptr);
  EXPECT_EQ(loaded.metadata.CurrentSnapshot()->manifest_list, location + "/metadata/snap-1.avro");
  ASSERT_EQ(loaded.metadata.metadata_log.size(), 1u);  // the base file is in the log
  EXPECT_EQ(loaded.metadata.metadata_log[0].metadata_file, v1.metadata_location);
  EXPECT_EQ(loaded.metadata.metadata_log[0].timestamp_ms, v1.metadata.last_updated_ms);
  EXPECT_EQ(loaded.metadata.ToJson()["refs"]["main"]["snapshot-id"],
            *loaded.metadata.current_snapshot_id);

  ASSERT_OK_AND_ASSIGN(LoadedTable by_path, LoadTableAt(location));
  EXPECT_EQ(by_path.metadata_location, v2.metadata_location);
}

TEST_P(FileCatalogTest, CreatingAnExistingTableFails) {
  std::string location = Create();
  auto again = catalog_->CreateTable(id_, SmallTable(location));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status().ToString();
  auto elsewhere = catalog_->CreateTable(TableIdentifier{{"db"}, "other"}, SmallTable(location));
  EXPECT_EQ(elsewhere.status().code(), StatusCode::kInvalidArgument)
      << elsewhere.status().ToString();
  auto missing = catalog_->LoadTable(TableIdentifier{{"db"}, "nope"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("db.nope"), std::string::npos);
}

TEST_P(FileCatalogTest, AStaleOrMissingHintFindsTheNewestVersion) {
  std::string location = Create();
  ASSERT_OK_AND_ASSIGN(LoadedTable v1, catalog_->LoadTable(id_));
  ASSERT_OK_AND_ASSIGN(LoadedTable v2, Append(v1, "l2"));
  ASSERT_OK_AND_ASSIGN(LoadedTable v3, Append(v2, "l3"));
  const std::string hint = location + "/metadata/version-hint.text";
  for (const char* text : {"1", "9", "garbage"}) {
    ASSERT_OK(WriteWholeFile(hint, text));
    ASSERT_OK_AND_ASSIGN(LoadedTable loaded, catalog_->LoadTable(id_));
    EXPECT_EQ(loaded.metadata_location, v3.metadata_location) << "hint " << text;
  }
  ASSERT_OK_AND_ASSIGN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(hint));
  ASSERT_OK(loc.store->Delete(loc.path));
  ASSERT_OK_AND_ASSIGN(LoadedTable listed, catalog_->LoadTable(id_));
  EXPECT_EQ(listed.metadata_location, v3.metadata_location);
  EXPECT_EQ(listed.metadata.CurrentSnapshot()->manifest_list, "l3");
}

TEST_P(FileCatalogTest, ACommitOnAStaleBaseIsRefused) {
  Create();
  ASSERT_OK_AND_ASSIGN(LoadedTable v1, catalog_->LoadTable(id_));
  ASSERT_OK(Append(v1, "first"));
  auto lost = Append(v1, "second");
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(lost.status().message().find("v2 was committed by another writer"), std::string::npos)
      << lost.status().ToString();
  ASSERT_OK_AND_ASSIGN(LoadedTable loaded, catalog_->LoadTable(id_));
  EXPECT_EQ(loaded.metadata.CurrentSnapshot()->manifest_list, "first");
}

TEST_P(FileCatalogTest, AFailedRequirementWritesNothing) {
  std::string location = Create();
  ASSERT_OK_AND_ASSIGN(LoadedTable v1, catalog_->LoadTable(id_));
  TableMetadata updated = WithSnapshot(v1.metadata, "x");
  TableCommit commit = AppendCommit(v1.metadata, updated);
  commit.requirements[1]["snapshot-id"] = 12345;  // main is not at 12345
  auto refused = catalog_->CommitTable(id_, v1, updated, commit);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  ASSERT_OK_AND_ASSIGN(LoadedTable loaded, catalog_->LoadTable(id_));
  EXPECT_EQ(loaded.metadata_location, location + "/metadata/v1.metadata.json");
}

TEST_P(FileCatalogTest, OfWritersRacingForTheNextVersionExactlyOneWins) {
  Create();
  ASSERT_OK_AND_ASSIGN(LoadedTable base, catalog_->LoadTable(id_));
  constexpr int kWriters = 6;
  std::vector<Status> results(kWriters);
  std::barrier start(kWriters);
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      CatalogOptions options;
      options.warehouse = warehouse_;
      auto catalog = MakeFileCatalog(options);  // a catalog of its own, as another process
      TableMetadata updated = WithSnapshot(base.metadata, "writer-" + std::to_string(i));
      start.arrive_and_wait();
      results[i] = (*catalog)
                       ->CommitTable(id_, base, updated, AppendCommit(base.metadata, updated))
                       .status();
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
  EXPECT_TRUE(loaded.metadata_location.ends_with("/v2.metadata.json"));
  EXPECT_EQ(loaded.metadata.CurrentSnapshot()->manifest_list, winner);
}

INSTANTIATE_TEST_SUITE_P(Stores, FileCatalogTest,
                         ::testing::Values(&LocalWarehouse, &MotoWarehouse), [](const auto& info) {
                           return info.param == &LocalWarehouse ? std::string("Local")
                                                                : std::string("Moto");
                         });

TEST(FileCatalog, OpensATableByFileUri) {
  std::string dir = ::lakepipe::testing::MakeTempDir("file-uri");
  CatalogOptions options;
  options.warehouse = "file://" + dir;
  ASSERT_OK_AND_ASSIGN(auto catalog, MakeFileCatalog(options));
  TableIdentifier id{{"ns"}, "t"};
  ASSERT_OK_AND_ASSIGN(std::string location, catalog->DefaultLocation(id));
  ASSERT_OK(catalog->CreateTable(id, SmallTable(location)));
  EXPECT_TRUE(std::filesystem::exists(dir + "/ns/t/metadata/v1.metadata.json"));
  ASSERT_OK_AND_ASSIGN(LoadedTable loaded, LoadTableAt("file://" + dir + "/ns/t/"));
  EXPECT_EQ(loaded.metadata_location, "file://" + dir + "/ns/t/metadata/v1.metadata.json");
  auto none = LoadTableAt(dir + "/ns/other");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
}

// icebird, an Iceberg reader we did not write, finds the newest version
// through version-hint.text and reads its metadata (its fetch mapped to the
// table's directory, as if served over HTTP).
TEST(FileCatalog, IcebirdReadsTheNewestVersion) {
  LP_NEEDS_NODE_PACKAGE(LAKEPIPE_SOURCE_DIR, "icebird");
  std::string dir = ::lakepipe::testing::MakeTempDir("file-icebird");
  CatalogOptions options;
  options.warehouse = dir;
  ASSERT_OK_AND_ASSIGN(auto catalog, MakeFileCatalog(options));
  TableIdentifier id{{"db"}, "events"};
  ASSERT_OK_AND_ASSIGN(LoadedTable table, catalog->CreateTable(id, SmallTable(dir + "/db/events")));
  for (int i = 0; i < 2; ++i) {
    TableMetadata updated = WithSnapshot(table.metadata, "list-" + std::to_string(i));
    ASSERT_OK_AND_ASSIGN(
        table, catalog->CommitTable(id, table, updated, AppendCommit(table.metadata, updated)));
  }
  const std::string expected =
      fmt::format("v3 {} 0 id,ts ts_day", *table.metadata.current_snapshot_id);
  const std::string script =
      "const fs = require('fs');"
      "globalThis.fetch = async (url) => {"
      "  const p = String(url).replace('http://table', process.argv[1]);"
      "  if (!fs.existsSync(p)) return new Response('', {status: 404});"
      "  return new Response(fs.readFileSync(p)); };"
      "import('icebird').then(async (ib) => {"
      "  const v = await ib.icebergLatestVersion({tableUrl: 'http://table'});"
      "  const m = await ib.icebergMetadata({tableUrl: 'http://table'});"
      "  const s = m.schemas.find((x) => x['schema-id'] === m['current-schema-id']);"
      "  console.log([v, m['current-snapshot-id'], m['current-schema-id'],"
      "    s.fields.map((f) => f.name).join(','),"
      "    m['partition-specs'][0].fields.map((f) => f.name).join(',')].join(' '));"
      "}).catch((e) => { console.error(e); process.exit(4); });";
  const ::lakepipe::testing::NodeRun run =
      ::lakepipe::testing::RunNodeScript(LAKEPIPE_SOURCE_DIR, script, dir + "/db/events");
  EXPECT_EQ(run.status, 0) << run.output;
  EXPECT_EQ(run.output, expected + "\n");
}

}  // namespace
}  // namespace lakepipe::iceberg
