// The clean job on a local lake of hand-written raw JSON Lines files.
// (tests/interop/transform.test.mjs checks the tables with DuckDB.)
#include "jobs/clean_job.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "core/time_util.h"
#include "formats/open.h"
#include "jobs/lake.h"

namespace lakepipe::jobs {
namespace {

namespace fs = std::filesystem;

std::string Uuid(int n) { return fmt::format("00000000-0000-4000-8000-{:012d}", n); }

// One raw user as a JSON line; `email` lets a test mark versions.
std::string UserLine(int n, const std::string& email, int year = 2015) {
  const int64_t registered = DaysFromCivil(year, 3, 1) * 86400000;
  const int64_t dob = DaysFromCivil(1990, 1, 1) * 86400000;
  return fmt::format(
      R"({{"id":"{}","first_name":"F{}","last_name":"L","gender":"male","address":"1 Main St",)"
      R"("post_code":"1","email":"{}","username":"u{}","dob":{},"registered_date":{},)"
      R"("phone":"+1 555","picture":"p","city":"C","state":"S","country":"Norway","nat":"NO"}})",
      Uuid(n), n, email, n, dob, registered);
}

class CleanJobTest : public ::testing::Test {
 protected:
  void SetUp() override { lake_ = ::lakepipe::testing::MakeTempDir("lake"); }

  void WriteRaw(const std::string& name, const std::vector<std::string>& lines) {
    const fs::path p = fs::path(lake_) / "users/raw/jsonl/event_date=2026-06-01/hour=10" / name;
    fs::create_directories(p.parent_path());
    std::ofstream out(p);
    for (const std::string& l : lines) out << l << "\n";
  }

  Result<JobStats> Run(bool full_refresh = false) {
    CleanJobOptions o;
    o.lake = lake_;
    o.table = "users";
    o.full_refresh = full_refresh;
    o.as_of = static_cast<int32_t>(DaysFromCivil(2026, 6, 14));
    return RunCleanJob(o);
  }

