// The archiver's figures (Archiver::Snapshot), and the cell they are kept
// in while the parts of the archiver update them from the consuming thread
// and other threads read them.
#pragma once

#include <cstdint>
#include <mutex>

namespace lakepipe::archive {

// The counts (all but open_files, buffered_bytes, lag and the seconds) only
// grow, for the life of the Archiver: they are the metrics' counters. When a
// run ends with every segment finished,
// consumed - given_back = archived + dead_lettered.
struct ArchiveStats {
  // Records read from Kafka, each read counted: a record read again (after
  // a rewind or a rebalance) counts again.
  uint64_t consumed = 0;
  // Of those, the records of segments given back uncommitted (a commit
  // refused, a partition lost, a failure): this or the next owner of the
  // partition reads them again.
  uint64_t given_back = 0;
  uint64_t archived = 0;           // records in committed files
  uint64_t dead_lettered = 0;      // records sent to the dead-letter topic or files
  uint64_t dead_letter_files = 0;  // of those, how many went to files
  uint64_t files_written = 0;
  uint64_t bytes_written = 0;
  uint64_t data_loss_records = 0;  // offsets lost to retention
  uint64_t data_loss_ranges = 0;
  uint64_t rebalances = 0;
  uint64_t open_files = 0;
  uint64_t buffered_bytes = 0;
  int64_t lag = 0;  // sum over assigned partitions (-1: unknown)
  double seconds = 0;
  double active_seconds =
      0;  // from the first record consumed to the last (excludes joins, idle waits)

  // Records read and kept: archived, dead-lettered or in open files.
  uint64_t kept() const { return consumed > given_back ? consumed - given_back : 0; }
};

// ArchiveStats under a lock.
struct StatsCell {
  mutable std::mutex mu;
  ArchiveStats stats;

  // Runs `f(stats)` under the lock.
  template <typename F>
  void Update(F&& f) {
    std::lock_guard<std::mutex> lock(mu);
    f(stats);
  }
};

}  // namespace lakepipe::archive
