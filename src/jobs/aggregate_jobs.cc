#include "jobs/aggregate_jobs.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <compare>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/lake_names.h"
#include "core/time_util.h"
#include "jobs/clean_rules.h"
#include "jobs/lake.h"
#include "jobs/table_lock.h"

namespace lakepipe::jobs {
namespace {

using Key = std::optional<std::string>;  // a group value; nullopt for null

// Which partitions of a metric a run rewrites, besides all of them on a
// full refresh.
enum class Rewrite {
  kWhole,    // one file, rewritten whenever the clean table changed
  kTouched,  // the partitions of the units that changed
  kFrom,     // the partitions from the first unit that changed on
};

// A metric's rows. With a `partition` (a column name), rows go to
// <metric>/<partition>=<value>/ by `values`, and that column is not in `rows`.
struct Metric {
  Metric(std::string n, RecordBatch r, std::string p = {}, Rewrite w = Rewrite::kWhole)
      : name(std::move(n)), rows(std::move(r)), partition(std::move(p)), rewrite(w) {}
  std::string name;
  RecordBatch rows;
  std::string partition;
  std::vector<std::string> values;  // per row: "<partition>=<value>"
  Rewrite rewrite;
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
  void Clear() { counts_.clear(); }

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

// ------------------------------------------------------- partial aggregates
//
// A unit is a top-level partition of the clean table (registration_year=,
// event_date=). Each job sums a unit's rows into a partial: rows of
// (part, k1, k2, t) -> (n, m, k, x), kept in the lake. A run reads only the
// units whose clean files changed, and builds its metrics from the sum of
// every unit's partial, which is small (groups, not rows).

struct PartKey {
  std::string part;  // what the row counts
  Key k1, k2;        // group values
  int64_t t = 0;     // a step: day or hour
  auto operator<=>(const PartKey&) const = default;
  bool operator==(const PartKey&) const = default;
};
struct Sums {
  uint64_t n = 0, m = 0, k = 0;
  double x = 0;
  void Add(const Sums& o) {
    n += o.n;
    m += o.m;
    k += o.k;
    x += o.x;
  }
};
using Partial = std::map<PartKey, Sums>;

SchemaPtr PartialSchema() {
  static const SchemaPtr schema = MakeSchema(
      "partial",
      {TableField("part", Type::kString), TableField("k1", Type::kString, LogicalType::kNone, true),
       TableField("k2", Type::kString, LogicalType::kNone, true), TableField("t", Type::kLong),
       TableField("n", Type::kLong), TableField("m", Type::kLong), TableField("k", Type::kLong),
       TableField("x", Type::kDouble)});
  return schema;
}

RecordBatch PartialRows(const Partial& p) {
  RecordBatch rows(PartialSchema());
  for (const auto& [key, s] : p) {
    rows.column(0).AppendBytes(key.part);
    AppendKey(&rows.column(1), key.k1);
    AppendKey(&rows.column(2), key.k2);
    rows.column(3).AppendInt64(key.t);
    rows.column(4).AppendInt64(static_cast<int64_t>(s.n));
    rows.column(5).AppendInt64(static_cast<int64_t>(s.m));
    rows.column(6).AppendInt64(static_cast<int64_t>(s.k));
    rows.column(7).AppendDouble(s.x);
    rows.CommitRow();
  }
  return rows;
}

void AddPartialRows(const RecordBatch& b, Partial* p) {
  auto key = [&](size_t c, size_t i) -> Key {
    if (b.column(c).IsNull(i)) return std::nullopt;
    return std::string(b.column(c).GetBytes(i));
  };
  for (size_t i = 0; i < b.num_rows(); ++i) {
    PartKey k{std::string(b.column(0).GetBytes(i)), key(1, i), key(2, i), b.column(3).GetInt64(i)};
    (*p)[std::move(k)].Add(Sums{static_cast<uint64_t>(b.column(4).GetInt64(i)),
                                static_cast<uint64_t>(b.column(5).GetInt64(i)),
                                static_cast<uint64_t>(b.column(6).GetInt64(i)),
                                b.column(7).GetDouble(i)});
  }
}

// The rows of `p` whose part is `part`.
template <typename Fn>
void ForPart(const Partial& p, const std::string& part, Fn fn) {
  for (auto it = p.lower_bound(PartKey{part, std::nullopt, std::nullopt, INT64_MIN});
       it != p.end() && it->first.part == part; ++it) {
    fn(it->first, it->second);
  }
}

// One job over one table: sums a unit's rows, then builds the metrics from
// the sum of all units' partials.
class Aggregator {
 public:
  virtual ~Aggregator() = default;
  // The clean table's columns the job reads, in the order Add() expects.
  virtual std::vector<std::string> columns() const = 0;
  virtual void Add(const RecordBatch& b) = 0;
  // The partial of the rows added since the last call.
  virtual Partial TakePartial() = 0;
  virtual std::vector<Metric> Build(const Partial& all, const AggregateOptions& o) const = 0;
};

std::string DatePartition(int64_t day) {
  return "event_date=" + FormatDate(static_cast<int32_t>(day));
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

// ------------------------------------------------------------------- users

class UsersAnalytics : public Aggregator {
 public:
  std::vector<std::string> columns() const override {
    return {"gender", "email_domain", "age_group"};
  }
  void Add(const RecordBatch& b) override {
    for (size_t i = 0; i < b.num_rows(); ++i) {
      genders_.Add(b.column(0), i);
      domains_.Add(b.column(1), i);
      ages_.Add(b.column(2), i);
    }
  }
  Partial TakePartial() override {
    Partial p;
    for (auto [part, counts] : {std::pair{"gender", &genders_}, std::pair{"domain", &domains_},
                                std::pair{"age_group", &ages_}}) {
      for (const auto& [k, n] : counts->ToMap()) p[{part, k, std::nullopt, 0}].n = n;
      counts->Clear();
    }
    return p;
  }
  std::vector<Metric> Build(const Partial& all, const AggregateOptions& o) const override {
    std::map<Key, uint64_t> genders, domains, ages;
    uint64_t total = 0;
    ForPart(all, "gender", [&](const PartKey& k, const Sums& s) {
      genders[k.k1] = s.n;
      total += s.n;
    });
    ForPart(all, "domain", [&](const PartKey& k, const Sums& s) { domains[k.k1] = s.n; });
    ForPart(all, "age_group", [&](const PartKey& k, const Sums& s) { ages[k.k1] = s.n; });
    std::vector<Metric> out;
    out.push_back(Distribution("gender_distribution", "gender", genders, total));
    out.push_back(Distribution("email_domains", "email_domain", domains, total, {},
                               static_cast<size_t>(o.top_email_domains), true));
    std::vector<std::string> order;
    for (int age : {0, 18, 25, 35, 45, 55, 65}) order.emplace_back(AgeGroup(age));
    out.push_back(Distribution("age_groups", "age_group", ages, total, order));
    return out;
  }

 private:
  GroupCounts genders_, domains_, ages_;
};

class UsersDemographics : public Aggregator {
 public:
  std::vector<std::string> columns() const override { return {"country", "state"}; }
  void Add(const RecordBatch& b) override {
    for (size_t i = 0; i < b.num_rows(); ++i) {
      Slot(by_country_, KeyText(b.column(0), i, &buf_)).Add(b.column(1), i);
    }
  }
  Partial TakePartial() override {
    Partial p;
    for (const auto& [country, counts] : by_country_) {
      for (const auto& [state, n] : counts.ToMap()) {
        p[{"state", FromKeyText(country), state, 0}].n = n;
      }
    }
    by_country_.clear();
    return p;
  }
  std::vector<Metric> Build(const Partial& all, const AggregateOptions&) const override {
    std::map<Key, uint64_t> countries;
    std::vector<std::pair<std::pair<Key, Key>, uint64_t>> states;
    uint64_t total = 0;
    ForPart(all, "state", [&](const PartKey& k, const Sums& s) {
      countries[k.k1] += s.n;
      total += s.n;
      states.push_back({{k.k1, k.k2}, s.n});
    });
    std::vector<Metric> out;
    out.push_back(Distribution("users_by_country", "country", countries, total));
    Metric m{"users_by_country_state",
             RecordBatch(MakeSchema(
                 "users_by_country_state",
                 {TableField("country", Type::kString, LogicalType::kNone, true),
                  TableField("state", Type::kString, LogicalType::kNone, true),
                  TableField("users", Type::kLong), TableField("share_of_country", Type::kDouble),
                  TableField("share", Type::kDouble)}))};
    std::stable_sort(states.begin(), states.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [key, n] : states) {
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

 private:
  StringMap<GroupCounts> by_country_;  // country key -> counts by state
  std::string buf_;
};

// Appends to `m` (columns: the series' key columns filled by `key`, then
// count, moving_avg, zscore, anomaly, partial at `first_stat`) one row per
// step from the first key of `counts` to the last, zero-filled. The last
// step holds the newest time in the data: more may still arrive for it, so
// it is partial and never an anomaly (a low count there is only early).
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
    const bool partial = i + 1 == x.size();
    m->rows.column(first_stat + 3).AppendBool(!partial && z && std::fabs(*z) >= o.zscore_threshold);
    m->rows.column(first_stat + 4).AppendBool(partial);
    m->rows.CommitRow();
  }
}

std::vector<Field> SeriesFields(std::vector<Field> keys, const std::string& count) {
  keys.push_back(TableField(count, Type::kLong));
  keys.push_back(TableField("moving_avg", Type::kDouble));
  keys.push_back(TableField("zscore", Type::kDouble, LogicalType::kNone, true));
  keys.push_back(TableField("anomaly", Type::kBoolean));
  keys.push_back(TableField("partial", Type::kBoolean));
  return keys;
}

class UsersTimeSeries : public Aggregator {
 public:
  std::vector<std::string> columns() const override { return {"registration_date"}; }
  void Add(const RecordBatch& b) override {
    for (size_t i = 0; i < b.num_rows(); ++i) ++days_[b.column(0).GetInt32(i)];
  }
  Partial TakePartial() override {
    Partial p;
    for (const auto& [day, n] : days_) p[{"day", std::nullopt, std::nullopt, day}].n = n;
    days_.clear();
    return p;
  }
  std::vector<Metric> Build(const Partial& all, const AggregateOptions& o) const override {
    std::map<int64_t, uint64_t> days;
    ForPart(all, "day", [&](const PartKey& k, const Sums& s) { days[k.t] += s.n; });
    Metric m{
        "registrations_daily",
        RecordBatch(MakeSchema(
            "registrations_daily",
            SeriesFields({TableField("date", Type::kInt, LogicalType::kDate)}, "registrations"))),
        "registration_year", Rewrite::kFrom};
    AppendSeries(days, 1, o, &m, 1, [&](int64_t d) {
      m.rows.column(0).AppendInt32(static_cast<int32_t>(d));
      m.values.push_back(fmt::format("registration_year={}", CivilFromDays(d).year));
    });
    std::vector<Metric> out;
    out.push_back(std::move(m));
    return out;
  }

 private:
  std::map<int64_t, uint64_t> days_;
};

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

Key TypeKey(int type) { return std::string(kEventTypes[static_cast<size_t>(type)]); }

// The metrics per day are partitioned by event_date, and a run rewrites
// the days whose clean partitions changed.
Metric DailyMetric(const std::string& name, std::vector<Field> fields) {
  return Metric{name, RecordBatch(MakeSchema(name, std::move(fields))), "event_date",
                Rewrite::kTouched};
}

class ActivityAnalytics : public Aggregator {
 public:
  std::vector<std::string> columns() const override {
    return {"event_time", "event_type", "user_id", "session_id",
            "product_id", "quantity",   "revenue"};
  }
  void Add(const RecordBatch& b) override {
    for (size_t i = 0; i < b.num_rows(); ++i) {
      const int64_t t = b.column(0).GetInt64(i);
      const int64_t day = FloorDiv(t, kMillisPerDay), hour = FloorDiv(t, kMillisPerHour);
      const int type = TypeIndex(b.column(1).GetBytes(i));
      ++daily_[{day, type}];
      ++hourly_[{hour, type}];
      if (day != last_day_) {
        today_ = &days_[day];
        last_day_ = day;
      }
      InsertOnce(today_->users, b.column(2).GetBytes(i));
      // Stages: bit 0 page view, 1 add to cart, 2 purchase.
      Slot(today_->sessions, b.column(3).GetBytes(i)) |=
          type == 2 ? 0 : static_cast<uint8_t>(1 << (type == 3 ? 2 : type));
      if (type == 3) {
        const double r = b.column(6).GetDouble(i);
        const uint64_t q = static_cast<uint64_t>(b.column(5).GetInt32(i));
        Sums& d = revenue_daily_[day];
        ++d.n;
        d.m += q;
        d.x += r;
        Sums& p = Slot(by_product_, b.column(4).GetBytes(i));
        ++p.n;
        p.m += q;
        p.x += r;
      }
    }
  }
  Partial TakePartial() override {
    Partial p;
    for (const auto& [k, n] : daily_)
      p[{"type_daily", TypeKey(k.second), std::nullopt, k.first}].n = n;
    for (const auto& [k, n] : hourly_) {
      p[{"type_hourly", TypeKey(k.second), std::nullopt, k.first}].n = n;
    }
    for (const auto& [day, d] : days_) {
      Sums stage;  // sessions that reached: n page view, m cart, k purchase
      for (const auto& [id, bits] : d.sessions) {
        stage.n += bits & 1;
        stage.m += (bits >> 1) & 1;
        stage.k += (bits >> 2) & 1;
      }
      p[{"funnel", std::nullopt, std::nullopt, day}] = stage;
      Sums& us = p[{"users_sessions", std::nullopt, std::nullopt, day}];
      us.n = d.users.size();
      us.m = d.sessions.size();
    }
    for (const auto& [day, s] : revenue_daily_)
      p[{"revenue_daily", std::nullopt, std::nullopt, day}] = s;
    for (const auto& [product, s] : by_product_)
      p[{"revenue_product", product, std::nullopt, 0}] = s;
    daily_.clear();
    hourly_.clear();
    days_.clear();
    revenue_daily_.clear();
    by_product_.clear();
    last_day_ = INT64_MIN;
    today_ = nullptr;
    return p;
  }
  std::vector<Metric> Build(const Partial& all, const AggregateOptions&) const override {
    std::vector<Metric> out;
    {
      Metric m = DailyMetric("events_by_type_daily", {TableField("event_type", Type::kString),
                                                      TableField("events", Type::kLong)});
      ForPart(all, "type_daily", [&](const PartKey& k, const Sums& s) {
        m.values.push_back(DatePartition(k.t));
        m.rows.column(0).AppendBytes(*k.k1);
        m.rows.column(1).AppendInt64(static_cast<int64_t>(s.n));
        m.rows.CommitRow();
      });
      out.push_back(std::move(m));
    }
    {
      Metric m = DailyMetric("events_by_type_hourly", {TableField("hour", Type::kInt),
                                                       TableField("event_type", Type::kString),
                                                       TableField("events", Type::kLong)});
      ForPart(all, "type_hourly", [&](const PartKey& k, const Sums& s) {
        m.values.push_back(DatePartition(FloorDiv(k.t, 24)));
        m.rows.column(0).AppendInt32(static_cast<int32_t>(FloorMod(k.t, 24)));
        m.rows.column(1).AppendBytes(*k.k1);
        m.rows.column(2).AppendInt64(static_cast<int64_t>(s.n));
        m.rows.CommitRow();
      });
      out.push_back(std::move(m));
    }
    {
      Metric m = DailyMetric("users_sessions_daily", {TableField("unique_users", Type::kLong),
                                                      TableField("sessions", Type::kLong)});
      ForPart(all, "users_sessions", [&](const PartKey& k, const Sums& s) {
        m.values.push_back(DatePartition(k.t));
        m.rows.column(0).AppendInt64(static_cast<int64_t>(s.n));
        m.rows.column(1).AppendInt64(static_cast<int64_t>(s.m));
        m.rows.CommitRow();
      });
      out.push_back(std::move(m));
    }
    {
      Metric m =
          DailyMetric("funnel_daily",
                      {TableField("page_view_sessions", Type::kLong),
                       TableField("add_to_cart_sessions", Type::kLong),
                       TableField("purchase_sessions", Type::kLong),
                       TableField("view_to_cart", Type::kDouble, LogicalType::kNone, true),
                       TableField("cart_to_purchase", Type::kDouble, LogicalType::kNone, true),
                       TableField("view_to_purchase", Type::kDouble, LogicalType::kNone, true)});
      auto ratio = [&](size_t col, uint64_t a, uint64_t b) {
        if (b == 0) {
          m.rows.column(col).AppendNull();
        } else {
          m.rows.column(col).AppendDouble(static_cast<double>(a) / static_cast<double>(b));
        }
      };
      ForPart(all, "funnel", [&](const PartKey& k, const Sums& s) {
        m.values.push_back(DatePartition(k.t));
        m.rows.column(0).AppendInt64(static_cast<int64_t>(s.n));
        m.rows.column(1).AppendInt64(static_cast<int64_t>(s.m));
        m.rows.column(2).AppendInt64(static_cast<int64_t>(s.k));
        ratio(3, s.m, s.n);
        ratio(4, s.k, s.m);
        ratio(5, s.k, s.n);
        m.rows.CommitRow();
      });
      out.push_back(std::move(m));
    }
    const std::vector<Field> sales = {TableField("purchases", Type::kLong),
                                      TableField("units", Type::kLong),
                                      TableField("revenue", Type::kDouble)};
    auto append_sales = [](Metric* m, size_t c, const Sums& s) {
      m->rows.column(c).AppendInt64(static_cast<int64_t>(s.n));
      m->rows.column(c + 1).AppendInt64(static_cast<int64_t>(s.m));
      m->rows.column(c + 2).AppendDouble(s.x);
      m->rows.CommitRow();
    };
    {
      Metric m = DailyMetric("revenue_daily", sales);
      ForPart(all, "revenue_daily", [&](const PartKey& k, const Sums& s) {
        m.values.push_back(DatePartition(k.t));
        append_sales(&m, 0, s);
      });
      out.push_back(std::move(m));
    }
    {
      std::vector<Field> fields = {TableField("product_id", Type::kString)};
      fields.insert(fields.end(), sales.begin(), sales.end());
      Metric m{"revenue_by_product", RecordBatch(MakeSchema("revenue_by_product", fields))};
      std::vector<std::pair<std::string, Sums>> sorted;
      ForPart(all, "revenue_product",
              [&](const PartKey& k, const Sums& s) { sorted.emplace_back(*k.k1, s); });
      std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return a.second.x != b.second.x ? a.second.x > b.second.x : a.first < b.first;
      });
      for (const auto& [product, s] : sorted) {
        m.rows.column(0).AppendBytes(product);
        append_sales(&m, 1, s);
      }
      out.push_back(std::move(m));
    }
    return out;
  }

