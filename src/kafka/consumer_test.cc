#include "kafka/consumer.h"

#include <atomic>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "kafka/dev_broker.h"
#include "kafka/producer.h"

// GCC 12 reports the std::string inside braced OffsetAndMetadata temporaries
// as maybe-uninitialized (a known false positive of its inliner).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace lakepipe::kafka {

void PrintTo(const TopicPartition& tp, std::ostream* os) { *os << ToString(tp); }

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// The dev broker waits session.timeout.ms - 1 s before completing every
// rebalance after the first (the first waits 3 s): keep sessions short.
const Settings kFastGroup = {{"session.timeout.ms", "3000"}, {"heartbeat.interval.ms", "250"}};

struct Record {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  bool has_key = false;
  std::string key;
  std::string value;
  int64_t timestamp_ms = -1;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Records what the consumer tells its listener; optional hooks run inside the callbacks.
class RecordingListener : public RebalanceListener {
 public:
  void OnAssigned(const std::vector<TopicPartition>& partitions) override {
    assigned.push_back(partitions);
    if (on_assigned) on_assigned(partitions);
  }
  void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) override {
    revoked.push_back({partitions, lost});
    if (on_revoked) on_revoked(partitions, lost);
  }

  std::vector<std::vector<TopicPartition>> assigned;
  std::vector<std::pair<std::vector<TopicPartition>, bool>> revoked;
  std::function<void(const std::vector<TopicPartition>&)> on_assigned;
  std::function<void(const std::vector<TopicPartition>&, bool)> on_revoked;
};

std::unique_ptr<DevBroker> StartBroker(const std::string& topic, int partitions) {
  DevBrokerOptions options;
  options.partitions = partitions;
  options.topics = {topic};
  Result<std::unique_ptr<DevBroker>> broker = DevBroker::Start(options);
  EXPECT_OK(broker);
  return broker.ok() ? std::move(broker).value() : nullptr;
}

ConsumerOptions Options(const DevBroker& broker, const std::string& group,
                        const std::string& topic) {
  ConsumerOptions options;
  options.brokers = broker.bootstrap();
  options.group_id = group;
  options.topics = {topic};
  options.settings = kFastGroup;
  return options;
}

std::vector<TopicPartition> Partitions(const std::string& topic, std::initializer_list<int> ids) {
  std::vector<TopicPartition> out;
  for (const int id : ids) out.push_back({topic, id});
  return out;
}

// One Poll; appends copies of the records and the offset resets.
Status PollInto(Consumer& consumer, std::vector<Record>* records,
                std::vector<OffsetReset>* resets = nullptr,
                milliseconds timeout = milliseconds(100)) {
  LP_ASSIGN_OR_RETURN(MessageBatch batch, consumer.Poll(timeout, 1000));
  for (const MessageView& m : batch) {
    Record r;
    r.topic = std::string(m.topic);
    r.partition = m.partition;
    r.offset = m.offset;
    r.has_key = m.has_key;
    r.key = std::string(m.key);
    r.value = std::string(m.value);
    r.timestamp_ms = m.timestamp_ms;
    for (const auto& [name, value] : m.headers()) r.headers.emplace_back(name, value);
    records->push_back(std::move(r));
  }
  if (resets != nullptr) {
    resets->insert(resets->end(), batch.offset_resets().begin(), batch.offset_resets().end());
  }
  return Status::OK();
}

// Polls `consumers` in turn until `done` holds; false when `limit` passes first.
bool PollUntil(const std::vector<Consumer*>& consumers, const std::function<bool()>& done,
               seconds limit, std::vector<std::vector<Record>>* records = nullptr) {
  const auto deadline = steady_clock::now() + limit;
  while (!done()) {
    if (steady_clock::now() > deadline) return false;
    for (size_t i = 0; i < consumers.size(); ++i) {
      std::vector<Record> got;
      const Status polled = PollInto(*consumers[i], &got);
      EXPECT_OK(polled);
      if (records != nullptr) {
        (*records)[i].insert((*records)[i].end(), got.begin(), got.end());
      }
    }
  }
  return true;
}

std::set<TopicPartition> AsSet(const std::vector<TopicPartition>& tps) {
  return {tps.begin(), tps.end()};
}

