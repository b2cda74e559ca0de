#include "registry/schema_registry.h"

#include <algorithm>
#include <exception>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/redact.h"
#include "observe/log.h"

namespace lakepipe::registry {
namespace {

constexpr std::string_view kContentType = "application/vnd.schemaregistry.v1+json";
constexpr std::string_view kAccept =
    "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, "
    "application/json";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Removes "user:password@" from `url`, storing them in *user and *password.
std::string StripCredentials(std::string url, std::string* user, std::string* password) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const size_t authority = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", authority);
  if (authority_end == std::string::npos) authority_end = url.size();
  const size_t at = url.rfind('@', authority_end - 1);
  if (at == std::string::npos || at < authority) return url;
  const std::string_view userinfo(url.data() + authority, at - authority);
  const size_t colon = userinfo.find(':');
  *user = PercentDecode(userinfo.substr(0, colon));
  *password = colon == std::string_view::npos ? "" : PercentDecode(userinfo.substr(colon + 1));
  url.erase(authority, at + 1 - authority);
  return url;
}

// A short, printable excerpt of a response body for error messages.
std::string Excerpt(std::string_view body) {
  constexpr size_t kMax = 120;
  std::string out;
  for (size_t i = 0; i < body.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(body[i]);
    out.push_back(c < 0x20 || c == 0x7f ? ' ' : static_cast<char>(c));
  }
  if (body.size() > kMax) out += "...";
  return out.empty() ? "(empty body)" : out;
}

// The registry's error message ({"error_code": N, "message": "..."}), or an
// excerpt of the body.
std::string RegistryMessage(const std::string& body) {
  const nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object()) {
    auto message = json.find("message");
    if (message != json.end() && message->is_string()) {
      std::string text = message->get<std::string>();
      auto code = json.find("error_code");
      if (code != json.end() && code->is_number_integer()) {
        text += fmt::format(" (error code {})", code->get<int64_t>());
      }
      return text;
    }
  }
  return Excerpt(body);
}

bool IsSuccess(long status) { return status >= 200 && status <= 299; }

Status AuthenticationError(const std::string& url, long status, const std::string& user) {
  if (user.empty()) {
    return FailedPreconditionError(
        "schema registry authentication failed for {} (HTTP {}): no credentials were sent; set "
        "a user name and password",
        MaskUrlCredentials(url), status);
  }
  return FailedPreconditionError(
      "schema registry authentication failed for {} (HTTP {}) as user '{}': check the user name "
      "and password",
      MaskUrlCredentials(url), status, user);
}

Status UnexpectedStatus(const std::string& method, const std::string& url,
                        const HttpResponse& response) {
  return FailedPreconditionError("schema registry: {} {} answered HTTP {}: {}", method,
                                 MaskUrlCredentials(url), response.status,
                                 RegistryMessage(response.body));
}

Result<nlohmann::json> ParseJsonObject(const std::string& method, const std::string& url,
                                       const HttpResponse& response) {
  nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  if (!json.is_object()) {
    return FailedPreconditionError(
        "schema registry: {} {} answered HTTP {} with a body that is not a JSON object (is the URL "
        "a schema registry?): {}",
        method, MaskUrlCredentials(url), response.status, Excerpt(response.body));
  }
  return json;
}

}  // namespace

SchemaRegistryClient::SchemaRegistryClient(RegistryOptions options)
    : options_(std::move(options)), http_(std::make_unique<HttpClient>()) {
  std::string user;
  std::string password;
  std::string url = StripCredentials(options_.url, &user, &password);
  if (!user.empty() && options_.username.empty()) {
    options_.username = std::move(user);
    options_.password = std::move(password);
  }
  while (!url.empty() && (url.back() == '/' || url.back() == ' ')) url.pop_back();
  while (!url.empty() && url.front() == ' ') url.erase(0, 1);
  base_url_ = std::move(url);
  options_.url.clear();  // it may hold credentials; base_url_ is what requests use
}

SchemaRegistryClient::~SchemaRegistryClient() = default;
SchemaRegistryClient::SchemaRegistryClient(SchemaRegistryClient&&) noexcept = default;
SchemaRegistryClient& SchemaRegistryClient::operator=(SchemaRegistryClient&&) noexcept = default;

Result<HttpResponse> SchemaRegistryClient::Send(const std::string& method, const std::string& url,
                                                std::string body) {
  if (base_url_.empty()) return InvalidArgumentError("no schema registry URL is configured");
  if (base_url_.rfind("http://", 0) != 0 && base_url_.rfind("https://", 0) != 0) {
    return InvalidArgumentError("schema registry URL '{}' must start with http:// or https://",
                                base_url_);
  }
  HttpRequest request;
  request.method = method;
  request.url = url;
  request.body = std::move(body);
  request.timeout = options_.timeout;
  request.connect_timeout = std::min(options_.timeout, request.connect_timeout);
  request.headers = {{"Accept", std::string(kAccept)}};
  if (method == "POST") request.headers.emplace_back("Content-Type", std::string(kContentType));
  request.user = options_.username;
  request.password = options_.password;
  Result<HttpResponse> response =
      SendWithRetry(*http_, request, options_.retry, [](const RetryEvent& e) {
        observe::Log(observe::LogLevel::kWarning, "schema registry", RetryLine(e));
      });
  if (!response.ok()) return response.status().WithContext("schema registry");
  if (response->status == 401 || response->status == 403) {
    return AuthenticationError(url, response->status, options_.username);
  }
  return response;
}

