// Tuning glibc's allocator (mallopt) for the work a command runs.
//
// The settings are process-wide, and the archiver and the transform jobs
// want opposite ones, so libraries never set them: the commands choose,
// knowing what runs in their process. `archive` tunes for kArchive before
// it makes its archiver, `transform` for kJobs before its first job; `run`
// tunes for kArchive before its archiver and for kJobs when its transform
// phase begins, so the jobs' settings replace the archive's from then on.
//
// Thread-safety: call before the threads of the workload start (mallopt
// races with allocations on other threads).
#pragma once

namespace lakepipe::cli {

enum class Workload {
  // The archiver: fetched record sets and closed files' pages of 1 MiB and
  // more are freed on threads other than the one that allocated them, and
  // kept in the heap they would make the peak RSS grow with every file.
  kArchive,
  // The transform jobs: they allocate and free large buffers for every file
  // they read or write, and giving them back to the system only to fault
  // them in again costs up to a third of a scan.
  kJobs,
};

// Applies the allocator settings of `workload` (allocator.cc says which).
// Parameters one workload sets and the other does not stay as they were.
void TuneAllocatorFor(Workload workload);

}  // namespace lakepipe::cli
