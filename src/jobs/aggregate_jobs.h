// The aggregate jobs, computed from a table's clean table, under
// <lake>/<table>/<job>/parquet/<metric>/:
//
//   users          analytics: gender_distribution, email_domains (top N),
//                  age_groups; demographics: users_by_country,
//                  users_by_country_state; timeseries: registrations_daily
//                  (by registration_year=)
//   user_activity  analytics: events_by_type_daily, events_by_type_hourly,
//                  users_sessions_daily, funnel_daily, revenue_daily (each
//                  by event_date=), revenue_by_product; demographics:
//                  events_by_country, users_by_country; timeseries:
//                  events_hourly, events_daily (per event type, by
//                  event_date=)
//
// Metrics over the whole table are one Parquet file (zstd); the others are
// Hive-partitioned, one file per partition, the partition column only in
// the path. Files are replaced atomically and the bookmark moves last.
//
// Incremental by unit, a top-level partition of the clean table
// (registration_year=, event_date=): a job keeps for each unit a partial
// aggregate (counts and sums by group: genders, domains, days, products,
// a country's users) in <lake>/_lakepipe/state/<table>/<job>/<unit>.parquet.
// A run reads the clean files only of the units that changed since its
// bookmark, sums every unit's partial, and writes the metrics over the
// whole table, the partitions of the days that changed (per-day metrics)
// and the partitions from the first changed one on (time series, whose
// moving averages and z-scores look back). Nothing changed: nothing
// written. A full refresh, a first run and changed options rewrite every
// partition. Memory grows with the groups, not the rows.
//
// A time series has a row per step (day or hour) from the first to the
// last (steps without any count 0): the moving average over the last
// `moving_average_days` steps (fewer at the start), and the z-score of the
// step against the `zscore_window_days` steps before it (population
// standard deviation; null until that many exist or when they do not
// vary); anomaly is |z-score| >= `zscore_threshold`. The last step holds
// the newest time in the data (not the clock: reruns agree) and may still
// grow: it is partial (a column) and never an anomaly.
//
// A run holds the table's lock (table_lock.h) and starts by deleting what
// killed runs left behind (lake.h, DeleteLeftovers).
//
// Thread-safety: one run at a time per table: a second one waits for the
// lock up to lock_wait, then fails naming the run that holds it.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "core/result.h"
#include "jobs/clean_job.h"

namespace lakepipe::jobs {

struct AggregateOptions {
  std::string lake;
  std::string table = "users";
  std::string job;  // analytics, demographics, timeseries
  bool full_refresh = false;
  int top_email_domains = 100;
  int moving_average_days = 7;
  int zscore_window_days = 28;
  double zscore_threshold = 3.0;
  // How long to wait for another run of the table's jobs to finish.
  std::chrono::milliseconds lock_wait{0};
  // Set: publish the metrics as Iceberg tables (iceberg_tables.h).
  std::optional<IcebergTables> iceberg;
};

// records_in: clean rows read; new_files: clean files read;
// partitions_written: metric files written.
Result<JobStats> RunAggregateJob(const AggregateOptions& options);

}  // namespace lakepipe::jobs
