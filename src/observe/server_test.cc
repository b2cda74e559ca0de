// The status server on a free loopback port, asked with cpp-httplib's client.
#include "observe/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

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
  const double now =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(j["time"].get<double>(), now, 5.0) << "the process's clock, for the chart's axis";
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

// A client socket connected to the server, closed at the end of the test.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool TrySend(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  void Send(const std::string& bytes) {
    ASSERT_EQ(send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // Whether the server closed the connection (reads EOF or a reset) within `wait`.
  bool ClosedByServer(std::chrono::milliseconds wait) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(wait.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((wait.count() % 1000) * 1000);
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buffer[4096];
    for (;;) {
      const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  int fd_;
  bool connected_ = false;
};

// Idle connections (a browser's preconnects, a slowloris sending a request
// byte by byte) must not keep /healthz from answering: a probe with a 1 s
// timeout would kill a healthy process.
TEST(StatusServerTest, AnswersHealthzFastUnder200IdleConnections) {
  ServerOptions o;
  o.address = "127.0.0.1:0";
  o.command = "test";
  auto server = StatusServer::Start(o);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const int port = (*server)->port();
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 200; ++i) {
    idle.push_back(std::make_unique<RawConnection>(port));
    ASSERT_TRUE(idle.back()->connected()) << "connection " << i;
    // Half send nothing, half the start of a request that never ends.
    if (i % 2 == 1) idle.back()->Send("GET /metrics HTTP/1.1\r\nHost: x\r\n");
  }
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1, 0);
  client.set_read_timeout(1, 0);
  for (int i = 0; i < 10; ++i) {
    const auto start = std::chrono::steady_clock::now();
    auto health = client.Get("/healthz");
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(health) << "request " << i << ": " << httplib::to_string(health.error());
    EXPECT_EQ(health->status, 200);
    EXPECT_EQ(health->body, "ok\n");
    EXPECT_LT(took, std::chrono::milliseconds(100)) << "request " << i;
  }
  // The cap dropped the oldest idle connections first; the newest wait for
  // their request until the timeout.
  EXPECT_TRUE(idle.front()->ClosedByServer(std::chrono::milliseconds(100)));
  EXPECT_FALSE(idle.back()->ClosedByServer(std::chrono::milliseconds(100)));
}

TEST(StatusServerTest, DropsClientsThatDoNotFinishTheirRequestInTime) {
  ServerOptions o;
  o.address = "127.0.0.1:0";
  o.command = "test";
  o.request_timeout = std::chrono::milliseconds(300);
  auto server = StatusServer::Start(o);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  RawConnection silent((*server)->port());
  RawConnection slow((*server)->port());
  ASSERT_TRUE(silent.connected());
  ASSERT_TRUE(slow.connected());
  const auto start = std::chrono::steady_clock::now();
  // A byte every 100 ms would keep a per-read timeout from ever expiring;
  // the request as a whole must still arrive in time. Sending fails once
  // the server closed the connection.
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t i = 0; i + 4 < request.size() && slow.TrySend(request.substr(i, 1)); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(silent.ClosedByServer(std::chrono::seconds(2)));
  EXPECT_TRUE(slow.ClosedByServer(std::chrono::seconds(2)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(StatusServerTest, RejectsOtherMethodsAndUnknownPaths) {
  auto server = StatusServer::Start(ServerOptions{"127.0.0.1:0", "x", {}, {}});
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  httplib::Client client("127.0.0.1", (*server)->port());
  auto missing = client.Get("/nothing-here");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto post = client.Post("/healthz", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  auto head = client.Head("/healthz");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_TRUE(head->body.empty());
  auto query = client.Get("/healthz?verbose=1");
  ASSERT_TRUE(query);
  EXPECT_EQ(query->status, 200);
}

}  // namespace
}  // namespace lakepipe::observe
