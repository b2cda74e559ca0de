// Measures how fast the generators fill record batches.
//
//   sources_benchmark [users|users-api|activity|all] [records] [batch rows]
//
// users-api: the users generator with the API's nested shape.
//
// Defaults: all, 1000000 records, 10000 rows per batch. Prints wall time,
// the thread's CPU time (steadier on a busy host) and records per second.

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "sources/source.h"

namespace lakepipe {
namespace {

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

int Run(const std::string& name, size_t records, size_t batch_rows) {
  SourceOptions options;
  options.seed = 1;
  const bool api = name == "users-api";
  if (api) options.shape = UserShape::kApi;
  Result<std::unique_ptr<Source>> source = OpenSource(api ? "users" : name, options);
  if (!source.ok()) {
    fmt::print(stderr, "{}\n", source.status().ToString());
    return 1;
  }
  RecordBatch batch((*source)->schema());
  size_t done = 0;
  uint64_t bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = ThreadCpuSeconds();
  while (done < records) {
    Result<bool> more = (*source)->Next(&batch, std::min(batch_rows, records - done));
    if (!more.ok()) {
      fmt::print(stderr, "{}\n", more.status().ToString());
      return 1;
    }
    done += batch.num_rows();
    bytes += batch.ByteSize();
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = ThreadCpuSeconds() - cpu_start;
  fmt::print(
      "{:<9} {:>9} records  wall {:6.3f} s  cpu {:6.3f} s  {:6.2f} M records/s (cpu)  "
      "{:6.1f} MB/s  {:.0f} B/record\n",
      name, done, wall, cpu, static_cast<double>(done) / cpu / 1e6,
      static_cast<double>(bytes) / cpu / 1e6, static_cast<double>(bytes) / done);
  return 0;
}

}  // namespace
}  // namespace lakepipe

int main(int argc, char** argv) {
  const std::string which = argc > 1 ? argv[1] : "all";
  const size_t records = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000;
  const size_t batch_rows = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 10000;
  int rc = 0;
  if (which == "users" || which == "all") rc |= lakepipe::Run("users", records, batch_rows);
  if (which == "users-api" || which == "all") rc |= lakepipe::Run("users-api", records, batch_rows);
  if (which == "activity" || which == "all") rc |= lakepipe::Run("activity", records, batch_rows);
  return rc;
}
