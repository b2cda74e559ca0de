#include "iceberg/rest_auth.h"

#include <cctype>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace lakepipe::iceberg {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string FormField(std::string_view name, std::string_view value) {
  return fmt::format("{}={}", name, s3::UriEncode(value, false));
}

// "HTTP 401 invalid_client (bad client credentials)" from an OAuthError body.
std::string OAuthErrorText(const HttpResponse& response) {
  std::string text = fmt::format("HTTP {}", response.status);
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    text += " " + body["error"].get<std::string>();
    if (body.contains("error_description") && body["error_description"].is_string()) {
      text += " (" + body["error_description"].get<std::string>() + ")";
    }
  } else if (!response.body.empty()) {
    text += ": " + response.body.substr(0, 200);
  }
  return text;
}

}  // namespace

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && std::isxdigit(text[i + 1]) &&
        std::isxdigit(text[i + 2])) {
      out.push_back(static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i] == '+' ? ' ' : text[i]);
    }
  }
  return out;
}

Result<UrlParts> SplitUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return InvalidArgumentError("'{}' is not an http(s) URL", url);
  }
  std::string_view rest = url.substr(scheme_end + 3);
  UrlParts parts;
  const size_t path_start = rest.find_first_of("/?");
  parts.authority = std::string(rest.substr(0, path_start));
  rest = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  const size_t query_start = rest.find('?');
  parts.path = std::string(rest.substr(0, query_start));
  if (parts.path.empty()) parts.path = "/";
  if (query_start == std::string_view::npos) return parts;
  std::string_view query = rest.substr(query_start + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    parts.query.emplace_back(
        PercentDecode(pair.substr(0, eq)),
        eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1)));
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
  }
  return parts;
}

Result<std::unique_ptr<RestAuth>> RestAuth::Make(const CatalogOptions& options) {
  std::unique_ptr<RestAuth> auth(new RestAuth(options));
  if (options.sigv4) {
    auth->mode_ = Mode::kSigV4;
    auth->region_ = options.signing_region;
    if (auth->region_.empty()) auth->region_ = Env("AWS_REGION");
    if (auth->region_.empty()) auth->region_ = Env("AWS_DEFAULT_REGION");
    if (auth->region_.empty()) {
      return InvalidArgumentError(
          "catalog.sigv4 needs a region: set catalog.signing_region (or AWS_REGION)");
    }
    if (options.signing_name.empty()) {
      return InvalidArgumentError(
          "catalog.sigv4 needs catalog.signing_name (glue for AWS Glue, s3tables for S3 Tables)");
    }
    auth->aws_ = {Env("AWS_ACCESS_KEY_ID"), Env("AWS_SECRET_ACCESS_KEY"), Env("AWS_SESSION_TOKEN")};
    if (auth->aws_.access_key_id.empty() || auth->aws_.secret_access_key.empty()) {
      return InvalidArgumentError(
          "catalog.sigv4 signs with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the "
          "environment; set both");
    }
  } else if (!options.credential.empty()) {
    auth->mode_ = Mode::kOAuth2;
    if (options.credential.find(':') == std::string::npos) {
      return InvalidArgumentError(
          "catalog.credential must be '<client_id>:<client_secret>' (no ':' found)");
    }
  } else if (!options.token.empty()) {
    auth->mode_ = Mode::kToken;
    auth->token_ = options.token;
  }
  return auth;
}

std::string_view RestAuth::Setting() const {
  switch (mode_) {
    case Mode::kToken:
      return "catalog.token";
    case Mode::kOAuth2:
      return "catalog.credential";
    case Mode::kSigV4:
      return "the AWS credentials and catalog.signing_region/signing_name";
    case Mode::kNone:
      break;
  }
  return "catalog.token or catalog.credential (none is set)";
}

std::string_view RestAuth::ModeName() const {
  switch (mode_) {
    case Mode::kToken:
      return "token";
    case Mode::kOAuth2:
      return "oauth2";
    case Mode::kSigV4:
      return "sigv4";
    case Mode::kNone:
      break;
  }
  return "none";
}