 private:
  std::map<std::pair<int64_t, int>, uint64_t> daily_, hourly_;  // (day|hour, type) -> events
  // Per day: its users, and its sessions with the funnel stages they reached.
  struct Day {
    StringSet users;
    StringMap<uint8_t> sessions;
  };
  std::map<int64_t, Day> days_;
  std::map<int64_t, Sums> revenue_daily_;  // n purchases, m units, x revenue
  StringMap<Sums> by_product_;
  int64_t last_day_ = INT64_MIN;
  Day* today_ = nullptr;
};

class ActivityDemographics : public Aggregator {
 public:
  std::vector<std::string> columns() const override { return {"country", "user_id"}; }
  void Add(const RecordBatch& b) override {
    for (size_t i = 0; i < b.num_rows(); ++i) {
      events_.Add(b.column(0), i);
      InsertOnce(Slot(users_, KeyText(b.column(0), i, &buf_)), b.column(1).GetBytes(i));
    }
  }
  // Users are counted once across units: the partial keeps each country's
  // users (a few per unit: the groups are users, not events).
  Partial TakePartial() override {
    Partial p;
    for (const auto& [country, n] : events_.ToMap()) p[{"events", country, std::nullopt, 0}].n = n;
    for (const auto& [country, users] : users_) {
      for (const std::string& user : users) p[{"user", FromKeyText(country), user, 0}].n = 1;
    }
    events_.Clear();
    users_.clear();
    return p;
  }
  std::vector<Metric> Build(const Partial& all, const AggregateOptions&) const override {
    std::map<Key, uint64_t> events, users;
    uint64_t total = 0;
    std::set<std::string> all_users;
    ForPart(all, "events", [&](const PartKey& k, const Sums& s) {
      events[k.k1] = s.n;
      total += s.n;
    });
    ForPart(all, "user", [&](const PartKey& k, const Sums&) {
      ++users[k.k1];
      all_users.insert(*k.k2);
    });
    std::vector<Metric> out;
    out.push_back(Distribution("events_by_country", "country", events, total));
    out.push_back(Distribution("users_by_country", "country", users, all_users.size()));
    return out;
  }

