#include "jobs/aggregate_jobs.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

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

// Hash maps and sets of strings that look up a string_view without
// building a string: rows only allocate for values not seen before.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;
using StringSet = std::unordered_set<std::string, StringHash, std::equal_to<>>;

template <typename V>
V& Slot(StringMap<V>& m, std::string_view k) {
  auto it = m.find(k);
  if (it == m.end()) it = m.emplace(std::string(k), V()).first;
  return it->second;
}

void InsertOnce(StringSet& s, std::string_view k) {
  if (s.find(k) == s.end()) s.emplace(k);
}

// A nullable value as a map key: "\1" + the value, "" for null.
std::string_view KeyText(const Column& c, size_t i, std::string* buf) {
  if (c.IsNull(i)) return {};
  buf->assign(1, '\1');
  buf->append(c.GetBytes(i));
  return *buf;
}

Key FromKeyText(std::string_view k) {
  if (k.empty()) return std::nullopt;
  return std::string(k.substr(1));
}

// Counts by a nullable column value.
class GroupCounts {
 public:
  void Add(const Column& c, size_t i, uint64_t n = 1) { Slot(counts_, KeyText(c, i, &buf_)) += n; }
  std::map<Key, uint64_t> ToMap() const {
    std::map<Key, uint64_t> out;
    for (const auto& [k, n] : counts_) out[FromKeyText(k)] = n;
    return out;
  }

 private:
  StringMap<uint64_t> counts_;
  std::string buf_;
};

void AppendKey(Column* c, const Key& k) {
  if (k) {
    c->AppendBytes(*k);
  } else {
    c->AppendNull();
  }
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
      ProjectColumns(*rules.clean_schema(), {"gender", "email_domain", "age_group"});
  GroupCounts genders, domains, ages;
  uint64_t total = 0;
  LP_RETURN_IF_ERROR(ScanTable(lake, "users/clean/parquet", schema, [&](const RecordBatch& b) {
    for (size_t i = 0; i < b.num_rows(); ++i) {
      genders.Add(b.column(0), i);
      domains.Add(b.column(1), i);
      ages.Add(b.column(2), i);
    }
    total += b.num_rows();
    return Status::OK();
  }));
  *rows = total;
  std::vector<Metric> out;
  out.push_back(Distribution("gender_distribution", "gender", genders.ToMap(), total));
  out.push_back(Distribution("email_domains", "email_domain", domains.ToMap(), total, {},
                             static_cast<size_t>(o.top_email_domains), true));
  std::vector<std::string> order;
  for (int age : {0, 18, 25, 35, 45, 55, 65}) order.emplace_back(AgeGroup(age));
  out.push_back(Distribution("age_groups", "age_group", ages.ToMap(), total, order));
  return out;
}

