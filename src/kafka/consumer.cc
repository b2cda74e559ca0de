#include "kafka/consumer.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "kafka/properties.h"
#include "kafka/topic_name.h"

#include "observe/log.h"

namespace lakepipe::kafka {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// How long a rebalance may wait for the group's committed offsets before the
// consumer lets librdkafka look them up itself.
constexpr int kCommittedLookupTimeoutMs = 10000;
// While all brokers are down: how often Poll asks whether one answers
// again, and how long it waits for the answer.
constexpr milliseconds kProbeInterval(1000);
constexpr int kProbeTimeoutMs = 500;
// How long Poll may wait for watermarks to classify a jump when the fetcher
// has none cached (brokers older than Kafka 0.11).
constexpr int kWatermarkLookupTimeoutMs = 5000;

struct ErrorDeleter {
  void operator()(rd_kafka_error_t* p) const { rd_kafka_error_destroy(p); }
};
using ErrorHandle = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;

void Log(std::string_view level, const std::string& message) {
  observe::Log(level == "error"     ? observe::LogLevel::kError
               : level == "warning" ? observe::LogLevel::kWarning
                                    : observe::LogLevel::kInfo,
               "kafka", fmt::format("{} consumer: {}", level, message));
}

std::vector<TopicPartition> ToVector(const rd_kafka_topic_partition_list_t& list) {
  std::vector<TopicPartition> out;
  out.reserve(static_cast<size_t>(list.cnt));
  for (int i = 0; i < list.cnt; ++i) {
    out.push_back({list.elems[i].topic, list.elems[i].partition});
  }
  return out;
}

PartitionListHandle ToList(const std::vector<TopicPartition>& tps) {
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(tps.size())));
  for (const TopicPartition& tp : tps) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  }
  return list;
}

std::string Describe(const std::vector<TopicPartition>& tps) {
  std::vector<std::string> names;
  names.reserve(tps.size());
  for (const TopicPartition& tp : tps) names.push_back(ToString(tp));
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

int ClampMs(milliseconds timeout) {
  const auto ms = std::max<int64_t>(0, timeout.count());
  return static_cast<int>(std::min<int64_t>(ms, std::numeric_limits<int>::max()));
}

// A Status for an error librdkafka reports for a call with per-partition results.
Status PartitionError(rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t& list,
                      std::string_view context) {
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaError(err, context);
  for (int i = 0; i < list.cnt; ++i) {
    const rd_kafka_topic_partition_t& p = list.elems[i];
    if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError(p.err, fmt::format("{} ({}[{}])", context, p.topic, p.partition));
    }
  }
  return Status::OK();
}

// Collects the result of one rd_kafka_commit_queue call.
struct CommitResult {
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string failed;  // "topic[p]: reason" of the first failed partition
  rd_kafka_resp_err_t partition_err = RD_KAFKA_RESP_ERR_NO_ERROR;
};

void OnCommitted(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
                 void* opaque) {
  auto* result = static_cast<CommitResult*>(opaque);
  result->err = err;
  for (int i = 0; offsets != nullptr && i < offsets->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = offsets->elems[i];
    if (p.err != RD_KAFKA_RESP_ERR_NO_ERROR && result->failed.empty()) {
      result->partition_err = p.err;
      result->failed = fmt::format("{}[{}] at offset {}", p.topic, p.partition, p.offset);
    }
  }
}

// The code for a refused commit, from the caller's point of view.
StatusCode CommitCode(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID:
    case RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST:
    case RD_KAFKA_RESP_ERR__STATE:
      return StatusCode::kFailedPrecondition;
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
      return StatusCode::kUnavailable;
    case RD_KAFKA_RESP_ERR_OFFSET_METADATA_TOO_LARGE:
      return StatusCode::kInvalidArgument;
    default:
      return StatusCodeFor(err);
  }
}

}  // namespace

