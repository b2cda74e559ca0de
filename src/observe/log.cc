#include "observe/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/redact.h"
#include "observe/metrics.h"

namespace lakepipe::observe {
namespace {

std::atomic<bool> json_format{false};
std::atomic<int> min_level{static_cast<int>(LogLevel::kInfo)};
std::mutex write_mu;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

}  // namespace

Status ConfigureLog(std::string_view format, std::string_view level) {
  if (format != "text" && format != "json") {
    return InvalidArgumentError("--log-format '{}' is not a log format (text, json)", format);
  }
  int l = -1;
  for (LogLevel candidate :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning, LogLevel::kError}) {
    if (level == LevelName(candidate)) l = static_cast<int>(candidate);
  }
  if (l < 0) {
    return InvalidArgumentError("--log-level '{}' is not a level (debug, info, warning, error)",
                                level);
  }
  json_format = format == "json";
  min_level = l;
  return Status::OK();
}

bool LogJson() { return json_format; }

void Log(LogLevel level, std::string_view source, std::string_view raw_message,
         const LogRecord& record) {
  const std::string message = MaskUrlCredentials(raw_message);
  if (level >= LogLevel::kWarning) {
    Events::Default().Add(LevelName(level), fmt::format("{}: {}", source, message));
  }
  if (static_cast<int>(level) < min_level) return;
  std::string line;
  if (json_format) {
    const auto now = std::chrono::system_clock::now();
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char when[32];
    std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
    nlohmann::ordered_json j;
    j["time"] = fmt::format("{}.{:03}Z", when, ms % 1000);
    j["level"] = LevelName(level);
    j["source"] = source;
    j["message"] = message;
    if (!record.topic.empty()) j["topic"] = record.topic;
    if (record.partition >= 0) j["partition"] = record.partition;
    if (record.offset >= 0) j["offset"] = record.offset;
    if (record.offset_end >= 0) j["offset_end"] = record.offset_end;
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = fmt::format("lakepipe {}: {}", source, message);
  }
  std::lock_guard<std::mutex> lock(write_mu);
  std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace lakepipe::observe
