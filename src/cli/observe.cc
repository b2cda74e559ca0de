#include "cli/observe.h"

#include <cstdio>

#include <fmt/format.h>

#include "core/redact.h"
#include "observe/log.h"
#include "observe/metrics.h"

namespace lakepipe::cli {

void AddMetricsFlag(CLI::App* app, std::string* address, const std::string& default_note) {
  app->add_option("--metrics-addr", *address,
                  fmt::format("Serve /metrics (Prometheus), /status.json, /healthz and a status "
                              "page at HOST:PORT (default: {})",
                              default_note));
}

Result<std::unique_ptr<observe::StatusServer>> StartMetrics(
    const std::string& command, const std::string& address, std::function<observe::Health()> health,
    std::function<nlohmann::json()> status) {
  if (address.empty() || address == "off") return std::unique_ptr<observe::StatusServer>();
  observe::ServerOptions o;
  o.address = address;
  o.command = command;
  o.health = std::move(health);
  o.status = std::move(status);
  LP_ASSIGN_OR_RETURN(std::unique_ptr<observe::StatusServer> server,
                      observe::StatusServer::Start(o));
  Say("lakepipe {}: status page {} (metrics at {}metrics)\n", command, server->url(),
      server->url());
  return server;
}

ArchiverMetrics::ArchiverMetrics(const archive::Archiver& archiver,
                                 const archive::ArchiveOptions& options)
    : archiver_(archiver),
      broker_timeout_(std::chrono::duration_cast<std::chrono::seconds>(options.broker_timeout)),
      stall_(std::max<std::chrono::seconds>(
          std::chrono::seconds(120),
          std::chrono::duration_cast<std::chrono::seconds>(options.rotate_interval * 2))) {
  for (const std::string& t : options.topics) topics_ += (topics_.empty() ? "" : ",") + t;
  table_ = options.table.empty() ? topics_ : options.table;
  observe::DescribeStandardMetrics();
  collector_ = observe::Registry::Default().AddCollector([this] {
    observe::Registry& r = observe::Registry::Default();
    const archive::ArchiveStats s = archiver_.Snapshot();
    const observe::Labels topic = {{"topic", topics_}};
    r.Set("lakepipe_records_in_total", {{"stage", "archive"}, {"topic", topics_}},
          static_cast<double>(s.consumed));
    r.Set("lakepipe_records_out_total", {{"stage", "archive"}, {"table", table_}},
          static_cast<double>(s.archived));
    r.Set("lakepipe_bytes_out_total", {{"stage", "archive"}, {"table", table_}},
          static_cast<double>(s.bytes_written));
    r.Set("lakepipe_files_written_total", {{"table", table_}, {"zone", "raw"}},
          static_cast<double>(s.files_written));
    r.Set("lakepipe_dead_letters_total", topic, static_cast<double>(s.dead_lettered));
    r.Set("lakepipe_data_loss_records_total", topic, static_cast<double>(s.data_loss_records));
    r.Set("lakepipe_data_loss_ranges_total", topic, static_cast<double>(s.data_loss_ranges));
    r.Set("lakepipe_rebalances_total", {}, static_cast<double>(s.rebalances));
    r.Set("lakepipe_open_files", {}, static_cast<double>(s.open_files));
    r.Set("lakepipe_buffered_bytes", {}, static_cast<double>(s.buffered_bytes));
    r.Clear("lakepipe_consumer_lag");
    for (const auto& [tp, lag] : archiver_.Lag()) {
      r.Set("lakepipe_consumer_lag",
            {{"topic", tp.topic}, {"partition", std::to_string(tp.partition)}},
            static_cast<double>(std::max<int64_t>(lag, 0)));
    }
    r.Clear("lakepipe_consumer_position");
    for (const auto& [tp, at] : archiver_.Positions()) {
      r.Set("lakepipe_consumer_position",
            {{"topic", tp.topic}, {"partition", std::to_string(tp.partition)}},
            static_cast<double>(at));
    }
  });
}

ArchiverMetrics::~ArchiverMetrics() {
  // The last figures stay in the registry: a scrape after the run agrees
  // with its summary.
  observe::Registry::Default().RemoveCollector(collector_);
}

observe::Health ArchiverMetrics::Health() {
  const archive::ArchiveStats s = archiver_.Snapshot();
  const auto lags = archiver_.Lag();
  const auto down = archiver_.Disconnected();
  const auto joining = archiver_.Joining();
  std::lock_guard<std::mutex> lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (!error_.empty()) return {false, "archive failed: " + error_};
  if (finished_) return {true, ""};
  if (down) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - down->since);
    return {false, fmt::format("no Kafka broker reachable for {} s ({}); the archive fails after "
                               "{} s (--broker-timeout)",
                               seconds.count(), down->reason, broker_timeout_.count())};
  }
  if (joining) return {false, archive::DescribeJoinWait(*joining)};
  if (lags.empty()) {
    return {false, fmt::format("no partitions assigned: group '{}' gave this archiver none",
                               archiver_.Membership().group)};
  }
  int64_t waiting = 0;
  for (const auto& [tp, lag] : lags) waiting += std::max<int64_t>(lag, 0);
  if (s.archived != last_archived_ || waiting == 0) {
    last_archived_ = s.archived;
    last_progress_ = now;
  }
  const auto idle = std::chrono::duration_cast<std::chrono::seconds>(now - last_progress_);
  if (idle > stall_) {
    return {false, fmt::format("stalled: {} records wait and nothing was committed for {} s",
                               waiting, idle.count())};
  }
  return {true, ""};
}

