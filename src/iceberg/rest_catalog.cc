// The Iceberg REST catalog client (the REST catalog OpenAPI spec):
//   GET  /v1/config?warehouse=W          defaults and overrides; "prefix"
//   GET  /v1/{prefix}/namespaces/{ns}    does the namespace exist
//   POST /v1/{prefix}/namespaces         create it (each missing level)
//   GET  /v1/{prefix}/namespaces/{ns}/tables/{table}   load
//   POST /v1/{prefix}/namespaces/{ns}/tables           create
//   POST /v1/{prefix}/namespaces/{ns}/tables/{table}   commit
// Namespace levels are joined with the unit separator 0x1F, then
// percent-encoded. Commits and creates are sent once (a retry of a commit
// whose outcome is unknown is the caller's decision, after a reload);
// loads and config are retried briefly on transport failures and 5xx.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "http/http_client.h"
#include "iceberg/catalog.h"
#include "iceberg/rest_auth.h"
#include "s3/sigv4.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

// "HTTP 409 CommitFailedException: <message>" from an IcebergErrorResponse,
// or the start of a body that is not one (a proxy's text/plain).
std::string ServerError(const HttpResponse& response) {
  std::string text = fmt::format("HTTP {}", response.status);
  const json body = json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& error = body["error"];
    if (error.contains("type") && error["type"].is_string()) {
      text += " " + error["type"].get<std::string>();
    }
    if (error.contains("message") && error["message"].is_string()) {
      text += ": " + error["message"].get<std::string>();
    }
  } else if (!response.body.empty()) {
    text += ": " + response.body.substr(0, 300);
  }
  return text;
}

// The first entry of `list` whose `key` equals `id`, or null.
json FindById(const json& list, const char* key, const json& id) {
  if (list.is_array()) {
    for (const json& item : list) {
      if (item.is_object() && item.contains(key) && item[key] == id) return item;
    }
  }
  return nullptr;
}

std::string Dotted(const TableIdentifier& id) {
  std::string out;
  for (const std::string& level : id.namespace_levels) out += level + ".";
  return out + id.name;
}

json IdentifierJson(const TableIdentifier& id) {
  return {{"namespace", id.namespace_levels}, {"name", id.name}};
}

class RestCatalog final : public Catalog {
 public:
  RestCatalog(CatalogOptions options, std::unique_ptr<RestAuth> auth)
      : options_(std::move(options)), auth_(std::move(auth)) {
    while (!options_.uri.empty() && options_.uri.back() == '/') options_.uri.pop_back();
  }

  std::string_view type() const override { return "rest"; }

  Result<LoadedTable> LoadTable(const TableIdentifier& id) override {
    LP_RETURN_IF_ERROR(Configure());
    const std::string url = TableUrl(id);
    LP_ASSIGN_OR_RETURN(HttpResponse response, Exchange("GET", url, "", /*retry=*/true));
    if (response.status != 200) return ErrorFor(response, "load table", "GET", url);
    return ParseLoadResult(response, "GET", url, StatusCode::kFailedPrecondition);
  }

  Result<LoadedTable> CreateTable(const TableIdentifier& id,
                                  const TableMetadata& metadata) override {
    LP_RETURN_IF_ERROR(Configure());
    LP_RETURN_IF_ERROR(EnsureNamespace(id.namespace_levels));
    LP_ASSIGN_OR_RETURN(json body, CreateBody(id, metadata));
    const std::string url = NamespaceUrl(id.namespace_levels) + "/tables";
    LP_ASSIGN_OR_RETURN(HttpResponse response, Exchange("POST", url, body.dump(), false));
    if (response.status == 409) {
      return AlreadyExistsError("create table {}: POST {}: {}", Dotted(id), url,
                                ServerError(response));
    }
    if (response.status != 200) return ErrorFor(response, "create table", "POST", url);
    return ParseLoadResult(response, "POST", url, StatusCode::kUnavailable);
  }