Result<int32_t> SchemaRegistryClient::Register(const std::string& subject,
                                               const std::string& schema_text) {
  auto key = std::make_pair(subject, schema_text);
  if (auto cached = ids_.find(key); cached != ids_.end()) return cached->second;
  if (subject.empty()) return InvalidArgumentError("schema registry: the subject is empty");
  std::string body;
  try {
    body = nlohmann::json{{"schema", schema_text}}.dump();
  } catch (const std::exception&) {
    return InvalidArgumentError("schema for subject '{}' is not valid UTF-8", subject);
  }
  const std::string url = base_url_ + "/subjects/" + EscapePathSegment(subject) + "/versions";
  LP_ASSIGN_OR_RETURN(HttpResponse response, Send("POST", url, std::move(body)));
  if (response.status == 409 || response.status == 422) {
    return InvalidArgumentError(
        "schema registry rejected the schema for subject '{}' (HTTP {}, {}): {}", subject,
        response.status, response.status == 409 ? "incompatible" : "invalid",
        RegistryMessage(response.body));
  }
  if (!IsSuccess(response.status)) return UnexpectedStatus("POST", url, response);
  LP_ASSIGN_OR_RETURN(nlohmann::json json, ParseJsonObject("POST", url, response));
  auto id = json.find("id");
  if (id == json.end() || !id->is_number_integer() ||
      id->get<int64_t>() < std::numeric_limits<int32_t>::min() ||
      id->get<int64_t>() > std::numeric_limits<int32_t>::max()) {
    return FailedPreconditionError("schema registry: POST {} answered without a valid \"id\": {}",
                                   url, Excerpt(response.body));
  }
  const int32_t value = static_cast<int32_t>(id->get<int64_t>());
  ids_.emplace(std::move(key), value);
  return value;
}

Result<std::string> SchemaRegistryClient::GetSchema(int32_t id) {
  if (auto cached = schemas_.find(id); cached != schemas_.end()) return cached->second;
  const std::string url = fmt::format("{}/schemas/ids/{}", base_url_, id);
  LP_ASSIGN_OR_RETURN(nlohmann::json json, FetchSchema(url, fmt::format("schema id {}", id)));
  std::string text = json["schema"].get<std::string>();
  schemas_.emplace(id, text);
  return text;
}

Result<std::string> SchemaRegistryClient::GetLatestSchema(const std::string& subject) {
  LP_ASSIGN_OR_RETURN(SubjectVersion latest, GetLatest(subject));
  return std::move(latest.schema);
}

Result<SubjectVersion> SchemaRegistryClient::GetLatest(const std::string& subject) {
  const std::string url =
      fmt::format("{}/subjects/{}/versions/latest", base_url_, EscapePathSegment(subject));
  LP_ASSIGN_OR_RETURN(nlohmann::json json, FetchSchema(url, fmt::format("subject '{}'", subject)));
  SubjectVersion latest;
  latest.subject = subject;
  latest.schema = json["schema"].get<std::string>();
  auto number = [&json](const char* key) {
    auto it = json.find(key);
    const bool valid = it != json.end() && it->is_number_integer() &&
                       it->get<int64_t>() >= std::numeric_limits<int32_t>::min() &&
                       it->get<int64_t>() <= std::numeric_limits<int32_t>::max();
    return valid ? static_cast<int32_t>(it->get<int64_t>()) : 0;
  };
  latest.version = number("version");
  latest.id = number("id");
  return latest;
}

Result<nlohmann::json> SchemaRegistryClient::FetchSchema(const std::string& url,
                                                         const std::string& what) {
  LP_ASSIGN_OR_RETURN(HttpResponse response, Send("GET", url, ""));
  if (response.status == 404) {
    return NotFoundError("{} not found in the schema registry at {}: {}", what,
                         MaskUrlCredentials(base_url_), RegistryMessage(response.body));
  }
  if (!IsSuccess(response.status)) return UnexpectedStatus("GET", url, response);
  LP_ASSIGN_OR_RETURN(nlohmann::json json, ParseJsonObject("GET", url, response));
  auto schema = json.find("schema");
  if (schema == json.end() || !schema->is_string()) {
    return FailedPreconditionError("schema registry: GET {} answered without a \"schema\": {}",
                                   MaskUrlCredentials(url), Excerpt(response.body));
  }
  return json;
}

std::string ValueSubject(std::string_view topic) { return std::string(topic) + "-value"; }

std::string EscapePathSegment(std::string_view text) {
  const bool dots_only = text == "." || text == "..";
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    const bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                            (u >= '0' && u <= '9') || u == '-' || u == '_' || u == '~' ||
                            (u == '.' && !dots_only);
    if (unreserved) {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

void AppendConfluentHeader(int32_t schema_id, std::string* out) {
  const uint32_t id = static_cast<uint32_t>(schema_id);
  out->push_back('\0');
  out->push_back(static_cast<char>((id >> 24) & 0xff));
  out->push_back(static_cast<char>((id >> 16) & 0xff));
  out->push_back(static_cast<char>((id >> 8) & 0xff));
  out->push_back(static_cast<char>(id & 0xff));
}

Result<ConfluentFrame> ParseConfluentFrame(std::string_view payload) {
  if (payload.size() < kConfluentHeaderSize) {
    return InvalidArgumentError(
        "payload of {} bytes is too short for the Confluent wire format (a 5-byte header)",
        payload.size());
  }
  if (payload[0] != '\0') {
    return InvalidArgumentError(
        "payload does not start with the Confluent magic byte 0x00 (found 0x{:02x})",
        static_cast<unsigned char>(payload[0]));
  }
  uint32_t id = 0;
  for (size_t i = 1; i < kConfluentHeaderSize; ++i) {
    id = (id << 8) | static_cast<unsigned char>(payload[i]);
  }
  ConfluentFrame frame;
  frame.schema_id = static_cast<int32_t>(id);
  frame.datum = payload.substr(kConfluentHeaderSize);
  return frame;
}

}  // namespace lakepipe::registry
