// The clean job: raw rows of a table validated, cleansed, enriched and
// de-duplicated into the clean table; rejected rows kept with their reason.
//
// A run reads the raw files its bookmark does not list, in arrival order
// (lake.h). Each row passes the table's CleanRules or becomes a rejected
// record (rule, reason, source file, row, the record as JSON) in
// <table>/rejected/parquet/. Clean rows are grouped by the clean table's
// partition; at the end each partition they touch is rewritten: its current
// files and the new rows are merged, a later row replacing an earlier one
// with the same key (latest wins), into one new file that appears
// atomically, after which the partition's other files are deleted. New rows
// are buffered up to max_buffer_bytes; past that they are spilled to hidden
// files (<partition>/_spill/), so one partition at a time is held in
// memory while it is merged. The bookmark moves last.
//
// Idempotent: a run with no new raw file changes nothing. After a crash the
// next run reads the same files again (the bookmark did not move) and
// writes files of the same names; merging keeps one row per key, so it
// ends with the tables an uninterrupted run would have written.
// Counts balance: records read = clean + rejected; the clean rows that did
// not survive de-duplication are counted as duplicates.
//
// A run holds the table's lock (table_lock.h) and starts by deleting what
// killed runs left behind (lake.h, DeleteLeftovers).
//
// Thread-safety: one run at a time per table: a second one waits for the
// lock up to lock_wait, then fails naming the run that holds it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "formats/format.h"
#include "jobs/iceberg_tables.h"

namespace lakepipe::jobs {

struct CleanJobOptions {
  std::string lake;             // a path, file:///path or s3://bucket/prefix
  std::string table = "users";  // users
  // Forget the bookmark, delete the clean and rejected tables, process
  // every raw file.
  bool full_refresh = false;
  // Only raw files in event_date partitions on or after this day.
  std::optional<int32_t> since;
  // The day ages and tenures are computed at (days since 1970-01-01):
  // given, else the bookmark's, else today (UTC); kept in the bookmark.
  std::optional<int32_t> as_of;
  // New clean rows held in memory before they are spilled.
  // At least 1: 1 spills after every batch read.
  uint64_t max_buffer_bytes = 256ull << 20;
  // How long to wait for another run of the table's jobs to finish.
  std::chrono::milliseconds lock_wait{0};
  // Set: read the raw Iceberg table when the catalog has it, and publish
  // the clean and rejected tables as Iceberg tables (iceberg_tables.h).
  std::optional<IcebergTables> iceberg;
};

struct JobStats {
  std::string table, job;
  uint64_t raw_files = 0;  // raw files in the lake (after --since)
  uint64_t new_files = 0;  // of which this run read
  uint64_t records_in = 0;
  uint64_t clean = 0;
  uint64_t rejected = 0;
  uint64_t duplicates = 0;  // clean rows replaced by a later row with the same key
  uint64_t partitions_written = 0;
  uint64_t rows_written = 0;  // rows of the partitions rewritten
  uint64_t files_written = 0;
  uint64_t bytes_written = 0;
  int32_t as_of = 0;
  double seconds = 0;
  std::string raw_table;               // the raw Iceberg table read, when it was one
  std::vector<IcebergCommit> iceberg;  // the Iceberg tables published
};

Result<JobStats> RunCleanJob(const CleanJobOptions& options);

}  // namespace lakepipe::jobs
