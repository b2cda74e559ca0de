#include "kafka/metadata.h"

#include <syslog.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <string_view>

#include <fmt/format.h>

#include "kafka/properties.h"

namespace lakepipe::kafka {
namespace {

// Keeps the last warning or error of a client, to explain a failure in the
// returned Status instead of on stderr. Debug logs still go to stderr.
struct LogCapture {
  std::mutex mu;
  std::string last;
  std::string last_connection_failure;  // facility FAIL: says why, e.g. "Connection refused"

  std::string Explanation() {
    std::lock_guard<std::mutex> lock(mu);
    return last_connection_failure.empty() ? last : last_connection_failure;
  }
};

void CaptureLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  auto* capture = static_cast<LogCapture*>(rd_kafka_opaque(rk));
  if (level > LOG_WARNING || capture == nullptr) {
    std::fprintf(stderr, "lakepipe: kafka debug %s: %s\n", facility, message);
    return;
  }
  std::lock_guard<std::mutex> lock(capture->mu);
  capture->last = message;
  if (std::string_view(facility) == "FAIL") capture->last_connection_failure = message;
}

std::string FormatWait(std::chrono::milliseconds d) {
  return d.count() % 1000 == 0 ? fmt::format("{} s", d.count() / 1000)
                               : fmt::format("{} ms", d.count());
}

// A client for metadata queries, with the log capture that explains a
// failure to reach the brokers. The capture outlives the client.
struct MetadataClient {
  std::unique_ptr<LogCapture> capture = std::make_unique<LogCapture>();
  ClientHandle client;
  std::string effective;  // the bootstrap servers, for messages
};

Result<MetadataClient> OpenMetadataClient(const std::string& brokers, const Settings& settings) {
  MetadataClient c;
  Settings all{{"bootstrap.servers", brokers}};
  const Settings common = SettingsFor(ClientKind::kMetadata, settings);
  all.insert(all.end(), common.begin(), common.end());
  for (const auto& [key, value] : all) {
    if (key == "bootstrap.servers" || key == "metadata.broker.list") c.effective = value;
  }
  if (c.effective.empty()) {
    return InvalidArgumentError(
        "no Kafka brokers given: set the bootstrap servers (host:port[,host:port...])");
  }
  LP_ASSIGN_OR_RETURN(ConfHandle conf, MakeConf(all));
  rd_kafka_conf_set_opaque(conf.get(), c.capture.get());
  rd_kafka_conf_set_log_cb(conf.get(), CaptureLog);
  LP_ASSIGN_OR_RETURN(c.client, NewClient(RD_KAFKA_PRODUCER, conf));
  return c;
}

// No broker answered within `timeout`: one line, what and what to do (or,
// for an error that is not about reaching them, that error).
Status Unreachable(MetadataClient& c, rd_kafka_resp_err_t err, std::chrono::milliseconds timeout) {
  if (StatusCodeFor(err) != StatusCode::kUnavailable) {
    return KafkaError(err, fmt::format("metadata from the Kafka brokers at {}", c.effective));
  }
  std::string why = ConnectionFailureReason(c.capture->Explanation());
  if (why.empty()) why = fmt::format("{} ({})", rd_kafka_err2str(err), rd_kafka_err2name(err));
  return UnavailableError(
      "no Kafka broker answered at {} within {}: {}; start the brokers, or point the "
      "bootstrap servers (kafka.bootstrap.servers) at running ones",
      c.effective, FormatWait(timeout), why);
}

Result<int> PartitionCount(MetadataClient& c, const std::string& topic,
                           std::chrono::milliseconds timeout) {
  // All topics: asking for one topic by name could make the broker create it.
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(c.client.get(), 1, nullptr, &raw, static_cast<int>(timeout.count()));
  MetadataHandle metadata(raw);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Unreachable(c, err, timeout);
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (topic != t.topic) continue;
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError(t.err, fmt::format("Kafka topic '{}' on brokers '{}'", topic, c.effective));
    }
    return t.partition_cnt;
  }
  return NotFoundError(
      "Kafka topic '{}' does not exist on the brokers at '{}'; create it first (the dev broker: "
      "lakepipe broker --topic {})",
      topic, c.effective, topic);
}

// rd_kafka_clusterid's result is freed with rd_kafka_mem_free.
void FreeKafkaString(char* p) { rd_kafka_mem_free(nullptr, p); }

}  // namespace

Status WaitForBrokers(const std::string& brokers, const Settings& settings,
                      std::chrono::milliseconds timeout) {
  LP_ASSIGN_OR_RETURN(MetadataClient c, OpenMetadataClient(brokers, settings));
  // No topics: the answer lists the brokers only.
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(c.client.get(), 0, nullptr, &raw, static_cast<int>(timeout.count()));
  MetadataHandle metadata(raw);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Unreachable(c, err, timeout);
  return Status::OK();
}

Result<int> TopicPartitions(const std::string& brokers, const std::string& topic,
                            const Settings& settings, std::chrono::milliseconds timeout) {
  LP_ASSIGN_OR_RETURN(MetadataClient c, OpenMetadataClient(brokers, settings));
  return PartitionCount(c, topic, timeout);
}

Result<std::string> ClusterId(const std::string& brokers, const Settings& settings,
                              std::chrono::milliseconds timeout) {
  LP_ASSIGN_OR_RETURN(MetadataClient c, OpenMetadataClient(brokers, settings));
  std::unique_ptr<char, decltype(&FreeKafkaString)> id(
      rd_kafka_clusterid(c.client.get(), static_cast<int>(timeout.count())), &FreeKafkaString);
  if (!id) {
    const std::string last = c.capture->Explanation();
    return UnavailableError("no cluster id from the Kafka brokers at '{}' within {} ms{}{}",
                            c.effective, timeout.count(), last.empty() ? "" : ": ", last);
  }
  return std::string(id.get());
}

Result<std::vector<int64_t>> EndOffsets(const std::string& brokers, const std::string& topic,
                                        const Settings& settings,
                                        std::chrono::milliseconds timeout) {
  LP_ASSIGN_OR_RETURN(MetadataClient c, OpenMetadataClient(brokers, settings));
  LP_ASSIGN_OR_RETURN(const int partitions, PartitionCount(c, topic, timeout));
  std::vector<int64_t> ends;
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        c.client.get(), topic.c_str(), p, &low, &high, static_cast<int>(timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError(err, fmt::format("end offset of Kafka topic '{}' partition {}", topic, p));
    }
    ends.push_back(high);
  }
  return ends;
}

}  // namespace lakepipe::kafka
