#include "registry/schema_registry.h"

#include "http/local_http_server.h"

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/testing.h"

namespace lakepipe::registry {
namespace {

using std::chrono::milliseconds;

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not found in: " << text;
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (static_cast<unsigned char>(in[i]) << 16) |
                       (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i < in.size()) {
    uint32_t n = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

// A local stand-in for a Confluent schema registry, on loopback in a thread.
// It implements only the two endpoints the client uses, under an optional
// path prefix:
//   POST {prefix}/subjects/{subject}/versions  {"schema": "..."} -> {"id": N}
//   GET  {prefix}/schemas/ids/{id}             -> {"schema": "..."} or 404
// Like the real registry it gives a schema text one id, whatever the subject,
// and answers the same id when the text is registered again. It checks the
// content type (415 otherwise) and, once told to, basic authentication (401).
// It can be told to answer the next requests with a given status and body
// (500, 409, a non-JSON page...) and to be slow.
class StandInRegistry {
 public:
  explicit StandInRegistry(std::string prefix = "") : prefix_(std::move(prefix)) {
    http_.server().Post(prefix_ + R"(/subjects/(.+)/versions)",
                        [this](const httplib::Request& req, httplib::Response& res) {
                          Handle(req, res, [&] { HandleRegister(req, res); });
                        });
    http_.server().Get(prefix_ + R"(/schemas/ids/(-?\d+))",
                       [this](const httplib::Request& req, httplib::Response& res) {
                         Handle(req, res, [&] { HandleGetSchema(req, res); });
                       });
    http_.Start();
  }

  std::string url() const { return http_.Url(prefix_); }
  int port() const { return http_.port(); }

  void RequireAuth(const std::string& user, const std::string& password) {
    std::lock_guard<std::mutex> lock(mu_);
    expected_auth_ = "Basic " + Base64(user + ":" + password);
  }
  // The next `count` requests answer `status` with `body`.
  void FailNext(int count, int status, std::string body = "") {
    std::lock_guard<std::mutex> lock(mu_);
    fail_count_ = count;
    fail_status_ = status;
    fail_body_ = std::move(body);
  }
  void SetDelay(milliseconds delay) {
    std::lock_guard<std::mutex> lock(mu_);
    delay_ = delay;
  }

  int requests() const { return requests_.load(); }
  std::string last_target() const { return Last().target; }
  std::string last_authorization() const { return Last().authorization; }
  std::string last_content_type() const { return Last().content_type; }
  std::string last_body() const { return Last().body; }

 private:
  struct Seen {
    std::string target, authorization, content_type, body;
  };
  Seen Last() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_;
  }

  template <typename Fn>
  void Handle(const httplib::Request& req, httplib::Response& res, Fn&& fn) {
    ++requests_;
    milliseconds delay{0};
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_ = {req.target, req.get_header_value("Authorization"),
               req.get_header_value("Content-Type"), req.body};
      delay = delay_;
      if (fail_count_ > 0) {
        --fail_count_;
        res.status = fail_status_;
        res.set_content(fail_body_, "application/json");
        return;
      }
      if (!expected_auth_.empty() && req.get_header_value("Authorization") != expected_auth_) {
        res.status = 401;
        res.set_content(R"({"error_code":401,"message":"Unauthorized"})", "application/json");
        return;
      }
    }
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    fn();
  }

  void HandleRegister(const httplib::Request& req, httplib::Response& res) {
    if (req.get_header_value("Content-Type") != "application/vnd.schemaregistry.v1+json") {
      res.status = 415;
      res.set_content(R"({"error_code":415,"message":"Unsupported Media Type"})",
                      "application/json");
      return;
    }
    const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("schema") || !body["schema"].is_string()) {
      res.status = 422;
      res.set_content(R"({"error_code":42201,"message":"Invalid schema"})", "application/json");
      return;
    }
    const std::string text = body["schema"].get<std::string>();
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, inserted] = ids_.emplace(text, static_cast<int>(ids_.size()) + 1);
    if (inserted) texts_[it->second] = text;
    res.set_content(nlohmann::json{{"id", it->second}}.dump(), "application/json");
  }

  void HandleGetSchema(const httplib::Request& req, httplib::Response& res) {
    const int id = std::stoi(req.matches[1].str());
    std::lock_guard<std::mutex> lock(mu_);
    auto it = texts_.find(id);
    if (it == texts_.end()) {
      res.status = 404;
      res.set_content(fmt::format(R"({{"error_code":40403,"message":"Schema {} not found"}})", id),
                      "application/json");
      return;
    }
    res.set_content(nlohmann::json{{"schema", it->second}}.dump(), "application/json");
  }

  std::string prefix_;
  std::atomic<int> requests_{0};
  mutable std::mutex mu_;
  Seen last_;
  std::string expected_auth_;
  int fail_count_ = 0;
  int fail_status_ = 0;
  std::string fail_body_;
  milliseconds delay_{0};
  std::map<std::string, int> ids_;
  std::map<int, std::string> texts_;
  // Last, so the server stops before the state its handlers use is destroyed.
  lakepipe::testing::LocalHttpServer http_;
};

