#include "archive/dead_letters.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/testing.h"
#include "core/time_util.h"
#include "kafka/dev_broker.h"
#include "kafka/handles.h"
#include "kafka/metadata.h"
#include "observe/metrics.h"

namespace lakepipe::archive {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int16_t kProduceApiKey = 0;  // Kafka protocol ApiKey of Produce requests

struct Consumed {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::map<std::string, std::string> headers;
};

// Reads `count` records of every partition of `topic` from offset 0, with
// their headers (a plain librdkafka consumer; no group is joined).
Result<std::vector<Consumed>> ConsumeWithHeaders(const std::string& brokers,
                                                 const std::string& topic, size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  LP_ASSIGN_OR_RETURN(const int partitions,
                      kafka::TopicPartitions(brokers, topic, {}, seconds(10)));
  LP_ASSIGN_OR_RETURN(kafka::ConfHandle conf,
                      kafka::MakeConf({{"bootstrap.servers", brokers},
                                       {"group.id", "lakepipe-dead-letters-test"},
                                       {"enable.auto.commit", "false"}}));
  LP_ASSIGN_OR_RETURN(kafka::ClientHandle consumer, kafka::NewClient(RD_KAFKA_CONSUMER, conf));
  rd_kafka_poll_set_consumer(consumer.get());
  kafka::PartitionListHandle assignment(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset = 0;
  }
  LP_RETURN_IF_ERROR(
      kafka::KafkaError(rd_kafka_assign(consumer.get(), assignment.get()), "assign"));
  std::vector<Consumed> out;
  while (out.size() < count) {
    if (std::chrono::steady_clock::now() > deadline) {
      return DeadlineExceededError("consumed {} of {} records from '{}'", out.size(), count, topic);
    }
    kafka::MessageHandle m(rd_kafka_consumer_poll(consumer.get(), 100));
    if (!m || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) return kafka::KafkaError(m->err, "consume");
    Consumed c;
    if (m->key != nullptr) c.key.emplace(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) c.value.emplace(static_cast<const char*>(m->payload), m->len);
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(m.get(), &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      for (size_t i = 0;
           rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        c.headers[name] = std::string(static_cast<const char*>(value), size);
      }
    }
    out.push_back(std::move(c));
  }
  rd_kafka_consumer_close(consumer.get());
  return out;
}

std::unique_ptr<kafka::DevBroker> StartBroker(std::vector<std::string> topics) {
  kafka::DevBrokerOptions options;
  options.partitions = 1;
  options.topics = std::move(topics);
  Result<std::unique_ptr<kafka::DevBroker>> broker = kafka::DevBroker::Start(options);
  EXPECT_OK(broker);
  return broker.ok() ? std::move(broker).value() : nullptr;
}

// Every fallback file under `root`, path relative to root -> its lines as JSON.
// ordered_json keeps the keys in file order (nlohmann::json would sort them).
std::map<std::string, std::vector<nlohmann::ordered_json>> FallbackFiles(const std::string& root) {
  std::map<std::string, std::vector<nlohmann::ordered_json>> files;
  if (!std::filesystem::exists(root)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    std::string line;
    auto& lines = files[std::filesystem::relative(entry.path(), root).string()];
    while (std::getline(in, line)) lines.push_back(nlohmann::ordered_json::parse(line));
  }
  return files;
}

// Three dead letters of topic "events": keyed; null key and null value;
// empty key and binary value.
std::vector<DeadLetter> Letters() {
  static const std::string kBinary("\x00\xff{not json", 11);
  return {
      DeadLetter{"events", 0, 41, true, "user-1", true, "{\"id\": oops}", 1795237629123,
                 "invalid JSON (TAPE_ERROR: ...)"},
      DeadLetter{"events", 0, 42, false, "", false, "", -1, "empty input: expected a JSON object"},
      DeadLetter{"events", 0, 40, true, "", true, kBinary, 0,
                 "field 'id': expected long, got \"x\""},
  };
}

TEST(DeadLetterSinkTest, DeliversValueKeyAndHeadersToTheTopic) {
  auto broker = StartBroker({"events", "events.dlq"});
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto producer, kafka::Producer::Make({.brokers = broker->bootstrap()}));
  const std::string root = lakepipe::testing::MakeTempDir("dlq-topic") + "/_rejected";
  DeadLetterSink sink({.fallback_root = root}, producer.get());
  EXPECT_EQ(sink.TopicFor("events"), "events.dlq");
  const auto before = std::chrono::system_clock::now();
  for (const DeadLetter& d : Letters()) ASSERT_OK(sink.Add(d));
  EXPECT_EQ(sink.pending(), 3u);
  ASSERT_OK_AND_ASSIGN(DeadLetterSink::FlushResult result, sink.Flush());
  EXPECT_EQ(result.to_topic, 3u);
  EXPECT_EQ(result.to_files, 0u);
  EXPECT_EQ(sink.pending(), 0u);
  EXPECT_EQ(sink.last_fallback_cause(), "");
  EXPECT_TRUE(FallbackFiles(root).empty());

