#include "observe/metrics.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <fmt/format.h>

#include "core/redact.h"

namespace lakepipe::observe {
namespace {

// A label value or help text escaped for the exposition format.
std::string Escape(const std::string& s, bool quote) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{}", v);
}

std::string LabelText(const Labels& labels, const std::string& extra_key = "",
                      const std::string& extra_value = "") {
  std::vector<std::string> parts;
  for (const auto& [k, v] : labels) parts.push_back(fmt::format("{}=\"{}\"", k, Escape(v, true)));
  if (!extra_key.empty()) parts.push_back(fmt::format("{}=\"{}\"", extra_key, extra_value));
  if (parts.empty()) return "";
  return "{" + fmt::format("{}", fmt::join(parts, ",")) + "}";
}

const char* TypeName(MetricType t) {
  switch (t) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

Registry& Registry::Default() {
  static Registry* registry = new Registry();
  return *registry;
}

void Registry::Describe(const std::string& name, MetricType type, const std::string& help,
                        std::vector<double> buckets) {
  std::lock_guard<std::mutex> lock(mu_);
  if (families_.count(name) > 0) return;
  Family& f = families_[name];
  f.type = type;
  f.help = help;
  f.buckets = std::move(buckets);
}

Registry::Family* Registry::Find(const std::string& name) {
  auto it = families_.find(name);
  if (it != families_.end()) return &it->second;
  // Undeclared: a counter or gauge by its name.
  Family& f = families_[name];
  f.type = name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0 ? MetricType::kCounter
                                                                              : MetricType::kGauge;
  return &f;
}

void Registry::Add(const std::string& name, const Labels& labels, double delta) {
  std::lock_guard<std::mutex> lock(mu_);
  Find(name)->series[labels].value += delta;
}

void Registry::Set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = Find(name);
  double& v = f->series[labels].value;
  // A counter never goes down for the life of the process: Prometheus
  // would read a drop as a restart and count everything again.
  if (f->type == MetricType::kCounter && value < v) return;
  v = value;
}

void Registry::Observe(const std::string& name, const Labels& labels, double value) {
  std::lock_guard<std::mutex> lock(mu_);
  Family* f = Find(name);
  Series& s = f->series[labels];
  if (s.counts.empty()) s.counts.assign(f->buckets.size() + 1, 0);
  size_t i = 0;
  while (i < f->buckets.size() && value > f->buckets[i]) ++i;
  ++s.counts[i];
  ++s.count;
  s.sum += value;
}

void Registry::Clear(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) it->second.series.clear();
}

double Registry::Value(const std::string& name, const Labels& labels) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return 0;
  auto s = it->second.series.find(labels);
  return s == it->second.series.end() ? 0 : s->second.value;
}

int Registry::AddCollector(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(collectors_mu_);
  collectors_[next_collector_] = std::move(fn);
  return next_collector_++;
}

void Registry::RemoveCollector(int id) {
  std::lock_guard<std::mutex> lock(collectors_mu_);
  collectors_.erase(id);
}

void Registry::Collect() {
  std::lock_guard<std::mutex> lock(collectors_mu_);
  for (auto& [id, fn] : collectors_) fn();
  Set("lakepipe_process_resident_memory_bytes", {}, static_cast<double>(ResidentBytes()));
}

std::string Registry::RenderPrometheus() {
  Collect();
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += fmt::format("# HELP {} {}\n", name, Escape(f.help, false));
    out += fmt::format("# TYPE {} {}\n", name, TypeName(f.type));
    for (const auto& [labels, s] : f.series) {
      if (f.type != MetricType::kHistogram) {
        out += fmt::format("{}{} {}\n", name, LabelText(labels), Number(s.value));
        continue;
      }
      uint64_t cumulative = 0;
      for (size_t i = 0; i < s.counts.size(); ++i) {
        cumulative += s.counts[i];
        const std::string le = i < f.buckets.size() ? Number(f.buckets[i]) : "+Inf";
        out += fmt::format("{}_bucket{} {}\n", name, LabelText(labels, "le", le), cumulative);
      }
      out += fmt::format("{}_sum{} {}\n", name, LabelText(labels), Number(s.sum));
      out += fmt::format("{}_count{} {}\n", name, LabelText(labels), s.count);
    }
  }
  return out;
}

