// The aggregate jobs' incremental runs against full refreshes, on a local
// lake of hand-written raw users: units (registration_year= partitions)
// added after a gap, and removed. (tests/interop/transform.test.mjs checks
// every metric's values with DuckDB.)
#include "jobs/aggregate_jobs.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "core/time_util.h"
#include "formats/open.h"
#include "jobs/clean_job.h"

namespace lakepipe::jobs {
namespace {

namespace fs = std::filesystem;

// A raw user with id `n`, registered on day `registered_day` (since the
// epoch).
std::string UserRegisteredOn(int n, int64_t registered_day) {
  const int64_t registered = registered_day * 86400000;
  const int64_t dob = DaysFromCivil(1990, 1, 1) * 86400000;
  return fmt::format(
      R"({{"id":"00000000-0000-4000-8000-{:012d}","first_name":"F","last_name":"L",)"
      R"("gender":"{}","address":"1 Main St","post_code":"1","email":"u{}@example.org",)"
      R"("username":"u","dob":{},"registered_date":{},"phone":"1","picture":"p","city":"C",)"
      R"("state":"S","country":"{}","nat":"NO"}})",
      n, n % 2 ? "male" : "female", n, dob, registered, n % 3 ? "Norway" : "Spain");
}

std::string UserLine(int n, int year, int day_of_month) {
  return UserRegisteredOn(n, DaysFromCivil(year, 3, day_of_month));
}

class AggregateJobsTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = ::lakepipe::testing::MakeTempDir("aggregate"); }

  std::string Lake(const std::string& name) { return root_ + "/" + name; }

  // Raw users registered in `year`, `n` of them from id `first`.
  void WriteRaw(const std::string& lake, const std::string& name, int first, int n, int year) {
    const fs::path p = fs::path(lake) / "users/raw/jsonl/event_date=2026-06-01/hour=10" / name;
    fs::create_directories(p.parent_path());
    std::ofstream out(p);
    for (int i = first; i < first + n; ++i) out << UserLine(i, year, 1 + i % 20) << "\n";
  }

  // Raw users registered on the days of `per_day` (day since the epoch ->
  // how many), ids from `first`.
  void WriteRawDays(const std::string& lake, const std::string& name, int first,
                    const std::map<int64_t, int>& per_day) {
    const fs::path p = fs::path(lake) / "users/raw/jsonl/event_date=2026-06-01/hour=10" / name;
    fs::create_directories(p.parent_path());
    std::ofstream out(p);
    int n = first;
    for (const auto& [day, count] : per_day) {
      for (int i = 0; i < count; ++i) out << UserRegisteredOn(n++, day) << "\n";
    }
  }

  // clean (unless not `clean`), then the three aggregate jobs; returns what
  // each aggregate job read.
  std::vector<uint64_t> RunAll(const std::string& lake, bool full_refresh, bool clean = true) {
    CleanJobOptions c;
    c.lake = lake;
    c.full_refresh = full_refresh;
    c.as_of = static_cast<int32_t>(DaysFromCivil(2026, 6, 14));
    if (clean) {
      EXPECT_TRUE(RunCleanJob(c).ok());
    }
    std::vector<uint64_t> read;
    for (const char* job : {"analytics", "demographics", "timeseries"}) {
      AggregateOptions o;
      o.lake = lake;
      o.job = job;
      o.full_refresh = full_refresh;
      Result<JobStats> s = RunAggregateJob(o);
      EXPECT_TRUE(s.ok()) << s.status().ToString();
      read.push_back(s.ok() ? s->records_in : 0);
    }
    return read;
  }

  // Every metric file's rows as text, with the partition path, sorted.
  std::vector<std::string> Metrics(const std::string& lake) {
    std::vector<std::string> rows;
    for (const char* job : {"analytics", "demographics", "timeseries"}) {
      const fs::path dir = fs::path(lake) / "users" / job / "parquet";
      for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file() || e.path().extension() != ".parquet") continue;
        const std::string where = fs::relative(e.path().parent_path(), fs::path(lake)).string();
        auto reader = OpenReader(e.path().string(), **FormatRegistry::Default().Find("parquet"),
                                 ReadOptions());
        EXPECT_TRUE(reader.ok()) << reader.status().ToString();
        RecordBatch b((*reader)->schema());
        for (bool more = true; more;) {
          more = (*reader)->ReadBatch(&b).ValueOr(false);
          for (size_t i = 0; i < b.num_rows(); ++i) {
            std::string row = where;
            for (size_t c = 0; c < b.num_columns(); ++c) {
              const Column& col = b.column(c);
              row += " ";
              if (col.IsNull(i)) {
                row += "null";
                continue;
              }
              switch (b.schema()->fields()[c].type) {
                case Type::kString:
                  row += col.GetBytes(i);
                  break;
                case Type::kInt:
                  row += std::to_string(col.GetInt32(i));
                  break;
                case Type::kLong:
                  row += std::to_string(col.GetInt64(i));
                  break;
                case Type::kDouble:
                  row += fmt::format("{:.12g}", col.GetDouble(i));
                  break;
                case Type::kBoolean:
                  row += col.GetBool(i) ? "true" : "false";
                  break;
                default:
                  row += "?";
              }
            }
            rows.push_back(row);
          }
        }
      }
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  // A copy of `lake` whose metrics are rebuilt with full refreshes (the
  // clean table too unless not `clean`).
  std::vector<std::string> FullRefreshOf(const std::string& lake, bool clean = true) {
    const std::string copy = lake + "-full";
    fs::remove_all(copy);
    fs::copy(lake, copy, fs::copy_options::recursive);
    RunAll(copy, true, clean);
    return Metrics(copy);
  }

