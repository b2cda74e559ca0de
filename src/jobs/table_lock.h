// One transform at a time per table of a lake.
//
// The jobs of a table (clean, analytics, demographics, timeseries) rewrite
// its clean, rejected and metric zones, its bookmarks and job state, and
// delete what killed runs left there (lake.h, DeleteLeftovers): two runs
// at once would merge each other's spill files and delete each other's
// files being written. So a run holds the table's lock from start to end:
//
//   <lake>/_lakepipe/locks/<table>.transform
//
// Local lakes: an exclusive flock(2) on that file. The kernel releases it
// when the holder ends, however it ends: a killed run leaves no stale lock
// (the file stays; it is not the lock, and it is never written, so a run
// with nothing to do changes nothing). A second run names the holder (pid
// and command line, from /proc/locks) in its error.
//
// S3 lakes take no lock: S3 has no lock that is released when its holder
// dies. Run one transform per table at a time there (one scheduler entry,
// or one `lakepipe run` per lake).
//
// Thread-safety: a TableLock is used by one thread at a time. Two locks of
// the same table exclude each other within one process too.
#pragma once

#include <chrono>
#include <string>

#include "core/result.h"
#include "core/unique_fd.h"
#include "jobs/lake.h"

namespace lakepipe::jobs {

class TableLock {
 public:
  // Takes the lock of `table`, waiting up to `wait` for its holder to
  // finish. kUnavailable naming the holder and the lock file when it is
  // still held then.
  static Result<TableLock> Acquire(const Lake& lake, const std::string& table,
                                   std::chrono::milliseconds wait);

  TableLock(TableLock&& other) noexcept = default;
  TableLock& operator=(TableLock&& other) noexcept = default;
  TableLock(const TableLock&) = delete;
  TableLock& operator=(const TableLock&) = delete;
  // Releases the lock (closing the file releases its flock).
  ~TableLock() = default;

 private:
  explicit TableLock(int fd) : fd_(fd) {}

  UniqueFd fd_;  // the locked file; invalid when no lock is held (S3)
};

}  // namespace lakepipe::jobs
