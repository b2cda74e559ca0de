#include "kafka/producer.h"

#include <array>
#include <cstdio>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "kafka/properties.h"
#include "observe/log.h"

namespace lakepipe::kafka {

Settings DefaultProducerSettings() {
  return {
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"compression.type", "lz4"},
      {"linger.ms", "10"},
      {"batch.num.messages", "10000"},
      {"batch.size", "1000000"},
      {"queue.buffering.max.messages", "100000"},
      {"queue.buffering.max.kbytes", "262144"},
      {"partitioner", "murmur2_random"},
  };
}

Result<std::unique_ptr<Producer>> Producer::Make(const ProducerOptions& options) {
  Settings settings = DefaultProducerSettings();
  settings.emplace_back("bootstrap.servers", options.brokers);
  settings.emplace_back("client.id", options.client_id);
  // Consumer-only settings of a shared `kafka:` section are not for us.
  const Settings mine = SettingsFor(ClientKind::kProducer, options.settings);
  settings.insert(settings.end(), mine.begin(), mine.end());
  std::string brokers;
  for (const auto& [key, value] : settings) {
    if (key == "bootstrap.servers" || key == "metadata.broker.list") brokers = value;
  }
  if (brokers.empty()) {
    return InvalidArgumentError(
        "no Kafka brokers given: set the bootstrap servers (host:port[,host:port...])");
  }
  LP_ASSIGN_OR_RETURN(ConfHandle conf, MakeConf(settings));

  std::unique_ptr<Producer> producer(new Producer());
  producer->brokers_ = brokers;
  rd_kafka_conf_set_opaque(conf.get(), producer.get());
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Producer::OnDelivery);
  rd_kafka_conf_set_error_cb(conf.get(), &Producer::OnError);
  LP_ASSIGN_OR_RETURN(producer->client_, NewClient(RD_KAFKA_PRODUCER, conf));
  return producer;
}

Producer::~Producer() {
  // Handles go first, while the callbacks' target is still whole.
  last_topic_ = nullptr;
  topics_.clear();
  client_.reset();
}

void Producer::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  static_cast<Producer*>(opaque)->RecordDelivery(*message);
}

void Producer::OnError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    self->fatal_.store(true);
    return;
  }
  // Connection failures are already logged (facility FAIL) with more detail.
  if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__RESOLVE) return;
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    LogConnectionError(rd_kafka_err2name(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN), reason);
    return;
  }
  observe::Log(observe::LogLevel::kError, "kafka",
               fmt::format("error {}: {}", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)),
                           reason));
}