size_t TopicPartitionHash::operator()(const TopicPartition& tp) const {
  const size_t h = std::hash<std::string>()(tp.topic);
  return h ^ (std::hash<int32_t>()(tp.partition) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

std::string ToString(const TopicPartition& tp) {
  return fmt::format("{}[{}]", tp.topic, tp.partition);
}

// MessageView ----------------------------------------------------------------

size_t MessageView::header_count() const {
  size_t count = 0;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  while (headers_ != nullptr && rd_kafka_header_get_all(headers_, count, &name, &value, &size) ==
                                    RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++count;
  }
  return count;
}

std::pair<std::string_view, std::string_view> MessageView::header(size_t i) const {
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  if (headers_ == nullptr ||
      rd_kafka_header_get_all(headers_, i, &name, &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return {};
  }
  return {std::string_view(name), value == nullptr
                                      ? std::string_view()
                                      : std::string_view(static_cast<const char*>(value), size)};
}

std::vector<std::pair<std::string_view, std::string_view>> MessageView::headers() const {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0;
       headers_ != nullptr &&
       rd_kafka_header_get_all(headers_, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
       ++i) {
    out.emplace_back(std::string_view(name),
                     value == nullptr ? std::string_view()
                                      : std::string_view(static_cast<const char*>(value), size));
  }
  return out;
}

// MessageBatch ---------------------------------------------------------------

void MessageBatch::Add(MessageHandle message) {
  const rd_kafka_message_t& m = *message;
  MessageView view;
  view.topic = rd_kafka_topic_name(m.rkt);
  view.partition = m.partition;
  view.offset = m.offset;
  view.has_key = m.key != nullptr;
  if (m.key != nullptr) view.key = std::string_view(static_cast<const char*>(m.key), m.key_len);
  view.has_value = m.payload != nullptr;
  if (m.payload != nullptr) {
    view.value = std::string_view(static_cast<const char*>(m.payload), m.len);
  }
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  const int64_t timestamp = rd_kafka_message_timestamp(&m, &type);
  view.timestamp_ms = type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? -1 : timestamp;
  // Parsed now, on the polling thread, so that views are read-only afterwards.
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    view.headers_ = headers;
  }
  bytes_ += view.key.size() + view.value.size();
  views_.push_back(view);
  messages_.push_back(std::move(message));
}

void MessageBatch::PopBack() {
  bytes_ -= views_.back().key.size() + views_.back().value.size();
  views_.pop_back();
  messages_.pop_back();
}

void MessageBatch::Drop(const std::set<TopicPartition>& partitions) {
  size_t kept = 0;
  for (size_t i = 0; i < views_.size(); ++i) {
    const TopicPartition tp{std::string(views_[i].topic), views_[i].partition};
    if (partitions.count(tp) > 0) {
      bytes_ -= views_[i].key.size() + views_[i].value.size();
      continue;
    }
    if (kept != i) {
      views_[kept] = views_[i];
      messages_[kept] = std::move(messages_[i]);
    }
    ++kept;
  }
  views_.resize(kept);
  messages_.resize(kept);
}

// Consumer -------------------------------------------------------------------

Settings DefaultConsumerSettings() {
  return {
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"auto.offset.reset", "earliest"},
      {"isolation.level", "read_committed"},
      {"enable.partition.eof", "false"},
      {"queued.max.messages.kbytes", "8192"},
      {"fetch.wait.max.ms", "100"},
      {"fetch.max.bytes", "8388608"},
      {"max.partition.fetch.bytes", "1048576"},
  };
}

Result<std::unique_ptr<Consumer>> Consumer::Make(const ConsumerOptions& options,
                                                 RebalanceListener* listener) {
  if (options.topics.empty()) {
    return InvalidArgumentError("no Kafka topics to consume: name at least one topic");
  }
  for (const std::string& topic : options.topics) {
    if (!topic.empty() && topic.front() == '^') continue;  // a regular expression
    LP_RETURN_IF_ERROR(ValidateTopicName(topic));
  }
  Settings settings = DefaultConsumerSettings();
  if (!options.brokers.empty()) settings.emplace_back("bootstrap.servers", options.brokers);
  if (!options.group_id.empty()) settings.emplace_back("group.id", options.group_id);
  settings.emplace_back("client.id", options.client_id);
  if (!options.group_instance_id.empty()) {
    settings.emplace_back("group.instance.id", options.group_instance_id);
  }
  // Producer-only settings of a shared `kafka:` section are not for us.
  const Settings mine = SettingsFor(ClientKind::kConsumer, options.settings);
  settings.insert(settings.end(), mine.begin(), mine.end());
  std::string brokers;
  std::string group_id;
  std::string reset;
  std::string instance_id;
  for (const auto& [key, value] : settings) {
    if (key == "group.instance.id") instance_id = value;
    if (key == "bootstrap.servers" || key == "metadata.broker.list") brokers = value;
    if (key == "group.id") group_id = value;
    if (key == "auto.offset.reset") reset = value;
  }
  if (brokers.empty()) {
    return InvalidArgumentError(
        "no Kafka brokers given: set the bootstrap servers (host:port[,host:port...])");
  }
  if (group_id.empty()) {
    return InvalidArgumentError("no Kafka consumer group given: set the group id (group.id)");
  }
  if (reset == "error") {
    return InvalidArgumentError(
        "Kafka setting 'auto.offset.reset' = 'error' is not supported: librdkafka 2.0 cannot "
        "restart a partition stopped by it; use 'earliest' or 'latest' (lakepipe reports every "
        "skipped range)");
  }
  LP_ASSIGN_OR_RETURN(ConfHandle conf, MakeConf(settings));

  std::unique_ptr<Consumer> consumer(new Consumer());
  consumer->group_id_ = group_id;
  consumer->instance_id_ = instance_id;
  consumer->topics_ = fmt::format("{}", fmt::join(options.topics, ", "));
  consumer->listener_ = listener;
  consumer->reset_to_latest_ = reset == "latest" || reset == "largest" || reset == "end";
  rd_kafka_conf_set_opaque(conf.get(), consumer.get());
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Consumer::OnRebalance);
  rd_kafka_conf_set_error_cb(conf.get(), &Consumer::OnError);
  LP_ASSIGN_OR_RETURN(consumer->client_, NewClient(RD_KAFKA_CONSUMER, conf));
  {
    std::lock_guard<std::mutex> lock(consumer->mu_);
    consumer->lag_client_ = consumer->client_.get();
  }
  rd_kafka_poll_set_consumer(consumer->client_.get());
  consumer->queue_.reset(rd_kafka_queue_get_consumer(consumer->client_.get()));
  if (auto kb = EffectiveProperty(consumer->client_.get(), "queued.max.messages.kbytes"); kb.ok()) {
    consumer->queue_limit_bytes_ = std::strtoull(kb->c_str(), nullptr, 10) * 1024;
  }
  if (auto n = EffectiveProperty(consumer->client_.get(), "queued.min.messages"); n.ok()) {
    consumer->queue_limit_messages_ = std::strtoull(n->c_str(), nullptr, 10);
  }
  PartitionListHandle subscription(
      rd_kafka_topic_partition_list_new(static_cast<int>(options.topics.size())));
  for (const std::string& topic : options.topics) {
    rd_kafka_topic_partition_list_add(subscription.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  LP_RETURN_IF_ERROR(KafkaError(
      rd_kafka_subscribe(consumer->client_.get(), subscription.get()),
      fmt::format("subscribing Kafka consumer group '{}' to {}", group_id, consumer->topics_)));
  return consumer;
}

Consumer::~Consumer() { Close().IgnoreError(); }

void Consumer::OnRebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  static_cast<Consumer*>(opaque)->Rebalance(err, partitions);
}

void Consumer::OnError(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Consumer*>(opaque);
  const auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    self->fatal_.store(true);
    return;
  }
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    std::lock_guard<std::mutex> lock(self->mu_);
    if (!self->disconnected_) {
      self->disconnected_ = Disconnection{steady_clock::now(), reason};
      self->next_probe_ = steady_clock::now() + kProbeInterval;
    }
  }
  // Connection failures are already logged (facility FAIL) with more detail.
  if (code == RD_KAFKA_RESP_ERR__TRANSPORT || code == RD_KAFKA_RESP_ERR__RESOLVE) return;
  if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    LogConnectionError(rd_kafka_err2name(code), reason);
    return;
  }
  Log("error", fmt::format("group '{}': {}: {}", self->group_id_, rd_kafka_err2name(code), reason));
}

