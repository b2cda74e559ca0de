#include "kafka/dev_broker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "kafka/metadata.h"
#include "kafka/producer.h"
#include "kafka/tcp_forwarder.h"
#include "kafka/test_consumer.h"

namespace lakepipe::kafka {
namespace {

using std::chrono::seconds;

// A port nothing listens on right now.
int FreePort() {
  UniqueFd s(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) return -1;
  socklen_t n = sizeof(a);
  ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&a), &n);
  return ntohs(a.sin_port);
}

TEST(DevBrokerTest, BootstrapListsEveryBroker) {
  ASSERT_OK_AND_ASSIGN(auto broker, DevBroker::Start({.brokers = 3}));
  const std::string& b = broker->bootstrap();
  EXPECT_EQ(b.rfind("127.0.0.1:", 0), 0u) << b;
  EXPECT_EQ(std::count(b.begin(), b.end(), ','), 2) << b;
}

TEST(DevBrokerTest, CreatesTopics) {
  ASSERT_OK_AND_ASSIGN(auto broker, DevBroker::Start({.partitions = 3, .topics = {"x", "y"}}));
  EXPECT_EQ(TopicPartitions(broker->bootstrap(), "y", {}, seconds(10)).ValueOr(-1), 3);
  EXPECT_EQ(broker->CreateTopic("x", 2).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(broker->CreateTopic("bad name", 2).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(broker->CreateTopic("z", 0).code(), StatusCode::kInvalidArgument);
}

TEST(DevBrokerTest, RejectsBadOptions) {
  EXPECT_EQ(DevBroker::Start({.brokers = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DevBroker::Start({.partitions = 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DevBroker::Start({.port = 70000}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DevBroker::Start({.topics = {"a/b"}}).status().code(), StatusCode::kInvalidArgument);
}

TEST(DevBrokerTest, FixedPortForwardsToTheClusterForProduceAndConsume) {
  const int port = FreePort();
  ASSERT_GT(port, 0);
  ASSERT_OK_AND_ASSIGN(
      auto broker,
      DevBroker::Start({.brokers = 2, .partitions = 4, .topics = {"fwd"}, .port = port}));
  EXPECT_EQ(broker->bootstrap(), fmt::format("127.0.0.1:{}", port));
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make({.brokers = broker->bootstrap()}));
  for (int i = 0; i < 500; ++i) {
    ASSERT_OK(producer->Produce("fwd", fmt::format("k{}", i), fmt::format("v{}", i)));
  }
  ASSERT_OK(producer->Flush(seconds(30)));
  EXPECT_EQ(producer->stats().delivered, 500u);
  ASSERT_OK_AND_ASSIGN(auto records,
                       testing::ConsumeAll(broker->bootstrap(), "fwd", 500, seconds(30)));
  EXPECT_EQ(records.size(), 500u);
}

TEST(DevBrokerTest, TakenPortIsAClearError) {
  const int port = FreePort();
  ASSERT_GT(port, 0);
  ASSERT_OK_AND_ASSIGN(auto first, DevBroker::Start({.port = port}));
  Result<std::unique_ptr<DevBroker>> second = DevBroker::Start({.port = port});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find(fmt::format("port {}", port)), std::string::npos)
      << second.status().ToString();
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
}

TEST(TcpForwarderTest, RelaysBothWaysAndStopsCleanly) {
  // An echo server on loopback as the target.
  UniqueFd server(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(server.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(::listen(server.get(), 4), 0);
  socklen_t n = sizeof(a);
  ::getsockname(server.get(), reinterpret_cast<sockaddr*>(&a), &n);
  ASSERT_OK_AND_ASSIGN(auto forwarder, TcpForwarder::Start(0, "127.0.0.1", ntohs(a.sin_port)));

  UniqueFd client(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in f{};
  f.sin_family = AF_INET;
  f.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  f.sin_port = htons(static_cast<uint16_t>(forwarder->port()));
  ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&f), sizeof(f)), 0);
  UniqueFd accepted(::accept(server.get(), nullptr, nullptr));
  ASSERT_TRUE(accepted.valid());

  // More than one buffer's worth each way.
  const std::string payload(300000, 'p');
  std::string received;
  std::thread echo([&] {
    char buf[8192];
    size_t total = 0;
    while (total < payload.size()) {
      const ssize_t r = ::recv(accepted.get(), buf, sizeof(buf), 0);
      if (r <= 0) return;
      total += static_cast<size_t>(r);
      ::send(accepted.get(), buf, static_cast<size_t>(r), MSG_NOSIGNAL);
    }
  });
  std::thread reader([&] {
    char buf[8192];
    while (received.size() < payload.size()) {
      const ssize_t r = ::recv(client.get(), buf, sizeof(buf), 0);
      if (r <= 0) return;
      received.append(buf, static_cast<size_t>(r));
    }
  });
  size_t sent = 0;
  while (sent < payload.size()) {
    const ssize_t w =
        ::send(client.get(), payload.data() + sent, payload.size() - sent, MSG_NOSIGNAL);
    ASSERT_GT(w, 0);
    sent += static_cast<size_t>(w);
  }
  reader.join();
  echo.join();
  EXPECT_EQ(received, payload);

  // Closing one side closes the relayed connection.
  client.reset();
  char byte = 0;
  EXPECT_EQ(::recv(accepted.get(), &byte, 1, 0), 0);
  forwarder.reset();
}

}  // namespace
}  // namespace lakepipe::kafka
