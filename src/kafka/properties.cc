#include "kafka/properties.h"

#include <algorithm>
#include <iterator>

namespace lakepipe::kafka {
namespace {

// librdkafka 2.0 CONFIGURATION.md, C/P = "P".
constexpr std::string_view kProducerOnly[] = {
    "acks",
    "batch.num.messages",
    "batch.size",
    "compression.codec",
    "compression.level",
    "compression.type",
    "delivery.report.only.error",
    "delivery.timeout.ms",
    "enable.gapless.guarantee",
    "enable.idempotence",
    "linger.ms",
    "message.send.max.retries",
    "message.timeout.ms",
    "msg_order_cmp",
    "partitioner",
    "partitioner_cb",
    "produce.offset.report",
    "queue.buffering.backpressure.threshold",
    "queue.buffering.max.kbytes",
    "queue.buffering.max.messages",
    "queue.buffering.max.ms",
    "queuing.strategy",
    "request.required.acks",
    "request.timeout.ms",
    "retries",
    "retry.backoff.ms",
    "sticky.partitioning.linger.ms",
    "transaction.timeout.ms",
    "transactional.id",
    "dr_cb",
    "dr_msg_cb",
};

// C/P = "C".
constexpr std::string_view kConsumerOnly[] = {
    "auto.commit.enable",
    "auto.commit.interval.ms",
    "auto.offset.reset",
    "check.crcs",
    "consume.callback.max.messages",
    "coordinator.query.interval.ms",
    "enable.auto.commit",
    "enable.auto.offset.store",
    "enable.partition.eof",
    "fetch.error.backoff.ms",
    "fetch.max.bytes",
    "fetch.message.max.bytes",
    "fetch.min.bytes",
    "fetch.wait.max.ms",
    "group.id",
    "group.instance.id",
    "group.protocol.type",
    "heartbeat.interval.ms",
    "isolation.level",
    "max.partition.fetch.bytes",
    "max.poll.interval.ms",
    "offset.store.method",
    "offset.store.path",
    "offset.store.sync.interval.ms",
    "partition.assignment.strategy",
    "queued.max.messages.kbytes",
    "queued.min.messages",
    "session.timeout.ms",
    "consume_cb",
    "offset_commit_cb",
    "rebalance_cb",
};

bool Contains(const auto& table, std::string_view key) {
  return std::find(std::begin(table), std::end(table), key) != std::end(table);
}

}  // namespace

bool IsProducerOnlyProperty(std::string_view key) { return Contains(kProducerOnly, key); }

bool IsConsumerOnlyProperty(std::string_view key) { return Contains(kConsumerOnly, key); }

Settings SettingsFor(ClientKind kind, const Settings& settings) {
  Settings out;
  for (const auto& [key, value] : settings) {
    const bool producer_only = IsProducerOnlyProperty(key);
    const bool consumer_only = IsConsumerOnlyProperty(key);
    if (producer_only && kind != ClientKind::kProducer) continue;
    if (consumer_only && kind != ClientKind::kConsumer) continue;
    out.emplace_back(key, value);
  }
  return out;
}

}  // namespace lakepipe::kafka