  ASSERT_OK_AND_ASSIGN(std::vector<Consumed> got,
                       ConsumeWithHeaders(broker->bootstrap(), "events.dlq", 3));
  ASSERT_EQ(got.size(), 3u);
  const std::vector<DeadLetter> want = Letters();
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    // Null stays null and empty stays empty, for keys and values.
    if (want[i].has_value) {
      EXPECT_EQ(got[i].value, std::string(want[i].value));
    } else {
      EXPECT_FALSE(got[i].value.has_value());
    }
    if (want[i].has_key) {
      EXPECT_EQ(got[i].key, std::string(want[i].key));
    } else {
      EXPECT_FALSE(got[i].key.has_value());
    }
    EXPECT_EQ(got[i].headers["lakepipe.source.topic"], "events");
    EXPECT_EQ(got[i].headers["lakepipe.source.partition"], "0");
    EXPECT_EQ(got[i].headers["lakepipe.source.offset"], std::to_string(want[i].offset));
    EXPECT_EQ(got[i].headers["lakepipe.error"], want[i].reason);
    if (want[i].timestamp_ms >= 0) {
      EXPECT_EQ(got[i].headers["lakepipe.source.timestamp"], std::to_string(want[i].timestamp_ms));
    } else {
      EXPECT_EQ(got[i].headers.count("lakepipe.source.timestamp"), 0u);
    }
    ASSERT_OK_AND_ASSIGN(int64_t at, ParseTimestampMicros(got[i].headers["lakepipe.time"]));
    const int64_t since =
        std::chrono::duration_cast<std::chrono::microseconds>(before.time_since_epoch()).count();
    EXPECT_GE(at, since - 1000);
    EXPECT_LE(at, since + 60'000'000);
  }
}

void ExpectFallbackLines(const std::vector<nlohmann::ordered_json>& lines) {
  // Sorted by offset: 40, 41, 42.
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["lakepipe.source.offset"], 40);
  EXPECT_EQ(lines[0]["value"], "AP97bm90IGpzb24=");
  EXPECT_EQ(lines[0]["key"], "");
  EXPECT_EQ(lines[0]["lakepipe.source.timestamp"], 0);
  EXPECT_EQ(lines[0]["lakepipe.error"], "field 'id': expected long, got \"x\"");
  EXPECT_EQ(lines[1]["lakepipe.source.topic"], "events");
  EXPECT_EQ(lines[1]["lakepipe.source.partition"], 0);
  EXPECT_EQ(lines[1]["lakepipe.source.offset"], 41);
  EXPECT_EQ(lines[1]["lakepipe.source.timestamp"], 1795237629123);
  EXPECT_EQ(lines[1]["lakepipe.error"], "invalid JSON (TAPE_ERROR: ...)");
  EXPECT_EQ(lines[1]["key"], "dXNlci0x");            // user-1
  EXPECT_EQ(lines[1]["value"], "eyJpZCI6IG9vcHN9");  // {"id": oops}
  EXPECT_TRUE(lines[1]["lakepipe.time"].is_string());
  EXPECT_TRUE(ParseTimestampMicros(lines[1]["lakepipe.time"].get<std::string>()).ok());
  EXPECT_TRUE(lines[2]["key"].is_null());
  EXPECT_TRUE(lines[2]["lakepipe.source.timestamp"].is_null());
  EXPECT_TRUE(lines[2]["value"].is_null());
  const std::vector<std::string> keys = {"lakepipe.source.topic",
                                         "lakepipe.source.partition",
                                         "lakepipe.source.offset",
                                         "lakepipe.source.timestamp",
                                         "lakepipe.error",
                                         "lakepipe.time",
                                         "key",
                                         "value"};
  for (const nlohmann::ordered_json& line : lines) {
    std::vector<std::string> have;
    for (const auto& [k, v] : line.items()) have.push_back(k);
    EXPECT_EQ(have, keys);
  }
}