  // "id email" of every row of the clean table, sorted.
  std::vector<std::string> CleanRows(const std::string& zone = "clean") {
    std::vector<std::string> rows;
    for (const auto& e : fs::recursive_directory_iterator(fs::path(lake_) / "users" / zone)) {
      if (!e.is_regular_file() || e.path().extension() != ".parquet") continue;
      auto reader =
          OpenReader(e.path().string(), **FormatRegistry::Default().Find("parquet"), ReadOptions());
      EXPECT_TRUE(reader.ok()) << reader.status().ToString();
      if (!reader.ok()) continue;
      RecordBatch b((*reader)->schema());
      for (bool more = true; more;) {
        more = (*reader)->ReadBatch(&b).ValueOr(false);
        for (size_t i = 0; i < b.num_rows(); ++i) {
          rows.push_back(
              fmt::format("{} {}", b.column(0).GetBytes(i),
                          zone == "clean" ? b.column(4).GetBytes(i) : b.column(2).GetBytes(i)));
        }
      }
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  std::string lake_;
};

TEST_F(CleanJobTest, RejectsKeepsLatestAndBalances) {
  WriteRaw("users+0+00000000000000000000.jsonl",
           {UserLine(1, "one@example.com"), UserLine(2, "two@example.com"),
            UserLine(3, "not an email"), "{broken json"});
  WriteRaw("users+0+00000000000000000004.jsonl",
           {UserLine(1, "one.v2@example.com"), UserLine(4, "four@example.com", 2019)});
  ASSERT_OK_AND_ASSIGN(JobStats s, Run());
  EXPECT_EQ(s.new_files, 2u);
  EXPECT_EQ(s.records_in, 6u);
  EXPECT_EQ(s.clean, 4u);
  EXPECT_EQ(s.rejected, 2u);
  EXPECT_EQ(s.records_in, s.clean + s.rejected);
  EXPECT_EQ(s.duplicates, 1u);
  EXPECT_EQ(s.partitions_written, 2u);  // registration_year=2015 and 2019
  EXPECT_EQ(CleanRows(),
            (std::vector<std::string>{Uuid(1) + " one.v2@example.com", Uuid(2) + " two@example.com",
                                      Uuid(4) + " four@example.com"}));
  EXPECT_TRUE(fs::exists(fs::path(lake_) / "users/clean/parquet/registration_year=2019"));
  // Rejected rows: source file and rule.
  const std::vector<std::string> rejected = CleanRows("rejected");
  ASSERT_EQ(rejected.size(), 2u);
  EXPECT_EQ(rejected[0],
            "users/raw/jsonl/event_date=2026-06-01/hour=10/users+0+00000000000000000000.jsonl "
            "email");
  EXPECT_EQ(rejected[1],
            "users/raw/jsonl/event_date=2026-06-01/hour=10/users+0+00000000000000000000.jsonl "
            "record");
  EXPECT_TRUE(fs::exists(fs::path(lake_) / "_lakepipe/bookmarks/users/clean.json"));
}

TEST_F(CleanJobTest, RerunsChangeNothingAndWavesEqualOneRun) {
  WriteRaw("users+0+00000000000000000000.jsonl",
           {UserLine(1, "a@example.com"), UserLine(2, "b@example.com")});
  ASSERT_OK(Run());
  auto snapshot = [&] {
    std::vector<std::string> files;
    for (const auto& e : fs::recursive_directory_iterator(lake_)) {
      if (e.is_regular_file()) {
        files.push_back(fmt::format("{} {}", e.path().string(), e.file_size()));
      }
    }
    std::sort(files.begin(), files.end());
    return files;
  };
  const auto before = snapshot();
  ASSERT_OK_AND_ASSIGN(JobStats again, Run());
  EXPECT_EQ(again.new_files, 0u);
  EXPECT_EQ(again.files_written, 0u);
  EXPECT_EQ(snapshot(), before);

  // Two more waves, one of them updating user 2.
  WriteRaw("users+1+00000000000000000000.jsonl", {UserLine(3, "c@example.com", 2012)});
  ASSERT_OK_AND_ASSIGN(JobStats second, Run());
  EXPECT_EQ(second.new_files, 1u);
  EXPECT_EQ(second.partitions_written, 1u);  // only 2012 was touched
  WriteRaw("users+0+00000000000000000002.jsonl", {UserLine(2, "b2@example.com")});
  ASSERT_OK(Run());
  const auto waves = CleanRows();
  ASSERT_OK_AND_ASSIGN(JobStats full, Run(/*full_refresh=*/true));
  EXPECT_EQ(full.new_files, 3u);
  EXPECT_EQ(CleanRows(), waves);
  EXPECT_EQ(waves,
            (std::vector<std::string>{Uuid(1) + " a@example.com", Uuid(2) + " b2@example.com",
                                      Uuid(3) + " c@example.com"}));
}

TEST_F(CleanJobTest, ARunInterruptedBeforeItsBookmarkMovedIsRepairedByTheNext) {
  WriteRaw("users+0+00000000000000000000.jsonl",
           {UserLine(1, "a@example.com"), UserLine(2, "b@example.com")});
  ASSERT_OK(Run());
  const fs::path bookmark = fs::path(lake_) / "_lakepipe/bookmarks/users/clean.json";
  const fs::path saved = fs::path(lake_ + "-bookmark.json");
  fs::copy_file(bookmark, saved);
  const fs::path partition = fs::path(lake_) / "users/clean/parquet/registration_year=2015";
  std::vector<fs::path> old_files;
  for (const auto& e : fs::directory_iterator(partition)) old_files.push_back(e.path());
  ASSERT_EQ(old_files.size(), 1u);
  fs::copy_file(old_files[0], lake_ + "-old.parquet");

  WriteRaw("users+0+00000000000000000002.jsonl",
           {UserLine(2, "b2@example.com"), UserLine(3, "c@example.com")});
  ASSERT_OK(Run());
  const auto uninterrupted = CleanRows();
  // What a crash leaves when it strikes after the new partition file was
  // written but before the old one was deleted and the bookmark moved.
  fs::copy_file(lake_ + "-old.parquet", old_files[0], fs::copy_options::overwrite_existing);
  fs::copy_file(saved, bookmark, fs::copy_options::overwrite_existing);
  EXPECT_NE(CleanRows(), uninterrupted);  // duplicates are visible meanwhile
  ASSERT_OK_AND_ASSIGN(JobStats repair, Run());
  EXPECT_EQ(repair.new_files, 1u);
  EXPECT_EQ(CleanRows(), uninterrupted);
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(partition)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
}

TEST_F(CleanJobTest, SpillingEqualsBuffering) {
  std::vector<std::string> a, b;
  for (int n = 0; n < 300; ++n)
    a.push_back(UserLine(n, fmt::format("u{}@example.com", n), 2010 + n % 7));
  for (int n = 250; n < 400; ++n)
    b.push_back(UserLine(n, fmt::format("v{}@example.com", n), 2010 + n % 7));
  WriteRaw("users+0+00000000000000000000.jsonl", a);
  WriteRaw("users+0+00000000000000000300.jsonl", b);
  ASSERT_OK(Run());
  const auto buffered = CleanRows();
  CleanJobOptions o;
  o.lake = lake_;
  o.as_of = static_cast<int32_t>(DaysFromCivil(2026, 6, 14));
  o.full_refresh = true;
  o.max_buffer_bytes = 1;  // spill after every batch
  ASSERT_OK_AND_ASSIGN(JobStats s, RunCleanJob(o));
  EXPECT_EQ(s.duplicates, 50u);
  EXPECT_EQ(CleanRows(), buffered);
  EXPECT_EQ(buffered.size(), 400u);
  for (const auto& e : fs::recursive_directory_iterator(lake_)) {
    EXPECT_EQ(e.path().string().find("_spill/"), std::string::npos) << e.path();
  }
}

TEST_F(CleanJobTest, WhatKilledRunsLeftIsDeletedByTheNextRunEvenWithNothingNew) {
  WriteRaw("users+0+00000000000000000000.jsonl", {UserLine(1, "a@example.com")});
  ASSERT_OK(Run());
  // Files being written when runs of the jobs were killed: hidden temporary
  // names (the local store renames them at commit) and spill files.
  const std::vector<std::string> leftovers = {
      "_lakepipe/bookmarks/users/.demographics.json.tmp-00000000000000aa",
      "_lakepipe/bookmarks/users/.clean.json.tmp-00000000000000ab",
      "_lakepipe/state/users/analytics/.registration_year=2015.parquet.tmp-00000000000000ac",
      "users/clean/parquet/registration_year=2015/.part-x.parquet.tmp-00000000000000ad",
      "users/clean/parquet/registration_year=2015/_spill/part-x-0000.parquet",
      "users/clean/parquet/registration_year=2015/_spill/.part-x-0001.parquet.tmp-0000000000ae",
      "users/rejected/parquet/.part-x-0000.parquet.tmp-00000000000000af",
      "users/analytics/parquet/age_groups/.part-x.parquet.tmp-00000000000000b0",
  };
  for (const std::string& rel : leftovers) {
    fs::create_directories((fs::path(lake_) / rel).parent_path());
    std::ofstream(fs::path(lake_) / rel) << "half written";
  }
  // Another table's and the archive's files being written are not ours.
  const std::vector<std::string> others = {
      "users/raw/jsonl/event_date=2026-06-01/hour=10/.users+1+00000000000000000000.jsonl.tmp-01",
      "_lakepipe/bookmarks/user_activity/.clean.json.tmp-00000000000000b1",
  };
  for (const std::string& rel : others) {
    fs::create_directories((fs::path(lake_) / rel).parent_path());
    std::ofstream(fs::path(lake_) / rel) << "being written";
  }
  ASSERT_OK_AND_ASSIGN(JobStats s, Run());
  EXPECT_EQ(s.new_files, 0u);
  for (const std::string& rel : leftovers) EXPECT_FALSE(fs::exists(fs::path(lake_) / rel)) << rel;
  for (const std::string& rel : others) EXPECT_TRUE(fs::exists(fs::path(lake_) / rel)) << rel;
  EXPECT_EQ(CleanRows(), (std::vector<std::string>{Uuid(1) + " a@example.com"}));
}

TEST_F(CleanJobTest, SpillsOfAKilledRunAreNotMergedByTheRerun) {
  WriteRaw("users+0+00000000000000000000.jsonl", {UserLine(1, "v1@example.com")});
  WriteRaw("users+0+00000000000000000001.jsonl", {UserLine(1, "v2@example.com")});
  // A run that spilled more often than the rerun will (a smaller
  // --max-buffer-bytes) was killed after spilling the first version of
  // user 1 under a later spill number: its spill file, with the names the
  // rerun uses (the same raw files give the same tag).
  const std::string tag = NameTag(
      "users/raw/jsonl/event_date=2026-06-01/hour=10/users+0+00000000000000000000.jsonl\n"
      "users/raw/jsonl/event_date=2026-06-01/hour=10/users+0+00000000000000000001.jsonl\n");
  const std::string other = ::lakepipe::testing::MakeTempDir("lake-v1");
  {
    const fs::path raw = fs::path(other) / "users/raw/jsonl/event_date=2026-06-01/hour=10";
    fs::create_directories(raw);
    std::ofstream(raw / "users+0+00000000000000000000.jsonl")
        << UserLine(1, "v1@example.com") << "\n";
    CleanJobOptions o;
    o.lake = other;
    o.as_of = static_cast<int32_t>(DaysFromCivil(2026, 6, 14));
    ASSERT_OK(RunCleanJob(o));
  }
  const fs::path partition = "users/clean/parquet/registration_year=2015";
  fs::path v1_file;
  for (const auto& e : fs::directory_iterator(fs::path(other) / partition)) v1_file = e.path();
  const fs::path spill =
      fs::path(lake_) / partition / "_spill" / fmt::format("part-{}-0007.parquet", tag);
  fs::create_directories(spill.parent_path());
  fs::copy_file(v1_file, spill);

  CleanJobOptions o;
  o.lake = lake_;
  o.as_of = static_cast<int32_t>(DaysFromCivil(2026, 6, 14));
  o.max_buffer_bytes = 1;  // spills after each batch: spill numbers 0 and 1
  ASSERT_OK_AND_ASSIGN(JobStats s, RunCleanJob(o));
  EXPECT_EQ(s.records_in, 2u);
  EXPECT_EQ(CleanRows(), (std::vector<std::string>{Uuid(1) + " v2@example.com"}));
  EXPECT_FALSE(fs::exists(spill));
}

TEST_F(CleanJobTest, AsOfCannotChangeWithoutFullRefresh) {
  WriteRaw("users+0+00000000000000000000.jsonl", {UserLine(1, "a@example.com")});
  ASSERT_OK(Run());
  CleanJobOptions o;
  o.lake = lake_;
  o.as_of = static_cast<int32_t>(DaysFromCivil(2026, 7, 1));
  Status st = RunCleanJob(o).status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("--full-refresh"), std::string::npos) << st.message();
  o.full_refresh = true;
  EXPECT_OK(RunCleanJob(o));
}

}  // namespace
}  // namespace lakepipe::jobs
