// The aggregate jobs, computed from a table's clean table, one Parquet file
// per metric under <lake>/<table>/<job>/parquet/<metric>/:
//
//   users          analytics: gender_distribution, email_domains (top N),
//                  age_groups; demographics: users_by_country,
//                  users_by_country_state; timeseries: registrations_daily
//   user_activity  analytics: events_by_type_daily, events_by_type_hourly,
//                  users_sessions_daily, funnel_daily, revenue_daily,
//                  revenue_by_product; demographics: events_by_country,
//                  users_by_country; timeseries: events_hourly,
//                  events_daily (per event type)
//
// Each metric is one Parquet file (zstd) replaced atomically. A job's
// bookmark lists the clean table's files it was computed from: when they
// have not changed, the job changes nothing. The clean table is read with
// only the columns a job needs, and the groups are small (genders, domains,
// countries, days), so memory does not grow with the number of rows.
//
// A time series has a row per step (day or hour) from the first to the
// last (steps without any count 0): the moving average over the last
// `moving_average_days` steps (fewer at the start), and the z-score of the
// step against the `zscore_window_days` steps before it (population
// standard deviation; null until that many exist or when they do not
// vary); anomaly is |z-score| >= `zscore_threshold`.
//
// Thread-safety: one run at a time per table.
#pragma once

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
};

// records_in: clean rows read; partitions_written: metrics written.
Result<JobStats> RunAggregateJob(const AggregateOptions& options);

}  // namespace lakepipe::jobs