bool RestAuth::Expire() {
  if (mode_ != Mode::kOAuth2) return false;
  token_.clear();
  return true;
}

Status RestAuth::FetchToken(HttpClient& client) {
  const size_t colon = options_.credential.find(':');
  HttpRequest request;
  request.method = "POST";
  request.url = options_.oauth2_server_uri.empty() ? options_.uri + "/v1/oauth/tokens"
                                                   : options_.oauth2_server_uri;
  request.timeout = options_.timeout;
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"},
                     {"Expect", ""}};
  request.body = FormField("grant_type", "client_credentials") + "&" +
                 FormField("client_id", options_.credential.substr(0, colon)) + "&" +
                 FormField("client_secret", options_.credential.substr(colon + 1));
  if (!options_.scope.empty()) request.body += "&" + FormField("scope", options_.scope);
  const auto requested = std::chrono::steady_clock::now();
  Result<HttpResponse> response = client.Send(request);
  if (!response.ok()) {
    return response.status().WithContext("OAuth2 token request (catalog.credential)");
  }
  if (response->status != 200) {
    const std::string what = fmt::format("OAuth2 token request POST {} refused: {}", request.url,
                                         OAuthErrorText(*response));
    if (response->status >= 500) return UnavailableError("{}", what);
    return FailedPreconditionError("{}; check catalog.credential and catalog.oauth2_server_uri",
                                   what);
  }
  const nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
  if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string()) {
    return FailedPreconditionError("OAuth2 token response from {} has no access_token: {}",
                                   request.url, response->body.substr(0, 200));
  }
  token_ = body["access_token"].get<std::string>();
  refresh_at_ = std::chrono::steady_clock::time_point::max();
  if (body.contains("expires_in") && body["expires_in"].is_number()) {
    const auto lifetime = std::chrono::milliseconds(
        static_cast<int64_t>(body["expires_in"].get<double>() * 1000 * 0.8));
    refresh_at_ = requested + lifetime;
  }
  return Status::OK();
}

Status RestAuth::Sign(HttpRequest& request) const {
  LP_ASSIGN_OR_RETURN(UrlParts url, SplitUrl(request.url));
  s3::SigningRequest sr;
  sr.method = request.method;
  // Not S3: the canonical path is the encoded path encoded again, which is
  // what SignV4 makes of a path given as written in the URL.
  sr.path = url.path;
  sr.query = url.query;
  sr.payload_sha256 = s3::HexSha256(request.body);
  sr.headers = {{"host", url.authority},
                {"x-amz-date", s3::AmzDate()},
                {"x-amz-content-sha256", sr.payload_sha256}};
  if (!aws_.session_token.empty())
    sr.headers.emplace_back("x-amz-security-token", aws_.session_token);
  for (const auto& [name, value] : request.headers) {
    if (name == "Content-Type") sr.headers.emplace_back("content-type", value);
  }
  LP_ASSIGN_OR_RETURN(s3::Signature sig, s3::SignV4(sr, aws_, region_, options_.signing_name));
  for (const auto& header : sr.headers) {
    if (header.first != "content-type") request.headers.push_back(header);
  }
  request.headers.emplace_back("Authorization", sig.authorization);
  return Status::OK();
}

Status RestAuth::Authorize(HttpClient& client, HttpRequest& request) {
  switch (mode_) {
    case Mode::kNone:
      return Status::OK();
    case Mode::kSigV4:
      return Sign(request);
    case Mode::kOAuth2:
      if (token_.empty() || std::chrono::steady_clock::now() >= refresh_at_) {
        LP_RETURN_IF_ERROR(FetchToken(client));
      }
      break;
    case Mode::kToken:
      break;
  }
  request.headers.emplace_back("Authorization", "Bearer " + token_);
  return Status::OK();
}

}  // namespace lakepipe::iceberg
