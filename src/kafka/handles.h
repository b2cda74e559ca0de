// RAII owners of librdkafka handles, and the few helpers every lakepipe
// librdkafka client shares: applying settings, routing logs, mapping errors.
//
// Most code uses Producer (producer.h) or DevBroker (dev_broker.h); this
// header is for code that needs a raw librdkafka client (tests, a consumer).
//
// Thread-safety: the helpers are thread-safe; a handle is as thread-safe as
// librdkafka says for its type.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "core/result.h"

namespace lakepipe::kafka {

// librdkafka properties, applied in order (later wins). Values pass through verbatim.
using Settings = std::vector<std::pair<std::string, std::string>>;

struct KafkaDeleter {
  void operator()(rd_kafka_t* p) const { rd_kafka_destroy(p); }
  void operator()(rd_kafka_conf_t* p) const { rd_kafka_conf_destroy(p); }
  void operator()(rd_kafka_topic_t* p) const { rd_kafka_topic_destroy(p); }
  void operator()(const rd_kafka_metadata_t* p) const { rd_kafka_metadata_destroy(p); }
  void operator()(rd_kafka_mock_cluster_t* p) const { rd_kafka_mock_cluster_destroy(p); }
  void operator()(rd_kafka_topic_partition_list_t* p) const {
    rd_kafka_topic_partition_list_destroy(p);
  }
  void operator()(rd_kafka_message_t* p) const { rd_kafka_message_destroy(p); }
  void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
};

using ClientHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using ConfHandle = std::unique_ptr<rd_kafka_conf_t, KafkaDeleter>;
using TopicHandle = std::unique_ptr<rd_kafka_topic_t, KafkaDeleter>;
using MetadataHandle = std::unique_ptr<const rd_kafka_metadata_t, KafkaDeleter>;
using MockClusterHandle = std::unique_ptr<rd_kafka_mock_cluster_t, KafkaDeleter>;
using PartitionListHandle = std::unique_ptr<rd_kafka_topic_partition_list_t, KafkaDeleter>;
using MessageHandle = std::unique_ptr<rd_kafka_message_t, KafkaDeleter>;
using QueueHandle = std::unique_ptr<rd_kafka_queue_t, KafkaDeleter>;

// A configuration with lakepipe's logging installed (warnings and errors go to
// stderr as "lakepipe: kafka <level> <facility>: <message>"; setting `debug`
// shows librdkafka's debug logs too), then `settings` applied in order.
// An unknown property or a bad value is kInvalidArgument naming the key and
// librdkafka's reason, never the value (it may be a secret; "***" stands for
// it in the reason).
Result<ConfHandle> MakeConf(const Settings& settings);

// Sets one property; errors as for MakeConf.
Status SetProperty(rd_kafka_conf_t* conf, std::string_view key, std::string_view value);

// librdkafka's connection failure text without its thread and broker
// prefixes and its "(after 0ms in state CONNECT, ...)" suffix:
// "[thrd:h:1/bootstrap]: h:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed:
// Connection refused (after ...)" is "Connect to ipv4#127.0.0.1:1 failed:
// Connection refused". Other text comes back unchanged.
std::string ConnectionFailureReason(std::string_view message);

// Holds back repeats of a message: librdkafka reports a connection failure
// on every reconnect attempt of every client (several a second). The first
// occurrence of a key is shown, then at most one per `window`, telling how
// many were held back since. Thread-safe.
class RepeatFilter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RepeatFilter(Clock::duration window) : window_(window) {}
  // Whether to show `key` now; when it is, `*held_back` is how many
  // occurrences were not shown since it last was.
  bool Admit(const std::string& key, Clock::time_point now, uint64_t* held_back);

 private:
  struct Entry {
    Clock::time_point shown;
    uint64_t held_back = 0;
  };
  const Clock::duration window_;
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

// Logs a client's connection error (facility or error name, and message)
// through the process's repeat filter (one a minute per distinct reason).
void LogConnectionError(std::string_view what, std::string_view message);

// Creates a client. Takes `conf` only on success (librdkafka's rule); on
// failure `conf` is still owned by the caller's handle. A configuration that
// librdkafka rejects as a whole (e.g. idempotence with acks=1) is
// kInvalidArgument with librdkafka's reason.
Result<ClientHandle> NewClient(rd_kafka_type_t type, ConfHandle& conf);

// The effective value of a property of a live client, or kNotFound.
Result<std::string> EffectiveProperty(const rd_kafka_t* client, std::string_view key);

// What a librdkafka error means for the caller, in lakepipe's terms:
// transient broker and network conditions are kUnavailable, records Kafka
// refuses (too large, invalid) kInvalidArgument, unknown topics and
// partitions kNotFound, purged records kCancelled, authorization and fatal
// errors kFailedPrecondition.
StatusCode StatusCodeFor(rd_kafka_resp_err_t err);

// A Status for `err`: "<context>: <librdkafka's description> (<ERROR_NAME>)",
// with the code from StatusCodeFor; OK for RD_KAFKA_RESP_ERR_NO_ERROR.
Status KafkaError(rd_kafka_resp_err_t err, std::string_view context);

}  // namespace lakepipe::kafka