  Result<LoadedTable> CommitTable(const TableIdentifier& id, const LoadedTable& /*base*/,
                                  const TableMetadata& /*updated*/,
                                  const TableCommit& commit) override {
    LP_RETURN_IF_ERROR(Configure());
    const json body = {{"identifier", IdentifierJson(id)},
                       {"requirements", commit.requirements},
                       {"updates", commit.updates}};
    const std::string url = TableUrl(id);
    LP_ASSIGN_OR_RETURN(HttpResponse response, Exchange("POST", url, body.dump(), false));
    if (response.status != 200) return ErrorFor(response, "commit", "POST", url);
    // The server applied the commit; a reply we cannot read leaves the
    // caller to reload and look for it.
    return ParseLoadResult(response, "POST", url, StatusCode::kUnavailable);
  }

  Result<std::string> DefaultLocation(const TableIdentifier& id) override {
    std::string levels;
    for (const std::string& level : id.namespace_levels) levels += level + "/";
    const std::string& w = options_.warehouse;
    if (w.find("://") != std::string::npos || (!w.empty() && w.front() == '/')) {
      std::string root = w;
      while (!root.empty() && root.back() == '/') root.pop_back();
      return root + "/" + levels + id.name;
    }
    // A named warehouse (AWS Glue: "<account>:s3tablescatalog/<bucket>"):
    // the namespace's location when it has one, else the server decides.
    LP_RETURN_IF_ERROR(Configure());
    const std::string url = NamespaceUrl(id.namespace_levels);
    LP_ASSIGN_OR_RETURN(HttpResponse response, Exchange("GET", url, "", true));
    if (response.status == 404) return std::string();
    if (response.status != 200) return ErrorFor(response, "load namespace", "GET", url);
    const json body = json::parse(response.body, nullptr, false);
    if (body.is_object() && body.contains("properties") && body["properties"].is_object() &&
        body["properties"].contains("location") && body["properties"]["location"].is_string()) {
      std::string root = body["properties"]["location"].get<std::string>();
      while (!root.empty() && root.back() == '/') root.pop_back();
      return root + "/" + id.name;
    }
    return std::string();
  }

  json Describe() const override {
    json d = {{"type", "rest"},      {"name", options_.name},
              {"uri", options_.uri}, {"warehouse", options_.warehouse},
              {"prefix", prefix_},   {"auth", std::string(auth_->ModeName())}};
    if (auth_->mode() == RestAuth::Mode::kSigV4) {
      d["signing_region"] = options_.signing_region;
      d["signing_name"] = options_.signing_name;
    }
    return d;
  }

 private:
  // GET /v1/config once: the server's defaults, our properties, then its
  // overrides; the "prefix" comes from there unless options.prefix is set.
  Status Configure() {
    if (configured_) return Status::OK();
    std::string url = options_.uri + "/v1/config";
    if (!options_.warehouse.empty()) {
      url += "?warehouse=" + s3::UriEncode(options_.warehouse, false);
    }
    LP_ASSIGN_OR_RETURN(HttpResponse response, Exchange("GET", url, "", true));
    if (response.status != 200) return ErrorFor(response, "catalog config", "GET", url);
    const json body = json::parse(response.body, nullptr, false);
    if (!body.is_object()) {
      return FailedPreconditionError("catalog config GET {}: the answer is not JSON: {}", url,
                                     response.body.substr(0, 200));
    }
    std::map<std::string, std::string> merged;
    const auto merge = [&merged](const json& map) {
      if (!map.is_object()) return;
      for (const auto& [k, v] : map.items()) {
        if (v.is_string()) merged[k] = v.get<std::string>();
      }
    };
    merge(body.value("defaults", json::object()));
    for (const auto& [k, v] : options_.properties) merged[k] = v;
    merge(body.value("overrides", json::object()));
    properties_ = std::move(merged);
    prefix_ = options_.prefix.empty() ? properties_["prefix"] : options_.prefix;
    while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
    while (!prefix_.empty() && prefix_.front() == '/') prefix_.erase(0, 1);
    configured_ = true;
    return Status::OK();
  }

