// HTTP over libcurl, with the retry policy lakepipe uses for every remote
// service (randomuser.me, schema registries, S3).
//
// HttpClient::Send performs one request. Transport failures (DNS, connect,
// TLS, timeout, connection reset) are kUnavailable naming the URL, except a
// certificate that cannot be verified, which is kFailedPrecondition (no
// retry will fix it); HTTP
// statuses, including errors, come back in the response. SendWithRetry
// retries transport failures, 429 (honouring Retry-After) and 5xx with
// exponential backoff and jitter until max_attempts or the deadline. With
// RetryPolicy::brief_when_unreachable, a host name that does not resolve and
// a refused connection to a loopback address (nothing listens there: a wrong
// port, a service not started) are retried only briefly (kBriefRetries, each
// wait at most kBriefMaxBackoff).
//
// Thread-safety: an HttpClient is used by one thread at a time; it keeps its
// curl handle, so connections are reused between requests.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace lakepipe {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{30000};  // whole request
  std::chrono::milliseconds connect_timeout{10000};
  // HTTPS: verify the server's certificate (and host name); a CA bundle
  // file to verify against when not "".
  bool verify_tls = true;
  std::string ca_bundle;
  // HTTP basic authentication when user is not empty.
  std::string user;
  std::string password;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-case
  // The first header named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> Send(const HttpRequest& request);

  // Why the last Send failed without an HTTP response.
  enum class FailureKind {
    kNone,             // it got a response
    kUnresolved,       // the host name does not resolve
    kRefusedLoopback,  // a loopback address refused the connection
    kOther,            // anything else: timeouts, resets, remote refusals, TLS
  };
  struct Failure {
    FailureKind kind = FailureKind::kNone;
    std::string reason;  // short, e.g. "connection refused", "host name does not resolve"
  };
  const Failure& last_failure() const;

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

struct RetryPolicy {
  int max_attempts = 8;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{10000};
  // Retries stop once this much time has passed since the first attempt.
  std::chrono::milliseconds deadline{120000};
  // Each delay is drawn uniformly from [delay * (1 - jitter), delay].
  double jitter = 0.5;
  // A host name that does not resolve, or a loopback address that refuses
  // the connection, is retried at most kBriefRetries times, each wait at
  // most kBriefMaxBackoff: a typo or a service that is not running fails in
  // about a second instead of after the whole ladder.
  bool brief_when_unreachable = false;
};

// See RetryPolicy::brief_when_unreachable.
inline constexpr int kBriefRetries = 2;
inline constexpr std::chrono::milliseconds kBriefMaxBackoff{500};

// What a retry is about to do, for logs and metrics.
struct RetryEvent {
  int attempt = 0;  // the attempt that failed, from 1; the retry about to happen
  int retries = 0;  // the most retries there will be (the deadline may stop them sooner)
  std::string method;
  std::string url;
  std::string cause;  // e.g. "HTTP 503", "HTTP 429", "connection refused", "timed out ..."
  std::chrono::milliseconds delay{0};
};

// One line for a retry, URL credentials masked:
// "GET https://h/api/ failed: connection refused; retry 2/7 in 1.6 s".
std::string RetryLine(const RetryEvent& event);

// True for statuses worth retrying: 408, 425, 429 and 5xx.
bool IsRetriableStatus(long status);

// The delay before retry `attempt` (1-based): initial * 2^(attempt-1),
// capped at max_backoff, with jitter.
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt,
                                       std::mt19937_64& rng);

// Retry-After as seconds or an HTTP date; nullopt when absent or unparsable.
std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value);

// Sends `request`, retrying as described above. Returns the final response
// (which may be a non-retriable error status), or kUnavailable naming the
// URL, the attempts and the last cause; a failure that is not kUnavailable
// (an untrusted certificate) is returned at once.
Result<HttpResponse> SendWithRetry(HttpClient& client, const HttpRequest& request,
                                   const RetryPolicy& policy,
                                   const std::function<void(const RetryEvent&)>& on_retry = {});

}  // namespace lakepipe
