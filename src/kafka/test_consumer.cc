#include "kafka/test_consumer.h"

#include <fmt/format.h>

#include "kafka/handles.h"
#include "kafka/metadata.h"

namespace lakepipe::kafka::testing {

Result<std::vector<ConsumedRecord>> ConsumeAll(const std::string& brokers, const std::string& topic,
                                               size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  LP_ASSIGN_OR_RETURN(const int partitions, TopicPartitions(brokers, topic, {}, timeout));
  LP_ASSIGN_OR_RETURN(ConfHandle conf, MakeConf({{"bootstrap.servers", brokers},
                                                 // assign() wants a group id; no group is joined.
                                                 {"group.id", "lakepipe-test-reader"},
                                                 {"enable.auto.commit", "false"},
                                                 {"enable.auto.offset.store", "false"}}));
  LP_ASSIGN_OR_RETURN(ClientHandle consumer, NewClient(RD_KAFKA_CONSUMER, conf));
  rd_kafka_poll_set_consumer(consumer.get());
  PartitionListHandle assignment(rd_kafka_topic_partition_list_new(partitions));
  // Offset 0 rather than "beginning" saves an offset lookup that costs 0.5 s;
  // tests stay far below the dev broker's 5 MB per partition, so nothing was dropped.
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset = 0;
  }
  LP_RETURN_IF_ERROR(KafkaError(rd_kafka_assign(consumer.get(), assignment.get()), "assign"));

  std::vector<ConsumedRecord> records;
  while (records.size() < count) {
    if (std::chrono::steady_clock::now() > deadline) {
      rd_kafka_consumer_close(consumer.get());
      return DeadlineExceededError("consumed {} of {} records from '{}' in {} ms", records.size(),
                                   count, topic, timeout.count());
    }
    MessageHandle m(rd_kafka_consumer_poll(consumer.get(), 100));
    if (!m) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError(m->err, fmt::format("consuming '{}'", topic));
    }
    ConsumedRecord r;
    if (m->key != nullptr) r.key.assign(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) r.value.assign(static_cast<const char*>(m->payload), m->len);
    r.partition = m->partition;
    r.offset = m->offset;
    records.push_back(std::move(r));
  }
  rd_kafka_consumer_close(consumer.get());
  return records;
}

}  // namespace lakepipe::kafka::testing
