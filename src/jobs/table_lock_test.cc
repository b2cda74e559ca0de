// The table lock of the transform jobs on a local lake: a second run of a
// table's jobs waits for the first or fails naming it; other tables are
// not held up.
#include "jobs/table_lock.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "core/time_util.h"
#include "jobs/aggregate_jobs.h"
#include "jobs/clean_job.h"

namespace lakepipe::jobs {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

class TableLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::lakepipe::testing::MakeTempDir("lock");
    const fs::path raw = fs::path(root_) / "users/raw/jsonl/event_date=2026-06-01/hour=10";
    fs::create_directories(raw);
    std::ofstream(raw / "users+0+00000000000000000000.jsonl")
        << R"({"id":"00000000-0000-4000-8000-000000000001","first_name":"F","last_name":"L",)"
           R"("gender":"male","address":"1 Main St","post_code":"1","email":"a@example.org",)"
           R"("username":"u","dob":631152000000,"registered_date":1425168000000,"phone":"1",)"
           R"("picture":"p","city":"C","state":"S","country":"Norway","nat":"NO"})"
        << "\n";
  }

  CleanJobOptions Clean() const {
    CleanJobOptions o;
    o.lake = root_;
    o.as_of = static_cast<int32_t>(DaysFromCivil(2026, 6, 14));
    return o;
  }

  std::string root_;
};

TEST_F(TableLockTest, ASecondRunFailsNamingTheRunThatHoldsTheLock) {
  ASSERT_OK_AND_ASSIGN(Lake lake, Lake::Open(root_));
  std::optional<TableLock> held;
  ASSERT_OK_AND_ASSIGN(held, TableLock::Acquire(lake, "users", milliseconds(0)));

  Status clean = RunCleanJob(Clean()).status();
  EXPECT_EQ(clean.code(), StatusCode::kUnavailable) << clean.ToString();
  for (const std::string& part :
       {std::string("users is being transformed by another run"),
        fmt::format("(pid {}: ", ::getpid()), std::string("jobs_test"),
        fmt::format("lock file {}/_lakepipe/locks/users.transform", root_),
        std::string("--wait-for-lock")}) {
    EXPECT_NE(clean.message().find(part), std::string::npos) << part << "\n" << clean.message();
  }
  AggregateOptions a;
  a.lake = root_;
  a.job = "analytics";
  EXPECT_EQ(RunAggregateJob(a).status().code(), StatusCode::kUnavailable);
  // Nothing was written by the runs that did not get the lock.
  EXPECT_FALSE(fs::exists(fs::path(root_) / "users/clean"));
  EXPECT_FALSE(fs::exists(fs::path(root_) / "_lakepipe/bookmarks"));

  // Another table is not held up.
  Result<TableLock> other = TableLock::Acquire(lake, "user_activity", milliseconds(0));
  EXPECT_OK(other);

  held.reset();
  ASSERT_OK_AND_ASSIGN(JobStats stats, RunCleanJob(Clean()));
  EXPECT_EQ(stats.clean, 1u);
}

TEST_F(TableLockTest, ASecondRunWaitsForTheFirstUpToItsBound) {
  ASSERT_OK_AND_ASSIGN(Lake lake, Lake::Open(root_));
  Result<TableLock> acquired = TableLock::Acquire(lake, "users", milliseconds(0));
  ASSERT_OK(acquired);
  auto held = std::make_unique<TableLock>(std::move(acquired).value());
  // A short bound runs out while the lock is held.
  CleanJobOptions o = Clean();
  o.lock_wait = milliseconds(250);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(RunCleanJob(o).status().code(), StatusCode::kUnavailable);
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(250));
  // A long one ends when the holder finishes.
  std::thread release([&] {
    std::this_thread::sleep_for(milliseconds(300));
    held.reset();
  });
  o.lock_wait = milliseconds(60000);
  Result<JobStats> stats = RunCleanJob(o);
  release.join();
  ASSERT_OK(stats.status());
  EXPECT_EQ(stats->clean, 1u);
}

TEST_F(TableLockTest, AKilledHolderLeavesNoStaleLock) {
  ASSERT_OK_AND_ASSIGN(Lake lake, Lake::Open(root_));
  // A child process takes the lock and is killed while holding it.
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Result<TableLock> lock = TableLock::Acquire(lake, "users", milliseconds(0));
    const char c = lock.ok() ? '1' : '0';
    [[maybe_unused]] const ssize_t w = ::write(ready[1], &c, 1);
    ::pause();
    ::_exit(0);
  }
  char c = 0;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  ASSERT_EQ(c, '1');
  Status held = RunCleanJob(Clean()).status();
  EXPECT_EQ(held.code(), StatusCode::kUnavailable);
  EXPECT_NE(held.message().find(fmt::format("(pid {}: ", child)), std::string::npos)
      << held.message();
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_OK_AND_ASSIGN(JobStats stats, RunCleanJob(Clean()));
  EXPECT_EQ(stats.clean, 1u);
}

}  // namespace
}  // namespace lakepipe::jobs