Consumer::Protocol Consumer::CurrentProtocol() const {
  const char* protocol = rd_kafka_rebalance_protocol(client_.get());
  return protocol != nullptr && std::strcmp(protocol, "COOPERATIVE") == 0 ? Protocol::kCooperative
                                                                          : Protocol::kEager;
}

void Consumer::Rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
  const Protocol protocol = CurrentProtocol();
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    Assign(*partitions, protocol);
    return;
  }
  std::vector<TopicPartition> revoked;
  bool lost = true;
  if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
    revoked = ToVector(*partitions);
    lost = rd_kafka_assignment_lost(client_.get()) != 0;
  } else {
    Log("error", fmt::format("group '{}': rebalance failed: {} ({}); giving up all partitions",
                             group_id_, rd_kafka_err2str(err), rd_kafka_err2name(err)));
    revoked.assign(owned_.begin(), owned_.end());
  }
  Revoke(revoked, lost);
  rd_kafka_error_t* raw = nullptr;
  if (protocol == Protocol::kCooperative) {
    if (!revoked.empty()) {
      const PartitionListHandle list = ToList(revoked);
      raw = rd_kafka_incremental_unassign(client_.get(), list.get());
    }
  } else {
    const rd_kafka_resp_err_t assign_err = rd_kafka_assign(client_.get(), nullptr);
    if (assign_err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      raw = rd_kafka_error_new(assign_err, "%s", rd_kafka_err2str(assign_err));
    }
  }
  const ErrorHandle error(raw);
  if (error) {
    Log("error", fmt::format("group '{}': giving up partitions {} failed: {}", group_id_,
                             Describe(revoked), rd_kafka_error_string(error.get())));
  }
}