void ArchiverMetrics::Failed(const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  error_ = error;
}

void ArchiverMetrics::Finished() {
  std::lock_guard<std::mutex> lock(mu_);
  finished_ = true;
}

void ExportProduceProgress(const std::string& topic, const ProduceProgress& p) {
  observe::Registry& r = observe::Registry::Default();
  r.Set("lakepipe_records_in_total", {{"stage", "produce"}, {"topic", topic}},
        static_cast<double>(p.produced + p.rejected));
  r.Set("lakepipe_records_out_total", {{"stage", "produce"}, {"topic", topic}},
        static_cast<double>(p.delivered));
  r.Set("lakepipe_bytes_out_total", {{"stage", "produce"}, {"topic", topic}},
        static_cast<double>(p.bytes));
  r.Set("lakepipe_rejected_records_total", {{"stage", "produce"}, {"topic", topic}},
        static_cast<double>(p.rejected));
}

void ExportJobStats(const jobs::JobStats& s) {
  observe::Registry& r = observe::Registry::Default();
  const observe::Labels l = {{"stage", "transform"}, {"table", s.table}, {"job", s.job}};
  r.Add("lakepipe_records_in_total", l, static_cast<double>(s.records_in));
  r.Add("lakepipe_records_out_total", l, static_cast<double>(s.rows_written));
  r.Add("lakepipe_bytes_out_total", l, static_cast<double>(s.bytes_written));
  r.Add("lakepipe_files_written_total", {{"table", s.table}, {"zone", s.job}},
        static_cast<double>(s.files_written));
  if (s.job == "clean") {
    r.Add("lakepipe_rejected_records_total", {{"stage", "transform"}, {"table", s.table}},
          static_cast<double>(s.rejected));
  }
}

void SayText(const std::string& text) {
  if (!observe::LogJson()) {
    std::fputs(MaskUrlCredentials(text).c_str(), stderr);
    return;
  }
  std::string_view line = text;
  while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  std::string_view source = "lakepipe";
  if (line.substr(0, 9) == "lakepipe ") {
    const size_t colon = line.find(": ");
    if (colon != std::string_view::npos) {
      source = line.substr(9, colon - 9);
      line.remove_prefix(colon + 2);
    }
  }
  const observe::LogLevel level = line.substr(0, 8) == "warning:" ? observe::LogLevel::kWarning
                                  : line.substr(0, 6) == "FAILED" || line.find("error") == 0
                                      ? observe::LogLevel::kError
                                      : observe::LogLevel::kInfo;
  observe::Log(level, source, line);
}

void AddLogFlags(CLI::App* app, LogFlags* flags) {
  app->add_option("--log-format", flags->format,
                  "Log lines as text or json (one object per line: time, level, source, message, "
                  "and topic, partition, offset for lines about records)")
      ->capture_default_str();
  app->add_option("--log-level", flags->level, "debug, info, warning or error")
      ->capture_default_str();
}

Status ApplyLogFlags(const LogFlags& flags) {
  return observe::ConfigureLog(flags.format, flags.level);
}

}  // namespace lakepipe::cli
