// Process-wide metrics: counters, gauges and histograms with labels,
// rendered in the Prometheus text exposition format (version 0.0.4) and as
// JSON; and the recent errors and warnings.
//
// Names follow Prometheus conventions (lakepipe_..._total for counters,
// base units: seconds, bytes). Updates are cheap but take a lock: call them
// per batch or per file, not per record. Collectors registered with
// AddCollector run before each rendering, to copy figures kept elsewhere
// (an archiver's stats, consumer lag) into gauges and counters.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace lakepipe::observe {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };

class Registry {
 public:
  static Registry& Default();

  // Declares a metric family; again with the same name does nothing.
  // Histograms take their buckets' upper bounds (ascending; +Inf is added).
  void Describe(const std::string& name, MetricType type, const std::string& help,
                std::vector<double> buckets = {});
  // Counters: adds `delta` (>= 0).
  void Add(const std::string& name, const Labels& labels, double delta);
  // Gauges; and counters copied from a running total kept elsewhere (a
  // counter keeps its value when set lower: counters never go down).
  void Set(const std::string& name, const Labels& labels, double value);
  // Histograms.
  void Observe(const std::string& name, const Labels& labels, double value);
  // Drops every series of `name` (gauges of partitions no longer assigned).
  void Clear(const std::string& name);
  // The value of a counter or gauge series (0 when absent), for tests.
  double Value(const std::string& name, const Labels& labels) const;

  // `fn` runs before each rendering; the returned id removes it.
  int AddCollector(std::function<void()> fn);
  void RemoveCollector(int id);

  std::string RenderPrometheus();
  // {"<name>": {"type", "help", "series": [{"labels": {...}, "value"} or
  //  {"labels", "count", "sum", "buckets": [[le, cumulative count]...]}]}}
  nlohmann::json RenderJson();

 private:
  struct Series {
    double value = 0;
    std::vector<uint64_t> counts;  // histograms: per bucket, then +Inf
    uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    MetricType type = MetricType::kCounter;
    std::string help;
    std::vector<double> buckets;
    std::map<Labels, Series> series;
  };
  void Collect();
  Family* Find(const std::string& name);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
  std::mutex collectors_mu_;
  std::map<int, std::function<void()>> collectors_;
  int next_collector_ = 0;
};

// Recent errors and warnings (the last 50), for /status.json and the page.
class Events {
 public:
  static Events& Default();
  void Add(const std::string& level, const std::string& text);
  nlohmann::json Json() const;  // [{"time": "<ISO 8601>", "level", "text"}], oldest first
  size_t size() const;

 private:
  mutable std::mutex mu_;
  std::vector<nlohmann::json> events_;
};

// The process's resident set size in bytes (/proc/self/statm; 0 if unknown).
uint64_t ResidentBytes();

// Declares the metrics every command shares (names and help), once.
void DescribeStandardMetrics();

}  // namespace lakepipe::observe
