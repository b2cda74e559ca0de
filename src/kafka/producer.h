// Producer: lakepipe's Kafka producer, a thin owner of a librdkafka producer
// with reliable defaults, backpressure instead of drops, and delivery
// accounting.
//
//   LP_ASSIGN_OR_RETURN(auto producer, Producer::Make({.brokers = "127.0.0.1:9092"}));
//   for (...) LP_RETURN_IF_ERROR(producer->Produce("events", key, value));
//   LP_RETURN_IF_ERROR(producer->Flush(std::chrono::seconds(30)));
//
// Lifecycle: Produce... then Flush. Records still queued when the Producer is
// destroyed are abandoned (never delivered, never counted).
//
// Thread-safety: Produce, Poll and Flush are called by one thread at a time
// (delivery reports run on that thread, inside these calls). stats() may be
// called from any thread at any time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "kafka/handles.h"
#include "kafka/metadata.h"  // TopicPartitions, usually called before producing

namespace lakepipe::kafka {

struct ProducerOptions {
  std::string brokers{};  // bootstrap.servers
  // Applied after lakepipe's defaults (user -X / config kafka: section);
  // consumer-only properties are left out (SettingsFor, properties.h).
  Settings settings{};
  std::string client_id = "lakepipe";
};

struct ProducerStats {
  uint64_t queued = 0;           // records accepted by Produce
  uint64_t delivered = 0;        // acknowledged by the brokers (acks=all by default)
  uint64_t failed = 0;           // given up on; see failures_by_cause
  uint64_t bytes_delivered = 0;  // key + value bytes of delivered records, before compression
  std::map<std::string, uint64_t> failures_by_cause;  // librdkafka error name -> count
};

// lakepipe's producer defaults, applied before ProducerOptions::settings:
// enable.idempotence=true and acks=all (no loss, no duplicates, per-partition
// order kept across retries), compression.type=lz4, linger.ms=10, batches of
// up to 10,000 records or 1 MB, partitioner=murmur2_random (a key lands on the
// partition the Java client and kafkajs pick too), a local queue of 100,000
// records / 256 MiB.
Settings DefaultProducerSettings();

class Producer {
 public:
  // Applies DefaultProducerSettings(), then bootstrap.servers and client.id
  // from `options`, then options.settings. An unknown property or a bad value
  // is kInvalidArgument naming the key and librdkafka's message; so is a
  // combination librdkafka refuses (e.g. acks=1 with idempotence).
  static Result<std::unique_ptr<Producer>> Make(const ProducerOptions& options);

  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one record (partition -1 = partitioner by key); key and value are
  // copied. When the local queue is full it serves delivery reports and
  // retries (backpressure): it never drops a record. Errors: a fatal producer
  // error (e.g. the idempotent sequence broke) is kFailedPrecondition and the
  // Producer must be recreated; a record larger than message.max.bytes is
  // kInvalidArgument; an unknown partition kNotFound.
  Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                 int32_t partition = -1);

  // As above, with record headers (name, value) in order; names may repeat.
  // Headers are copied too. No headers is the same as the overload above.
  Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                 const std::vector<std::pair<std::string, std::string>>& headers,
                 int32_t partition = -1);

  // As above, keeping Kafka's null apart from empty: std::nullopt produces a
  // null key (no key) or a null value (a tombstone), an empty view an empty
  // key or value. (The overloads above treat an empty key as no key.)
  Status ProduceNullable(std::string_view topic, std::optional<std::string_view> key,
                         std::optional<std::string_view> value,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         int32_t partition = -1);

  // Serves delivery reports without blocking.
  void Poll();

  // Waits until every queued record is delivered or failed, up to `timeout`.
  // kDeadlineExceeded (naming how many remain) if records remain. Otherwise,
  // if records failed since the previous Flush, an error naming how many and
  // why (kUnavailable when every cause is transient, such as timeouts or
  // brokers down; else the code of the first permanent cause, see
  // StatusCodeFor); stats() has the totals.
  Status Flush(std::chrono::milliseconds timeout);

  ProducerStats stats() const;

  // The effective value of a librdkafka property, e.g. "enable.idempotence".
  Result<std::string> Setting(std::string_view key) const;

  // The underlying librdkafka handle, for tests and diagnostics. Owned by the
  // Producer; do not destroy it or poll it from another thread.
  rd_kafka_t* native_handle() { return client_.get(); }

 private:
  Producer() = default;

  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  void RecordDelivery(const rd_kafka_message_t& message);
  Result<rd_kafka_topic_t*> Topic(std::string_view name);
  // Queues one record with `headers` (owned by the caller until librdkafka
  // accepts the record; may be null), with backpressure.
  Status Enqueue(std::string_view topic, std::optional<std::string_view> key,
                 std::optional<std::string_view> value, rd_kafka_headers_t* headers,
                 int32_t partition);
  Status FatalError() const;

  std::string brokers_;
  ClientHandle client_;
  std::map<std::string, TopicHandle, std::less<>> topics_;
  rd_kafka_topic_t* last_topic_ = nullptr;  // the most recently used entry of topics_
  std::string last_topic_name_;

  std::atomic<uint64_t> queued_{0};
  std::atomic<uint64_t> delivered_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> bytes_delivered_{0};
  std::atomic<bool> fatal_{false};

  mutable std::mutex mu_;  // guards the members below
  std::map<std::string, uint64_t> failures_by_cause_;
  uint64_t failed_at_last_flush_ = 0;
  std::map<rd_kafka_resp_err_t, uint64_t> errors_since_flush_;
  std::string first_failure_since_flush_;  // "topic 't' partition 3: <reason>"
  rd_kafka_resp_err_t first_permanent_error_since_flush_ = RD_KAFKA_RESP_ERR_NO_ERROR;
};

}  // namespace lakepipe::kafka