  std::string root_;
};

TEST_F(AggregateJobsTest, YearsAddedAfterAGapEqualAFullRefresh) {
  const std::string lake = Lake("grow");
  WriteRaw(lake, "a.jsonl", 0, 40, 2015);
  EXPECT_EQ(RunAll(lake, false), (std::vector<uint64_t>{40, 40, 40}));
  // 2018: a gap of two years; the 2015 partition's series gains zero days.
  WriteRaw(lake, "b.jsonl", 100, 30, 2018);
  EXPECT_EQ(RunAll(lake, false), (std::vector<uint64_t>{30, 30, 30}))
      << "only the new year's rows are read";
  const std::vector<std::string> got = Metrics(lake);
  EXPECT_EQ(got, FullRefreshOf(lake));
  EXPECT_TRUE(fs::exists(fs::path(lake) /
                         "users/timeseries/parquet/registrations_daily/registration_year=2016"));
  // Nothing new: nothing read, nothing changed.
  EXPECT_EQ(RunAll(lake, false), (std::vector<uint64_t>{0, 0, 0}));
  EXPECT_EQ(Metrics(lake), got);
}

TEST_F(AggregateJobsTest, AYearRemovedEqualsAFullRefresh) {
  const std::string lake = Lake("shrink");
  WriteRaw(lake, "a.jsonl", 0, 40, 2015);
  WriteRaw(lake, "b.jsonl", 100, 30, 2017);
  RunAll(lake, false);
  // The last year's partition is deleted from the clean table (a retention
  // or erasure job, say): 2015 is unchanged, but the series must end with
  // its last registration again, and the gap year 2016 must go too.
  fs::remove_all(fs::path(lake) / "users/clean/parquet/registration_year=2017");
  EXPECT_EQ(RunAll(lake, false, false), (std::vector<uint64_t>{0, 0, 0}))
      << "2015 is not read again";
  const fs::path gap =
      fs::path(lake) / "users/timeseries/parquet/registrations_daily/registration_year=2016";
  EXPECT_TRUE(!fs::exists(gap) || fs::is_empty(gap)) << "the gap year's files are gone";
  EXPECT_EQ(Metrics(lake), FullRefreshOf(lake, false));
}

// registrations_daily's row of `day` as its columns' text: where, date,
// registrations, moving_avg, zscore, anomaly, partial (empty: no row).
std::vector<std::string> SeriesRow(const std::vector<std::string>& rows, int64_t day) {
  for (const std::string& row : rows) {
    if (row.find("/registrations_daily/") == std::string::npos) continue;
    std::vector<std::string> cols;
    for (size_t at = 0; at <= row.size();) {
      const size_t end = std::min(row.find(' ', at), row.size());
      cols.push_back(row.substr(at, end - at));
      at = end + 1;
    }
    if (cols.size() < 2 || cols[1] != std::to_string(day)) continue;
    cols.resize(7, "(no such column)");
    return cols;
  }
  return {};
}

TEST_F(AggregateJobsTest, TheNewestDayIsPartialAndNeverAnAnomaly) {
  const std::string lake = Lake("partial");
  const int64_t first = DaysFromCivil(2025, 1, 1);
  // 40 days of 9 or 11 registrations, then a day with one so far.
  std::map<int64_t, int> days;
  for (int64_t d = 0; d < 40; ++d) days[first + d] = d % 2 ? 11 : 9;
  const int64_t newest = first + 40;
  days[newest] = 1;
  WriteRawDays(lake, "a.jsonl", 0, days);
  RunAll(lake, false);
  std::vector<std::string> rows = Metrics(lake);
  std::vector<std::string> last = SeriesRow(rows, newest);
  ASSERT_EQ(last.size(), 7u) << "no row for the newest day";
  EXPECT_EQ(last[2], "1");
  EXPECT_LE(std::stod(last[4]), -3.0) << "its z-score alone would flag it";
  EXPECT_EQ(last[5], "false") << "anomaly";
  EXPECT_EQ(last[6], "true") << "partial";
  for (int64_t d = 0; d < 40; ++d) {
    const std::vector<std::string> row = SeriesRow(rows, first + d);
    ASSERT_EQ(row.size(), 7u) << "day " << d;
    EXPECT_EQ(row[6], "false") << "day " << d << " is complete";
  }

  // A later day arrives: the day before is complete now, and its low count
  // an anomaly; the new day is the partial one.
  WriteRawDays(lake, "b.jsonl", 1000, {{newest + 1, 10}});
  RunAll(lake, false);
  rows = Metrics(lake);
  last = SeriesRow(rows, newest);
  ASSERT_EQ(last.size(), 7u);
  EXPECT_EQ(last[5], "true") << "anomaly";
  EXPECT_EQ(last[6], "false") << "partial";
  const std::vector<std::string> next = SeriesRow(rows, newest + 1);
  ASSERT_EQ(next.size(), 7u);
  EXPECT_EQ(next[5], "false");
  EXPECT_EQ(next[6], "true");
  EXPECT_EQ(rows, FullRefreshOf(lake));
}

}  // namespace
}  // namespace lakepipe::jobs