RetryPolicy FastRetry(int attempts = 4) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.initial_backoff = milliseconds(5);
  p.max_backoff = milliseconds(20);
  return p;
}

RegistryOptions Options(const std::string& url) {
  RegistryOptions o;
  o.url = url;
  o.timeout = milliseconds(5000);
  o.retry = FastRetry();
  return o;
}

const std::string kUserSchema = R"({
  "type": "record", "name": "User",
  "fields": [{"name": "id", "type": "string", "doc": "kept verbatim"}]
})";
const std::string kOrderSchema = R"({"type":"record","name":"Order","fields":[]})";

TEST(SchemaRegistryTest, RegistersOnceAndCachesIds) {
  StandInRegistry registry;
  SchemaRegistryClient client(Options(registry.url()));
  ASSERT_OK_AND_ASSIGN(int32_t id, client.Register("users-value", kUserSchema));
  EXPECT_EQ(id, 1);
  EXPECT_EQ(registry.requests(), 1);
  EXPECT_EQ(registry.last_target(), "/subjects/users-value/versions");
  EXPECT_EQ(registry.last_content_type(), "application/vnd.schemaregistry.v1+json");
  const nlohmann::json body = nlohmann::json::parse(registry.last_body());
  EXPECT_EQ(body["schema"].get<std::string>(), kUserSchema) << "the text is sent verbatim";

  ASSERT_OK_AND_ASSIGN(int32_t again, client.Register("users-value", kUserSchema));
  EXPECT_EQ(again, 1);
  EXPECT_EQ(registry.requests(), 1) << "the second registration is served from the cache";

  ASSERT_OK_AND_ASSIGN(int32_t order, client.Register("orders-value", kOrderSchema));
  EXPECT_EQ(order, 2);
  ASSERT_OK_AND_ASSIGN(int32_t same_text, client.Register("copy-value", kUserSchema));
  EXPECT_EQ(same_text, 1) << "ids belong to schema texts";
  EXPECT_EQ(registry.requests(), 3);

  // A second client has its own cache; the registry answers the same id.
  SchemaRegistryClient other(Options(registry.url()));
  ASSERT_OK_AND_ASSIGN(int32_t from_other, other.Register("users-value", kUserSchema));
  EXPECT_EQ(from_other, 1);
}

TEST(SchemaRegistryTest, GetSchemaRoundTripsAndCaches) {
  StandInRegistry registry;
  SchemaRegistryClient client(Options(registry.url()));
  ASSERT_OK_AND_ASSIGN(int32_t id, client.Register(ValueSubject("users"), kUserSchema));
  ASSERT_OK_AND_ASSIGN(std::string text, client.GetSchema(id));
  EXPECT_EQ(text, kUserSchema);
  EXPECT_EQ(registry.last_target(), "/schemas/ids/1");
  const int before = registry.requests();
  ASSERT_OK_AND_ASSIGN(std::string cached, client.GetSchema(id));
  EXPECT_EQ(cached, kUserSchema);
  EXPECT_EQ(registry.requests(), before);

  Result<std::string> missing = client.GetSchema(42);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(missing.status().message(), "schema id 42 not found"));
  EXPECT_TRUE(Contains(missing.status().message(), registry.url()));
}

TEST(SchemaRegistryTest, KeepsThePathPrefixAndEscapesSubjects) {
  StandInRegistry registry("/api/registry");
  SchemaRegistryClient client(Options(registry.url() + "/"));
  EXPECT_EQ(client.base_url(), registry.url());
  ASSERT_OK_AND_ASSIGN(int32_t id, client.Register("team/orders value", kOrderSchema));
  EXPECT_EQ(id, 1);
  EXPECT_EQ(registry.last_target(), "/api/registry/subjects/team%2Forders%20value/versions");
  ASSERT_OK_AND_ASSIGN(std::string text, client.GetSchema(id));
  EXPECT_EQ(text, kOrderSchema);
  EXPECT_EQ(registry.last_target(), "/api/registry/schemas/ids/1");
}