TEST(ConsumerTest, ConsumesEveryRecordInOffsetOrderWithKeysAndHeaders) {
  auto broker = StartBroker("events", 4);
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make({.brokers = broker->bootstrap()}));
  constexpr int kRecords = 400;
  for (int i = 0; i < kRecords; ++i) {
    const std::string key = fmt::format("k{}", i % 37);
    const std::string value = fmt::format("v{}", i);
    if (i % 2 == 0) {
      ASSERT_OK(producer->Produce("events", key, value,
                                  {{"trace", fmt::format("t{}", i)}, {"trace", "again"}}));
    } else {
      ASSERT_OK(producer->Produce("events", key, value));
    }
  }
  ASSERT_OK(producer->Flush(seconds(30)));

  RecordingListener listener;
  ASSERT_OK_AND_ASSIGN(auto consumer,
                       Consumer::Make(Options(*broker, "archiver", "events"), &listener));
  EXPECT_EQ(consumer->Setting("enable.auto.commit").ValueOr(""), "false");
  EXPECT_EQ(consumer->Setting("enable.auto.offset.store").ValueOr(""), "false");
  EXPECT_EQ(consumer->Setting("partition.assignment.strategy").ValueOr(""), "cooperative-sticky");
  EXPECT_EQ(consumer->Setting("isolation.level").ValueOr(""), "read_committed");
  EXPECT_EQ(consumer->Setting("queued.max.messages.kbytes").ValueOr(""), "8192");
  EXPECT_EQ(consumer->Setting("fetch.wait.max.ms").ValueOr(""), "100");

  // Another thread reads the stats accessors throughout.
  std::atomic<bool> stop{false};
  std::atomic<size_t> reads{0};
  std::thread stats([&] {
    while (!stop.load()) {
      const auto assignment = consumer->Assignment();
      const auto lag = consumer->Lag();
      EXPECT_LE(lag.size(), 4u);
      EXPECT_LE(assignment.size(), 4u);
      reads.fetch_add(1);
      std::this_thread::sleep_for(milliseconds(1));
    }
  });

  std::vector<std::vector<Record>> records(1);
  const auto start = steady_clock::now();
  ASSERT_TRUE(PollUntil(
      {consumer.get()}, [&] { return records[0].size() >= kRecords; }, seconds(30), &records));
  std::cout << "first group join and 400 records took "
            << std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count()
            << " ms\n";
  ASSERT_EQ(records[0].size(), static_cast<size_t>(kRecords));

  std::map<int32_t, int64_t> next;  // per partition: offsets 0, 1, 2, ... in order
  std::set<std::string> values;
  for (const Record& r : records[0]) {
    EXPECT_EQ(r.topic, "events");
    EXPECT_EQ(r.offset, next[r.partition]) << "partition " << r.partition;
    next[r.partition] = r.offset + 1;
    EXPECT_TRUE(r.has_key);
    EXPECT_EQ(r.key.substr(0, 1), "k");
    EXPECT_GT(r.timestamp_ms, 0);
    const int n = std::stoi(r.value.substr(1));
    if (n % 2 == 0) {
      const std::vector<std::pair<std::string, std::string>> expected = {
          {"trace", fmt::format("t{}", n)}, {"trace", "again"}};
      EXPECT_EQ(r.headers, expected) << r.value;
    } else {
      EXPECT_TRUE(r.headers.empty()) << r.value;
    }
    values.insert(r.value);
  }
  EXPECT_EQ(values.size(), static_cast<size_t>(kRecords));
  EXPECT_EQ(next.size(), 4u);

  EXPECT_EQ(AsSet(consumer->Assignment()), AsSet(Partitions("events", {0, 1, 2, 3})));
  ASSERT_EQ(listener.assigned.size(), 1u);
  EXPECT_EQ(AsSet(listener.assigned[0]), AsSet(Partitions("events", {0, 1, 2, 3})));
  EXPECT_TRUE(listener.revoked.empty());
  // Everything was read: no lag once the fetcher has seen each partition's end.
  ASSERT_TRUE(PollUntil(
      {consumer.get()},
      [&] {
        const auto lag = consumer->Lag();
        return lag.size() == 4 &&
               std::all_of(lag.begin(), lag.end(), [](const auto& l) { return l.second == 0; });
      },
      seconds(10)));
  stop.store(true);
  stats.join();
  EXPECT_GT(reads.load(), 0u);

  ASSERT_OK(consumer->Close());
  ASSERT_EQ(listener.revoked.size(), 1u);
  EXPECT_EQ(AsSet(listener.revoked[0].first), AsSet(Partitions("events", {0, 1, 2, 3})));
  EXPECT_FALSE(listener.revoked[0].second);
  EXPECT_TRUE(consumer->Assignment().empty());
  EXPECT_OK(consumer->Close());  // idempotent
  EXPECT_EQ(consumer->Poll(milliseconds(10), 10).status().code(), StatusCode::kFailedPrecondition);
  OffsetAndMetadata after_close;
  after_close.tp = TopicPartition{"events", 0};
  after_close.offset = 1;
  EXPECT_EQ(consumer->Commit({after_close}).code(), StatusCode::kFailedPrecondition);
}

