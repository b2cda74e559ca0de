// A client of Confluent-compatible schema registries, and the Confluent wire
// format of Kafka payloads.
//
// The client speaks three endpoints:
//   POST <url>/subjects/<subject>/versions        {"schema": "<text>"} -> {"id": N}
//   GET  <url>/schemas/ids/<id>                   -> {"schema": "<text>", ...}
//   GET  <url>/subjects/<subject>/versions/latest -> {"subject", "version", "id", "schema"}
// with Content-Type application/vnd.schemaregistry.v1+json. The URL may have
// a path prefix and a trailing slash; subjects are percent-escaped in the
// path. Credentials in the URL (http://user:pass@host) are moved to basic
// authentication, so they never appear in messages.
//
// Errors:
//   transport failures, 429 and 5xx   retried by SendWithRetry with
//                                     RegistryOptions::retry; then kUnavailable
//                                     (or kDeadlineExceeded) naming the URL.
//   401, 403                          kFailedPrecondition: authentication failed
//                                     for the URL (the password is never shown).
//   409, 422 on Register              kInvalidArgument: the schema is
//                                     incompatible or invalid; the registry's
//                                     message and the subject.
//   404 on GetSchema                  kNotFound naming the id.
//   other statuses, non-JSON replies  kFailedPrecondition naming the URL (the
//                                     URL is probably not a schema registry).
//   empty or non-http(s) URL          kInvalidArgument.
//
// Thread-safety: thread-compatible. One thread at a time; give each thread
// its own client (the caches are per client).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "http/http_client.h"

namespace lakepipe::registry {

// A subject's version as the registry describes it.
struct SubjectVersion {
  std::string subject;
  int32_t version = 0;
  int32_t id = 0;
  std::string schema;  // the schema text
};

struct RegistryOptions {
  std::string url{};       // e.g. http://localhost:8081 or https://host/registry/
  std::string username{};  // HTTP basic authentication when not empty
  std::string password{};
  std::chrono::milliseconds timeout{10000};  // one attempt
  // Each retry is logged ("lakepipe schema registry: GET ... failed: ...;
  // retry 1/7 in 0.2 s"); a host name that does not resolve or a refused
  // loopback port is retried only briefly.
  RetryPolicy retry{.brief_when_unreachable = true};
};

class SchemaRegistryClient {
 public:
  // Never fails; a bad URL is reported by the first request.
  explicit SchemaRegistryClient(RegistryOptions options);
  ~SchemaRegistryClient();
  SchemaRegistryClient(SchemaRegistryClient&&) noexcept;
  SchemaRegistryClient& operator=(SchemaRegistryClient&&) noexcept;

  // Registers `schema_text` verbatim under `subject` (e.g. "users-value")
  // and returns its id. Cached per (subject, text): the registry is asked
  // once per pair.
  [[nodiscard]] Result<int32_t> Register(const std::string& subject,
                                         const std::string& schema_text);

  // The schema text the registry stores under `id`. Cached.
  [[nodiscard]] Result<std::string> GetSchema(int32_t id);

  // The text of the latest schema registered under `subject`; kNotFound
  // when the subject does not exist. Not cached (it changes over time).
  [[nodiscard]] Result<std::string> GetLatestSchema(const std::string& subject);

  // The latest version registered under `subject`, with its version number
  // and id; kNotFound when the subject does not exist. Not cached.
  [[nodiscard]] Result<SubjectVersion> GetLatest(const std::string& subject);

  // The base URL requests go to (no credentials, no trailing slash).
  const std::string& base_url() const { return base_url_; }

 private:
  Result<HttpResponse> Send(const std::string& method, const std::string& url, std::string body);
  // GETs `url` and returns its answer, which has a "schema" text; a 404 is
  // kNotFound with `what` ("schema id 7", "subject 'users-value'").
  Result<nlohmann::json> FetchSchema(const std::string& url, const std::string& what);

  RegistryOptions options_;
  std::string base_url_;
  std::unique_ptr<HttpClient> http_;
  std::map<std::pair<std::string, std::string>, int32_t> ids_;
  std::map<int32_t, std::string> schemas_;
};

// "users-value" for a topic's values (the TopicNameStrategy).
std::string ValueSubject(std::string_view topic);

// Percent-escapes everything but RFC 3986's unreserved characters.
std::string EscapePathSegment(std::string_view text);

// Confluent wire format: byte 0 = 0x00, bytes 1-4 = the schema id
// (big-endian), then the Avro binary datum.
inline constexpr size_t kConfluentHeaderSize = 5;

// Appends the 5-byte header to `out`; the caller appends the datum.
void AppendConfluentHeader(int32_t schema_id, std::string* out);

struct ConfluentFrame {
  int32_t schema_id = 0;
  std::string_view datum;  // points into the payload
};

// kInvalidArgument for payloads shorter than 5 bytes or not starting with
// 0x00 (e.g. JSON, or another framing).
[[nodiscard]] Result<ConfluentFrame> ParseConfluentFrame(std::string_view payload);

}  // namespace lakepipe::registry