TEST(SchemaRegistryTest, SendsBasicAuthentication) {
  StandInRegistry registry;
  registry.RequireAuth("alice", "s3cret-pw");
  SchemaRegistryClient client(
      {.url = registry.url(), .username = "alice", .password = "s3cret-pw"});
  ASSERT_OK_AND_ASSIGN(int32_t id, client.Register("users-value", kUserSchema));
  EXPECT_EQ(id, 1);
  EXPECT_EQ(registry.last_authorization(), "Basic " + Base64("alice:s3cret-pw"));
  ASSERT_OK(client.GetSchema(id));
}

TEST(SchemaRegistryTest, CredentialsInTheUrlBecomeBasicAuthentication) {
  StandInRegistry registry;
  registry.RequireAuth("bob", "p@ss:word");
  SchemaRegistryClient client(
      Options("http://bob:p%40ss%3Aword@127.0.0.1:" + std::to_string(registry.port())));
  EXPECT_EQ(client.base_url(), registry.url());
  ASSERT_OK(client.Register("users-value", kUserSchema));
  EXPECT_EQ(registry.last_authorization(), "Basic " + Base64("bob:p@ss:word"));
}

TEST(SchemaRegistryTest, AuthenticationFailureNamesTheUrlButNotThePassword) {
  StandInRegistry registry;
  registry.RequireAuth("alice", "right-password");
  RegistryOptions options = Options(registry.url());
  options.username = "alice";
  options.password = "wrong-hunter2";
  SchemaRegistryClient client(options);
  Result<int32_t> id = client.Register("users-value", kUserSchema);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kFailedPrecondition);
  const std::string message = id.status().ToString();
  EXPECT_TRUE(Contains(message, "authentication failed for " + registry.url() +
                                    "/subjects/users-value/versions (HTTP 401) as user 'alice'"));
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_EQ(registry.requests(), 1) << "authentication failures are not retried";

  Result<std::string> schema = client.GetSchema(1);
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(schema.status().message().find("hunter2"), std::string::npos);

  SchemaRegistryClient anonymous(Options(registry.url()));
  Result<int32_t> no_credentials = anonymous.Register("users-value", kUserSchema);
  EXPECT_TRUE(Contains(no_credentials.status().message(), "no credentials were sent"));
}

TEST(SchemaRegistryTest, IncompatibleAndInvalidSchemasSurfaceTheRegistryMessage) {
  StandInRegistry registry;
  SchemaRegistryClient client(Options(registry.url()));
  registry.FailNext(
      1, 409,
      R"({"error_code":409,"message":"Schema being registered is incompatible with an earlier schema"})");
  Result<int32_t> incompatible = client.Register("users-value", kUserSchema);
  ASSERT_FALSE(incompatible.ok());
  EXPECT_EQ(incompatible.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(incompatible.status().message(), "subject 'users-value'"));
  EXPECT_TRUE(Contains(incompatible.status().message(),
                       "Schema being registered is incompatible with an earlier schema "
                       "(error code 409)"));
  EXPECT_EQ(registry.requests(), 1) << "409 is not retried";

  registry.FailNext(1, 422, R"({"error_code":42201,"message":"Invalid schema: bad type"})");
  Result<int32_t> invalid = client.Register("users-value", "{\"type\": \"nope\"}");
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(invalid.status().message(), "Invalid schema: bad type"));

  // A failure is not cached: the next attempt asks again.
  ASSERT_OK_AND_ASSIGN(int32_t id, client.Register("users-value", kUserSchema));
  EXPECT_EQ(id, 1);
}

TEST(SchemaRegistryTest, RetriesServerErrorsThenSucceeds) {
  StandInRegistry registry;
  SchemaRegistryClient client(Options(registry.url()));
  registry.FailNext(2, 500, R"({"error_code":50001,"message":"Error in the backend"})");
  ASSERT_OK_AND_ASSIGN(int32_t id, client.Register("users-value", kUserSchema));
  EXPECT_EQ(id, 1);
  EXPECT_EQ(registry.requests(), 3);

  registry.FailNext(10, 503);
  Result<std::string> schema = client.GetSchema(1);
  ASSERT_FALSE(schema.ok());
  EXPECT_EQ(schema.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Contains(schema.status().message(), registry.url() + "/schemas/ids/1"));
  EXPECT_TRUE(Contains(schema.status().message(), "after 4 attempts"));
}

