// The jobs over Iceberg tables: the clean job's outputs published as
// Iceberg tables of a file catalog (overwrite snapshots, reconciliation
// after a run that did not publish), and the raw table's new files in
// commit order. (tests/interop/transform_iceberg.test.mjs reads the tables
// with icebird and DuckDB.)
#include "jobs/iceberg_tables.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "core/time_util.h"
#include "iceberg/append.h"
#include "iceberg/manifest.h"
#include "jobs/clean_job.h"

namespace lakepipe::jobs {
namespace {

namespace fs = std::filesystem;

std::string UserLine(int n, const std::string& email, int year) {
  const int64_t registered = DaysFromCivil(year, 3, 1) * 86400000;
  const int64_t dob = DaysFromCivil(1990, 1, 1) * 86400000;
  return fmt::format(
      R"({{"id":"00000000-0000-4000-8000-{:012d}","first_name":"F{}","last_name":"L",)"
      R"("gender":"male","address":"1 Main St","post_code":"1","email":"{}","username":"u{}",)"
      R"("dob":{},"registered_date":{},"phone":"+1 555","picture":"p","city":"C","state":"S",)"
      R"("country":"Norway","nat":"NO"}})",
      n, n, email, n, dob, registered);
}

class IcebergTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = ::lakepipe::testing::MakeTempDir("iceberg_jobs");
    tables_.catalog.type = "file";
    tables_.catalog.warehouse = "file://" + lake_;
  }

  void WriteRaw(const std::string& name, const std::vector<std::string>& lines) {
    const fs::path p = fs::path(lake_) / "users/raw/jsonl/event_date=2026-06-01/hour=10" / name;
    fs::create_directories(p.parent_path());
    std::ofstream out(p);
    for (const std::string& l : lines) out << l << "\n";
  }

  Result<JobStats> Run(bool iceberg = true) {
    CleanJobOptions o;
    o.lake = lake_;
    o.as_of = static_cast<int32_t>(DaysFromCivil(2026, 6, 14));
    if (iceberg) o.iceberg = tables_;
    return RunCleanJob(o);
  }

  iceberg::LoadedTable Load(const std::string& name) {
    auto catalog = iceberg::CatalogRegistry::Default().Make(tables_.catalog);
    EXPECT_OK(catalog);
    auto table = (*catalog)->LoadTable(iceberg::TableIdentifier{{"default"}, name});
    EXPECT_OK(table);
    return *table;
  }

  // Live data files of the table's current snapshot: path -> records.
  std::map<std::string, int64_t> Live(const iceberg::LoadedTable& table) {
    std::map<std::string, int64_t> out;
    auto entries = iceberg::LiveEntries(*table.metadata.CurrentSnapshot());
    EXPECT_OK(entries);
    for (const auto& e : *entries) out[e.data_file.file_path] = e.data_file.record_count;
    return out;
  }

  std::string lake_;
  IcebergTables tables_;
};

TEST_F(IcebergTablesTest, CleanTableIsPublishedOnceAndOverwrittenWhereItChanged) {
  WriteRaw("users+0+00000000000000000000.jsonl",
           {UserLine(1, "a@example.com", 2015), UserLine(2, "b@example.com", 2019), "{bad"});
  ASSERT_OK_AND_ASSIGN(JobStats first, Run());
  ASSERT_EQ(first.iceberg.size(), 2u);  // clean and rejected
  EXPECT_EQ(first.iceberg[0].table, "default.users_clean");
  EXPECT_EQ(first.iceberg[0].added_files, 2u);
  EXPECT_EQ(first.iceberg[1].table, "default.users_rejected");
  iceberg::LoadedTable clean = Load("users_clean");
  EXPECT_EQ(clean.metadata.snapshots.size(), 1u);
  const auto* spec = clean.metadata.DefaultSpec();
  ASSERT_EQ(spec->fields.size(), 1u);
  EXPECT_EQ(spec->fields[0].name, "registration_year");
  const auto before = Live(clean);
  ASSERT_EQ(before.size(), 2u);
  for (const auto& [path, rows] : before) {
    EXPECT_NE(path.find("/data/registration_year="), std::string::npos) << path;
    EXPECT_EQ(rows, 1);
  }

  // User 1 again (2015) and a new one in 2015: one partition rewritten.
  WriteRaw("users+0+00000000000000000003.jsonl",
           {UserLine(1, "a2@example.com", 2015), UserLine(3, "c@example.com", 2015)});
  ASSERT_OK_AND_ASSIGN(JobStats second, Run());
  EXPECT_EQ(second.iceberg[0].added_files, 1u);
  EXPECT_EQ(second.iceberg[0].deleted_files, 1u);
  EXPECT_EQ(second.iceberg[1].snapshot_id, 0);  // no new rejected rows
  clean = Load("users_clean");
  ASSERT_EQ(clean.metadata.snapshots.size(), 2u);
  const iceberg::Snapshot* s = clean.metadata.CurrentSnapshot();
  EXPECT_EQ(s->summary.at("operation"), "overwrite");
  EXPECT_EQ(s->summary.at("deleted-records"), "1");
  EXPECT_EQ(s->summary.at("total-records"), "3");
  const auto after = Live(clean);
  ASSERT_EQ(after.size(), 2u);
  int kept = 0;
  for (const auto& [path, rows] : after) kept += before.count(path);
  EXPECT_EQ(kept, 1);  // 2019's copy stays

  // Nothing new: no snapshot.
  ASSERT_OK_AND_ASSIGN(JobStats third, Run());
  EXPECT_EQ(third.iceberg[0].snapshot_id, 0);
  EXPECT_EQ(Load("users_clean").metadata.snapshots.size(), 2u);
}