 private:
  GroupCounts events_;
  StringMap<StringSet> users_;  // country key -> its users
  std::string buf_;
};

class ActivityTimeSeries : public Aggregator {
 public:
  std::vector<std::string> columns() const override { return {"event_time", "event_type"}; }
  void Add(const RecordBatch& b) override {
    for (size_t i = 0; i < b.num_rows(); ++i) {
      const int64_t t = b.column(0).GetInt64(i);
      const size_t type = static_cast<size_t>(TypeIndex(b.column(1).GetBytes(i)));
      ++hourly_[type][FloorDiv(t, kMillisPerHour)];
      ++daily_[type][FloorDiv(t, kMillisPerDay)];
    }
  }
  Partial TakePartial() override {
    Partial p;
    for (size_t type = 0; type < kEventTypes.size(); ++type) {
      const Key k = TypeKey(static_cast<int>(type));
      for (const auto& [hour, n] : hourly_[type]) p[{"hourly", k, std::nullopt, hour}].n = n;
      for (const auto& [day, n] : daily_[type]) p[{"daily", k, std::nullopt, day}].n = n;
      hourly_[type].clear();
      daily_[type].clear();
    }
    return p;
  }
  // Partitioned by event_date; a run rewrites the days from the first that
  // changed on, whose moving averages and z-scores may have moved.
  std::vector<Metric> Build(const Partial& all, const AggregateOptions& o) const override {
    std::vector<Metric> out;
    for (const bool is_hourly : {true, false}) {
      const std::string name = is_hourly ? "events_hourly" : "events_daily";
      std::vector<Field> keys;
      if (is_hourly)
        keys.push_back(TableField("hour_start", Type::kLong, LogicalType::kTimestampMillis));
      keys.push_back(TableField("event_type", Type::kString));
      Metric m{name, RecordBatch(MakeSchema(name, SeriesFields(std::move(keys), "events"))),
               "event_date", Rewrite::kFrom};
      std::vector<std::map<int64_t, uint64_t>> series(kEventTypes.size());
      for (size_t type = 0; type < series.size(); ++type) {
        ForPart(all, is_hourly ? "hourly" : "daily", [&](const PartKey& k, const Sums& s) {
          if (*k.k1 == kEventTypes[type]) series[type][k.t] += s.n;
        });
      }
      // Every type over the same span, so that series line up.
      int64_t lo = INT64_MAX, hi = INT64_MIN;
      for (const auto& s2 : series) {
        if (s2.empty()) continue;
        lo = std::min(lo, s2.begin()->first);
        hi = std::max(hi, s2.rbegin()->first);
      }
      const size_t first_stat = is_hourly ? 2 : 1;
      for (size_t type = 0; type < series.size() && lo <= hi; ++type) {
        std::map<int64_t, uint64_t> counts = series[type];
        counts.try_emplace(lo, 0);
        counts.try_emplace(hi, 0);
        AppendSeries(counts, 1, o, &m, first_stat, [&](int64_t k) {
          if (is_hourly) {
            m.rows.column(0).AppendInt64(k * kMillisPerHour);
            m.values.push_back(DatePartition(FloorDiv(k, 24)));
          } else {
            m.values.push_back(DatePartition(k));
          }
          m.rows.column(first_stat - 1).AppendBytes(kEventTypes[type]);
        });
      }
      out.push_back(std::move(m));
    }
    return out;
  }

