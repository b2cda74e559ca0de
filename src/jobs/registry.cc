#include "jobs/registry.h"

#include <array>

#include <fmt/format.h>

namespace lakepipe::jobs {
namespace {

Result<JobStats> RunClean(const JobOptions& o) {
  CleanJobOptions clean;
  clean.lake = o.lake;
  clean.table = o.table;
  clean.full_refresh = o.full_refresh;
  clean.since = o.since;
  clean.as_of = o.as_of;
  clean.max_buffer_bytes = o.max_buffer_bytes;
  clean.lock_wait = o.lock_wait;
  clean.iceberg = o.iceberg;
  return RunCleanJob(clean);
}

// An aggregate job of AggregateOptions::job `name`.
template <const std::string_view& name>
Result<JobStats> RunAggregate(const JobOptions& o) {
  AggregateOptions aggregate;
  aggregate.lake = o.lake;
  aggregate.table = o.table;
  aggregate.job = std::string(name);
  aggregate.full_refresh = o.full_refresh;
  aggregate.zscore_window_days = o.zscore_window_days;
  aggregate.zscore_threshold = o.zscore_threshold;
  aggregate.lock_wait = o.lock_wait;
  aggregate.iceberg = o.iceberg;
  return RunAggregateJob(aggregate);
}

constexpr std::string_view kAnalytics = "analytics";
constexpr std::string_view kDemographics = "demographics";
constexpr std::string_view kTimeseries = "timeseries";

constexpr std::array<Job, 4> kJobs = {{
    {"clean", &RunClean},
    {kAnalytics, &RunAggregate<kAnalytics>},
    {kDemographics, &RunAggregate<kDemographics>},
    {kTimeseries, &RunAggregate<kTimeseries>},
}};

}  // namespace

std::span<const Job> Jobs() { return kJobs; }

const Job* FindJob(std::string_view name) {
  for (const Job& job : kJobs) {
    if (job.name == name) return &job;
  }
  return nullptr;
}

std::string JobNames() {
  std::string names;
  for (const Job& job : kJobs) names += fmt::format("{}{}", names.empty() ? "" : ", ", job.name);
  return names;
}

}  // namespace lakepipe::jobs