void Consumer::Assign(const rd_kafka_topic_partition_list_t& partitions, Protocol protocol) {
  ever_assigned_ = true;
  const std::vector<TopicPartition> tps = ToVector(partitions);
  const std::set<TopicPartition> assigning(tps.begin(), tps.end());
  start_offsets_.clear();
  if (listener_ != nullptr) {
    assigning_ = &assigning;
    in_listener_ = true;
    listener_->OnAssigned(tps);
    in_listener_ = false;
    assigning_ = nullptr;
  }
  // Start offsets: Seek from OnAssigned, else the committed offsets, else the
  // reset policy. Reading them here (rather than leaving it to librdkafka)
  // tells Track where each partition must continue.
  PartitionListHandle list(rd_kafka_topic_partition_list_copy(&partitions));
  PartitionListHandle committed(rd_kafka_topic_partition_list_new(list->cnt));
  for (const TopicPartition& tp : tps) {
    if (start_offsets_.count(tp) == 0) {
      rd_kafka_topic_partition_list_add(committed.get(), tp.topic.c_str(), tp.partition);
    }
  }
  bool committed_known = true;
  if (committed->cnt > 0) {
    const rd_kafka_resp_err_t err =
        rd_kafka_committed(client_.get(), committed.get(), kCommittedLookupTimeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      committed_known = false;
      Log("warning",
          fmt::format("group '{}': reading the committed offsets of {} failed: {}; librdkafka "
                      "reads them itself, and a range lost to retention before the first record "
                      "of these partitions will not be reported",
                      group_id_, Describe(ToVector(*committed)), rd_kafka_err2str(err)));
    }
  }
  std::map<TopicPartition, int64_t> starts;
  for (int i = 0; i < list->cnt; ++i) {
    rd_kafka_topic_partition_t& p = list->elems[i];
    const TopicPartition tp{p.topic, p.partition};
    int64_t start = -1;
    if (auto it = start_offsets_.find(tp); it != start_offsets_.end()) {
      p.offset = it->second;
      start = it->second;
    } else if (!committed_known) {
      p.offset = RD_KAFKA_OFFSET_INVALID;  // librdkafka reads the committed offset
    } else {
      const rd_kafka_topic_partition_t* c =
          rd_kafka_topic_partition_list_find(committed.get(), p.topic, p.partition);
      if (c == nullptr || c->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        p.offset = RD_KAFKA_OFFSET_INVALID;
      } else if (c->offset >= 0) {
        p.offset = c->offset;
        start = c->offset;
      } else {
        p.offset = reset_to_latest_ ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
      }
    }
    starts[tp] = start;
  }
  start_offsets_.clear();
  rd_kafka_error_t* raw = nullptr;
  if (protocol == Protocol::kCooperative) {
    raw = rd_kafka_incremental_assign(client_.get(), list.get());
  } else {
    const rd_kafka_resp_err_t err = rd_kafka_assign(client_.get(), list.get());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      raw = rd_kafka_error_new(err, "%s", rd_kafka_err2str(err));
    }
  }
  const ErrorHandle error(raw);
  if (error) {
    const Status status = FailedPreconditionError(
        "Kafka consumer group '{}': taking the assigned partitions {} failed: {}", group_id_,
        Describe(tps), rd_kafka_error_string(error.get()));
    Log("error", status.message());
    if (!deferred_error_) deferred_error_ = status;
    return;
  }
  if (protocol == Protocol::kEager) {
    owned_.clear();
    positions_.clear();
    paused_.clear();
  }
  for (const auto& [tp, start] : starts) {
    owned_.insert(tp);
    positions_[tp] = start;
  }
  last_position_ = nullptr;
  nudge_targets_stale_ = true;
  Publish();
}

void Consumer::Revoke(const std::vector<TopicPartition>& partitions, bool lost) {
  const std::set<TopicPartition> revoking(partitions.begin(), partitions.end());
  if (filling_ != nullptr) filling_->Drop(revoking);
  last_position_ = nullptr;
  const auto forget = [&] {
    for (const TopicPartition& tp : partitions) {
      owned_.erase(tp);
      positions_.erase(tp);
      paused_.erase(tp);
    }
    nudge_targets_stale_ = true;
    Publish();
  };
  // Lost partitions may already belong to another consumer: Commit must refuse them.
  if (lost) forget();
  if (listener_ != nullptr && !partitions.empty()) {
    in_listener_ = true;
    listener_->OnRevoked(partitions, lost);
    in_listener_ = false;
  }
  forget();
}

void Consumer::Publish() {
  std::lock_guard<std::mutex> lock(mu_);
  published_assignment_.assign(owned_.begin(), owned_.end());
  published_positions_ = positions_;
}

