#include "kafka/producer.h"

#include <map>
#include <set>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "kafka/dev_broker.h"
#include "kafka/test_consumer.h"

namespace lakepipe::kafka {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int16_t kProduceApiKey = 0;  // Kafka protocol ApiKey of Produce requests

std::unique_ptr<DevBroker> StartBroker(const std::string& topic, int partitions) {
  DevBrokerOptions options;
  options.partitions = partitions;
  options.topics = {topic};
  Result<std::unique_ptr<DevBroker>> broker = DevBroker::Start(options);
  EXPECT_OK(broker);
  return broker.ok() ? std::move(broker).value() : nullptr;
}

TEST(ProducerTest, DeliversKeyedRecordsThatConsumeBackWithKeysOnOnePartition) {
  auto broker = StartBroker("events", 8);
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make({.brokers = broker->bootstrap()}));
  ASSERT_OK_AND_ASSIGN(std::string idempotence, producer->Setting("enable.idempotence"));
  EXPECT_EQ(idempotence, "true");
  ASSERT_OK_AND_ASSIGN(std::string acks, producer->Setting("acks"));
  EXPECT_EQ(acks, "-1");  // all
  ASSERT_OK_AND_ASSIGN(std::string compression, producer->Setting("compression.type"));
  EXPECT_EQ(compression, "lz4");

  constexpr int kRecords = 5000;
  std::map<std::string, std::string> key_of_value;
  uint64_t bytes = 0;
  for (int i = 0; i < kRecords; ++i) {
    const std::string key = fmt::format("user-{}", i % 97);
    const std::string value =
        fmt::format("{{\"n\":{},\"pad\":\"{}\"}}", i, std::string(i % 50, 'x'));
    key_of_value[value] = key;
    bytes += key.size() + value.size();
    ASSERT_OK(producer->Produce("events", key, value));
    if (i % 1000 == 0) producer->Poll();
  }
  ASSERT_OK(producer->Flush(seconds(30)));
  const ProducerStats stats = producer->stats();
  EXPECT_EQ(stats.queued, kRecords);
  EXPECT_EQ(stats.delivered, kRecords);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.bytes_delivered, bytes);
  EXPECT_TRUE(stats.failures_by_cause.empty());

  ASSERT_OK_AND_ASSIGN(auto records,
                       testing::ConsumeAll(broker->bootstrap(), "events", kRecords, seconds(30)));
  ASSERT_EQ(records.size(), static_cast<size_t>(kRecords));
  std::map<std::string, std::set<int32_t>> partitions_of_key;
  std::set<int32_t> used;
  for (const auto& r : records) {
    auto it = key_of_value.find(r.value);
    ASSERT_NE(it, key_of_value.end()) << r.value;
    EXPECT_EQ(it->second, r.key);
    key_of_value.erase(it);  // each value exactly once
    partitions_of_key[r.key].insert(r.partition);
    used.insert(r.partition);
  }
  EXPECT_TRUE(key_of_value.empty());
  EXPECT_EQ(partitions_of_key.size(), 97u);
  for (const auto& [key, partitions] : partitions_of_key) {
    EXPECT_EQ(partitions.size(), 1u) << key;
  }
  EXPECT_GT(used.size(), 4u);  // 97 keys spread over the 8 partitions
}

TEST(ProducerTest, ExplicitPartitionAndEmptyKey) {
  auto broker = StartBroker("p", 4);
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make({.brokers = broker->bootstrap()}));
  for (int i = 0; i < 10; ++i) ASSERT_OK(producer->Produce("p", "", fmt::format("v{}", i), 2));
  ASSERT_OK(producer->Flush(seconds(30)));
  ASSERT_OK_AND_ASSIGN(auto records,
                       testing::ConsumeAll(broker->bootstrap(), "p", 10, seconds(30)));
  for (const auto& r : records) {
    EXPECT_EQ(r.partition, 2);
    EXPECT_EQ(r.key, "");
  }
  EXPECT_EQ(producer->Produce("p", "k", "v", 9).code(), StatusCode::kNotFound);
}

