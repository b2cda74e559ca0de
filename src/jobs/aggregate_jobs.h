// The aggregate jobs of the users table, computed from its clean table:
//
//   analytics     <lake>/users/analytics/parquet/gender_distribution/
//                                               email_domains/   (top N)
//                                               age_groups/
//   demographics  <lake>/users/demographics/parquet/users_by_country/
//                                                  users_by_country_state/
//   timeseries    <lake>/users/timeseries/parquet/registrations_daily/
//
// Each metric is one Parquet file (zstd) replaced atomically. A job's
// bookmark lists the clean table's files it was computed from: when they
// have not changed, the job changes nothing. The clean table is read with
// only the columns a job needs, and the groups are small (genders, domains,
// countries, days), so memory does not grow with the number of rows.
//
// registrations_daily has a row per day from the first registration to the
// last (days without any count 0): the moving average over the last
// `moving_average_days` days (fewer at the start), and the z-score of the
// day against the `zscore_window_days` days before it (population standard
// deviation; null until that many days exist or when they do not vary);
// anomaly is |z-score| >= `zscore_threshold`.
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
