// The job registry: its order, and each job run through it with the
// options it was given, on a local lake of one hand-written raw file.
#include "jobs/registry.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "core/time_util.h"

namespace lakepipe::jobs {
namespace {

namespace fs = std::filesystem;

std::string UserLine(int n) {
  return fmt::format(
      R"({{"id":"00000000-0000-4000-8000-{:012d}","first_name":"F","last_name":"L",)"
      R"("gender":"female","address":"1 Main St","post_code":"1","email":"u{}@example.com",)"
      R"("username":"u{}","dob":{},"registered_date":{},"phone":"+1 555","picture":"p",)"
      R"("city":"C","state":"S","country":"Norway","nat":"NO"}})",
      n, n, n, DaysFromCivil(1990, 1, 1) * 86400000, DaysFromCivil(2015, 3, 1) * 86400000);
}

TEST(JobRegistryTest, ListsCleanFirstAndFindsEveryJobByName) {
  std::vector<std::string> names;
  for (const Job& job : Jobs()) names.emplace_back(job.name);
  EXPECT_EQ(names, (std::vector<std::string>{"clean", "analytics", "demographics", "timeseries"}));
  EXPECT_EQ(JobNames(), "clean, analytics, demographics, timeseries");
  for (const Job& job : Jobs()) {
    ASSERT_NE(FindJob(job.name), nullptr) << job.name;
    EXPECT_EQ(FindJob(job.name)->name, job.name);
  }
  EXPECT_EQ(FindJob("all"), nullptr);
  EXPECT_EQ(FindJob("Clean"), nullptr);
}

TEST(JobRegistryTest, EachJobRunsUnderItsNameWithTheOptionsGiven) {
  const std::string lake = ::lakepipe::testing::MakeTempDir("lake");
  const fs::path raw = fs::path(lake) / "users/raw/jsonl/event_date=2026-06-01/hour=10/t+0+0.jsonl";
  fs::create_directories(raw.parent_path());
  std::ofstream(raw) << UserLine(1) << "\n" << UserLine(2) << "\n";

  JobOptions o;
  o.lake = lake;
  o.table = "users";
  o.as_of = static_cast<int32_t>(DaysFromCivil(2026, 6, 14));
  for (const Job& job : Jobs()) {
    Result<JobStats> stats = job.run(o);
    ASSERT_TRUE(stats.ok()) << job.name << ": " << stats.status().ToString();
    EXPECT_EQ(stats->job, job.name);
    EXPECT_EQ(stats->table, "users");
    EXPECT_GT(stats->new_files, 0u) << job.name;
  }
  Result<JobStats> clean = FindJob("clean")->run(o);
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  EXPECT_EQ(clean->new_files, 0u);  // the bookmark moved: nothing new
  o.full_refresh = true;
  clean = FindJob("clean")->run(o);
  ASSERT_TRUE(clean.ok()) << clean.status().ToString();
  EXPECT_EQ(clean->new_files, 1u);
  EXPECT_EQ(clean->records_in, 2u);
  EXPECT_EQ(clean->clean, 2u);
  EXPECT_EQ(clean->as_of, *o.as_of);
  // A table without jobs fails, naming it, before anything is read.
  o.table = "orders";
  Result<JobStats> none = FindJob("analytics")->run(o);
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("orders"), std::string::npos) << none.status().ToString();
}

}  // namespace
}  // namespace lakepipe::jobs