TEST(ProducerTest, FullLocalQueueAppliesBackpressureWithoutDrops) {
  auto broker = StartBroker("small", 2);
  ASSERT_NE(broker, nullptr);
  ProducerOptions options{.brokers = broker->bootstrap()};
  options.settings = {{"queue.buffering.max.messages", "5"}, {"linger.ms", "1"}};
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make(options));
  constexpr int kRecords = 3000;
  for (int i = 0; i < kRecords; ++i) {
    ASSERT_OK(producer->Produce("small", fmt::format("k{}", i), fmt::format("v{}", i)));
  }
  ASSERT_OK(producer->Flush(seconds(30)));
  EXPECT_EQ(producer->stats().delivered, kRecords);
  EXPECT_EQ(producer->stats().failed, 0u);
  ASSERT_OK_AND_ASSIGN(auto records,
                       testing::ConsumeAll(broker->bootstrap(), "small", kRecords, seconds(30)));
  EXPECT_EQ(records.size(), static_cast<size_t>(kRecords));
}

TEST(ProducerTest, RejectedRecordsAreCountedByCauseAndReportedByFlush) {
  auto broker = StartBroker("rejected", 1);
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make({.brokers = broker->bootstrap()}));
  ASSERT_OK(producer->Produce("rejected", "k", "accepted"));
  ASSERT_OK(producer->Flush(seconds(30)));

  // The broker refuses the next produce request with a permanent error.
  rd_kafka_mock_push_request_errors(broker->mock(), kProduceApiKey, 1,
                                    RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);
  for (int i = 0; i < 3; ++i) ASSERT_OK(producer->Produce("rejected", "k", "refused"));
  Status flushed = producer->Flush(seconds(30));
  ASSERT_FALSE(flushed.ok());
  EXPECT_EQ(flushed.code(), StatusCode::kInvalidArgument) << flushed.ToString();
  EXPECT_NE(flushed.message().find("3 records were not delivered (MSG_SIZE_TOO_LARGE x3)"),
            std::string::npos)
      << flushed.ToString();
  EXPECT_NE(flushed.message().find("'rejected' partition 0"), std::string::npos)
      << flushed.ToString();
  ProducerStats stats = producer->stats();
  EXPECT_EQ(stats.queued, 4u);
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.failed, 3u);
  EXPECT_EQ(stats.failures_by_cause["MSG_SIZE_TOO_LARGE"], 3u);

  // Failures are reported by one Flush; the producer goes on (idempotence
  // survives: librdkafka bumps the epoch).
  for (int i = 0; i < 10; ++i) ASSERT_OK(producer->Produce("rejected", "k", "later"));
  ASSERT_OK(producer->Flush(seconds(30)));
  stats = producer->stats();
  EXPECT_EQ(stats.delivered, 11u);
  EXPECT_EQ(stats.failed, 3u);
  ASSERT_OK_AND_ASSIGN(auto records,
                       testing::ConsumeAll(broker->bootstrap(), "rejected", 11, seconds(30)));
  for (const auto& r : records) EXPECT_NE(r.value, "refused");
}