// The one fallback file's name must be events+0+<first offset, 20 digits>-<ms>.jsonl.
void ExpectOneFallbackFile(const std::string& root,
                           std::vector<nlohmann::ordered_json>* lines = nullptr) {
  auto files = FallbackFiles(root);
  ASSERT_EQ(files.size(), 1u);
  const std::string& name = files.begin()->first;
  EXPECT_EQ(name.rfind("events/events+0+00000000000000000040-", 0), 0u) << name;
  EXPECT_EQ(name.substr(name.size() - 6), ".jsonl") << name;
  ExpectFallbackLines(files.begin()->second);
  if (lines != nullptr) *lines = files.begin()->second;
}

TEST(DeadLetterSinkTest, UnwritableTopicGoesToAFallbackFileWithEveryField) {
  auto broker = StartBroker({"events", "events.dlq"});
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto producer, kafka::Producer::Make({.brokers = broker->bootstrap()}));
  const std::string root = lakepipe::testing::MakeTempDir("dlq-unwritable") + "/_rejected";
  DeadLetterSink sink({.fallback_root = root}, producer.get());
  // The broker refuses the produce request (the topic is not writable for us).
  rd_kafka_mock_push_request_errors(broker->mock(), kProduceApiKey, 1,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  for (const DeadLetter& d : Letters()) ASSERT_OK(sink.Add(d));
  ASSERT_OK_AND_ASSIGN(DeadLetterSink::FlushResult result, sink.Flush());
  EXPECT_EQ(result.to_topic, 0u);
  EXPECT_EQ(result.to_files, 3u);
  EXPECT_NE(sink.last_fallback_cause().find("TOPIC_AUTHORIZATION_FAILED"), std::string::npos)
      << sink.last_fallback_cause();
  ExpectOneFallbackFile(root);
}

TEST(DeadLetterSinkTest, AFallbackIsToldOncePerTopicWithItsReasonAndCounted) {
  auto broker = StartBroker({"events", "events.dlq"});
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto producer, kafka::Producer::Make({.brokers = broker->bootstrap()}));
  const std::string root = lakepipe::testing::MakeTempDir("dlq-told") + "/_rejected";
  std::vector<std::string> told;
  DeadLetterSink sink(
      {.fallback_root = root, .warn = [&](const std::string& line) { told.push_back(line); }},
      producer.get());
  const observe::Labels events = {{"topic", "events"}};
  const double before = observe::Registry::Default().Value(DeadLetterSink::kFallbackMetric, events);
  // The broker refuses every produce request of the next flushes.
  rd_kafka_mock_push_request_errors(broker->mock(), kProduceApiKey, 20,
                                    RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  for (int flush = 0; flush < 2; ++flush) {
    for (const DeadLetter& d : Letters()) ASSERT_OK(sink.Add(d));
    ASSERT_OK_AND_ASSIGN(DeadLetterSink::FlushResult result, sink.Flush());
    EXPECT_EQ(result.to_files, 3u);
  }
  ASSERT_EQ(told.size(), 1u);
  for (const std::string& part :
       {std::string("dead letters of topic 'events' go to files under ") + root + "/events",
        std::string("instead of the dead-letter topic 'events.dlq'"),
        std::string("TOPIC_AUTHORIZATION_FAILED"), std::string(DeadLetterSink::kFallbackMetric)}) {
    EXPECT_NE(told[0].find(part), std::string::npos) << part << "\n" << told[0];
  }
  EXPECT_EQ(sink.fallback_records("events"), 6u);
  EXPECT_EQ(sink.fallback_records("other"), 0u);
  EXPECT_EQ(observe::Registry::Default().Value(DeadLetterSink::kFallbackMetric, events) - before,
            6.0);
}

