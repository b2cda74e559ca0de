// The whole pipeline in process: the dev broker, the produce and archive
// threads, the jobs and the local copies, through the library API.
// (tests/interop/run.test.mjs runs `lakepipe run` and checks the lake with
// DuckDB.)
#include "pipeline/run.h"

#include <filesystem>
#include <fstream>
#include <mutex>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::pipeline {
namespace {

namespace fs = std::filesystem;

RunOptions SmallRun(const std::string& dir, const std::atomic<bool>* stop) {
  RunOptions o;
  o.source = "users";
  o.source_options.seed = 7;
  o.topic = "users";
  o.count = 300;
  o.partitions = 2;
  o.archive.lake = dir + "/lake";
  o.archive.table = "users";
  o.archive.topics = {"users"};
  o.archive.group = "run-test";
  o.archive.instance_id = "none";
  o.archive.log = [](const std::string&) {};
  o.output_dir = dir + "/out";
  o.local_copy_formats = {"json"};
  o.stop = stop;
  return o;
}

TEST(RunTest, RunsEveryPhaseAndReportsWhatBecameOfEachRecord) {
  const std::string dir = ::lakepipe::testing::MakeTempDir("run");
  std::atomic<bool> stop{false};
  RunOptions o = SmallRun(dir, &stop);
  std::vector<RunPhase> phases;
  std::mutex mu;
  std::vector<RunStep> steps_ended;
  std::vector<std::string> jobs_started, lines;
  o.on_phase = [&](RunPhase p) { phases.push_back(p); };
  o.log = [&](const std::string& line) { lines.push_back(line); };
  o.progress_interval = std::chrono::milliseconds(100);
  o.on_progress = [&](const RunProgress& p) {
    std::lock_guard<std::mutex> lock(mu);
    if (p.last) steps_ended.push_back(p.step);
    if (p.step == RunStep::kTransform && !p.last) jobs_started.push_back(p.job);
  };
  uint64_t jobs_reported = 0;
  o.on_job = [&](const jobs::JobStats&) { ++jobs_reported; };

  auto made = Pipeline::Make(o);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  Pipeline& pipeline = **made;
  EXPECT_TRUE(pipeline.dev_broker());
  EXPECT_FALSE(pipeline.archive_options().brokers.empty());  // the dev broker's address
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("dev broker in this process at " + pipeline.archive_options().brokers),
            std::string::npos)
      << lines[0];
  EXPECT_EQ(phases, std::vector<RunPhase>{RunPhase::kArchive});

  const RunReport r = pipeline.Run();
  EXPECT_TRUE(r.failures.empty()) << r.failures[0];
  EXPECT_FALSE(r.interrupted);
  EXPECT_EQ(r.produced, 300u);
  EXPECT_EQ(r.delivered, 300u);
  EXPECT_EQ(r.archive.archived + r.archive.dead_lettered, 300u);
  EXPECT_EQ(r.archive.archived, 300u);
  EXPECT_EQ(phases, (std::vector<RunPhase>{RunPhase::kArchive, RunPhase::kJobs}));
  EXPECT_EQ(steps_ended, (std::vector<RunStep>{RunStep::kProduceArchive, RunStep::kTransform}));
  EXPECT_EQ(jobs_started,
            (std::vector<std::string>{"clean", "analytics", "demographics", "timeseries"}));
  ASSERT_EQ(r.jobs.size(), 4u);
  EXPECT_EQ(jobs_reported, 4u);
  EXPECT_EQ(r.jobs[0].job, "clean");
  EXPECT_EQ(r.jobs[0].records_in, 300u);
  EXPECT_EQ(r.clean_rows + r.rejected_rows, 300u);
  EXPECT_EQ(r.copies, CopiesFate::kReplaced);
  EXPECT_EQ(pipeline.local_copies().records(), 300u);
  EXPECT_TRUE(fs::exists(dir + "/out/users_data.json"));
  EXPECT_FALSE(fs::exists(dir + "/out/users_data.csv"));  // not asked for
  EXPECT_TRUE(fs::is_directory(dir + "/lake/users/clean"));
}

TEST(RunTest, TheDevBrokerDoesNotOverwriteAnEarlierRunsTableUnlessToldTo) {
  const std::string dir = ::lakepipe::testing::MakeTempDir("run-replace");
  const fs::path earlier = fs::path(dir) / "lake/users/raw/parquet/x=1/users+0+0.parquet";
  fs::create_directories(earlier.parent_path());
  std::ofstream(earlier) << "earlier";
  std::atomic<bool> stop{false};
  RunOptions o = SmallRun(dir, &stop);
  o.replace = false;
  o.replace_hint = "say so";
  auto made = Pipeline::Make(o);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(made.status().message().find("already holds 1 files from an earlier run"),
            std::string::npos)
      << made.status().ToString();
  EXPECT_NE(made.status().message().find(": say so"), std::string::npos);
  EXPECT_TRUE(fs::exists(earlier));
  EXPECT_FALSE(fs::exists(dir + "/out"));  // failed before the local copies

  o.replace = true;
  std::vector<std::string> lines;
  o.log = [&](const std::string& line) { lines.push_back(line); };
  made = Pipeline::Make(o);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_FALSE(fs::exists(earlier));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("replacing"), std::string::npos) << lines[1];
}

TEST(RunTest, AStopBeforeTheRunArchivesWhatWasProducedAndRunsNoJob) {
  const std::string dir = ::lakepipe::testing::MakeTempDir("run-stop");
  std::atomic<bool> stop{false};
  RunOptions o = SmallRun(dir, &stop);
  o.count = 0;
  o.duration = std::chrono::seconds(60);
  bool jobs_phase = false;
  o.on_phase = [&](RunPhase p) { jobs_phase = jobs_phase || p == RunPhase::kJobs; };
  o.on_produce_progress = [&](const ProduceProgress& p) {
    if (p.produced >= 500) stop = true;
  };
  auto made = Pipeline::Make(o);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  const RunReport r = (*made)->Run();
  EXPECT_TRUE(r.interrupted);
  EXPECT_TRUE(r.jobs.empty());
  EXPECT_FALSE(jobs_phase);
  EXPECT_GE(r.produced, 500u);
  EXPECT_LE(r.archive.archived, r.produced);
  // An interrupted run leaves no earlier copies to keep, so its own go in place.
  EXPECT_EQ(r.copies, CopiesFate::kReplaced);
}

TEST(RunTest, StepNames) {
  EXPECT_EQ(StepName(RunStep::kProduceArchive), "produce+archive");
  EXPECT_EQ(StepName(RunStep::kProduce), "produce");
  EXPECT_EQ(StepName(RunStep::kSettle), "settle");
  EXPECT_EQ(StepName(RunStep::kArchive), "archive");
  EXPECT_EQ(StepName(RunStep::kTransform), "transform");
}

}  // namespace
}  // namespace lakepipe::pipeline