TEST(ProducerTest, RecordsThatTimeOutAreTransientFailures) {
  auto broker = StartBroker("slow", 1);
  ASSERT_NE(broker, nullptr);
  ProducerOptions options{.brokers = broker->bootstrap()};
  options.settings = {{"message.timeout.ms", "1500"}};
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make(options));
  ASSERT_OK(producer->Produce("slow", "k", "first"));
  ASSERT_OK(producer->Flush(seconds(30)));
  ASSERT_EQ(rd_kafka_mock_broker_set_down(broker->mock(), 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  for (int i = 0; i < 5; ++i) ASSERT_OK(producer->Produce("slow", "k", "lost"));
  // Not delivered yet: the deadline passes first.
  Status waited = producer->Flush(milliseconds(200));
  EXPECT_EQ(waited.code(), StatusCode::kDeadlineExceeded) << waited.ToString();
  EXPECT_NE(waited.message().find("5 of 6 records"), std::string::npos) << waited.ToString();
  Status flushed = producer->Flush(seconds(30));
  EXPECT_EQ(flushed.code(), StatusCode::kUnavailable) << flushed.ToString();
  EXPECT_NE(flushed.message().find("_MSG_TIMED_OUT"), std::string::npos) << flushed.ToString();
  const ProducerStats stats = producer->stats();
  EXPECT_EQ(stats.failed, 5u);
  EXPECT_EQ(stats.failures_by_cause.at("_MSG_TIMED_OUT"), 5u);
}

TEST(ProducerTest, FatalErrorStopsTheProducer) {
  auto broker = StartBroker("fatal", 1);
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make({.brokers = broker->bootstrap()}));
  ASSERT_OK(producer->Produce("fatal", "k", "v"));
  ASSERT_OK(producer->Flush(seconds(30)));
  ASSERT_EQ(rd_kafka_test_fatal_error(producer->native_handle(),
                                      RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER,
                                      "injected by the test"),
            RD_KAFKA_RESP_ERR_NO_ERROR);
  Status produced = producer->Produce("fatal", "k", "v");
  EXPECT_EQ(produced.code(), StatusCode::kFailedPrecondition) << produced.ToString();
  EXPECT_NE(produced.message().find("injected by the test"), std::string::npos)
      << produced.ToString();
  EXPECT_EQ(producer->Flush(seconds(5)).code(), StatusCode::kFailedPrecondition);
}

TEST(ProducerTest, InvalidSettingsNameTheKey) {
  ProducerOptions options{.brokers = "127.0.0.1:1"};
  options.settings = {{"no.such.setting", "1"}};
  Result<std::unique_ptr<Producer>> unknown = Producer::Make(options);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("no.such.setting"), std::string::npos)
      << unknown.status().ToString();

  options.settings = {{"linger.ms", "soon"}};
  Result<std::unique_ptr<Producer>> bad_value = Producer::Make(options);
  ASSERT_FALSE(bad_value.ok());
  EXPECT_EQ(bad_value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad_value.status().message().find("linger.ms"), std::string::npos)
      << bad_value.status().ToString();
  // -X values may be secrets: the error names the key, never the value.
  EXPECT_EQ(bad_value.status().message().find("soon"), std::string::npos)
      << bad_value.status().ToString();

  // Accepted one by one, refused together: idempotence needs acks=all.
  options.settings = {{"acks", "1"}};
  Result<std::unique_ptr<Producer>> conflict = Producer::Make(options);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(conflict.status().message().find("acks"), std::string::npos)
      << conflict.status().ToString();
}

TEST(ProducerTest, NoBrokersIsAnInvalidArgument) {
  Result<std::unique_ptr<Producer>> none = Producer::Make({});
  EXPECT_EQ(none.status().code(), StatusCode::kInvalidArgument);
  ProducerOptions options;
  options.settings = {{"bootstrap.servers", "127.0.0.1:1"}};
  EXPECT_OK(Producer::Make(options));
}

TEST(ProducerTest, UserSettingsOverrideDefaults) {
  ProducerOptions options{.brokers = "127.0.0.1:1", .client_id = "tester"};
  options.settings = {{"compression.type", "zstd"}, {"linger.ms", "50"}};
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make(options));
  EXPECT_EQ(producer->Setting("compression.type").ValueOr(""), "zstd");
  EXPECT_EQ(producer->Setting("linger.ms").ValueOr(""), "50");
  EXPECT_EQ(producer->Setting("client.id").ValueOr(""), "tester");
  EXPECT_EQ(producer->Setting("enable.idempotence").ValueOr(""), "true");
  EXPECT_EQ(producer->Setting("no.such.setting").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace lakepipe::kafka