bool Consumer::Track(const MessageView& view, MessageBatch& batch) {
  if (view.topic.data() != last_topic_ || view.partition != last_partition_ ||
      last_position_ == nullptr) {
    auto it = positions_.find(TopicPartition{std::string(view.topic), view.partition});
    if (it == positions_.end()) return false;
    last_topic_ = view.topic.data();
    last_partition_ = view.partition;
    last_position_ = &it->second;
  }
  const int64_t expected = *last_position_;
  *last_position_ = view.offset + 1;
  if (expected < 0 || view.offset == expected) return true;

  const TopicPartition tp{std::string(view.topic), view.partition};
  int64_t low = RD_KAFKA_OFFSET_INVALID;
  int64_t high = RD_KAFKA_OFFSET_INVALID;
  // Updated by every fetch response, so at least as recent as this record's.
  rd_kafka_get_watermark_offsets(client_.get(), tp.topic.c_str(), tp.partition, &low, &high);
  if (view.offset > expected && low < 0) {
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        client_.get(), tp.topic.c_str(), tp.partition, &low, &high, kWatermarkLookupTimeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Log("warning", fmt::format("{}: offsets {} to {} were skipped, and reading the log start "
                                 "to tell whether they were lost failed: {}",
                                 ToString(tp), expected, view.offset - 1, rd_kafka_err2str(err)));
      return true;
    }
  }
  // A gap that starts inside the log held transaction markers, aborted or
  // compacted records: normal.
  if (view.offset > expected && expected >= low) return true;

  OffsetReset reset;
  reset.tp = tp;
  reset.offset = expected;
  reset.resumed_at = view.offset;
  reset.log_start = low < 0 ? -1 : low;
  reset.log_end = high < 0 ? -1 : high;
  if (reset.lost_records()) {
    Log("warning",
        fmt::format("{}: offsets {} to {} ({} records) were deleted before they were read "
                    "(retention: the log now starts at {}); continuing at offset {}",
                    ToString(tp), reset.offset, reset.lost_until() - 1, reset.lost_count(),
                    reset.log_start, reset.resumed_at));
  } else {
    Log("warning", fmt::format("{}: expected offset {} but the log now has offsets {} to {} "
                               "(truncated or recreated); continuing at offset {}",
                               ToString(tp), reset.offset, reset.log_start, reset.log_end - 1,
                               reset.resumed_at));
  }
  batch.resets_.push_back(std::move(reset));
  return true;
}

Status Consumer::CheckOpen(std::string_view what) const {
  if (!client_) {
    return FailedPreconditionError("cannot {}: the Kafka consumer of group '{}' is closed", what,
                                   group_id_);
  }
  return Status::OK();
}

Status Consumer::FatalError() const {
  std::array<char, 512> reason{};
  const rd_kafka_resp_err_t err = rd_kafka_fatal_error(client_.get(), reason.data(), reason.size());
  if (err == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID) {
    return FailedPreconditionError(
        "another consumer joined Kafka consumer group '{}' with the same group.instance.id '{}' "
        "and took over its partitions (FENCED_INSTANCE_ID): give each consumer of the group its "
        "own instance id",
        group_id_, instance_id_);
  }
  return FailedPreconditionError(
      "the Kafka consumer of group '{}' stopped on a fatal error: {} ({}); create a new consumer",
      group_id_, reason.data(), rd_kafka_err2name(err));
}

Status Consumer::CheckAssigned(const std::vector<TopicPartition>& tps,
                               std::string_view what) const {
  for (const TopicPartition& tp : tps) {
    if (owned_.count(tp) == 0) {
      return FailedPreconditionError(
          "cannot {} {}: the partition is not assigned to this consumer of group '{}' (assigned: "
          "{})",
          what, ToString(tp), group_id_,
          Describe(std::vector<TopicPartition>(owned_.begin(), owned_.end())));
    }
  }
  return Status::OK();
}

Result<MessageBatch> Consumer::Poll(milliseconds timeout, size_t max_messages) {
  LP_RETURN_IF_ERROR(CheckOpen("poll"));
  if (in_listener_) {
    return FailedPreconditionError(
        "Consumer::Poll was called from a RebalanceListener callback of group '{}'; return from "
        "the callback first",
        group_id_);
  }
  if (max_messages == 0) {
    return InvalidArgumentError("Consumer::Poll needs max_messages of at least 1, got 0");
  }
  if (deferred_error_) {
    Status status = std::move(*deferred_error_);
    deferred_error_.reset();
    return status;
  }
  if (fatal_.load()) return FatalError();

  MessageBatch batch;
  filling_ = &batch;
  const auto deadline = steady_clock::now() + timeout;
  for (;;) {
    int wait_ms = 0;
    if (batch.empty()) {
      wait_ms = ClampMs(std::chrono::ceil<milliseconds>(deadline - steady_clock::now()));
    }
    MessageHandle message(rd_kafka_consumer_poll(client_.get(), wait_ms));
    if (!message) {
      if (!batch.empty() || steady_clock::now() >= deadline) break;
      continue;
    }
    const rd_kafka_resp_err_t err = message->err;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      batch.Add(std::move(message));
      // librdkafka drops records of revoked partitions itself; this is a guard.
      if (!Track(batch.views_.back(), batch)) batch.PopBack();
      if (batch.size() >= max_messages) break;
      continue;
    }
    if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    const std::string where =
        message->rkt != nullptr
            ? fmt::format("{}[{}]", rd_kafka_topic_name(message->rkt), message->partition)
            : topics_;
    const std::string detail = rd_kafka_message_errstr(message.get());
    if (err == RD_KAFKA_RESP_ERR__FATAL) fatal_.store(true);
    if (err == RD_KAFKA_RESP_ERR__MAX_POLL_EXCEEDED ||
        StatusCodeFor(err) == StatusCode::kUnavailable) {
      // librdkafka retries these itself; a session lost meanwhile comes as a
      // revocation with lost=true.
      Log("warning", fmt::format("group '{}' ({}): {} ({})", group_id_, where, detail,
                                 rd_kafka_err2name(err)));
      continue;
    }
    Status status = fatal_.load()
                        ? FatalError()
                        : Status(StatusCodeFor(err),
                                 fmt::format("Kafka consumer of group '{}' ({}): {} ({})",
                                             group_id_, where, detail, rd_kafka_err2name(err)));
    if (batch.empty() && batch.offset_resets().empty()) {
      filling_ = nullptr;
      Publish();
      return status;
    }
    deferred_error_ = std::move(status);
    break;
  }
  filling_ = nullptr;
  Publish();
  NudgeFetchers(batch);
  ProbeBrokers();
  return batch;
}

