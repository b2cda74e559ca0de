#include "kafka/metadata.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "kafka/dev_broker.h"

namespace lakepipe::kafka {
namespace {

using std::chrono::milliseconds;

TEST(TopicPartitionsTest, ExistingTopicGivesItsPartitionCount) {
  ASSERT_OK_AND_ASSIGN(auto broker, DevBroker::Start({.brokers = 2, .topics = {"a"}}));
  ASSERT_OK(broker->CreateTopic("b", 16));
  ASSERT_OK_AND_ASSIGN(int a, TopicPartitions(broker->bootstrap(), "a", {}, milliseconds(10000)));
  EXPECT_EQ(a, 8);
  ASSERT_OK_AND_ASSIGN(int b, TopicPartitions(broker->bootstrap(), "b", {}, milliseconds(10000)));
  EXPECT_EQ(b, 16);
}

TEST(TopicPartitionsTest, MissingTopicIsNotFoundAndNotCreated) {
  ASSERT_OK_AND_ASSIGN(auto broker, DevBroker::Start({}));
  for (int attempt = 0; attempt < 2; ++attempt) {
    Result<int> missing = TopicPartitions(broker->bootstrap(), "nope", {}, milliseconds(10000));
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
    EXPECT_NE(missing.status().message().find("'nope'"), std::string::npos);
    EXPECT_NE(missing.status().message().find(broker->bootstrap()), std::string::npos);
  }
}

TEST(TopicPartitionsTest, UnreachableBrokersAreUnavailableWithinTheTimeout) {
  const auto start = std::chrono::steady_clock::now();
  Result<int> r = TopicPartitions("127.0.0.1:1", "t", {}, milliseconds(1500));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  EXPECT_NE(r.status().message().find("127.0.0.1:1"), std::string::npos);
  EXPECT_LT(elapsed, milliseconds(4000));
}

TEST(WaitForBrokersTest, ARunningBrokerAnswers) {
  ASSERT_OK_AND_ASSIGN(auto broker, DevBroker::Start({}));
  EXPECT_OK(WaitForBrokers(broker->bootstrap(), {}, milliseconds(10000)));
}

TEST(WaitForBrokersTest, RefusedIsOneLineNamingTheAddressTheReasonAndWhatToDo) {
  const auto start = std::chrono::steady_clock::now();
  Status st = WaitForBrokers("127.0.0.1:1", {}, milliseconds(1500));
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(4000));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_EQ(st.message(),
            "no Kafka broker answered at 127.0.0.1:1 within 1500 ms: Connect to ipv4#127.0.0.1:1 "
            "failed: Connection refused; start the brokers, or point the bootstrap servers "
            "(kafka.bootstrap.servers) at running ones");
}

TEST(WaitForBrokersTest, ANameThatDoesNotResolveIsUnavailable) {
  Status st = WaitForBrokers("nonexistent.invalid:9092", {}, milliseconds(2000));
  EXPECT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_NE(st.message().find("Failed to resolve 'nonexistent.invalid:9092'"), std::string::npos)
      << st.message();
}

TEST(TopicPartitionsTest, NoBrokersIsAnInvalidArgument) {
  EXPECT_EQ(TopicPartitions("", "t", {}, milliseconds(100)).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(TopicPartitionsTest, BadSettingsAreInvalidArguments) {
  Result<int> r = TopicPartitions("127.0.0.1:1", "t", {{"bogus.key", "1"}}, milliseconds(100));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("bogus.key"), std::string::npos);
}

}  // namespace
}  // namespace lakepipe::kafka
