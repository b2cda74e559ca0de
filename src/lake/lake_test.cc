// The paths of a lake, named for a sample table, under a local root and an
// s3:// one; and the listing and clean-up a lake does over its store.
#include "lake/lake.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "s3/s3_store.h"

namespace lakepipe::lake {
namespace {

namespace fs = std::filesystem;

TEST(LakePathsTest, NameEveryPathOfATable) {
  EXPECT_EQ(Lake::TableDir("users"), "users");
  EXPECT_EQ(Lake::RawDir("users"), "users/raw");
  EXPECT_EQ(Lake::RawDir("users", "parquet"), "users/raw/parquet");
  EXPECT_EQ(Lake::RawDir("users", "jsonl"), "users/raw/jsonl");
  EXPECT_EQ(Lake::ZoneDir("users", "clean"), "users/clean");
  EXPECT_EQ(Lake::ParquetDir("users", "rejected"), "users/rejected/parquet");
  EXPECT_EQ(Lake::CleanDir("users"), "users/clean/parquet");
  EXPECT_EQ(Lake::CleanPartitionDir("users", "event_date=2026-01-01/hour=03"),
            "users/clean/parquet/event_date=2026-01-01/hour=03");
  EXPECT_EQ(Lake::CleanPartitionDir("users", ""), "users/clean/parquet/");
  EXPECT_EQ(Lake::SpillDir("users/clean/parquet/event_date=2026-01-01"),
            "users/clean/parquet/event_date=2026-01-01/_spill");
  EXPECT_EQ(Lake::RejectedDir("users"), "users/rejected/parquet");
  EXPECT_EQ(Lake::MetricDir("users", "analytics", "age_groups"),
            "users/analytics/parquet/age_groups");
  EXPECT_EQ(Lake::DeadLetterDir(), "_rejected");
  EXPECT_EQ(Lake::StagingDir("users", "users-topic", 3), "_lakepipe/staging/users/users-topic+3");
  EXPECT_EQ(Lake::BookmarkDir("users"), "_lakepipe/bookmarks/users");
  EXPECT_EQ(Lake::BookmarkPath("users", "clean"), "_lakepipe/bookmarks/users/clean.json");
  EXPECT_EQ(Lake::StateDir("users"), "_lakepipe/state/users");
  EXPECT_EQ(Lake::JobStateDir("users", "timeseries"), "_lakepipe/state/users/timeseries");
  EXPECT_EQ(Lake::LockPath("users"), "_lakepipe/locks/users.transform");
  EXPECT_EQ(Lake::CheckProbePath(0xff), "_lakepipe/check/00000000000000ff");
  EXPECT_EQ(Lake::JobZones(), (std::vector<std::string>{"clean", "rejected", "analytics",
                                                        "demographics", "timeseries"}));
  EXPECT_TRUE(Lake::IsMetricZone("demographics"));
  EXPECT_FALSE(Lake::IsMetricZone("clean"));
  EXPECT_FALSE(Lake::IsMetricZone("raw"));
  EXPECT_EQ(Lake::PathUnder("", "users/raw"), "users/raw");
  EXPECT_EQ(Lake::PathUnder("prefix", "users/raw"), "prefix/users/raw");
  EXPECT_TRUE(IsParquetFile("users/clean/parquet/part-1.parquet"));
  EXPECT_FALSE(IsParquetFile("users/raw/jsonl/users+0+00000000000000000000.jsonl"));
}

TEST(LakePathsTest, PutNamesUnderALocalRoot) {
  const std::string root = ::lakepipe::testing::MakeTempDir("lake");
  ASSERT_OK_AND_ASSIGN(Lake lake, Lake::Open(root + "/"));
  EXPECT_EQ(lake.uri(), root);
  const std::string raw = lake.Path(Lake::RawDir("users", "parquet"));
  EXPECT_EQ(raw, root + "/users/raw/parquet");
  EXPECT_EQ(lake.Relative(raw), "users/raw/parquet");
  EXPECT_EQ(lake.Uri(raw), root + "/users/raw/parquet");
  EXPECT_EQ(lake.Path(Lake::BookmarkPath("users", "clean")),
            root + "/_lakepipe/bookmarks/users/clean.json");
  EXPECT_EQ(lake.Path(Lake::LockPath("users")), root + "/_lakepipe/locks/users.transform");

  ASSERT_OK_AND_ASSIGN(Lake by_uri, Lake::Open("file://" + root));
  EXPECT_EQ(by_uri.Path(Lake::CleanDir("users")), root + "/users/clean/parquet");
  EXPECT_EQ(by_uri.Uri(by_uri.Path(Lake::CleanDir("users"))),
            "file://" + root + "/users/clean/parquet");
}

TEST(LakePathsTest, PutNamesUnderAnS3Root) {
  s3::S3Options o;
  o.endpoint = "http://127.0.0.1:1";  // never asked: naming paths sends no request
  o.credentials.access_key_id = "id";
  o.credentials.secret_access_key = "secret";
  s3::RegisterS3Store(&ObjectStoreRegistry::Default(), o);

  ASSERT_OK_AND_ASSIGN(Lake lake, Lake::Open("s3://bucket/prefix/"));
  EXPECT_EQ(lake.uri(), "s3://bucket/prefix");
  EXPECT_EQ(lake.store().scheme(), "s3");
  const std::string raw = lake.Path(Lake::RawDir("users", "parquet"));
  EXPECT_EQ(raw, "prefix/users/raw/parquet");
  EXPECT_EQ(lake.Relative(raw), "users/raw/parquet");
  EXPECT_EQ(lake.Uri(raw), "s3://bucket/prefix/users/raw/parquet");
  EXPECT_EQ(lake.Path(Lake::JobStateDir("users", "analytics")),
            "prefix/_lakepipe/state/users/analytics");

  ASSERT_OK_AND_ASSIGN(Lake bucket, Lake::Open("s3://bucket"));
  const std::string metric = bucket.Path(Lake::MetricDir("users", "analytics", "age_groups"));
  EXPECT_EQ(metric, "users/analytics/parquet/age_groups");
  EXPECT_EQ(bucket.Relative(metric), metric);
  EXPECT_EQ(bucket.Uri(metric), "s3://bucket/users/analytics/parquet/age_groups");
}

void Touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "x";
}

TEST(LakeTest, ListsDataAndDeletesWhatInterruptedWritesLeft) {
  const std::string root = ::lakepipe::testing::MakeTempDir("lake");
  const fs::path clean = fs::path(root) / Lake::CleanPartitionDir("users", "event_date=2026-01-01");
  Touch(clean / "part-b.parquet");
  Touch(clean / "part-a.parquet");
  Touch(clean / ".part-c.parquet.tmp");
  Touch(fs::path(Lake::SpillDir(clean.string())) / "part-0.parquet");
  ASSERT_OK_AND_ASSIGN(Lake lake, Lake::Open(root));

  ASSERT_OK_AND_ASSIGN(std::vector<ObjectInfo> data, lake.ListData(Lake::CleanDir("users")));
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(lake.Relative(data[0].path),
            "users/clean/parquet/event_date=2026-01-01/part-a.parquet");
  EXPECT_EQ(lake.Relative(data[1].path),
            "users/clean/parquet/event_date=2026-01-01/part-b.parquet");

  ASSERT_OK(lake.DeleteInterruptedWrites(Lake::ZoneDir("users", "clean")));
  EXPECT_FALSE(fs::exists(clean / ".part-c.parquet.tmp"));
  EXPECT_TRUE(fs::exists(fs::path(Lake::SpillDir(clean.string())) / "part-0.parquet"));
  ASSERT_OK(lake.DeleteInterruptedWrites(Lake::ZoneDir("users", "clean"), /*spills=*/true));
  EXPECT_FALSE(fs::exists(fs::path(Lake::SpillDir(clean.string())) / "part-0.parquet"));
  EXPECT_TRUE(fs::exists(clean / "part-a.parquet"));

  ASSERT_OK(lake.DeleteAll(Lake::TableDir("users")));
  ASSERT_OK_AND_ASSIGN(data, lake.ListData(Lake::TableDir("users")));
  EXPECT_TRUE(data.empty());
}

}  // namespace
}  // namespace lakepipe::lake