TEST(SchemaRegistryTest, SlowRegistryTimesOut) {
  StandInRegistry registry;
  registry.SetDelay(milliseconds(1000));
  RegistryOptions options = Options(registry.url());
  options.timeout = milliseconds(200);
  options.retry = FastRetry(2);
  SchemaRegistryClient client(options);
  Result<int32_t> id = client.Register("users-value", kUserSchema);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Contains(id.status().message(), registry.url()));
  registry.SetDelay(milliseconds(0));
}

TEST(SchemaRegistryTest, NonJsonAnswersAreClearErrors) {
  StandInRegistry registry;
  SchemaRegistryClient client(Options(registry.url()));
  registry.FailNext(1, 200, "<html><body>Welcome to nginx!</body></html>");
  Result<int32_t> id = client.Register("users-value", kUserSchema);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(id.status().message(), "not a JSON object"));
  EXPECT_TRUE(Contains(id.status().message(), "Welcome to nginx"));

  registry.FailNext(1, 200, R"({"version": 3})");
  Result<int32_t> no_id = client.Register("users-value", kUserSchema);
  EXPECT_TRUE(Contains(no_id.status().message(), "without a valid \"id\""));

  registry.FailNext(1, 404, R"({"error_code":404,"message":"HTTP 404 Not Found"})");
  Result<int32_t> wrong_path = client.Register("users-value", kUserSchema);
  EXPECT_EQ(wrong_path.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(wrong_path.status().message(), "HTTP 404"));
}

TEST(SchemaRegistryTest, BadUrlsAndUnreachableRegistries) {
  SchemaRegistryClient empty(Options(""));
  EXPECT_EQ(empty.Register("s", kUserSchema).status().code(), StatusCode::kInvalidArgument);
  SchemaRegistryClient ftp(Options("ftp://registry"));
  EXPECT_EQ(ftp.GetSchema(1).status().code(), StatusCode::kInvalidArgument);

  int port = 0;
  {
    StandInRegistry closed;
    port = closed.port();
  }
  RegistryOptions options = Options("http://127.0.0.1:" + std::to_string(port));
  options.retry = FastRetry(2);
  SchemaRegistryClient unreachable(options);
  Result<int32_t> id = unreachable.Register("users-value", kUserSchema);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Contains(id.status().message(), "127.0.0.1:" + std::to_string(port)));
}

TEST(ConfluentFrameTest, RoundTrips) {
  for (int32_t id : {0, 1, 255, 256, 65536, 0x7fffffff, -1}) {
    std::string payload;
    AppendConfluentHeader(id, &payload);
    ASSERT_EQ(payload.size(), kConfluentHeaderSize);
    const std::string datum("datum\x00\x01", 7);
    payload += datum;
    ASSERT_OK_AND_ASSIGN(ConfluentFrame frame, ParseConfluentFrame(payload));
    EXPECT_EQ(frame.schema_id, id);
    EXPECT_EQ(frame.datum, datum);
  }
  std::string header;
  AppendConfluentHeader(0x01020304, &header);
  EXPECT_EQ(header, std::string("\x00\x01\x02\x03\x04", 5));
  ASSERT_OK_AND_ASSIGN(ConfluentFrame empty, ParseConfluentFrame(header));
  EXPECT_EQ(empty.schema_id, 0x01020304);
  EXPECT_TRUE(empty.datum.empty());
}

TEST(ConfluentFrameTest, RejectsBadFrames) {
  for (std::string_view bad :
       {std::string_view(""), std::string_view("\x00\x00\x00\x01", 4),
        std::string_view("\x01\x00\x00\x00\x01xyz", 8), std::string_view("{\"id\": 1}")}) {
    Result<ConfluentFrame> frame = ParseConfluentFrame(bad);
    ASSERT_FALSE(frame.ok());
    EXPECT_EQ(frame.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(Contains(ParseConfluentFrame("{\"a\":1}").status().message(), "found 0x7b"));
  EXPECT_TRUE(Contains(ParseConfluentFrame("ab").status().message(), "2 bytes"));
}

TEST(EscapePathSegmentTest, EscapesAllButUnreserved) {
  EXPECT_EQ(EscapePathSegment("users-value"), "users-value");
  EXPECT_EQ(EscapePathSegment("a.b_c~d"), "a.b_c~d");
  EXPECT_EQ(EscapePathSegment("a/b c?d#e%f"), "a%2Fb%20c%3Fd%23e%25f");
  EXPECT_EQ(EscapePathSegment(".."), "%2E%2E");
  EXPECT_EQ(EscapePathSegment("é"), "%C3%A9");
}

}  // namespace
}  // namespace lakepipe::registry
