#include "jobs/aggregate_jobs.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "core/time_util.h"
#include "jobs/clean_rules.h"
#include "jobs/lake.h"

namespace lakepipe::jobs {
namespace {

using Key = std::optional<std::string>;  // a group value; nullopt for null

struct Metric {
  std::string name;
  RecordBatch rows;
};

SchemaPtr MakeSchema(const std::string& name, std::vector<Field> fields) {
  return std::make_shared<const Schema>(name, std::move(fields), "lakepipe.jobs");
}

Key KeyAt(const Column& c, size_t i) {
  if (c.IsNull(i)) return std::nullopt;
  return std::string(c.GetBytes(i));
}

void AppendKey(Column* c, const Key& k) {
  if (k) {
    c->AppendBytes(*k);
  } else {
    c->AppendNull();
  }
}

// The clean columns named, as a projection schema.
SchemaPtr Projection(const Schema& clean, const std::vector<std::string>& names) {
  std::vector<Field> fields;
  for (const std::string& n : names) fields.push_back(clean.field(clean.FieldIndex(n)));
  return MakeSchema("Projection", std::move(fields));
}

// "<key> users share" for each group, largest first (ties by key).
Metric Distribution(const std::string& name, const std::string& column,
                    const std::map<Key, uint64_t>& counts, uint64_t total,
                    const std::vector<std::string>& order = {}, size_t limit = SIZE_MAX,
                    bool ranked = false) {
  std::vector<std::pair<Key, uint64_t>> groups(counts.begin(), counts.end());
  if (order.empty()) {
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
  } else {
    auto pos = [&](const Key& k) {
      return k ? std::find(order.begin(), order.end(), *k) - order.begin()
               : static_cast<std::ptrdiff_t>(order.size());
    };
    std::sort(groups.begin(), groups.end(),
              [&](const auto& a, const auto& b) { return pos(a.first) < pos(b.first); });
  }
  std::vector<Field> fields;
  if (ranked) fields.push_back(TableField("rank", Type::kInt));
  fields.push_back(TableField(column, Type::kString, LogicalType::kNone, true));
  fields.push_back(TableField("users", Type::kLong));
  fields.push_back(TableField("share", Type::kDouble));
  Metric m{name, RecordBatch(MakeSchema(name, std::move(fields)))};
  for (size_t i = 0; i < groups.size() && i < limit; ++i) {
    size_t c = 0;
    if (ranked) m.rows.column(c++).AppendInt32(static_cast<int32_t>(i + 1));
    AppendKey(&m.rows.column(c++), groups[i].first);
    m.rows.column(c++).AppendInt64(static_cast<int64_t>(groups[i].second));
    m.rows.column(c++).AppendDouble(static_cast<double>(groups[i].second) /
                                    static_cast<double>(total));
    m.rows.CommitRow();
  }
  return m;
}

Result<std::vector<Metric>> Analytics(const Lake& lake, const CleanRules& rules,
                                      const AggregateOptions& o, uint64_t* rows) {
  const SchemaPtr schema =
      Projection(*rules.clean_schema(), {"gender", "email_domain", "age_group"});
  std::map<Key, uint64_t> genders, domains, ages;
  uint64_t total = 0;
  LP_RETURN_IF_ERROR(ScanTable(lake, "users/clean/parquet", schema, [&](const RecordBatch& b) {
    for (size_t i = 0; i < b.num_rows(); ++i) {
      ++genders[KeyAt(b.column(0), i)];
      ++domains[KeyAt(b.column(1), i)];
      ++ages[KeyAt(b.column(2), i)];
    }
    total += b.num_rows();
    return Status::OK();
  }));
  *rows = total;
  std::vector<Metric> out;
  out.push_back(Distribution("gender_distribution", "gender", genders, total));
  out.push_back(Distribution("email_domains", "email_domain", domains, total, {},
                             static_cast<size_t>(o.top_email_domains), true));
  std::vector<std::string> order;
  for (int age : {0, 18, 25, 35, 45, 55, 65}) order.emplace_back(AgeGroup(age));
  out.push_back(Distribution("age_groups", "age_group", ages, total, order));
  return out;
}

Result<std::vector<Metric>> Demographics(const Lake& lake, const CleanRules& rules,
                                         uint64_t* rows) {
  const SchemaPtr schema = Projection(*rules.clean_schema(), {"country", "state"});
  std::map<Key, uint64_t> countries;
  std::map<std::pair<Key, Key>, uint64_t> states;
  uint64_t total = 0;
  LP_RETURN_IF_ERROR(ScanTable(lake, "users/clean/parquet", schema, [&](const RecordBatch& b) {
    for (size_t i = 0; i < b.num_rows(); ++i) {
      const Key country = KeyAt(b.column(0), i);
      ++countries[country];
      ++states[{country, KeyAt(b.column(1), i)}];
    }
    total += b.num_rows();
    return Status::OK();
  }));
  *rows = total;
  std::vector<Metric> out;
  out.push_back(Distribution("users_by_country", "country", countries, total));
  Metric m{"users_by_country_state",
           RecordBatch(MakeSchema(
               "users_by_country_state",
               {TableField("country", Type::kString, LogicalType::kNone, true),
                TableField("state", Type::kString, LogicalType::kNone, true),
                TableField("users", Type::kLong), TableField("share_of_country", Type::kDouble),
                TableField("share", Type::kDouble)}))};
  std::vector<std::pair<std::pair<Key, Key>, uint64_t>> sorted(states.begin(), states.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [key, n] : sorted) {
    AppendKey(&m.rows.column(0), key.first);
    AppendKey(&m.rows.column(1), key.second);
    m.rows.column(2).AppendInt64(static_cast<int64_t>(n));
    m.rows.column(3).AppendDouble(static_cast<double>(n) /
                                  static_cast<double>(countries[key.first]));
    m.rows.column(4).AppendDouble(static_cast<double>(n) / static_cast<double>(total));
    m.rows.CommitRow();
  }
  out.push_back(std::move(m));
  return out;
}

Result<std::vector<Metric>> TimeSeries(const Lake& lake, const CleanRules& rules,
                                       const AggregateOptions& o, uint64_t* rows) {
  const SchemaPtr schema = Projection(*rules.clean_schema(), {"registration_date"});
  std::map<int32_t, uint64_t> days;
  uint64_t total = 0;
  LP_RETURN_IF_ERROR(ScanTable(lake, "users/clean/parquet", schema, [&](const RecordBatch& b) {
    for (size_t i = 0; i < b.num_rows(); ++i) ++days[b.column(0).GetInt32(i)];
    total += b.num_rows();
    return Status::OK();
  }));
  *rows = total;
  Metric m{"registrations_daily",
           RecordBatch(MakeSchema(
               "registrations_daily",
               {TableField("date", Type::kInt, LogicalType::kDate),
                TableField("registrations", Type::kLong), TableField("moving_avg", Type::kDouble),
                TableField("zscore", Type::kDouble, LogicalType::kNone, true),
                TableField("anomaly", Type::kBoolean)}))};
  if (!days.empty()) {
    std::vector<double> x;
    const int32_t first = days.begin()->first, last = days.rbegin()->first;
    for (int32_t d = first; d <= last; ++d) {
      auto it = days.find(d);
      x.push_back(it == days.end() ? 0.0 : static_cast<double>(it->second));
    }
    const size_t ma = static_cast<size_t>(std::max(1, o.moving_average_days));
    const size_t w = static_cast<size_t>(std::max(2, o.zscore_window_days));
    for (size_t i = 0; i < x.size(); ++i) {
      const size_t from = i + 1 >= ma ? i + 1 - ma : 0;
      double sum = 0;
      for (size_t j = from; j <= i; ++j) sum += x[j];
      std::optional<double> z;
      if (i >= w) {
        double mean = 0;
        for (size_t j = i - w; j < i; ++j) mean += x[j];
        mean /= static_cast<double>(w);
        double var = 0;
        for (size_t j = i - w; j < i; ++j) var += (x[j] - mean) * (x[j] - mean);
        const double sd = std::sqrt(var / static_cast<double>(w));
        if (sd > 0) z = (x[i] - mean) / sd;
      }
      m.rows.column(0).AppendInt32(first + static_cast<int32_t>(i));
      m.rows.column(1).AppendInt64(static_cast<int64_t>(x[i]));
      m.rows.column(2).AppendDouble(sum / static_cast<double>(i - from + 1));
      if (z) {
        m.rows.column(3).AppendDouble(*z);
      } else {
        m.rows.column(3).AppendNull();
      }
      m.rows.column(4).AppendBool(z && std::fabs(*z) >= o.zscore_threshold);
      m.rows.CommitRow();
    }
  }
  std::vector<Metric> out;
  out.push_back(std::move(m));
  return out;
}

}  // namespace

Result<JobStats> RunAggregateJob(const AggregateOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (o.table != "users") {
    return InvalidArgumentError("--job {} is not available for table '{}' yet (tables: users)",
                                o.job, o.table);
  }
  if (o.job != "analytics" && o.job != "demographics" && o.job != "timeseries") {
    return InvalidArgumentError("unknown aggregate job '{}' (analytics, demographics, timeseries)",
                                o.job);
  }
  LP_ASSIGN_OR_RETURN(Lake lake, Lake::Open(o.lake));
  JobStats stats;
  stats.table = o.table;
  stats.job = o.job;
  LP_ASSIGN_OR_RETURN(Bookmark bookmark, LoadBookmark(lake, o.table, o.job));
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> clean, lake.ListData(o.table + "/clean/parquet"));
  Bookmark now;
  for (const ObjectInfo& f : clean) now.files.emplace_back(lake.Relative(f.path), f.size);
  stats.raw_files = clean.size();
  if (!o.full_refresh && now.files == bookmark.files) {
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return stats;
  }
  stats.new_files = clean.size();
  LP_ASSIGN_OR_RETURN(std::unique_ptr<CleanRules> rules, NewCleanRules(o.table, 0));
  Result<std::vector<Metric>> metrics =
      o.job == "analytics"      ? Analytics(lake, *rules, o, &stats.records_in)
      : o.job == "demographics" ? Demographics(lake, *rules, &stats.records_in)
                                : TimeSeries(lake, *rules, o, &stats.records_in);
  LP_RETURN_IF_ERROR(metrics.status());
  uint64_t h = 1469598103934665603ull;  // a name from the inputs (FNV-1a)
  for (const auto& [p, size] : now.files) {
    for (char c : fmt::format("{}\n{}\n", p, size)) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
  }
  for (const Metric& m : *metrics) {
    const std::string dir = fmt::format("{}/{}/parquet/{}", o.table, o.job, m.name);
    const std::string path = lake.Path(fmt::format("{}/part-{:016x}.parquet", dir, h));
    LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> old, lake.ListData(dir));
    LP_ASSIGN_OR_RETURN(const uint64_t bytes, WriteTableFile(lake, path, m.rows));
    for (const ObjectInfo& f : old) {
      if (f.path != path) LP_RETURN_IF_ERROR(lake.store().Delete(f.path));
    }
    ++stats.partitions_written;
    ++stats.files_written;
    stats.bytes_written += bytes;
    stats.rows_written += m.rows.num_rows();
  }
  now.runs = bookmark.runs + 1;
  LP_RETURN_IF_ERROR(SaveBookmark(lake, o.table, o.job, now));
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace lakepipe::jobs
