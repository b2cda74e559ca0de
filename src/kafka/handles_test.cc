#include "kafka/handles.h"

#include <gtest/gtest.h>

namespace lakepipe::kafka {
namespace {

using std::chrono::seconds;

TEST(ConnectionFailureReasonTest, DropsThreadBrokerAndStateNoise) {
  EXPECT_EQ(ConnectionFailureReason(
                "[thrd:127.0.0.1:1/bootstrap]: 127.0.0.1:1/bootstrap: Connect to "
                "ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT, 1 "
                "identical error(s) suppressed)"),
            "Connect to ipv4#127.0.0.1:1 failed: Connection refused");
  EXPECT_EQ(ConnectionFailureReason("nonexistent.invalid:9092/bootstrap: Failed to resolve "
                                    "'nonexistent.invalid:9092': Name or service not known "
                                    "(after 2ms in state CONNECT)"),
            "Failed to resolve 'nonexistent.invalid:9092': Name or service not known");
}

TEST(ConnectionFailureReasonTest, KeepsOtherText) {
  EXPECT_EQ(ConnectionFailureReason("1/1 brokers are down"), "1/1 brokers are down");
  EXPECT_EQ(ConnectionFailureReason("Local: Broker transport failure (_TRANSPORT)"),
            "Local: Broker transport failure (_TRANSPORT)");
  EXPECT_EQ(ConnectionFailureReason(""), "");
}

TEST(RepeatFilterTest, ShowsTheFirstThenOnePerWindowWithTheCountHeldBack) {
  RepeatFilter filter(seconds(60));
  const auto t0 = RepeatFilter::Clock::time_point{} + seconds(1000);
  uint64_t held = 99;
  ASSERT_TRUE(filter.Admit("refused", t0, &held));
  EXPECT_EQ(held, 0u);
  for (int i = 1; i <= 5; ++i) EXPECT_FALSE(filter.Admit("refused", t0 + seconds(i), &held));
  // Another reason is not held back by the first one.
  EXPECT_TRUE(filter.Admit("resolve", t0 + seconds(2), &held));
  EXPECT_EQ(held, 0u);
  ASSERT_TRUE(filter.Admit("refused", t0 + seconds(60), &held));
  EXPECT_EQ(held, 5u);
  EXPECT_FALSE(filter.Admit("refused", t0 + seconds(61), &held));
  ASSERT_TRUE(filter.Admit("refused", t0 + seconds(200), &held));
  EXPECT_EQ(held, 1u);
}

}  // namespace
}  // namespace lakepipe::kafka