nlohmann::json Registry::RenderJson() {
  Collect();
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, f] : families_) {
    nlohmann::json series = nlohmann::json::array();
    for (const auto& [labels, s] : f.series) {
      nlohmann::json l = nlohmann::json::object();
      for (const auto& [k, v] : labels) l[k] = v;
      if (f.type != MetricType::kHistogram) {
        series.push_back({{"labels", l}, {"value", s.value}});
        continue;
      }
      nlohmann::json buckets = nlohmann::json::array();
      uint64_t cumulative = 0;
      for (size_t i = 0; i < s.counts.size(); ++i) {
        cumulative += s.counts[i];
        buckets.push_back(
            {i < f.buckets.size() ? nlohmann::json(f.buckets[i]) : "+Inf", cumulative});
      }
      series.push_back({{"labels", l}, {"count", s.count}, {"sum", s.sum}, {"buckets", buckets}});
    }
    out[name] = {{"type", TypeName(f.type)}, {"help", f.help}, {"series", series}};
  }
  return out;
}

Events& Events::Default() {
  static Events* events = new Events();
  return *events;
}

void Events::Add(const std::string& level, const std::string& text) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char when[32];
  std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back({{"time", when}, {"level", level}, {"text", MaskUrlCredentials(text)}});
  if (events_.size() > 50) events_.erase(events_.begin());
}

nlohmann::json Events::Json() const {
  std::lock_guard<std::mutex> lock(mu_);
  return nlohmann::json(events_);
}

size_t Events::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_.size();
}

uint64_t ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return static_cast<uint64_t>(resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void DescribeStandardMetrics() {
  Registry& r = Registry::Default();
  const std::vector<std::pair<std::string, std::pair<MetricType, std::string>>> metrics = {
      {"lakepipe_records_in_total",
       {MetricType::kCounter, "Records read, by stage and topic or table"}},
      {"lakepipe_records_out_total",
       {MetricType::kCounter,
        "Records written (to Kafka or the lake), by stage and topic or table"}},
      {"lakepipe_bytes_in_total",
       {MetricType::kCounter, "Bytes read, by stage and topic or table"}},
      {"lakepipe_bytes_out_total",
       {MetricType::kCounter, "Bytes written, by stage and topic or table"}},
      {"lakepipe_files_written_total",
       {MetricType::kCounter, "Files written to the lake, by table"}},
      {"lakepipe_dead_letters_total",
       {MetricType::kCounter, "Records sent to the dead-letter place"}},
      {"lakepipe_rejected_records_total",
       {MetricType::kCounter, "Records a rule rejected (source or clean job), by table"}},
      {"lakepipe_data_loss_records_total",
       {MetricType::kCounter, "Offsets removed by retention before they were archived"}},
      {"lakepipe_data_loss_ranges_total",
       {MetricType::kCounter, "Ranges of offsets removed by retention before they were archived"}},
      {"lakepipe_consumer_lag",
       {MetricType::kGauge, "Records in the partition not read yet (high watermark - position)"}},
      {"lakepipe_consumer_position",
       {MetricType::kGauge, "The next offset the archive reads in the partition"}},
      {"lakepipe_rebalances_total", {MetricType::kCounter, "Consumer group rebalances"}},
      {"lakepipe_retries_total", {MetricType::kCounter, "HTTP requests retried, by cause"}},
      {"lakepipe_open_files", {MetricType::kGauge, "Lake files being written"}},
      {"lakepipe_buffered_bytes", {MetricType::kGauge, "Bytes held in memory for open files"}},
      {"lakepipe_process_resident_memory_bytes",
       {MetricType::kGauge, "Resident set size of the process"}},
  };
  for (const auto& [name, d] : metrics) r.Describe(name, d.first, d.second);
  r.Describe("lakepipe_upload_seconds", MetricType::kHistogram,
             "Time to finish a lake file (flush, upload, atomic commit), by table",
             {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30});
}

}  // namespace lakepipe::observe
