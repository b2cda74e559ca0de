// The progress line of `archive` (every stats interval) and of `run` (its
// produce+archive and archive phases): one format for both.
//
//   [produced 50,000/100,000 (25,000/s), ]consumed 40,000 (20,000/s),
//   archived 30,000, dead letters 0, files 4 (1.2 MiB), open files 8
//   (3.0 MiB buffered), lag 10,000[, DATA LOSS 5 records][, 2.00 s
//   elapsed, 2.00 s left]
//
// Before the group's first assignment the archive's figures give way to
// what it waits for (never a lag of 0 that only means "nothing assigned
// yet"):
//
//   [produced ..., ]joining group 'g' (12 s so far): waiting for the
//   group's assignment; a previous member that did not leave holds its
//   partitions until its session expires (up to 45 s), then the group
//   rebalances[, ...]
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace lakepipe::archive {

// A consumer waiting for its group's first assignment.
struct JoinWait {
  std::string group;
  double seconds = 0;                                // waiting so far
  std::chrono::milliseconds session_timeout{45000};  // session.timeout.ms
};

// "joining group 'g' (12 s so far): waiting for ... (up to 45 s), then the
// group rebalances".
std::string DescribeJoinWait(const JoinWait& wait);

struct ProgressFigures {
  // What was produced (run); nullopt: no producing here.
  struct Produced {
    uint64_t records = 0;
    uint64_t target = 0;  // 0: no fixed count
    double per_second = 0;
  };
  std::optional<Produced> produced;
  std::optional<JoinWait> joining;  // set: the archive's figures are not shown
  uint64_t consumed = 0;
  double consumed_per_second = 0;
  uint64_t archived = 0;
  uint64_t dead_lettered = 0;
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t open_files = 0;
  uint64_t buffered_bytes = 0;
  int64_t lag = 0;  // -1: unknown
  uint64_t data_loss_records = 0;
  std::optional<double> elapsed_seconds;  // shown with `left` when set
  std::string left;                       // "" with elapsed: not shown
};

std::string FormatProgressLine(const ProgressFigures& f);

}  // namespace lakepipe::archive