 private:
  std::array<std::map<int64_t, uint64_t>, 4> hourly_, daily_;
};

Result<std::unique_ptr<Aggregator>> NewAggregator(const std::string& table,
                                                  const std::string& job) {
  const bool users = table == "users";
  if (job == "analytics") {
    if (users) return std::unique_ptr<Aggregator>(std::make_unique<UsersAnalytics>());
    return std::unique_ptr<Aggregator>(std::make_unique<ActivityAnalytics>());
  }
  if (job == "demographics") {
    if (users) return std::unique_ptr<Aggregator>(std::make_unique<UsersDemographics>());
    return std::unique_ptr<Aggregator>(std::make_unique<ActivityDemographics>());
  }
  if (job == "timeseries") {
    if (users) return std::unique_ptr<Aggregator>(std::make_unique<UsersTimeSeries>());
    return std::unique_ptr<Aggregator>(std::make_unique<ActivityTimeSeries>());
  }
  return InvalidArgumentError("unknown aggregate job '{}' (analytics, demographics, timeseries)",
                              job);
}

// The unit of a clean file (its path relative to the clean table): the
// first partition directory.
std::string UnitOf(const std::string& rel_to_table) {
  return rel_to_table.substr(0, rel_to_table.find('/'));
}

// Writes metric `m` into `dir`: the whole file, or the partitions `rewrite`
// selects (all when `all`); deletes the files they replace and partitions
// that no longer have rows.
// `from`: where kFrom metrics start rewriting.
Status WriteMetric(const Lake& lake, const std::string& dir, const Metric& m,
                   const std::set<std::string>& touched, const std::string& from, bool all,
                   const std::string& tag, JobStats* stats) {
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> old, lake.ListData(dir));
  const std::string base = lake.Path(dir) + "/";
  auto write = [&](const std::string& path, const std::vector<uint8_t>* keep,
                   size_t rows) -> Status {
    LP_ASSIGN_OR_RETURN(const uint64_t bytes, WriteTableFile(lake, path, m.rows, keep));
    ++stats->partitions_written;
    ++stats->files_written;
    stats->bytes_written += bytes;
    stats->rows_written += rows;
    return Status::OK();
  };
  if (m.partition.empty()) {
    const std::string path = base + fmt::format("part-{}.parquet", tag);
    LP_RETURN_IF_ERROR(write(path, nullptr, m.rows.num_rows()));
    for (const ObjectInfo& f : old) {
      if (f.path != path) LP_RETURN_IF_ERROR(lake.store().Delete(f.path));
    }
    return Status::OK();
  }
  // Partition -> its rows.
  std::map<std::string, std::vector<uint8_t>> parts;
  for (size_t i = 0; i < m.values.size(); ++i) {
    auto [it, added] = parts.try_emplace(m.values[i]);
    if (added) it->second.assign(m.rows.num_rows(), 0);
    it->second[i] = 1;
  }
  std::map<std::string, std::vector<std::string>> existing;  // partition -> its files
  for (const ObjectInfo& f : old) {
    const std::string rel = f.path.substr(base.size());
    const size_t slash = rel.find('/');
    existing[slash == std::string::npos ? std::string() : rel.substr(0, slash)].push_back(f.path);
  }
  auto selected = [&](const std::string& p) {
    if (all || p.rfind(m.partition + "=", 0) != 0) return true;  // stray files too
    if (touched.empty()) return false;
    // The units are partitions of the same name: registration_year=,
    // event_date=.
    switch (m.rewrite) {
      case Rewrite::kTouched:
        return touched.count(p) > 0;
      case Rewrite::kFrom:
        return p >= from;
      case Rewrite::kWhole:
        return true;
    }
    return true;
  };
  for (const auto& [p, keep] : parts) {
    if (!selected(p)) continue;
    const std::string path = base + fmt::format("{}/part-{}.parquet", p, tag);
    LP_RETURN_IF_ERROR(
        write(path, &keep, static_cast<size_t>(std::count(keep.begin(), keep.end(), 1))));
    for (const std::string& f : existing[p]) {
      if (f != path) LP_RETURN_IF_ERROR(lake.store().Delete(f));
    }
  }
  for (const auto& [p, files] : existing) {
    if (parts.count(p) > 0 || !selected(p)) continue;
    for (const std::string& f : files) LP_RETURN_IF_ERROR(lake.store().Delete(f));
  }
  return Status::OK();
}

}  // namespace