  std::string Base() const {
    return options_.uri + "/v1/" + (prefix_.empty() ? "" : prefix_ + "/");
  }

  std::string NamespaceUrl(const std::vector<std::string>& levels) const {
    std::string joined;
    for (const std::string& level : levels) {
      if (!joined.empty()) joined.push_back('\x1f');
      joined += level;
    }
    return Base() + "namespaces/" + s3::UriEncode(joined, false);
  }

  std::string TableUrl(const TableIdentifier& id) const {
    return NamespaceUrl(id.namespace_levels) + "/tables/" + s3::UriEncode(id.name, false);
  }

  // Creates each level of `levels` that does not exist yet, parents first.
  Status EnsureNamespace(const std::vector<std::string>& levels) {
    for (size_t n = 1; n <= levels.size(); ++n) {
      const std::vector<std::string> ns(levels.begin(), levels.begin() + n);
      const std::string url = NamespaceUrl(ns);
      LP_ASSIGN_OR_RETURN(HttpResponse found, Exchange("GET", url, "", true));
      if (found.status == 200) continue;
      if (found.status != 404) return ErrorFor(found, "load namespace", "GET", url);
      const std::string create_url = Base() + "namespaces";
      const json body = {{"namespace", ns}, {"properties", json::object()}};
      LP_ASSIGN_OR_RETURN(HttpResponse created, Exchange("POST", create_url, body.dump(), false));
      // 409: someone else created it meanwhile.
      if (created.status != 200 && created.status != 409) {
        return ErrorFor(created, "create namespace", "POST", create_url);
      }
    }
    return Status::OK();
  }

  Result<json> CreateBody(const TableIdentifier& id, const TableMetadata& metadata) const {
    const json m = metadata.ToJson();
    const json schema =
        FindById(m.value("schemas", json()), "schema-id", m.value("current-schema-id", json()));
    if (schema.is_null()) {
      return InvalidArgumentError("create table {}: the metadata has no current schema",
                                  Dotted(id));
    }
    json body = {{"name", id.name}, {"schema", schema}, {"stage-create", false}};
    if (!metadata.location.empty()) body["location"] = metadata.location;
    const json spec =
        FindById(m.value("partition-specs", json()), "spec-id", m.value("default-spec-id", json()));
    if (!spec.is_null()) body["partition-spec"] = spec;
    const json order = FindById(m.value("sort-orders", json()), "order-id",
                                m.value("default-sort-order-id", json()));
    if (!order.is_null()) body["write-order"] = order;
    body["properties"] = m.value("properties", json::object());
    return body;
  }

  // Sends one request (authenticated; after a 419, once more with a new
  // token). `retry`: transport failures and 5xx are retried briefly, for
  // requests that change nothing.
  Result<HttpResponse> Exchange(const std::string& method, const std::string& url, std::string body,
                                bool retry) {
    Result<HttpResponse> response = SendOnce(method, url, body, retry);
    if (response.ok() && response->status == 419 && auth_->Expire()) {
      response = SendOnce(method, url, body, retry);
    }
    return response;
  }

