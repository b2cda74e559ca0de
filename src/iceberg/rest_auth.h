// How lakepipe authenticates to an Iceberg REST catalog, chosen from
// CatalogOptions (catalog.h) in this order:
//   sigv4       every request is signed with AWS Signature Version 4 for
//               signing_region (else AWS_REGION / AWS_DEFAULT_REGION) and
//               signing_name ("glue" for AWS Glue's Iceberg endpoint,
//               "s3tables" for S3 Tables), with the credentials of
//               AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
//               AWS_SESSION_TOKEN. As for every AWS service but S3, the
//               canonical path is the request's (already encoded) path
//               encoded once more.
//   credential  OAuth2 client credentials "<client_id>:<client_secret>",
//               posted as a form (grant_type=client_credentials, client_id,
//               client_secret, scope) to oauth2_server_uri, default
//               <uri>/v1/oauth/tokens; the bearer token is fetched again
//               once 80% of its expires_in has passed, or when the server
//               answers 419 (token expired).
//   token       a fixed bearer token.
//   none        no Authorization header.
//
// Thread-safety: used by one thread at a time (with its RestCatalog).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "http/http_client.h"
#include "iceberg/catalog.h"
#include "s3/sigv4.h"

namespace lakepipe::iceberg {

class RestAuth {
 public:
  enum class Mode { kNone, kToken, kOAuth2, kSigV4 };

  // kInvalidArgument when the settings are incomplete (a credential without
  // ':', sigv4 without a region or without AWS credentials in the
  // environment), naming the setting.
  static Result<std::unique_ptr<RestAuth>> Make(const CatalogOptions& options);

  // Adds the headers that authenticate `request`, whose method, url and body
  // are final; fetches an OAuth2 token through `client` when none is fresh.
  Status Authorize(HttpClient& client, HttpRequest& request);
  // The server answered 419: forgets the token. True when a new one can be
  // fetched (OAuth2), so the request is worth sending again.
  bool Expire();

  Mode mode() const { return mode_; }
  // The setting a 401/403 points at, e.g. "catalog.credential".
  std::string_view Setting() const;
  std::string_view ModeName() const;  // none | token | oauth2 | sigv4

 private:
  explicit RestAuth(const CatalogOptions& options) : options_(options) {}
  Status FetchToken(HttpClient& client);
  Status Sign(HttpRequest& request) const;

  CatalogOptions options_;
  Mode mode_ = Mode::kNone;
  std::string token_;  // bearer token (fixed or from OAuth2)
  std::chrono::steady_clock::time_point refresh_at_ = std::chrono::steady_clock::time_point::max();
  s3::Credentials aws_;
  std::string region_;
};

// The parts of an http(s) URL that SigV4 signs: "host[:port]", the path as
// written (still percent-encoded) and the query's decoded pairs.
struct UrlParts {
  std::string authority;
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
};
Result<UrlParts> SplitUrl(std::string_view url);
std::string PercentDecode(std::string_view text);

}  // namespace lakepipe::iceberg