Result<std::vector<Metric>> Demographics(const Lake& lake, const CleanRules& rules,
                                         uint64_t* rows) {
  const SchemaPtr schema = ProjectColumns(*rules.clean_schema(), {"country", "state"});
  StringMap<GroupCounts> by_country;  // country key -> counts by state
  GroupCounts country_counts;
  uint64_t total = 0;
  std::string buf;
  LP_RETURN_IF_ERROR(ScanTable(lake, "users/clean/parquet", schema, [&](const RecordBatch& b) {
    for (size_t i = 0; i < b.num_rows(); ++i) {
      country_counts.Add(b.column(0), i);
      Slot(by_country, KeyText(b.column(0), i, &buf)).Add(b.column(1), i);
    }
    total += b.num_rows();
    return Status::OK();
  }));
  *rows = total;
  std::map<Key, uint64_t> countries = country_counts.ToMap();
  std::map<std::pair<Key, Key>, uint64_t> states;
  for (const auto& [country, counts] : by_country) {
    for (const auto& [state, n] : counts.ToMap()) states[{FromKeyText(country), state}] = n;
  }
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

// Appends to `m` (columns: the series' key columns filled by `key`, then
// count, moving_avg, zscore, anomaly at `first_stat`) one row per step from
// the first key of `counts` to the last, zero-filled.
void AppendSeries(const std::map<int64_t, uint64_t>& counts, int64_t step,
                  const AggregateOptions& o, Metric* m, size_t first_stat,
                  const std::function<void(int64_t)>& key) {
  if (counts.empty()) return;
  std::vector<double> x;
  const int64_t first = counts.begin()->first, last = counts.rbegin()->first;
  for (int64_t t = first; t <= last; t += step) {
    auto it = counts.find(t);
    x.push_back(it == counts.end() ? 0.0 : static_cast<double>(it->second));
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
    key(first + static_cast<int64_t>(i) * step);
    m->rows.column(first_stat).AppendInt64(static_cast<int64_t>(x[i]));
    m->rows.column(first_stat + 1).AppendDouble(sum / static_cast<double>(i - from + 1));
    if (z) {
      m->rows.column(first_stat + 2).AppendDouble(*z);
    } else {
      m->rows.column(first_stat + 2).AppendNull();
    }
    m->rows.column(first_stat + 3).AppendBool(z && std::fabs(*z) >= o.zscore_threshold);
    m->rows.CommitRow();
  }
}

std::vector<Field> SeriesFields(std::vector<Field> keys, const std::string& count) {
  keys.push_back(TableField(count, Type::kLong));
  keys.push_back(TableField("moving_avg", Type::kDouble));
  keys.push_back(TableField("zscore", Type::kDouble, LogicalType::kNone, true));
  keys.push_back(TableField("anomaly", Type::kBoolean));
  return keys;
}

Result<std::vector<Metric>> TimeSeries(const Lake& lake, const CleanRules& rules,
                                       const AggregateOptions& o, uint64_t* rows) {
  const SchemaPtr schema = ProjectColumns(*rules.clean_schema(), {"registration_date"});
  std::map<int64_t, uint64_t> days;
  uint64_t total = 0;
  LP_RETURN_IF_ERROR(ScanTable(lake, "users/clean/parquet", schema, [&](const RecordBatch& b) {
    for (size_t i = 0; i < b.num_rows(); ++i) ++days[b.column(0).GetInt32(i)];
    total += b.num_rows();
    return Status::OK();
  }));
  *rows = total;
  Metric m{"registrations_daily",
           RecordBatch(MakeSchema("registrations_daily",
                                  SeriesFields({TableField("date", Type::kInt, LogicalType::kDate)},
                                               "registrations")))};
  AppendSeries(days, 1, o, &m, 1,
               [&](int64_t d) { m.rows.column(0).AppendInt32(static_cast<int32_t>(d)); });
  std::vector<Metric> out;
  out.push_back(std::move(m));
  return out;
}

// ----------------------------------------------------------- user_activity

constexpr int64_t kMillisPerHour = 3600000;
constexpr int64_t kMillisPerDay = 24 * kMillisPerHour;

// The event types, in the order of TypeIndex().
const std::array<std::string_view, 4> kEventTypes = {"page_view", "add_to_cart", "remove_from_cart",
                                                     "purchase"};

int TypeIndex(std::string_view type) {
  if (type == "page_view") return 0;
  if (type == "add_to_cart") return 1;
  if (type == "remove_from_cart") return 2;
  return 3;
}

Result<std::vector<Metric>> ActivityAnalytics(const Lake& lake, const CleanRules& rules,
                                              uint64_t* rows) {
  const SchemaPtr schema = ProjectColumns(
      *rules.clean_schema(),
      {"event_time", "event_type", "user_id", "session_id", "product_id", "quantity", "revenue"});
  std::map<std::pair<int64_t, int>, uint64_t> daily, hourly;  // (day|hour, type) -> events
  // Per day: its users, and its sessions with the funnel stages they reached.
  struct Day {
    StringSet users;
    StringMap<uint8_t> sessions;
  };
  std::map<int64_t, Day> days;
  struct Sales {
    uint64_t purchases = 0, units = 0;
    double revenue = 0;
  };
  std::map<int64_t, Sales> revenue_daily;
  StringMap<Sales> by_product;
  uint64_t total = 0;
  int64_t last_day = INT64_MIN;
  Day* today = nullptr;
  LP_RETURN_IF_ERROR(
      ScanTable(lake, "user_activity/clean/parquet", schema, [&](const RecordBatch& b) {
        for (size_t i = 0; i < b.num_rows(); ++i) {
          const int64_t t = b.column(0).GetInt64(i);
          const int64_t day = FloorDiv(t, kMillisPerDay), hour = FloorDiv(t, kMillisPerHour);
          const int type = TypeIndex(b.column(1).GetBytes(i));
          ++daily[{day, type}];
          ++hourly[{hour, type}];
          if (day != last_day) {
            today = &days[day];
            last_day = day;
          }
          InsertOnce(today->users, b.column(2).GetBytes(i));
          // Stages: bit 0 page view, 1 add to cart, 2 purchase.
          Slot(today->sessions, b.column(3).GetBytes(i)) |=
              type == 2 ? 0 : static_cast<uint8_t>(1 << (type == 3 ? 2 : type));
          if (type == 3) {
            const double r = b.column(6).GetDouble(i);
            const uint64_t q = static_cast<uint64_t>(b.column(5).GetInt32(i));
            Sales& d = revenue_daily[day];
            ++d.purchases;
            d.units += q;
            d.revenue += r;
            Sales& p = Slot(by_product, b.column(4).GetBytes(i));
            ++p.purchases;
            p.units += q;
            p.revenue += r;
          }
        }
        total += b.num_rows();
        return Status::OK();
      }));
  *rows = total;
  const auto& types = kEventTypes;
  std::vector<Metric> out;
  {
    Metric m{"events_by_type_daily",
             RecordBatch(MakeSchema(
                 "events_by_type_daily",
                 {TableField("event_date", Type::kInt, LogicalType::kDate),
                  TableField("event_type", Type::kString), TableField("events", Type::kLong)}))};
    for (const auto& [k, n] : daily) {
      m.rows.column(0).AppendInt32(static_cast<int32_t>(k.first));
      m.rows.column(1).AppendBytes(types[static_cast<size_t>(k.second)]);
      m.rows.column(2).AppendInt64(static_cast<int64_t>(n));
      m.rows.CommitRow();
    }
    out.push_back(std::move(m));
  }
  {
    Metric m{"events_by_type_hourly",
             RecordBatch(MakeSchema(
                 "events_by_type_hourly",
                 {TableField("event_date", Type::kInt, LogicalType::kDate),
                  TableField("hour", Type::kInt), TableField("event_type", Type::kString),
                  TableField("events", Type::kLong)}))};
    for (const auto& [k, n] : hourly) {
      m.rows.column(0).AppendInt32(static_cast<int32_t>(FloorDiv(k.first, 24)));
      m.rows.column(1).AppendInt32(static_cast<int32_t>(FloorMod(k.first, 24)));
      m.rows.column(2).AppendBytes(types[static_cast<size_t>(k.second)]);
      m.rows.column(3).AppendInt64(static_cast<int64_t>(n));
      m.rows.CommitRow();
    }
    out.push_back(std::move(m));
  }
  {
    Metric m{"users_sessions_daily",
             RecordBatch(MakeSchema(
                 "users_sessions_daily",
                 {TableField("event_date", Type::kInt, LogicalType::kDate),
                  TableField("unique_users", Type::kLong), TableField("sessions", Type::kLong)}))};
    for (const auto& [day, d] : days) {
      m.rows.column(0).AppendInt32(static_cast<int32_t>(day));
      m.rows.column(1).AppendInt64(static_cast<int64_t>(d.users.size()));
      m.rows.column(2).AppendInt64(static_cast<int64_t>(d.sessions.size()));
      m.rows.CommitRow();
    }
    out.push_back(std::move(m));
  }
  {
    Metric m{"funnel_daily",
             RecordBatch(MakeSchema(
                 "funnel_daily",
                 {TableField("event_date", Type::kInt, LogicalType::kDate),
                  TableField("page_view_sessions", Type::kLong),
                  TableField("add_to_cart_sessions", Type::kLong),
                  TableField("purchase_sessions", Type::kLong),
                  TableField("view_to_cart", Type::kDouble, LogicalType::kNone, true),
                  TableField("cart_to_purchase", Type::kDouble, LogicalType::kNone, true),
                  TableField("view_to_purchase", Type::kDouble, LogicalType::kNone, true)}))};
    auto ratio = [&](size_t col, uint64_t a, uint64_t b) {
      if (b == 0) {
        m.rows.column(col).AppendNull();
      } else {
        m.rows.column(col).AppendDouble(static_cast<double>(a) / static_cast<double>(b));
      }
    };
    for (const auto& [day, d] : days) {
      uint64_t stage[3] = {0, 0, 0};
      for (const auto& [id, bits] : d.sessions) {
        for (int s2 = 0; s2 < 3; ++s2) stage[s2] += (bits >> s2) & 1;
      }
      m.rows.column(0).AppendInt32(static_cast<int32_t>(day));
      for (size_t c = 0; c < 3; ++c)
        m.rows.column(1 + c).AppendInt64(static_cast<int64_t>(stage[c]));
      ratio(4, stage[1], stage[0]);
      ratio(5, stage[2], stage[1]);
      ratio(6, stage[2], stage[0]);
      m.rows.CommitRow();
    }
    out.push_back(std::move(m));
  }
  auto sales_fields = [](Field key) {
    return std::vector<Field>{std::move(key), TableField("purchases", Type::kLong),
                              TableField("units", Type::kLong),
                              TableField("revenue", Type::kDouble)};
  };
  auto append_sales = [](Metric* m, const Sales& s) {
    m->rows.column(1).AppendInt64(static_cast<int64_t>(s.purchases));
    m->rows.column(2).AppendInt64(static_cast<int64_t>(s.units));
    m->rows.column(3).AppendDouble(s.revenue);
    m->rows.CommitRow();
  };
  {
    Metric m{"revenue_daily", RecordBatch(MakeSchema(
                                  "revenue_daily", sales_fields(TableField("event_date", Type::kInt,
                                                                           LogicalType::kDate))))};
    for (const auto& [day, sales] : revenue_daily) {
      m.rows.column(0).AppendInt32(static_cast<int32_t>(day));
      append_sales(&m, sales);
    }
    out.push_back(std::move(m));
  }
  {
    Metric m{"revenue_by_product",
             RecordBatch(MakeSchema("revenue_by_product",
                                    sales_fields(TableField("product_id", Type::kString))))};
    std::vector<std::pair<std::string, Sales>> sorted(by_product.begin(), by_product.end());
    std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
      return a.second.revenue != b.second.revenue ? a.second.revenue > b.second.revenue
                                                  : a.first < b.first;
    });
    for (const auto& [product, sales] : sorted) {
      m.rows.column(0).AppendBytes(product);
      append_sales(&m, sales);
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<Metric>> ActivityDemographics(const Lake& lake, const CleanRules& rules,
                                                 uint64_t* rows) {
  const SchemaPtr schema = ProjectColumns(*rules.clean_schema(), {"country", "user_id"});
  GroupCounts events;
  StringMap<StringSet> users;  // country key -> its users
  StringSet all_users;
  uint64_t total = 0;
  std::string buf;
  LP_RETURN_IF_ERROR(
      ScanTable(lake, "user_activity/clean/parquet", schema, [&](const RecordBatch& b) {
        for (size_t i = 0; i < b.num_rows(); ++i) {
          events.Add(b.column(0), i);
          InsertOnce(Slot(users, KeyText(b.column(0), i, &buf)), b.column(1).GetBytes(i));
          InsertOnce(all_users, b.column(1).GetBytes(i));
        }
        total += b.num_rows();
        return Status::OK();
      }));
  *rows = total;
  std::map<Key, uint64_t> user_counts;
  for (const auto& [country, set] : users) user_counts[FromKeyText(country)] = set.size();
  std::vector<Metric> out;
  out.push_back(Distribution("events_by_country", "country", events.ToMap(), total));
  Metric m = Distribution("users_by_country", "country", user_counts, all_users.size());
  out.push_back(std::move(m));
  return out;
}

Result<std::vector<Metric>> ActivityTimeSeries(const Lake& lake, const CleanRules& rules,
                                               const AggregateOptions& o, uint64_t* rows) {
  const SchemaPtr schema = ProjectColumns(*rules.clean_schema(), {"event_time", "event_type"});
  std::vector<std::map<int64_t, uint64_t>> hourly(4), daily(4);
  uint64_t total = 0;
  LP_RETURN_IF_ERROR(
      ScanTable(lake, "user_activity/clean/parquet", schema, [&](const RecordBatch& b) {
        for (size_t i = 0; i < b.num_rows(); ++i) {
          const int64_t t = b.column(0).GetInt64(i);
          const int type = TypeIndex(b.column(1).GetBytes(i));
          ++hourly[static_cast<size_t>(type)][FloorDiv(t, kMillisPerHour)];
          ++daily[static_cast<size_t>(type)][FloorDiv(t, kMillisPerDay)];
        }
        total += b.num_rows();
        return Status::OK();
      }));
  *rows = total;
  const auto& types = kEventTypes;
  std::vector<Metric> out;
  for (const bool is_hourly : {true, false}) {
    const std::string name = is_hourly ? "events_hourly" : "events_daily";
    Metric m{name,
             RecordBatch(MakeSchema(
                 name,
                 SeriesFields({is_hourly ? TableField("hour_start", Type::kLong,
                                                      LogicalType::kTimestampMillis)
                                         : TableField("event_date", Type::kInt, LogicalType::kDate),
                               TableField("event_type", Type::kString)},
                              "events")))};
    const auto& series = is_hourly ? hourly : daily;
    // Every type over the same span, so that series line up.
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const auto& s2 : series) {
      if (s2.empty()) continue;
      lo = std::min(lo, s2.begin()->first);
      hi = std::max(hi, s2.rbegin()->first);
    }
    for (size_t type = 0; type < series.size() && lo <= hi; ++type) {
      std::map<int64_t, uint64_t> counts = series[type];
      counts.try_emplace(lo, 0);
      counts.try_emplace(hi, 0);
      AppendSeries(counts, 1, o, &m, 2, [&](int64_t k) {
        if (is_hourly) {
          m.rows.column(0).AppendInt64(k * kMillisPerHour);
        } else {
          m.rows.column(0).AppendInt32(static_cast<int32_t>(k));
        }
        m.rows.column(1).AppendBytes(types[type]);
      });
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

Result<JobStats> RunAggregateJob(const AggregateOptions& o) {
  ReuseFreedMemory();
  const auto start = std::chrono::steady_clock::now();
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
  const bool users = o.table == "users";
  Result<std::vector<Metric>> metrics =
      o.job == "analytics"      ? (users ? Analytics(lake, *rules, o, &stats.records_in)
                                         : ActivityAnalytics(lake, *rules, &stats.records_in))
      : o.job == "demographics" ? (users ? Demographics(lake, *rules, &stats.records_in)
                                         : ActivityDemographics(lake, *rules, &stats.records_in))
                                : (users ? TimeSeries(lake, *rules, o, &stats.records_in)
                                         : ActivityTimeSeries(lake, *rules, o, &stats.records_in));
  LP_RETURN_IF_ERROR(metrics.status());
  std::string inputs;
  for (const auto& [p, size] : now.files) inputs += fmt::format("{}\n{}\n", p, size);
  const std::string tag = NameTag(inputs);
  for (const Metric& m : *metrics) {
    const std::string dir = fmt::format("{}/{}/parquet/{}", o.table, o.job, m.name);
    const std::string path = lake.Path(fmt::format("{}/part-{}.parquet", dir, tag));
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
  LP_RETURN_IF_ERROR(lake.DeleteInterruptedWrites(fmt::format("{}/{}/parquet", o.table, o.job)));
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace lakepipe::jobs