  Result<HttpResponse> SendOnce(const std::string& method, const std::string& url,
                                const std::string& body, bool retry) {
    HttpRequest request;
    request.method = method;
    request.url = url;
    request.body = body;
    request.timeout = options_.timeout;
    request.headers = {{"Accept", "application/json"}, {"Expect", ""}};
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    // As the Java client does: a property "header.<Name>" is sent as a header.
    for (const auto& [key, value] : configured_ ? properties_ : options_.properties) {
      if (key.rfind("header.", 0) == 0 && key.size() > 7) {
        request.headers.emplace_back(key.substr(7), value);
      }
    }
    LP_RETURN_IF_ERROR(auth_->Authorize(http_, request));
    if (!retry) {
      Result<HttpResponse> response = http_.Send(request);
      if (response.ok() || response.status().code() != StatusCode::kUnavailable) return response;
      const HttpClient::FailureKind kind = http_.last_failure().kind;
      if (kind == HttpClient::FailureKind::kUnresolved ||
          kind == HttpClient::FailureKind::kRefusedLoopback) {
        return UnavailableError("{}; nothing was sent", response.status().message());
      }
      // A timeout or a connection lost after sending: it may have been applied.
      return UnavailableError("{}; the outcome is unknown: reload to find out",
                              response.status().message());
    }
    RetryPolicy policy;
    policy.max_attempts = 3;
    policy.deadline = options_.timeout * 2;
    policy.brief_when_unreachable = true;
    return SendWithRetry(http_, request, policy);
  }

  // A status for an unexpected HTTP answer, with the retry meaning of
  // catalog.h, naming the URL and the server's message.
  Status ErrorFor(const HttpResponse& response, std::string_view what, std::string_view method,
                  const std::string& url) const {
    const std::string text = fmt::format("{}: {} {}: {}", what, method, url, ServerError(response));
    const long s = response.status;
    if (s == 409) return FailedPreconditionError("{}; reload, rebase and retry", text);
    if (s == 404) return NotFoundError("{}", text);
    if (s == 400 || s == 422) return InvalidArgumentError("{}", text);
    if (s == 401 || s == 403 || s == 419) {
      return FailedPreconditionError("{}; check {}", text, auth_->Setting());
    }
    if (s >= 500 || s == 429 || s == 408) {
      return UnavailableError("{}; the outcome is unknown: reload to find out", text);
    }
    return FailedPreconditionError("{}", text);
  }

  // A LoadTableResult / CommitTableResponse; `bad` is the code when it
  // cannot be read.
  Result<LoadedTable> ParseLoadResult(const HttpResponse& response, std::string_view method,
                                      const std::string& url, StatusCode bad) const {
    const json body = json::parse(response.body, nullptr, false);
    if (!body.is_object() || !body.contains("metadata") || !body["metadata"].is_object()) {
      return Status(bad, fmt::format("{} {}: the answer has no table metadata: {}", method, url,
                                     response.body.substr(0, 200)));
    }
    Result<TableMetadata> metadata = TableMetadata::FromJson(body["metadata"]);
    if (!metadata.ok()) {
      return Status(bad, fmt::format("{} {}: the table metadata is not valid: {}", method, url,
                                     metadata.status().message()));
    }
    LoadedTable table;
    table.metadata = std::move(metadata).value();
    if (body.contains("metadata-location") && body["metadata-location"].is_string()) {
      table.metadata_location = body["metadata-location"].get<std::string>();
    }
    return table;
  }

  CatalogOptions options_;
  std::unique_ptr<RestAuth> auth_;
  HttpClient http_;
  bool configured_ = false;
  std::string prefix_;
  std::map<std::string, std::string> properties_;  // config: defaults, ours, overrides
};

}  // namespace

Result<std::unique_ptr<Catalog>> MakeRestCatalog(const CatalogOptions& options) {
  if (options.uri.rfind("http://", 0) != 0 && options.uri.rfind("https://", 0) != 0) {
    return InvalidArgumentError(
        "catalog.uri must be the REST catalog's http(s) base URL (e.g. "
        "https://glue.us-east-1.amazonaws.com/iceberg), got '{}'",
        options.uri);
  }
  if (options.timeout.count() <= 0) {
    return InvalidArgumentError("catalog.timeout must be positive, got {} ms",
                                options.timeout.count());
  }
  LP_ASSIGN_OR_RETURN(std::unique_ptr<RestAuth> auth, RestAuth::Make(options));
  return std::unique_ptr<Catalog>(new RestCatalog(options, std::move(auth)));
}

}  // namespace lakepipe::iceberg
