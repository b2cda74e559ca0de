// The transform jobs by name, written once for every command that runs
// them (transform, run).
//
// Jobs() lists them in the order `all` runs them: clean first, as the
// others (analytics, demographics, timeseries) read the clean table it
// writes; they do not depend on each other.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "jobs/aggregate_jobs.h"
#include "jobs/clean_job.h"

namespace lakepipe::jobs {

// The options of every job; each job reads the ones it has. The defaults
// are those of CleanJobOptions and AggregateOptions.
struct JobOptions {
  std::string lake;  // a path, file:///path or s3://bucket/prefix
  std::string table = "users";
  // Forget the bookmark and rebuild the job's tables from every input file.
  bool full_refresh = false;
  std::optional<int32_t> since;  // clean: only raw files of event_date >= this day
  std::optional<int32_t> as_of;  // clean: the day ages and tenures are computed at
  uint64_t max_buffer_bytes = CleanJobOptions{}.max_buffer_bytes;  // clean
  int zscore_window_days = AggregateOptions{}.zscore_window_days;  // timeseries
  double zscore_threshold = AggregateOptions{}.zscore_threshold;   // timeseries
  // How long to wait for another run of the table's jobs to finish.
  std::chrono::milliseconds lock_wait{0};
  // Set (--table-format iceberg): the raw table may be an Iceberg table,
  // and every output is published as one (iceberg_tables.h).
  std::optional<IcebergTables> iceberg;
};

struct Job {
  std::string_view name;
  Result<JobStats> (*run)(const JobOptions& options);
};

// Every job, in the order `all` runs them.
std::span<const Job> Jobs();

// The job called `name`; nullptr when there is none.
const Job* FindJob(std::string_view name);

// The names of Jobs() in their order, comma-separated ("clean, analytics,
// ..."), for messages naming the choices.
std::string JobNames();

}  // namespace lakepipe::jobs
