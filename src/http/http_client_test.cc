#include "http/http_client.h"

#include "http/local_http_server.h"

#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe {
namespace {

HttpRequest Get(std::string url) {
  HttpRequest r;
  r.url = std::move(url);
  return r;
}

RetryPolicy FastPolicy() {
  RetryPolicy p;
  p.initial_backoff = std::chrono::milliseconds(5);
  p.max_backoff = std::chrono::milliseconds(20);
  p.max_attempts = 4;
  return p;
}

TEST(HttpClientTest, SendsRequestsAndReturnsStatusesHeadersAndBodies) {
  testing::LocalHttpServer s;
  s.server().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.set_header("X-Method", req.method);
    res.set_content(req.body + "|" + req.get_header_value("Content-Type") + "|" +
                        req.get_header_value("Authorization"),
                    "text/plain");
  });
  s.server().Get("/missing",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 404; });
  s.Start();
  HttpClient client;
  HttpRequest req;
  req.method = "POST";
  req.url = s.Url("/echo");
  req.body = "{\"a\":1}";
  req.headers = {{"Content-Type", "application/json"}};
  req.user = "alice";
  req.password = "secret";
  ASSERT_OK_AND_ASSIGN(HttpResponse r, client.Send(req));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"a\":1}|application/json|Basic YWxpY2U6c2VjcmV0");
  EXPECT_EQ(r.Header("x-method"), "POST");
  EXPECT_EQ(r.Header("X-METHOD"), "POST");
  // Error statuses are responses, not failures.
  ASSERT_OK_AND_ASSIGN(HttpResponse missing, client.Send(Get(s.Url("/missing"))));
  EXPECT_EQ(missing.status, 404);
}

TEST(HttpClientTest, RetriesServerErrorsThenSucceeds) {
  testing::LocalHttpServer s;
  std::atomic<int> calls{0};
  s.server().Get("/flaky", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls < 3) {
      res.status = 503;
      return;
    }
    res.set_content("ok", "text/plain");
  });
  s.Start();
  HttpClient client;
  std::vector<RetryEvent> retries;
  ASSERT_OK_AND_ASSIGN(HttpResponse r,
                       SendWithRetry(client, Get(s.Url("/flaky")), FastPolicy(),
                                     [&](const RetryEvent& e) { retries.push_back(e); }));
  EXPECT_EQ(r.body, "ok");
  EXPECT_EQ(calls.load(), 3);
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_EQ(retries[0].cause, "HTTP 503");
}

TEST(HttpClientTest, HonoursRetryAfterOn429) {
  testing::LocalHttpServer s;
  std::atomic<int> calls{0};
  s.server().Get("/limited", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls == 1) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      return;
    }
    res.set_content("ok", "text/plain");
  });
  s.Start();
  HttpClient client;
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(HttpResponse r, SendWithRetry(client, Get(s.Url("/limited")), FastPolicy()));
  EXPECT_EQ(r.body, "ok");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(950));
}

TEST(HttpClientTest, GivesUpWithAClearErrorAndDoesNotRetryClientErrors) {
  testing::LocalHttpServer s;
  std::atomic<int> bad_calls{0};
  s.server().Get("/down",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 500; });
  s.server().Get("/bad", [&](const httplib::Request&, httplib::Response& res) {
    ++bad_calls;
    res.status = 400;
  });
  s.Start();
  HttpClient client;
  Result<HttpResponse> down = SendWithRetry(client, Get(s.Url("/down")), FastPolicy());
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(down.status().message().find("/down"), std::string::npos) << down.status().message();
  EXPECT_NE(down.status().message().find("4 attempts"), std::string::npos)
      << down.status().message();
  EXPECT_NE(down.status().message().find("HTTP 500"), std::string::npos) << down.status().message();
  ASSERT_OK_AND_ASSIGN(HttpResponse bad, SendWithRetry(client, Get(s.Url("/bad")), FastPolicy()));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad_calls.load(), 1);
}