void Producer::RecordDelivery(const rd_kafka_message_t& message) {
  if (message.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    bytes_delivered_.fetch_add(message.len + message.key_len);
    delivered_.fetch_add(1);
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  failed_.fetch_add(1);
  ++failures_by_cause_[rd_kafka_err2name(message.err)];
  ++errors_since_flush_[message.err];
  if (first_permanent_error_since_flush_ == RD_KAFKA_RESP_ERR_NO_ERROR &&
      StatusCodeFor(message.err) != StatusCode::kUnavailable) {
    first_permanent_error_since_flush_ = message.err;
  }
  if (first_failure_since_flush_.empty()) {
    first_failure_since_flush_ =
        fmt::format("topic '{}' partition {}: {}", rd_kafka_topic_name(message.rkt),
                    message.partition, rd_kafka_err2str(message.err));
  }
}

Result<rd_kafka_topic_t*> Producer::Topic(std::string_view name) {
  if (last_topic_ != nullptr && name == last_topic_name_) return last_topic_;
  auto it = topics_.find(name);
  if (it == topics_.end()) {
    const std::string topic(name);
    TopicHandle handle(rd_kafka_topic_new(client_.get(), topic.c_str(), nullptr));
    if (!handle) {
      return KafkaError(rd_kafka_last_error(), fmt::format("Kafka topic '{}'", topic));
    }
    it = topics_.emplace(topic, std::move(handle)).first;
  }
  last_topic_ = it->second.get();
  last_topic_name_ = it->first;
  return last_topic_;
}

Status Producer::FatalError() const {
  std::array<char, 512> reason{};
  const rd_kafka_resp_err_t err = rd_kafka_fatal_error(client_.get(), reason.data(), reason.size());
  return FailedPreconditionError(
      "the Kafka producer stopped on a fatal error: {} ({}); records not yet delivered must be "
      "produced again with a new producer",
      reason.data(), rd_kafka_err2name(err));
}

namespace {

// Owns a header list until librdkafka takes it with an accepted record.
struct HeadersDeleter {
  void operator()(rd_kafka_headers_t* p) const { rd_kafka_headers_destroy(p); }
};
using HeadersHandle = std::unique_ptr<rd_kafka_headers_t, HeadersDeleter>;

}  // namespace

namespace {

// The overloads with a plain key: an empty key is no key, so that the
// partitioner spreads such records.
std::optional<std::string_view> KeyOrNull(std::string_view key) {
  if (key.empty()) return std::nullopt;
  return key;
}

}  // namespace

Status Producer::Produce(std::string_view topic, std::string_view key, std::string_view value,
                         int32_t partition) {
  return Enqueue(topic, KeyOrNull(key), value, nullptr, partition);
}

Status Producer::Produce(std::string_view topic, std::string_view key, std::string_view value,
                         const std::vector<std::pair<std::string, std::string>>& headers,
                         int32_t partition) {
  return ProduceNullable(topic, KeyOrNull(key), value, headers, partition);
}

Status Producer::ProduceNullable(std::string_view topic, std::optional<std::string_view> key,
                                 std::optional<std::string_view> value,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 int32_t partition) {
  if (headers.empty()) return Enqueue(topic, key, value, nullptr, partition);
  HeadersHandle list(rd_kafka_headers_new(headers.size()));
  for (const auto& [name, header_value] : headers) {
    // Copies name and value; fails only on a read-only list, which a new one is not.
    const rd_kafka_resp_err_t err =
        rd_kafka_header_add(list.get(), name.data(), static_cast<ssize_t>(name.size()),
                            header_value.data(), static_cast<ssize_t>(header_value.size()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError(err,
                        fmt::format("adding header '{}' to a record for topic '{}'", name, topic));
    }
  }
  LP_RETURN_IF_ERROR(Enqueue(topic, key, value, list.get(), partition));
  (void)list.release();  // the queued record owns the headers now
  return Status::OK();
}

Status Producer::Enqueue(std::string_view topic, std::optional<std::string_view> key_or_null,
                         std::optional<std::string_view> value_or_null, rd_kafka_headers_t* headers,
                         int32_t partition) {
  if (fatal_.load()) return FatalError();
  LP_ASSIGN_OR_RETURN(rd_kafka_topic_t * rkt, Topic(topic));
  // librdkafka writes a null pointer as Kafka's null and any other pointer,
  // even with length 0, as bytes; an empty view may have a null data().
  static const char kEmpty[1] = {0};
  const auto pointer = [](const std::optional<std::string_view>& v) -> void* {
    if (!v) return nullptr;
    return const_cast<char*>(v->data() != nullptr ? v->data() : kEmpty);
  };
  const std::string_view key = key_or_null.value_or(std::string_view());
  const std::string_view value = value_or_null.value_or(std::string_view());
  void* key_ptr = pointer(key_or_null);
  void* value_ptr = pointer(value_or_null);
  const auto try_once = [&]() -> rd_kafka_resp_err_t {
    if (headers == nullptr) {
      if (rd_kafka_produce(rkt, partition, RD_KAFKA_MSG_F_COPY, value_ptr, value.size(), key_ptr,
                           key.size(), nullptr) == 0) {
        return RD_KAFKA_RESP_ERR_NO_ERROR;
      }
      return rd_kafka_last_error();
    }
    std::array<rd_kafka_vu_t, 6> vus{};
    vus[0].vtype = RD_KAFKA_VTYPE_RKT;
    vus[0].u.rkt = rkt;
    vus[1].vtype = RD_KAFKA_VTYPE_PARTITION;
    vus[1].u.i32 = partition;
    vus[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vus[2].u.i = RD_KAFKA_MSG_F_COPY;
    vus[3].vtype = RD_KAFKA_VTYPE_VALUE;
    vus[3].u.mem = {value_ptr, value.size()};
    vus[4].vtype = RD_KAFKA_VTYPE_KEY;
    vus[4].u.mem = {key_ptr, key.size()};
    vus[5].vtype = RD_KAFKA_VTYPE_HEADERS;
    vus[5].u.headers = headers;  // taken by the record only when it is accepted
    rd_kafka_error_t* error = rd_kafka_produceva(client_.get(), vus.data(), vus.size());
    if (error == nullptr) return RD_KAFKA_RESP_ERR_NO_ERROR;
    const rd_kafka_resp_err_t err = rd_kafka_error_code(error);
    rd_kafka_error_destroy(error);
    return err;
  };
  for (;;) {
    const rd_kafka_resp_err_t err = try_once();
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      queued_.fetch_add(1);
      return Status::OK();
    }
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      // Backpressure: wait for deliveries to free room.
      rd_kafka_poll(client_.get(), 10);
      if (fatal_.load()) return FatalError();
      continue;
    }
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      fatal_.store(true);
      return FatalError();
    }
    return KafkaError(err, fmt::format("producing a record of {} bytes to topic '{}' partition {}",
                                       key.size() + value.size(), topic, partition));
  }
}

