#include "kafka/handles.h"

#include <syslog.h>

#include <algorithm>
#include <array>
#include <cstdio>

#include <fmt/format.h>

#include "core/redact.h"
#include "observe/log.h"

namespace lakepipe::kafka {
namespace {

std::string_view LevelName(int level) {
  if (level <= LOG_ERR) return "error";
  if (level == LOG_WARNING) return "warning";
  if (level <= LOG_INFO) return "info";
  return "debug";
}

// Called from librdkafka's threads; the log keeps lines whole.
void LogToStderr(const rd_kafka_t*, int level, const char* facility, const char* message) {
  const std::string_view name = LevelName(level);
  // Connection failures come again on every reconnect: summarised.
  if (level <= LOG_WARNING && std::string_view(facility) == "FAIL") {
    LogConnectionError(facility, message);
    return;
  }
  const observe::LogLevel l = name == "error"     ? observe::LogLevel::kError
                              : name == "warning" ? observe::LogLevel::kWarning
                              : name == "info"    ? observe::LogLevel::kInfo
                                                  : observe::LogLevel::kDebug;
  // librdkafka's own levels decide what reaches here (debug only with the
  // `debug` property), so show everything it sends.
  observe::Log(std::max(l, observe::LogLevel::kInfo), "kafka",
               fmt::format("{} {}: {}", name, facility, message));
}

// `text` with `value` replaced by "***": quoted ("value") whatever its
// length, bare when it is long enough not to be part of other words.
std::string HideValue(std::string text, const std::string& value) {
  if (value.empty()) return text;
  text = MaskValue(std::move(text), "\"" + value + "\"", fmt::format("\"{}\"", kMaskedSecret));
  if (value.size() >= 3) text = MaskValue(std::move(text), value);
  return text;
}

}  // namespace

std::string ConnectionFailureReason(std::string_view message) {
  std::string_view m = message;
  if (m.starts_with("[thrd:")) {
    if (const size_t end = m.find("]: "); end != std::string_view::npos) m.remove_prefix(end + 3);
  }
  // "host:port/bootstrap: " or "host:port/3: ", the broker the thread serves.
  if (const size_t colon = m.find(": "); colon != std::string_view::npos) {
    const std::string_view head = m.substr(0, colon);
    if (head.find('/') != std::string_view::npos && head.find(' ') == std::string_view::npos) {
      m.remove_prefix(colon + 2);
    }
  }
  if (const size_t after = m.rfind(" (after ");
      after != std::string_view::npos && m.ends_with(")")) {
    m = m.substr(0, after);
  }
  return std::string(m);
}

bool RepeatFilter::Admit(const std::string& key, Clock::time_point now, uint64_t* held_back) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, first] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (!first && now - e.shown < window_) {
    ++e.held_back;
    return false;
  }
  *held_back = e.held_back;
  e.shown = now;
  e.held_back = 0;
  return true;
}

void LogConnectionError(std::string_view what, std::string_view message) {
  static RepeatFilter* const filter = new RepeatFilter(std::chrono::seconds(60));
  const std::string reason = ConnectionFailureReason(message);
  uint64_t held_back = 0;
  if (!filter->Admit(reason, RepeatFilter::Clock::now(), &held_back)) return;
  observe::Log(observe::LogLevel::kError, "kafka",
               held_back == 0 ? fmt::format("error {}: {}", what, reason)
                              : fmt::format("error {}: {} ({} more since the last report)", what,
                                            reason, held_back));
}

Status SetProperty(rd_kafka_conf_t* conf, std::string_view key, std::string_view value) {
  std::array<char, 512> errstr{};
  const std::string k(key);
  const std::string v(value);
  const rd_kafka_conf_res_t res =
      rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr.data(), errstr.size());
  if (res == RD_KAFKA_CONF_OK) return Status::OK();
  // Values are never shown: any of them may be a password or a key, and
  // librdkafka quotes the value it rejects.
  const std::string why = HideValue(errstr.data(), v);
  if (res == RD_KAFKA_CONF_UNKNOWN) {
    return InvalidArgumentError(
        "unknown Kafka setting '{}': {}; see librdkafka's CONFIGURATION.md for the property names",
        k, why);
  }
  return InvalidArgumentError("bad value for Kafka setting '{}' (the value is not shown): {}", k,
                              why);
}

Result<ConfHandle> MakeConf(const Settings& settings) {
  ConfHandle conf(rd_kafka_conf_new());
  rd_kafka_conf_set_log_cb(conf.get(), LogToStderr);
  // librdkafka raises the level itself when `debug` is set.
  LP_RETURN_IF_ERROR(SetProperty(conf.get(), "log_level", std::to_string(LOG_WARNING)));
  for (const auto& [key, value] : settings) {
    LP_RETURN_IF_ERROR(SetProperty(conf.get(), key, value));
  }
  return conf;
}

Result<ClientHandle> NewClient(rd_kafka_type_t type, ConfHandle& conf) {
  std::array<char, 512> errstr{};
  rd_kafka_t* client = rd_kafka_new(type, conf.get(), errstr.data(), errstr.size());
  if (client == nullptr) {
    return InvalidArgumentError("Kafka settings rejected: {}", errstr.data());
  }
  (void)conf.release();  // now owned by `client`
  return ClientHandle(client);
}

Result<std::string> EffectiveProperty(const rd_kafka_t* client, std::string_view key) {
  const std::string k(key);
  const rd_kafka_conf_t* conf = rd_kafka_conf(const_cast<rd_kafka_t*>(client));
  size_t size = 0;
  if (rd_kafka_conf_get(conf, k.c_str(), nullptr, &size) != RD_KAFKA_CONF_OK) {
    return NotFoundError("no Kafka setting named '{}'", k);
  }
  std::string value(size, '\0');
  if (rd_kafka_conf_get(conf, k.c_str(), value.data(), &size) != RD_KAFKA_CONF_OK) {
    return NotFoundError("no Kafka setting named '{}'", k);
  }
  value.resize(size > 0 ? size - 1 : 0);  // size counts the terminating NUL
  return value;
}

StatusCode StatusCodeFor(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return StatusCode::kOk;
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__RETRY:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_REPLICA_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED:
      return StatusCode::kUnavailable;
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
    case RD_KAFKA_RESP_ERR_INVALID_REQUIRED_ACKS:
    case RD_KAFKA_RESP_ERR__BAD_MSG:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__INVALID_TYPE:
      return StatusCode::kInvalidArgument;
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
      return StatusCode::kNotFound;
    case RD_KAFKA_RESP_ERR__PURGE_QUEUE:
    case RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
    case RD_KAFKA_RESP_ERR__DESTROY:
      return StatusCode::kCancelled;
    default:
      // Authorization, fatal idempotence errors and anything unknown: a
      // person has to look at it, so retrying blindly would not help.
      return StatusCode::kFailedPrecondition;
  }
}

Status KafkaError(rd_kafka_resp_err_t err, std::string_view context) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::OK();
  return Status(StatusCodeFor(err),
                fmt::format("{}: {} ({})", context, rd_kafka_err2str(err), rd_kafka_err2name(err)));
}

}  // namespace lakepipe::kafka