TEST(DeadLetterSinkTest, MissingTopicGoesToAFallbackFile) {
  // The dev broker creates topics on first use unless told otherwise, so the
  // broker answers "unknown topic" for every produce request here; the
  // producer gives up after message.timeout.ms.
  auto broker = StartBroker({"events"});
  ASSERT_NE(broker, nullptr);
  kafka::ProducerOptions options{.brokers = broker->bootstrap()};
  options.settings = {{"message.timeout.ms", "1500"}};
  ASSERT_OK_AND_ASSIGN(auto producer, kafka::Producer::Make(options));
  rd_kafka_mock_push_request_errors(broker->mock(), kProduceApiKey, 50,
                                    RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
  const std::string root = lakepipe::testing::MakeTempDir("dlq-missing") + "/_rejected";
  DeadLetterSink sink({.topic = "no-such-topic", .fallback_root = root}, producer.get());
  EXPECT_EQ(sink.TopicFor("events"), "no-such-topic");
  for (const DeadLetter& d : Letters()) ASSERT_OK(sink.Add(d));
  ASSERT_OK_AND_ASSIGN(DeadLetterSink::FlushResult result, sink.Flush());
  EXPECT_EQ(result.to_topic, 0u);
  EXPECT_EQ(result.to_files, 3u);
  EXPECT_FALSE(sink.last_fallback_cause().empty());
  ExpectOneFallbackFile(root);
}

TEST(DeadLetterSinkTest, BrokerDownPastTheFlushTimeoutGoesToAFallbackFile) {
  auto broker = StartBroker({"events", "events.dlq"});
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto producer, kafka::Producer::Make({.brokers = broker->bootstrap()}));
  ASSERT_EQ(rd_kafka_mock_broker_set_down(broker->mock(), 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  const std::string root = lakepipe::testing::MakeTempDir("dlq-down") + "/_rejected";
  DeadLetterSink sink({.fallback_root = root, .flush_timeout = milliseconds(300)}, producer.get());
  for (const DeadLetter& d : Letters()) ASSERT_OK(sink.Add(d));
  ASSERT_OK_AND_ASSIGN(DeadLetterSink::FlushResult result, sink.Flush());
  EXPECT_EQ(result.to_topic, 0u);
  EXPECT_EQ(result.to_files, 3u);
  EXPECT_NE(sink.last_fallback_cause().find("still undelivered"), std::string::npos)
      << sink.last_fallback_cause();
  ExpectOneFallbackFile(root);
}

TEST(DeadLetterSinkTest, RecordsTheProducerRefusesGoAloneToTheFile) {
  auto broker = StartBroker({"events", "events.dlq"});
  ASSERT_NE(broker, nullptr);
  kafka::ProducerOptions options{.brokers = broker->bootstrap()};
  options.settings = {{"message.max.bytes", "2000"}};
  ASSERT_OK_AND_ASSIGN(auto producer, kafka::Producer::Make(options));
  const std::string root = lakepipe::testing::MakeTempDir("dlq-large") + "/_rejected";
  DeadLetterSink sink({.fallback_root = root}, producer.get());
  const std::string large(5000, 'v');
  ASSERT_OK(sink.Add(DeadLetter{"events", 2, 7, true, "k", true, "small", 5, "bad"}));
  ASSERT_OK(sink.Add(DeadLetter{"events", 2, 8, true, "k", true, large, 5, "oversize"}));
  ASSERT_OK(sink.Add(DeadLetter{"events", 3, 9, false, "", true, "other", 5, "bad"}));
  ASSERT_OK_AND_ASSIGN(DeadLetterSink::FlushResult result, sink.Flush());
  EXPECT_EQ(result.to_topic, 2u);
  EXPECT_EQ(result.to_files, 1u);
  auto files = FallbackFiles(root);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files.begin()->first.rfind("events/events+2+00000000000000000008-", 0), 0u);
  ASSERT_EQ(files.begin()->second.size(), 1u);
  EXPECT_EQ(files.begin()->second[0]["lakepipe.error"], "oversize");
  ASSERT_OK_AND_ASSIGN(std::vector<Consumed> got,
                       ConsumeWithHeaders(broker->bootstrap(), "events.dlq", 2));
  EXPECT_EQ(got[0].value, "small");
  EXPECT_EQ(got[1].value, "other");
}

TEST(DeadLetterSinkTest, WithoutAProducerEverythingGoesToFilesPerPartition) {
  const std::string root = lakepipe::testing::MakeTempDir("dlq-files") + "/_rejected/";
  DeadLetterSink sink({.fallback_root = root}, nullptr);
  for (const DeadLetter& d : Letters()) ASSERT_OK(sink.Add(d));
  ASSERT_OK(sink.Add(DeadLetter{"other", 5, 100, false, "", true, "x", -1, "bad"}));
  ASSERT_OK_AND_ASSIGN(DeadLetterSink::FlushResult result, sink.Flush());
  EXPECT_EQ(result.to_topic, 0u);
  EXPECT_EQ(result.to_files, 4u);
  EXPECT_EQ(sink.last_fallback_cause(), "no dead-letter producer");
  auto files = FallbackFiles(root);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files.begin()->first.rfind("events/events+0+00000000000000000040-", 0), 0u);
  ExpectFallbackLines(files.begin()->second);
  EXPECT_EQ(std::next(files.begin())->first.rfind("other/other+5+00000000000000000100-", 0), 0u);
  // A second flush in the same millisecond does not overwrite the first file.
  for (const DeadLetter& d : Letters()) ASSERT_OK(sink.Add(d));
  ASSERT_OK_AND_ASSIGN(result, sink.Flush());
  for (const DeadLetter& d : Letters()) ASSERT_OK(sink.Add(d));
  ASSERT_OK_AND_ASSIGN(result, sink.Flush());
  EXPECT_EQ(FallbackFiles(root).size(), 4u);
  // Nothing pending: nothing written.
  ASSERT_OK_AND_ASSIGN(result, sink.Flush());
  EXPECT_EQ(result.to_files, 0u);
  EXPECT_EQ(FallbackFiles(root).size(), 4u);
}

