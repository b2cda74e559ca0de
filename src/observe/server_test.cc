// The status server on a free loopback port, asked with cpp-httplib's client.
#include "observe/server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include "observe/metrics.h"

namespace lakepipe::observe {
namespace {

TEST(StatusServerTest, ServesMetricsStatusHealthAndThePage) {
  bool healthy = true;
  ServerOptions o;
  o.address = "127.0.0.1:0";
  o.command = "test";
  o.health = [&] { return healthy ? Health{} : Health{false, "stalled: lag 12"}; };
  o.status = [] { return nlohmann::json{{"partitions", 3}}; };
  auto server = StatusServer::Start(o);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  Registry::Default().Add("lakepipe_records_in_total", {{"stage", "archive"}, {"topic", "t"}}, 42);
  httplib::Client client("127.0.0.1", (*server)->port());
  auto metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(metrics->body.find("lakepipe_records_in_total{stage=\"archive\",topic=\"t\"} 42"),
            std::string::npos);
  auto status = client.Get("/status.json");
  ASSERT_TRUE(status);
  const nlohmann::json j = nlohmann::json::parse(status->body);
  EXPECT_EQ(j["command"], "test");
  EXPECT_EQ(j["partitions"], 3);
  EXPECT_TRUE(j["health"]["ok"].get<bool>());
  EXPECT_TRUE(j["metrics"].contains("lakepipe_records_in_total"));
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  healthy = false;
  health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 503);
  EXPECT_EQ(health->body, "stalled: lag 12\n");
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("fetch(\"/status.json\""), std::string::npos);
  EXPECT_EQ(page->body.find("http://"), std::string::npos) << "the page fetches nothing else";
  EXPECT_EQ(page->body.find("https://"), std::string::npos);
}

TEST(StatusServerTest, BadOrTakenAddresses) {
  auto bad = StatusServer::Start(ServerOptions{"localhost", "x", {}, {}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("'localhost' is not HOST:PORT"), std::string::npos);
  auto first = StatusServer::Start(ServerOptions{"127.0.0.1:0", "x", {}, {}});
  ASSERT_TRUE(first.ok());
  auto taken = StatusServer::Start(
      ServerOptions{"127.0.0.1:" + std::to_string((*first)->port()), "x", {}, {}});
  EXPECT_EQ(taken.status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace lakepipe::observe
