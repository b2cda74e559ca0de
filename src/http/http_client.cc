#include "http/http_client.h"

#include "observe/metrics.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <ctime>
#include <mutex>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "core/redact.h"

namespace lakepipe {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (redirect, 100-continue)
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  headers->emplace_back(std::move(name), std::string(value));
  return size * n;
}

struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

struct HttpClient::Handle {
  struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
  };
  std::unique_ptr<CURL, CurlDeleter> curl;
  Failure failure;
};

namespace {

// A short reason: "connection refused", "host name does not resolve", or
// curl's text without its capital.
std::string ShortReason(CURL* c, CURLcode rc, const char* what) {
  if (rc == CURLE_COULDNT_RESOLVE_HOST) return "host name does not resolve";
  long os_errno = 0;
  curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
  std::string text = rc == CURLE_COULDNT_CONNECT && os_errno != 0
                         ? std::generic_category().message(static_cast<int>(os_errno))
                         : what;
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

// Whether `url` names a loopback host (127.x.y.z, ::1, localhost).
bool IsLoopbackUrl(const std::string& url) {
  struct UrlDeleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
  };
  std::unique_ptr<CURLU, UrlDeleter> parsed(curl_url());
  if (!parsed || curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    return false;
  }
  char* raw = nullptr;
  if (curl_url_get(parsed.get(), CURLUPART_HOST, &raw, 0) != CURLUE_OK || raw == nullptr) {
    return false;
  }
  const std::string host = raw;
  curl_free(raw);
  return host == "localhost" || host.starts_with("127.") || host == "[::1]";
}

HttpClient::Failure Classify(CURL* c, CURLcode rc, const char* what, const std::string& url) {
  HttpClient::Failure f{HttpClient::FailureKind::kOther, ShortReason(c, rc, what)};
  long os_errno = 0;
  curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
  if (rc == CURLE_COULDNT_RESOLVE_HOST) {
    f.kind = HttpClient::FailureKind::kUnresolved;
  } else if (rc == CURLE_COULDNT_CONNECT && os_errno == ECONNREFUSED && IsLoopbackUrl(url)) {
    f.kind = HttpClient::FailureKind::kRefusedLoopback;
  }
  return f;
}

}  // namespace

const HttpClient::Failure& HttpClient::last_failure() const { return handle_->failure; }

HttpClient::HttpClient() : handle_(std::make_unique<Handle>()) {
  GlobalInit();
  handle_->curl.reset(curl_easy_init());
}

HttpClient::~HttpClient() = default;

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return "";
}

Result<HttpResponse> HttpClient::Send(const HttpRequest& request) {
  CURL* c = handle_->curl.get();
  if (c == nullptr) return InternalError("cannot create a curl handle");
  curl_easy_reset(c);
  handle_->failure = {};
  HttpResponse response;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& [k, v] : request.headers) {
    headers.reset(curl_slist_append(headers.release(), fmt::format("{}: {}", k, v).c_str()));
  }
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // any encoding curl supports
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "lakepipe");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, request.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, request.verify_tls ? 2L : 0L);
  if (!request.ca_bundle.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, request.ca_bundle.c_str());
  if (headers) curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  if (!request.user.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, request.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, request.password.c_str());
  }
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method != "DELETE" || !request.body.empty()) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) {
    const char* what = error[0] != '\0' ? error : curl_easy_strerror(rc);
    handle_->failure = Classify(c, rc, what, request.url);
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE ||
        rc == CURLE_SSL_CERTPROBLEM) {
      // Retrying cannot help: the certificate or the CA bundle must change.
      return FailedPreconditionError(
          "{} {}: {} (the server's TLS certificate could not be verified: give the CA bundle "
          "that signed it)",
          request.method, MaskUrlCredentials(request.url), what);
    }
    return UnavailableError("{} {}: {}", request.method, MaskUrlCredentials(request.url), what);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

bool IsRetriableStatus(long status) {
  return status == 408 || status == 425 || status == 429 || (status >= 500 && status <= 599);
}

std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt,
                                       std::mt19937_64& rng) {
  double delay = static_cast<double>(policy.initial_backoff.count());
  for (int i = 1; i < attempt && delay < static_cast<double>(policy.max_backoff.count()); ++i)
    delay *= 2;
  delay = std::min(delay, static_cast<double>(policy.max_backoff.count()));
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  std::uniform_real_distribution<double> dist(delay * (1 - jitter), delay);
  return std::chrono::milliseconds(static_cast<int64_t>(dist(rng)));
}

std::optional<std::chrono::milliseconds> ParseRetryAfter(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    if (value.size() > 9) return std::nullopt;
    return std::chrono::seconds(std::stol(std::string(value)));
  }
  const time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const int64_t delta = static_cast<int64_t>(when) - static_cast<int64_t>(std::time(nullptr));
  return std::chrono::seconds(std::max<int64_t>(0, delta));
}

std::string RetryLine(const RetryEvent& e) {
  return fmt::format("{} {} failed: {}; retry {}/{} in {:.1f} s", e.method,
                     MaskUrlCredentials(e.url), e.cause, e.attempt, e.retries,
                     static_cast<double>(e.delay.count()) / 1000);
}

Result<HttpResponse> SendWithRetry(HttpClient& client, const HttpRequest& request,
                                   const RetryPolicy& policy,
                                   const std::function<void(const RetryEvent&)>& on_retry) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto start = std::chrono::steady_clock::now();
  std::string last_cause;
  for (int attempt = 1;; ++attempt) {
    Result<HttpResponse> response = client.Send(request);
    std::chrono::milliseconds delay = BackoffDelay(policy, attempt, rng);
    int max_attempts = policy.max_attempts;
    std::string hint;
    if (response.ok()) {
      if (!IsRetriableStatus(response->status)) return response;
      last_cause = fmt::format("HTTP {}", response->status);
      if (response->status == 429 || response->status == 503) {
        if (auto after = ParseRetryAfter(response->Header("retry-after")))
          delay = std::max(delay, *after);
      }
    } else {
      if (response.status().code() != StatusCode::kUnavailable) return response.status();
      const HttpClient::Failure& failure = client.last_failure();
      last_cause = failure.reason.empty() ? response.status().ToString() : failure.reason;
      const bool unresolved = failure.kind == HttpClient::FailureKind::kUnresolved;
      if (policy.brief_when_unreachable &&
          (unresolved || failure.kind == HttpClient::FailureKind::kRefusedLoopback)) {
        max_attempts = std::min(max_attempts, kBriefRetries + 1);
        delay = std::min(delay, kBriefMaxBackoff);
        hint = unresolved ? "; check the host name in the URL"
                          : "; nothing listens there: check the URL's port and that the service "
                            "runs";
      }
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    if (attempt >= max_attempts || elapsed + delay > policy.deadline) {
      if (response.ok()) {
        return UnavailableError("{} {} still failing after {} attempts over {:.1f} s; last: {}",
                                request.method, request.url, attempt,
                                static_cast<double>(elapsed.count()) / 1000, last_cause);
      }
      return UnavailableError("{} {} unreachable after {} attempts over {:.1f} s; last: {}{}",
                              request.method, request.url, attempt,
                              static_cast<double>(elapsed.count()) / 1000, last_cause, hint);
    }
    observe::Registry::Default().Add(
        "lakepipe_retries_total",
        {{"cause", response.ok() ? fmt::format("http_{}", response->status) : "transport"}}, 1);
    if (on_retry) {
      on_retry(
          RetryEvent{attempt, max_attempts - 1, request.method, request.url, last_cause, delay});
    }
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace lakepipe
