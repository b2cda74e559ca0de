// A lake: a root in an object store, and the one place that names the
// paths in it. Relative to the root:
//
//   <table>/raw/<format>/<partitions>/<topic>+<partition>+<offset>.<ext>
//                                                 archive output (raw zone)
//   <table>/clean/parquet/<column>=<value>/...    clean table
//   <table>/rejected/parquet/...                  rows the clean job rejected
//   <table>/<job>/parquet/<metric>/...            metrics of the aggregate jobs
//                                                 (analytics, demographics,
//                                                 timeseries)
//   _rejected/<topic>/...                         dead letters the dead-letter
//                                                 topic did not take
//   _lakepipe/staging/<table>/<topic>+<partition> archive files being written
//   _lakepipe/bookmarks/<table>/<job>.json        what a job has processed
//   _lakepipe/state/<table>/<job>/<unit>.parquet  partial aggregates
//   _lakepipe/locks/<table>.transform             one transform of a table
//   _lakepipe/check/<16 hex digits>               the probe object of check
//
// Names starting with '.' or '_' below a zone are not data (files being
// written, spills, staging), as for Hive and Spark.
//
// The path names are static and pure; Path() puts them under a lake's root
// in its store, Uri() makes them URIs. Thread-safety: a Lake is used by one
// thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/object_store.h"

namespace lakepipe::lake {

class Lake {
 public:
  // `uri`: a path, file:///path or s3://bucket/prefix.
  static Result<Lake> Open(const std::string& uri);

  // --- Path names, relative to the lake root --------------------------

  // The directory of everything a table holds: "users".
  static std::string TableDir(std::string_view table);
  // The raw zone, of every format ("users/raw") or of one ("users/raw/parquet").
  static std::string RawDir(std::string_view table);
  static std::string RawDir(std::string_view table, std::string_view format);
  // A zone of a table: "users/clean" (raw, clean, rejected or a job's).
  static std::string ZoneDir(std::string_view table, std::string_view zone);
  // The Parquet files of a zone: "users/clean/parquet".
  static std::string ParquetDir(std::string_view table, std::string_view zone);
  // The clean table ("users/clean/parquet") and a partition of it
  // ("users/clean/parquet/event_date=2026-01-01"; "" gives the table's
  // directory with a trailing '/').
  static std::string CleanDir(std::string_view table);
  static std::string CleanPartitionDir(std::string_view table, std::string_view partition);
  // The hidden spill files of a directory of a zone ("<dir>/_spill"), which
  // DeleteInterruptedWrites(rel, /*spills=*/true) deletes.
  static std::string SpillDir(std::string_view dir);
  // The rows the clean job rejected: "users/rejected/parquet".
  static std::string RejectedDir(std::string_view table);
  // A metric of an aggregate job: "users/analytics/parquet/age_groups".
  static std::string MetricDir(std::string_view table, std::string_view job,
                               std::string_view metric);
  // The zones the transform jobs write: clean, rejected and the metric
  // zones (analytics, demographics, timeseries).
  static const std::vector<std::string>& JobZones();
  // True for the zone of an aggregate job (analytics, demographics, timeseries).
  static bool IsMetricZone(std::string_view zone);

  // Dead letters written as files: "_rejected".
  static std::string DeadLetterDir();
  // Where the archive writes the files of a topic partition before they
  // appear: "_lakepipe/staging/users/users+3".
  static std::string StagingDir(std::string_view table, std::string_view topic, int32_t partition);
  // The bookmarks of a table's jobs ("_lakepipe/bookmarks/users") and of
  // one ("_lakepipe/bookmarks/users/clean.json").
  static std::string BookmarkDir(std::string_view table);
  static std::string BookmarkPath(std::string_view table, std::string_view job);
  // The state of a table's jobs ("_lakepipe/state/users") and of one
  // ("_lakepipe/state/users/analytics").
  static std::string StateDir(std::string_view table);
  static std::string JobStateDir(std::string_view table, std::string_view job);
  // The lock file of a table's transform jobs: "_lakepipe/locks/users.transform".
  static std::string LockPath(std::string_view table);
  // A probe object of check: "_lakepipe/check/00000000000000ff".
  static std::string CheckProbePath(uint64_t id);

  // `rel` under the store path `root` ("" is the store's root).
  static std::string PathUnder(std::string_view root, std::string_view rel);

  // --- This lake ------------------------------------------------------

  ObjectStore& store() const { return *store_; }
  // The store path of `rel` ("users/raw"), for List and Delete.
  std::string Path(const std::string& rel) const;
  // The URI of a store path, for OpenInputFile and readers.
  std::string Uri(const std::string& path) const;
  // The store path relative to the lake root.
  std::string Relative(const std::string& path) const;
  const std::string& uri() const { return uri_; }

  // Data files under `rel` (hidden names skipped), sorted by path.
  Result<std::vector<ObjectInfo>> ListData(const std::string& rel) const;
  // Deletes every object under `rel`.
  Status DeleteAll(const std::string& rel) const;
  // Deletes the files under `rel` whose names start with '.': what writes
  // interrupted by a crash left behind (local files are written under such
  // names and renamed at commit), and with `spills`, every file under a
  // `_spill` directory. REQUIRES: nothing is writing under `rel`.
  Status DeleteInterruptedWrites(const std::string& rel, bool spills = false) const;

 private:
  std::unique_ptr<ObjectStore> store_;
  std::string root_;  // store path of the lake root, no trailing '/'
  std::string uri_;   // the lake URI, no trailing '/'
};

// True for a path (or name) ending in ".parquet".
inline bool IsParquetFile(std::string_view path) {
  return path.size() >= 8 && path.substr(path.size() - 8) == ".parquet";
}

}  // namespace lakepipe::lake