void Producer::Poll() { rd_kafka_poll(client_.get(), 0); }

Status Producer::Flush(std::chrono::milliseconds timeout) {
  const rd_kafka_resp_err_t err = rd_kafka_flush(client_.get(), static_cast<int>(timeout.count()));
  if (fatal_.load()) return FatalError();
  if (err == RD_KAFKA_RESP_ERR__TIMED_OUT) {
    const ProducerStats s = stats();
    return DeadlineExceededError(
        "{} of {} records still undelivered after waiting {} ms; the brokers ({}) may be down or "
        "slow: flush again, or raise the timeout",
        s.queued - s.delivered - s.failed, s.queued, timeout.count(), brokers_);
  }
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t failed = failed_.load() - failed_at_last_flush_;
  if (failed == 0) return Status::OK();
  const StatusCode code = first_permanent_error_since_flush_ == RD_KAFKA_RESP_ERR_NO_ERROR
                              ? StatusCode::kUnavailable
                              : StatusCodeFor(first_permanent_error_since_flush_);
  std::vector<std::string> causes;
  for (const auto& [cause, count] : errors_since_flush_) {
    causes.push_back(fmt::format("{} x{}", rd_kafka_err2name(cause), count));
  }
  Status status(code, fmt::format("{} records were not delivered ({}); first: {}", failed,
                                  fmt::join(causes, ", "), first_failure_since_flush_));
  failed_at_last_flush_ = failed_.load();
  errors_since_flush_.clear();
  first_failure_since_flush_.clear();
  first_permanent_error_since_flush_ = RD_KAFKA_RESP_ERR_NO_ERROR;
  return status;
}

ProducerStats Producer::stats() const {
  ProducerStats s;
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.failed = failed_.load();
    s.failures_by_cause = failures_by_cause_;
  }
  s.delivered = delivered_.load();
  s.bytes_delivered = bytes_delivered_.load();
  // Read last: a record is queued before it is delivered or failed, so
  // queued >= delivered + failed holds in every snapshot.
  s.queued = queued_.load();
  return s;
}

Result<std::string> Producer::Setting(std::string_view key) const {
  return EffectiveProperty(client_.get(), key);
}

}  // namespace lakepipe::kafka