TEST_F(IcebergTablesTest, ARunThatDidNotPublishIsCaughtUpByTheNext) {
  WriteRaw("users+0+00000000000000000000.jsonl", {UserLine(1, "a@example.com", 2015)});
  ASSERT_OK(Run());
  // A run whose bookmark moved without publishing (as a crash between the
  // lake's files and the snapshot would leave the tables behind).
  WriteRaw("users+0+00000000000000000001.jsonl", {UserLine(2, "b@example.com", 2016)});
  ASSERT_OK_AND_ASSIGN(JobStats hive_only, Run(/*iceberg=*/false));
  EXPECT_EQ(hive_only.new_files, 1u);
  EXPECT_EQ(Live(Load("users_clean")).size(), 1u);
  ASSERT_OK_AND_ASSIGN(JobStats next, Run());
  EXPECT_EQ(next.new_files, 0u);
  EXPECT_EQ(next.iceberg[0].added_files, 1u);
  EXPECT_EQ(Live(Load("users_clean")).size(), 2u);
}

TEST_F(IcebergTablesTest, RawFilesAfterASnapshotInCommitOrder) {
  auto catalog = iceberg::CatalogRegistry::Default().Make(tables_.catalog);
  ASSERT_OK(catalog);
  Schema schema("users", {TableField("id", Type::kString)});
  ASSERT_OK_AND_ASSIGN(iceberg::PartitionSpec spec, iceberg::ParsePartitionSpec("", schema));
  const iceberg::TableIdentifier id{{"default"}, "users"};
  ASSERT_OK_AND_ASSIGN(std::string location, (*catalog)->DefaultLocation(id));
  ASSERT_OK_AND_ASSIGN(iceberg::TableMetadata meta,
                       iceberg::TableMetadata::New(location, schema, spec));
  ASSERT_OK((*catalog)->CreateTable(id, meta));
  EXPECT_FALSE(*IcebergRawFilesAfter(tables_, "other", std::nullopt));
  iceberg::AppendFiles append(catalog->get(), id);
  auto commit = [&](const std::string& commit_id, std::vector<std::string> names) {
    auto r = append.Commit(commit_id, [&](const iceberg::LoadedTable&) {
      iceberg::AppendPlan plan;
      for (const std::string& n : names) {
        iceberg::DataFile f;
        f.file_path = location + "/data/" + n;
        f.record_count = 1;
        f.file_size_in_bytes = 10;
        plan.files.push_back(f);
      }
      return Result<iceberg::AppendPlan>(plan);
    });
    EXPECT_OK(r);
    return r->snapshot_id;
  };
  const int64_t first = commit("c1", {"users+1+5-a.parquet", "users+0+7-b.parquet"});
  commit("c2", {"users+1+9-c.parquet", "users+0+10-d.parquet"});
  ASSERT_OK_AND_ASSIGN(auto all, IcebergRawFilesAfter(tables_, "users", std::nullopt));
  ASSERT_TRUE(all);
  std::vector<std::string> names;
  for (const ObjectInfo& f : all->files) names.push_back(f.path.substr(f.path.rfind('/') + 1));
  EXPECT_EQ(names, (std::vector<std::string>{"users+0+7-b.parquet", "users+1+5-a.parquet",
                                             "users+0+10-d.parquet", "users+1+9-c.parquet"}));
  EXPECT_EQ(all->live_files, 4u);
  ASSERT_OK_AND_ASSIGN(auto later, IcebergRawFilesAfter(tables_, "users", first));
  ASSERT_TRUE(later.has_value());
  const std::vector<ObjectInfo> fresh = later.value().files;
  ASSERT_EQ(fresh.size(), 2u);
  EXPECT_NE(fresh[0].path.find("users+0+10-d"), std::string::npos);
  auto gone = IcebergRawFilesAfter(tables_, "users", 12345);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(gone.status().message().find("--full-refresh"), std::string::npos);
}

}  // namespace
}  // namespace lakepipe::jobs