// librdkafka reports ALL_BROKERS_DOWN once, when the last broker goes down,
// and nothing when one comes back; a metadata request answered says so.
void Consumer::ProbeBrokers() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!disconnected_ || steady_clock::now() < next_probe_) return;
  }
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err =
      rd_kafka_metadata(client_.get(), 0, nullptr, &raw, kProbeTimeoutMs);
  if (raw != nullptr) rd_kafka_metadata_destroy(raw);
  std::lock_guard<std::mutex> lock(mu_);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    Log("info",
        fmt::format(
            "group '{}': a broker answers again after {:.1f} s", group_id_,
            std::chrono::duration<double>(steady_clock::now() - disconnected_->since).count()));
    disconnected_.reset();
  } else {
    next_probe_ = steady_clock::now() + kProbeInterval;
  }
}

std::optional<Disconnection> Consumer::Disconnected() const {
  std::lock_guard<std::mutex> lock(mu_);
  return disconnected_;
}

// Fetch stalls. librdkafka stops fetching a partition while the consumer
// queue holds more than queued.max.messages.kbytes (or queued.min.messages
// records), and before 2.2 (fetch.queue.backoff.ms) nothing restarts the
// fetcher when the application drains the queue: the broker thread sleeps
// until its next wake-up, up to a second. An application slower than the
// network (one that decodes and compresses) then idles most of the time. Any
// request to a broker wakes that broker's thread, which then decides to fetch
// again; so once the queue came near a limit and has drained to a quarter of
// it, the consumer asks each leader broker of its partitions for one
// partition's watermarks (a small ListOffsets request) and drops the answer.
void Consumer::NudgeFetchers(const MessageBatch& batch) {
  if (!queue_ || owned_.empty()) return;
  if (!batch.empty()) {
    const double average = static_cast<double>(batch.bytes()) / static_cast<double>(batch.size());
    message_bytes_ = 0.9 * message_bytes_ + 0.1 * average;
  }
  const double length = static_cast<double>(rd_kafka_queue_length(queue_.get()));
  const double bytes = length * message_bytes_;
  const auto fraction = [&](double value, uint64_t limit) {
    return limit == 0 ? 0.0 : value / static_cast<double>(limit);
  };
  const double fill =
      std::max(fraction(bytes, queue_limit_bytes_), fraction(length, queue_limit_messages_));
  if (fill >= 0.5) {
    fetch_may_stall_ = true;
    return;
  }
  if (!fetch_may_stall_ || fill > 0.25) return;
  fetch_may_stall_ = false;
  if (nudge_targets_stale_) {
    nudge_targets_stale_ = false;
    nudge_targets_.clear();
    std::map<int32_t, TopicPartition> by_leader;
    std::set<std::string> topics;
    for (const TopicPartition& tp : owned_) topics.insert(tp.topic);
    for (const std::string& topic : topics) {
      TopicHandle handle(rd_kafka_topic_new(client_.get(), topic.c_str(), nullptr));
      const rd_kafka_metadata_t* raw = nullptr;
      if (!handle || rd_kafka_metadata(client_.get(), 0, handle.get(), &raw, 5000) !=
                         RD_KAFKA_RESP_ERR_NO_ERROR) {
        continue;
      }
      const MetadataHandle metadata(raw);
      for (int t = 0; t < metadata->topic_cnt; ++t) {
        const rd_kafka_metadata_topic_t& mt = metadata->topics[t];
        for (int p = 0; p < mt.partition_cnt; ++p) {
          const TopicPartition tp{mt.topic, mt.partitions[p].id};
          if (owned_.count(tp) != 0) by_leader.emplace(mt.partitions[p].leader, tp);
        }
      }
    }
    for (const auto& [leader, tp] : by_leader) nudge_targets_.push_back(tp);
    // Without metadata, one owned partition still wakes its leader.
    if (nudge_targets_.empty()) nudge_targets_.push_back(*owned_.begin());
  }
  for (const TopicPartition& tp : nudge_targets_) {
    int64_t low = 0, high = 0;
    static_cast<void>(rd_kafka_query_watermark_offsets(client_.get(), tp.topic.c_str(),
                                                       tp.partition, &low, &high, 1000));
  }
}