TEST(HttpClientTest, TransportFailuresAndTimeoutsAreUnavailable) {
  HttpClient client;
  // Nothing listens on port 1.
  Result<HttpResponse> refused = client.Send(Get("http://127.0.0.1:1/x"));
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("127.0.0.1:1"), std::string::npos);
  testing::LocalHttpServer s;
  s.server().Get("/hang", [](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content("late", "text/plain");
  });
  s.Start();
  HttpRequest req = Get(s.Url("/hang"));
  req.timeout = std::chrono::milliseconds(200);
  Result<HttpResponse> hung = client.Send(req);
  EXPECT_EQ(hung.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(hung.status().message().find("timed out"), std::string::npos)
      << hung.status().message();
}

TEST(HttpClientTest, RetryLinesNameTheRequestTheReasonAndTheNextWait) {
  EXPECT_EQ(RetryLine({.attempt = 2,
                       .retries = 5,
                       .method = "GET",
                       .url = "https://user:secret@randomuser.me/api/?results=100",
                       .cause = "connection refused",
                       .delay = std::chrono::milliseconds(1600)}),
            "GET https://user:***@randomuser.me/api/?results=100 failed: connection refused; "
            "retry 2/5 in 1.6 s");
  EXPECT_EQ(RetryLine({.attempt = 1,
                       .retries = 7,
                       .method = "POST",
                       .url = "http://r:8081/subjects/u-value/versions",
                       .cause = "HTTP 503",
                       .delay = std::chrono::milliseconds(180)}),
            "POST http://r:8081/subjects/u-value/versions failed: HTTP 503; retry 1/7 in 0.2 s");
}

// A refused loopback port and a host name that does not resolve: a couple
// of short retries, each reported, then a clear error.
TEST(HttpClientTest, UnreachableHostsAreRetriedOnlyBrieflyWhenAsked) {
  RetryPolicy policy;  // 8 attempts, waits up to 10 s
  policy.brief_when_unreachable = true;
  for (const std::string url :
       {"http://127.0.0.1:1/x", "http://localhost:1/x", "http://nonexistent.invalid/x"}) {
    HttpClient client;
    std::vector<RetryEvent> events;
    const auto start = std::chrono::steady_clock::now();
    Result<HttpResponse> r =
        SendWithRetry(client, Get(url), policy, [&](const RetryEvent& e) { events.push_back(e); });
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3)) << url;
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(r.status().message().find("3 attempts"), std::string::npos) << r.status().message();
    ASSERT_EQ(events.size(), 2u) << url;
    const bool unresolved = url.find("invalid") != std::string::npos;
    EXPECT_EQ(client.last_failure().kind, unresolved ? HttpClient::FailureKind::kUnresolved
                                                     : HttpClient::FailureKind::kRefusedLoopback);
    for (const RetryEvent& e : events) {
      EXPECT_EQ(e.retries, kBriefRetries);
      EXPECT_LE(e.delay, kBriefMaxBackoff);
      EXPECT_EQ(e.url, url);
      EXPECT_EQ(e.cause, unresolved ? "host name does not resolve" : "connection refused");
    }
    EXPECT_NE(r.status().message().find(unresolved ? "check the host name" : "nothing listens"),
              std::string::npos)
        << r.status().message();
  }
  // Without it, the whole ladder.
  HttpClient client;
  int retries = 0;
  Result<HttpResponse> r = SendWithRetry(client, Get("http://127.0.0.1:1/x"), FastPolicy(),
                                         [&](const RetryEvent&) { ++retries; });
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(retries, 3);
}

TEST(HttpClientTest, BackoffGrowsWithJitterAndRetryAfterParses) {
  RetryPolicy p;
  p.initial_backoff = std::chrono::milliseconds(100);
  p.max_backoff = std::chrono::milliseconds(1000);
  p.jitter = 0.5;
  std::mt19937_64 rng(1);
  for (int attempt = 1; attempt <= 8; ++attempt) {
    const int64_t full = std::min<int64_t>(100 << (attempt - 1), 1000);
    for (int i = 0; i < 50; ++i) {
      const int64_t d = BackoffDelay(p, attempt, rng).count();
      EXPECT_GE(d, full / 2);
      EXPECT_LE(d, full);
    }
  }
  EXPECT_EQ(ParseRetryAfter("3"), std::chrono::milliseconds(3000));
  EXPECT_FALSE(ParseRetryAfter("soon").has_value());
  EXPECT_FALSE(ParseRetryAfter("").has_value());
  EXPECT_TRUE(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT").has_value());
}

}  // namespace
}  // namespace lakepipe
