// --metrics-addr for the commands: the status server, and the figures of
// the archiver, producer and jobs copied into the metrics registry.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "archive/archiver.h"
#include "jobs/clean_job.h"
#include "observe/server.h"
#include "pipeline/produce.h"

namespace lakepipe::cli {

void AddMetricsFlag(CLI::App* app, std::string* address, const std::string& default_note = "off");

// The server for `address` ("" or "off": none). Prints its URL on stderr.
Result<std::unique_ptr<observe::StatusServer>> StartMetrics(
    const std::string& command, const std::string& address,
    std::function<observe::Health()> health = {}, std::function<nlohmann::json()> status = {});

// Copies `archiver`'s figures into the registry at every scrape, until the
// returned guard goes.
class ArchiverMetrics {
 public:
  ArchiverMetrics(const archive::Archiver& archiver, const archive::ArchiveOptions& options);
  ~ArchiverMetrics();
  ArchiverMetrics(const ArchiverMetrics&) = delete;
  ArchiverMetrics& operator=(const ArchiverMetrics&) = delete;

  // 200 while partitions are assigned and records are archived or nothing
  // is waiting; 503 before the group is joined (saying what the archiver
  // waits for: archive::DescribeJoinWait), after a failure (`error`
  // set), while no broker is reachable, or when records wait and nothing
  // was committed for `stall`.
  observe::Health Health();
  void Failed(const std::string& error);
  void Finished();

 private:
  const archive::Archiver& archiver_;
  std::string topics_, table_;
  int collector_ = -1;
  std::mutex mu_;
  uint64_t last_archived_ = 0;
  std::chrono::steady_clock::time_point last_progress_ = std::chrono::steady_clock::now();
  std::string error_;
  bool finished_ = false;
  std::chrono::seconds broker_timeout_;
  std::chrono::seconds stall_;
};

// Producer progress into records_in_total (read from the source: produced
// and rejected) / records_out_total (delivered) / bytes_out_total /
// rejected_records_total{stage="produce",topic}.
void ExportProduceProgress(const std::string& topic, const ProduceProgress& p);
// A job's counts, added once it finished.
void ExportJobStats(const jobs::JobStats& s);
// A command's message line ("lakepipe <command>: ...\n"): printed as is,
// or as a JSON log line (level from a leading "warning:" or "FAILED").
void SayText(const std::string& text);
template <typename... Args>
void Say(fmt::format_string<Args...> format, Args&&... args) {
  SayText(fmt::format(format, std::forward<Args>(args)...));
}

// --log-format text|json and --log-level.
struct LogFlags {
  std::string format = "text", level = "info";
};
void AddLogFlags(CLI::App* app, LogFlags* flags);
Status ApplyLogFlags(const LogFlags& flags);

}  // namespace lakepipe::cli