Result<JobStats> RunAggregateJob(const AggregateOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  LP_RETURN_IF_ERROR(ValidateTableName(o.table).WithContext("--table"));
  LP_RETURN_IF_ERROR(CheckTableHasJobs(o.table).WithContext("--table"));
  LP_ASSIGN_OR_RETURN(std::unique_ptr<Aggregator> aggregator, NewAggregator(o.table, o.job));
  LP_ASSIGN_OR_RETURN(Lake lake, Lake::Open(o.lake));
  // A table without clean files nor raw ones: say how it gets some, write nothing.
  LP_ASSIGN_OR_RETURN(const std::vector<ObjectInfo> clean_now,
                      lake.ListData(Lake::CleanDir(o.table)));
  if (clean_now.empty()) LP_RETURN_IF_ERROR(RequireRawFiles(lake, o.table));
  LP_ASSIGN_OR_RETURN(const TableLock lock, TableLock::Acquire(lake, o.table, o.lock_wait));
  LP_RETURN_IF_ERROR(DeleteLeftovers(lake, o.table));
  JobStats stats;
  stats.table = o.table;
  stats.job = o.job;
  LP_ASSIGN_OR_RETURN(Bookmark bookmark, LoadBookmark(lake, o.table, o.job));
  const std::string table_dir = Lake::CleanDir(o.table);
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> clean, lake.ListData(table_dir));
  std::erase_if(clean, [](const ObjectInfo& f) { return !IsParquetFile(f.path); });
  Bookmark now;
  now.params = fmt::format(
      "top_email_domains={} moving_average_days={} zscore_window_days={} "
      "zscore_threshold={}",
      o.top_email_domains, o.moving_average_days, o.zscore_window_days, o.zscore_threshold);
  // Series written before they had a partial column are rewritten whole
  // once, so that every partition has the same columns.
  if (o.job == "timeseries") now.params += " series_columns=partial";
  for (const ObjectInfo& f : clean) now.files.emplace_back(lake.Relative(f.path), f.size);
  stats.raw_files = clean.size();
  if (!o.full_refresh && now.files == bookmark.files && now.params == bookmark.params) {
    if (o.iceberg) {  // a run after a crash publishes what the crashed one did not
      LP_ASSIGN_OR_RETURN(stats.iceberg, PublishJobOutputs(lake, *o.iceberg, o.table, o.job));
    }
    stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return stats;
  }
  // Every output is rewritten on a full refresh, on the first run (a crash
  // may have left any of them half done) and when the options changed.
  const bool all = o.full_refresh || bookmark.runs == 0 || now.params != bookmark.params;

  // The units' clean files, now and at the bookmark.
  const size_t prefix = table_dir.size() + 1;
  std::map<std::string, std::vector<std::pair<std::string, uint64_t>>> units, before;
  std::map<std::string, std::vector<std::string>> unit_paths;
  for (const ObjectInfo& f : clean) {
    const std::string rel = lake.Relative(f.path);
    const std::string unit = UnitOf(rel.substr(prefix));
    units[unit].emplace_back(rel, f.size);
    unit_paths[unit].push_back(f.path);
  }
  for (const auto& [p, size] : bookmark.files) {
    if (p.size() > prefix && p.compare(0, prefix, table_dir + "/") == 0) {
      before[UnitOf(p.substr(prefix))].emplace_back(p, size);
    }
  }
  const std::string state_dir = Lake::JobStateDir(o.table, o.job);
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> states, lake.ListData(state_dir));
  std::map<std::string, std::string> state_of;  // unit -> its partial's path
  for (const ObjectInfo& f : states) {
    std::string name = f.path.substr(lake.Path(state_dir).size() + 1);
    if (name.size() > 8 && IsParquetFile(name)) {
      state_of[name.substr(0, name.size() - 8)] = f.path;
    }
  }
  std::set<std::string> touched;
  for (const auto& [unit, files] : units) {
    auto b = before.find(unit);
    if (o.full_refresh || b == before.end() || b->second != files || state_of.count(unit) == 0) {
      touched.insert(unit);
    }
  }
  for (const auto& [unit, files] : before) {
    if (units.count(unit) == 0) touched.insert(unit);
  }

  // Time series are rewritten from the last unit before the first touched
  // one: its last steps gain or lose zero counts when the series grows or
  // shrinks past it.
  std::string from;
  if (!touched.empty()) {
    from = *touched.begin();
    auto before_first = units.lower_bound(from);
    if (before_first != units.begin()) from = std::prev(before_first)->first;
  }

  // Partials: recomputed for the touched units, read back for the others,
  // summed in unit order (sums of doubles then do not depend on which units
  // changed).
  LP_ASSIGN_OR_RETURN(std::unique_ptr<CleanRules> rules, NewCleanRules(o.table, 0));
  const SchemaPtr schema = ProjectColumns(*rules->clean_schema(), aggregator->columns());
  std::map<std::string, Partial> partials;
  for (const auto& [unit, paths] : unit_paths) {
    if (touched.count(unit) == 0) continue;
    LP_RETURN_IF_ERROR(ScanFiles(lake, paths, schema, [&](const RecordBatch& b) {
      aggregator->Add(b);
      stats.records_in += b.num_rows();
      return Status::OK();
    }));
    stats.new_files += paths.size();
    Partial p = aggregator->TakePartial();
    LP_RETURN_IF_ERROR(WriteTableFile(lake,
                                      lake.Path(fmt::format("{}/{}.parquet", state_dir, unit)),
                                      PartialRows(p))
                           .status());
    partials[unit] = std::move(p);
  }
  const SchemaPtr partial_schema = PartialSchema();
  for (const auto& [unit, path] : state_of) {
    if (units.count(unit) == 0) {
      LP_RETURN_IF_ERROR(lake.store().Delete(path));
    } else if (touched.count(unit) == 0) {
      Partial& p = partials[unit];
      LP_RETURN_IF_ERROR(ScanFiles(lake, {path}, partial_schema, [&](const RecordBatch& b) {
        AddPartialRows(b, &p);
        return Status::OK();
      }));
    }
  }
  Partial all_units;
  for (const auto& [unit, p] : partials) {
    for (const auto& [k, sums] : p) all_units[k].Add(sums);
  }

  std::string inputs = now.params + "\n";
  for (const auto& [p, size] : now.files) inputs += fmt::format("{}\n{}\n", p, size);
  const std::string tag = NameTag(inputs);
  for (const Metric& m : aggregator->Build(all_units, o)) {
    LP_RETURN_IF_ERROR(WriteMetric(lake, Lake::MetricDir(o.table, o.job, m.name), m, touched, from,
                                   all, tag, &stats));
  }
  if (o.iceberg) {
    LP_ASSIGN_OR_RETURN(stats.iceberg, PublishJobOutputs(lake, *o.iceberg, o.table, o.job));
  }
  now.runs = bookmark.runs + 1;
  LP_RETURN_IF_ERROR(SaveBookmark(lake, o.table, o.job, now));
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace lakepipe::jobs
