#include "archive/progress_line.h"

#include <gtest/gtest.h>

#include "archive/archiver.h"

namespace lakepipe::archive {
namespace {

ProgressFigures Archiving() {
  ArchiveStats s;
  s.consumed = 40000;
  s.archived = 30000;
  s.dead_lettered = 2;
  s.files_written = 4;
  s.bytes_written = 3 << 20;
  s.open_files = 8;
  s.buffered_bytes = 1 << 20;
  s.lag = 10000;
  ProgressFigures f = ProgressOf(s);
  f.consumed_per_second = 20000.4;
  return f;
}

TEST(ProgressLineTest, ArchiveAloneShowsTheArchivesFigures) {
  EXPECT_EQ(FormatProgressLine(Archiving()),
            "consumed 40,000 (20,000/s), archived 30,000, dead letters 2, files 4 (3.0 MiB), "
            "open files 8 (1.0 MiB buffered), lag 10,000");
}

TEST(ProgressLineTest, RunAddsWhatWasProducedAndTheTime) {
  ProgressFigures f = Archiving();
  f.produced = ProgressFigures::Produced{50000, 100000, 25000};
  f.elapsed_seconds = 2.0;
  f.left = "2.00 s";
  EXPECT_EQ(FormatProgressLine(f),
            "produced 50,000/100,000 (25,000/s), consumed 40,000 (20,000/s), archived 30,000, "
            "dead letters 2, files 4 (3.0 MiB), open files 8 (1.0 MiB buffered), lag 10,000, "
            "2.00 s elapsed, 2.00 s left");
  f.produced->target = 0;
  f.left.clear();
  EXPECT_EQ(FormatProgressLine(f).substr(0, 28), "produced 50,000 (25,000/s), ");
  EXPECT_EQ(FormatProgressLine(f).find("left"), std::string::npos);
}

TEST(ProgressLineTest, UnknownLagAndDataLossAreShown) {
  ProgressFigures f = Archiving();
  f.lag = -1;
  f.data_loss_records = 5;
  const std::string line = FormatProgressLine(f);
  EXPECT_NE(line.find("lag ?, DATA LOSS 5 records"), std::string::npos) << line;
}

TEST(ProgressLineTest, BeforeTheFirstAssignmentItSaysJoiningNotLagZero) {
  ProgressFigures f = ProgressOf(ArchiveStats{});
  f.joining = JoinWait{"svc", 12.7, std::chrono::milliseconds(45000)};
  EXPECT_EQ(FormatProgressLine(f),
            "joining group 'svc' (12 s so far): waiting for the group's assignment; a previous "
            "member that did not leave holds its partitions until its session expires (up to 45 "
            "s), then the group rebalances");
  f.produced = ProgressFigures::Produced{1000, 0, 500};
  f.elapsed_seconds = 2.0;
  const std::string line = FormatProgressLine(f);
  EXPECT_EQ(line.find("lag"), std::string::npos) << line;
  EXPECT_NE(line.find("produced 1,000 (500/s), joining group 'svc'"), std::string::npos) << line;
}

}  // namespace
}  // namespace lakepipe::archive