TEST(DeadLetterSinkTest, AFailingFallbackIsAnErrorAndKeepsTheRecords) {
  const std::string dir = lakepipe::testing::MakeTempDir("dlq-fail");
  std::ofstream(dir + "/file") << "not a directory";
  DeadLetterSink sink({.fallback_root = dir + "/file/_rejected"}, nullptr);
  for (const DeadLetter& d : Letters()) ASSERT_OK(sink.Add(d));
  Result<DeadLetterSink::FlushResult> result = sink.Flush();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("do not commit"), std::string::npos)
      << result.status().ToString();
  EXPECT_NE(result.status().message().find("/file/_rejected/events"), std::string::npos)
      << result.status().ToString();
  EXPECT_EQ(sink.pending(), 3u);
  result = sink.Flush();
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(sink.pending(), 3u);
}

TEST(DeadLetterSinkTest, RejectsBadSourceTopics) {
  auto broker = StartBroker({"events"});
  ASSERT_NE(broker, nullptr);
  ASSERT_OK_AND_ASSIGN(auto producer, kafka::Producer::Make({.brokers = broker->bootstrap()}));
  DeadLetterSink sink({.topic = "events", .fallback_root = "/unused"}, producer.get());
  Status same = sink.Add(DeadLetter{"events", 0, 1, false, "", true, "v", -1, "bad"});
  EXPECT_EQ(same.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(same.message().find("is the topic being archived"), std::string::npos);
  DeadLetterSink files({.fallback_root = "/unused"}, nullptr);
  for (const char* topic : {"", "..", "a/b"}) {
    Status bad = files.Add(DeadLetter{topic, 0, 1, false, "", true, "v", -1, "bad"});
    EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument) << topic;
  }
  EXPECT_EQ(files.pending(), 0u);
}

}  // namespace
}  // namespace lakepipe::archive