Status Consumer::Commit(const std::vector<OffsetAndMetadata>& offsets) {
  LP_RETURN_IF_ERROR(CheckOpen("commit offsets"));
  if (offsets.empty()) return Status::OK();
  if (fatal_.load()) return FatalError();
  PartitionListHandle list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  std::vector<std::string> described;
  for (const OffsetAndMetadata& o : offsets) {
    if (o.offset < 0) {
      return InvalidArgumentError("cannot commit offset {} for {}: offsets are 0 or more", o.offset,
                                  ToString(o.tp));
    }
    if (const size_t nul = o.metadata.find('\0'); nul != std::string::npos) {
      return InvalidArgumentError(
          "commit metadata for {} has a NUL byte at position {} of {}; librdkafka reads metadata "
          "back as a C string, so encode it as text",
          ToString(o.tp), nul, o.metadata.size());
    }
    LP_RETURN_IF_ERROR(CheckAssigned({o.tp}, fmt::format("commit offset {} for", o.offset)));
    rd_kafka_topic_partition_t* p =
        rd_kafka_topic_partition_list_add(list.get(), o.tp.topic.c_str(), o.tp.partition);
    p->offset = o.offset;
    if (!o.metadata.empty()) {
      // The list frees it with free().
      p->metadata = std::malloc(o.metadata.size());
      if (p->metadata == nullptr) {
        return InternalError("out of memory copying {} bytes of commit metadata",
                             o.metadata.size());
      }
      std::memcpy(p->metadata, o.metadata.data(), o.metadata.size());
      p->metadata_size = o.metadata.size();
    }
    described.push_back(fmt::format("{}@{}", ToString(o.tp), o.offset));
  }
  CommitResult result;
  const rd_kafka_resp_err_t err =
      rd_kafka_commit_queue(client_.get(), list.get(), nullptr, &OnCommitted, &result);
  rd_kafka_resp_err_t cause = err != RD_KAFKA_RESP_ERR_NO_ERROR ? err : result.err;
  if (cause == RD_KAFKA_RESP_ERR_NO_ERROR) cause = result.partition_err;
  if (cause == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::OK();
  return Status(CommitCode(cause),
                fmt::format("committing offsets {} for Kafka consumer group '{}' failed{}: {} ({})",
                            fmt::join(described, ", "), group_id_,
                            result.failed.empty() ? "" : fmt::format(" for {}", result.failed),
                            rd_kafka_err2str(cause), rd_kafka_err2name(cause)));
}

Result<std::vector<OffsetAndMetadata>> Consumer::Committed(
    const std::vector<TopicPartition>& partitions, milliseconds timeout) {
  LP_RETURN_IF_ERROR(CheckOpen("read committed offsets"));
  PartitionListHandle list = ToList(partitions);
  const rd_kafka_resp_err_t err = rd_kafka_committed(client_.get(), list.get(), ClampMs(timeout));
  LP_RETURN_IF_ERROR(PartitionError(
      err, *list,
      fmt::format("reading the committed offsets of {} for Kafka consumer group '{}'",
                  Describe(partitions), group_id_)));
  std::vector<OffsetAndMetadata> out;
  out.reserve(partitions.size());
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& p = list->elems[i];
    OffsetAndMetadata o;
    o.tp = {p.topic, p.partition};
    o.offset = p.offset >= 0 ? p.offset : -1;
    if (p.metadata != nullptr) {
      // librdkafka copies it as a C string: never read past a NUL.
      const auto* text = static_cast<const char*>(p.metadata);
      o.metadata.assign(text, strnlen(text, p.metadata_size));
    }
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::pair<int64_t, int64_t>> Consumer::Watermarks(const TopicPartition& tp,
                                                         milliseconds timeout) {
  LP_RETURN_IF_ERROR(CheckOpen("read watermarks"));
  int64_t low = -1;
  int64_t high = -1;
  const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
      client_.get(), tp.topic.c_str(), tp.partition, &low, &high, ClampMs(timeout));
  LP_RETURN_IF_ERROR(KafkaError(err, fmt::format("reading the watermarks of {}", ToString(tp))));
  return std::make_pair(low, high);
}

Status Consumer::Seek(const TopicPartition& tp, int64_t offset, milliseconds timeout) {
  LP_RETURN_IF_ERROR(CheckOpen("seek"));
  if (offset < 0) {
    return InvalidArgumentError("cannot seek {} to offset {}: offsets are 0 or more", ToString(tp),
                                offset);
  }
  if (assigning_ != nullptr && assigning_->count(tp) > 0) {
    start_offsets_[tp] = offset;
    return Status::OK();
  }
  LP_RETURN_IF_ERROR(CheckAssigned({tp}, fmt::format("seek to offset {}", offset)));
  PartitionListHandle list = ToList({tp});
  list->elems[0].offset = offset;
  const ErrorHandle error(rd_kafka_seek_partitions(client_.get(), list.get(), ClampMs(timeout)));
  const std::string context = fmt::format("seeking {} to offset {}", ToString(tp), offset);
  if (error) {
    return Status(rd_kafka_error_code(error.get()) == RD_KAFKA_RESP_ERR__STATE
                      ? StatusCode::kFailedPrecondition
                      : StatusCodeFor(rd_kafka_error_code(error.get())),
                  fmt::format("{}: {}", context, rd_kafka_error_string(error.get())));
  }
  const rd_kafka_resp_err_t err = list->elems[0].err;
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    // _STATE: the fetcher has not started (e.g. right after assignment).
    return Status(
        err == RD_KAFKA_RESP_ERR__STATE ? StatusCode::kFailedPrecondition : StatusCodeFor(err),
        fmt::format("{}: {} ({})", context, rd_kafka_err2str(err), rd_kafka_err2name(err)));
  }
  positions_[tp] = offset;
  last_position_ = nullptr;
  Publish();
  return Status::OK();
}