// librdkafka says when every broker is down, not when one is back: the
// consumer finds that out itself.
TEST(ConsumerTest, ReportsWhenNoBrokerIsReachableAndWhenOneAnswersAgain) {
  std::unique_ptr<DevBroker> broker = StartBroker("reach", 1);
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto consumer,
                       Consumer::Make(Options(*broker, "g-reach", "reach"), nullptr));
  ASSERT_TRUE(PollUntil(
      {consumer.get()}, [&] { return !consumer->Assignment().empty(); }, seconds(30)));
  EXPECT_FALSE(consumer->Disconnected());
  const auto down_at = steady_clock::now();
  ASSERT_EQ(rd_kafka_mock_broker_set_down(broker->mock(), 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_TRUE(PollUntil(
      {consumer.get()}, [&] { return consumer->Disconnected().has_value(); }, seconds(20)));
  const std::optional<Disconnection> down = consumer->Disconnected();
  ASSERT_TRUE(down);
  EXPECT_GE(down->since, down_at);
  EXPECT_NE(down->reason.find("brokers are down"), std::string::npos) << down->reason;
  ASSERT_EQ(rd_kafka_mock_broker_set_up(broker->mock(), 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  // librdkafka reconnects within reconnect.backoff.max.ms (10 s).
  EXPECT_TRUE(PollUntil(
      {consumer.get()}, [&] { return !consumer->Disconnected(); }, seconds(30)));
  ASSERT_OK(consumer->Close());
}

// A consumer whose group.instance.id another consumer took over (the group
// answers FENCED_INSTANCE_ID) stops, and says to give each its own id.
TEST(ConsumerTest, AFencedInstanceIdSaysToGiveEachConsumerItsOwn) {
  std::unique_ptr<DevBroker> broker = StartBroker("fenced", 1);
  ASSERT_NE(broker, nullptr);
  ConsumerOptions options = Options(*broker, "g-fenced", "fenced");
  options.group_instance_id = "users-host";
  ASSERT_OK_AND_ASSIGN(auto consumer, Consumer::Make(options, nullptr));
  ASSERT_OK_AND_ASSIGN(std::string id, consumer->Setting("group.instance.id"));
  EXPECT_EQ(id, "users-host");
  ASSERT_TRUE(PollUntil(
      {consumer.get()}, [&] { return !consumer->Assignment().empty(); }, seconds(30)));
  constexpr int16_t kHeartbeat = 12;  // the Kafka API key
  rd_kafka_mock_push_request_errors(broker->mock(), kHeartbeat, 1,
                                    RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID);
  Status failed;
  const auto deadline = steady_clock::now() + seconds(20);
  while (failed.ok() && steady_clock::now() < deadline) {
    failed = consumer->Poll(milliseconds(100), 100).status();
  }
  EXPECT_EQ(failed.code(), StatusCode::kFailedPrecondition) << failed.ToString();
  EXPECT_NE(failed.message().find("'users-host'"), std::string::npos) << failed.message();
  EXPECT_NE(failed.message().find("its own instance id"), std::string::npos) << failed.message();
}

TEST(ConsumerTest, CommittedMetadataRoundTripsAndConsumptionResumesThere) {
  auto broker = StartBroker("orders", 2);
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make({.brokers = broker->bootstrap()}));
  for (int i = 0; i < 20; ++i) {
    ASSERT_OK(producer->Produce("orders", "", fmt::format("a{}", i), 0));
    ASSERT_OK(producer->Produce("orders", "", fmt::format("b{}", i), 1));
  }
  ASSERT_OK(producer->Flush(seconds(30)));
  // Bytes a text format would mangle: UTF-8, control characters, 0xff.
  const std::string metadata0 =
      "file=s3://lake/orders/0/00000-00004.parquet rows=5 \xc3\xbc\x01\xff";
  const std::string metadata1(3000, 'm');

  {
    ASSERT_OK_AND_ASSIGN(auto first,
                         Consumer::Make(Options(*broker, "archiver", "orders"), nullptr));
    std::vector<std::vector<Record>> records(1);
    ASSERT_TRUE(PollUntil(
        {first.get()}, [&] { return records[0].size() >= 40; }, seconds(30), &records));
    ASSERT_OK(first->Commit({{{"orders", 0}, 5, metadata0}, {{"orders", 1}, 20, metadata1}}));

    // Refused before reaching the broker.
    Status nul = first->Commit({{{"orders", 0}, 6, std::string("a\0b", 3)}});
    EXPECT_EQ(nul.code(), StatusCode::kInvalidArgument) << nul.ToString();
    EXPECT_NE(nul.message().find("NUL"), std::string::npos) << nul.ToString();
    Status negative = first->Commit({{{"orders", 0}, -3, ""}});
    EXPECT_EQ(negative.code(), StatusCode::kInvalidArgument) << negative.ToString();
    EXPECT_NE(negative.message().find("-3"), std::string::npos) << negative.ToString();
    Status unknown = first->Commit({{{"orders", 7}, 1, ""}});
    EXPECT_EQ(unknown.code(), StatusCode::kFailedPrecondition) << unknown.ToString();
    EXPECT_NE(unknown.message().find("orders[7]"), std::string::npos) << unknown.ToString();
    ASSERT_OK(first->Close());
  }

  RecordingListener listener;
  std::vector<OffsetAndMetadata> seen_in_callback;
  ASSERT_OK_AND_ASSIGN(auto second,
                       Consumer::Make(Options(*broker, "archiver", "orders"), &listener));
  listener.on_assigned = [&](const std::vector<TopicPartition>& partitions) {
    Result<std::vector<OffsetAndMetadata>> committed = second->Committed(partitions, seconds(10));
    ASSERT_OK(committed);
    seen_in_callback = *committed;
  };
  std::vector<std::vector<Record>> records(1);
  const auto start = steady_clock::now();
  ASSERT_TRUE(PollUntil(
      {second.get()}, [&] { return !records[0].empty(); }, seconds(30), &records));
  std::cout << "rejoining the group took "
            << std::chrono::duration_cast<milliseconds>(steady_clock::now() - start).count()
            << " ms\n";
  ASSERT_EQ(seen_in_callback.size(), 2u);
  std::map<TopicPartition, OffsetAndMetadata> by_tp;
  for (const auto& o : seen_in_callback) by_tp[o.tp] = o;
  const TopicPartition p0{"orders", 0};
  const TopicPartition p1{"orders", 1};
  EXPECT_EQ(by_tp[p0].offset, 5);
  EXPECT_EQ(by_tp[p0].metadata, metadata0);  // byte for byte
  EXPECT_EQ(by_tp[p1].offset, 20);
  EXPECT_EQ(by_tp[p1].metadata, metadata1);

  // Partition 0 resumes at 5; partition 1 (all read) continues with new records.
  ASSERT_OK(producer->Produce("orders", "", "b20", 1));
  ASSERT_OK(producer->Flush(seconds(30)));
  ASSERT_TRUE(PollUntil(
      {second.get()}, [&] { return records[0].size() >= 16; }, seconds(30), &records));
  std::map<int32_t, std::vector<int64_t>> offsets;
  for (const Record& r : records[0]) offsets[r.partition].push_back(r.offset);
  ASSERT_EQ(offsets[0].size(), 15u);
  EXPECT_EQ(offsets[0].front(), 5);
  EXPECT_EQ(offsets[0].back(), 19);
  EXPECT_EQ(offsets[1], std::vector<int64_t>{20});

  // Reading committed offsets works for any partition, and says "none" as -1.
  ASSERT_OK_AND_ASSIGN(auto other_group, second->Committed(Partitions("orders", {0}), seconds(10)));
  EXPECT_EQ(other_group[0].offset, 5);
  ASSERT_OK(second->Commit({{{"orders", 0}, 20, "done"}}));
  ASSERT_OK_AND_ASSIGN(auto after, second->Committed(Partitions("orders", {0, 1}), seconds(10)));
  EXPECT_EQ(after[0].offset, 20);
  EXPECT_EQ(after[0].metadata, "done");
  EXPECT_EQ(after[1].offset, 20);
  ASSERT_OK(second->Close());
}

}  // namespace
}  // namespace lakepipe::kafka