Status Consumer::Pause(const std::vector<TopicPartition>& tps) {
  LP_RETURN_IF_ERROR(CheckOpen("pause partitions"));
  LP_RETURN_IF_ERROR(CheckAssigned(tps, "pause"));
  PartitionListHandle list = ToList(tps);
  LP_RETURN_IF_ERROR(PartitionError(rd_kafka_pause_partitions(client_.get(), list.get()), *list,
                                    fmt::format("pausing {}", Describe(tps))));
  paused_.insert(tps.begin(), tps.end());
  return Status::OK();
}

Status Consumer::Resume(const std::vector<TopicPartition>& tps) {
  LP_RETURN_IF_ERROR(CheckOpen("resume partitions"));
  LP_RETURN_IF_ERROR(CheckAssigned(tps, "resume"));
  PartitionListHandle list = ToList(tps);
  LP_RETURN_IF_ERROR(PartitionError(rd_kafka_resume_partitions(client_.get(), list.get()), *list,
                                    fmt::format("resuming {}", Describe(tps))));
  for (const TopicPartition& tp : tps) paused_.erase(tp);
  return Status::OK();
}

std::vector<TopicPartition> Consumer::Assignment() const {
  std::lock_guard<std::mutex> lock(mu_);
  return published_assignment_;
}

std::map<TopicPartition, int64_t> Consumer::Lag() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<TopicPartition, int64_t> lag;
  for (const TopicPartition& tp : published_assignment_) {
    int64_t low = RD_KAFKA_OFFSET_INVALID;
    int64_t high = RD_KAFKA_OFFSET_INVALID;
    if (lag_client_ != nullptr) {
      rd_kafka_get_watermark_offsets(lag_client_, tp.topic.c_str(), tp.partition, &low, &high);
    }
    const auto it = published_positions_.find(tp);
    const int64_t position = it == published_positions_.end() ? -1 : it->second;
    lag[tp] = position >= 0 && high >= 0 ? std::max<int64_t>(0, high - position) : -1;
  }
  return lag;
}

Status Consumer::Close() {
  if (!client_) return Status::OK();
  if (in_listener_) {
    return FailedPreconditionError(
        "Consumer::Close was called from a RebalanceListener callback of group '{}'; return from "
        "the callback first",
        group_id_);
  }
  // Serves the final revocation through Rebalance (and so the listener).
  const rd_kafka_resp_err_t err = rd_kafka_consumer_close(client_.get());
  queue_.reset();
  owned_.clear();
  positions_.clear();
  paused_.clear();
  ClientHandle client;
  {
    std::lock_guard<std::mutex> lock(mu_);
    published_assignment_.clear();
    published_positions_.clear();
    lag_client_ = nullptr;
    client = std::move(client_);
  }
  if (ever_assigned_) {
    client.reset();  // outside the lock: destroying takes a while
  } else {
    // librdkafka before 2.3 aborts the process when a cooperative-sticky
    // consumer is destroyed before its first assignment (NULL assignor
    // state; confluentinc/librdkafka#4312). The consumer has left the group
    // above; its handle is kept alive instead (a one-off leak, at most one
    // per consumer that stopped while still joining).
    static_cast<void>(client.release());
  }
  return KafkaError(err, fmt::format("closing the Kafka consumer of group '{}'", group_id_));
}

Result<std::string> Consumer::Setting(std::string_view key) const {
  if (!client_) return NotFoundError("the Kafka consumer of group '{}' is closed", group_id_);
  return EffectiveProperty(client_.get(), key);
}

}  // namespace lakepipe::kafka
