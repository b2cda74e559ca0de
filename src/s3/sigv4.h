// AWS Signature Version 4 for S3 requests (header-based signing).
//
//   SigningRequest r;
//   r.method = "PUT"; r.host = "bucket.s3.us-east-1.amazonaws.com";
//   r.path = "/key.parquet"; r.payload_sha256 = HexSha256(body);
//   r.headers = {{"x-amz-date", "20261121T050000Z"}, ...};
//   const std::string authorization = SignV4(r, credentials, "us-east-1", "s3");
//
// The signer follows the S3 variant of SigV4: the path is URI-encoded once
// (each byte outside A-Z a-z 0-9 - . _ ~ / becomes %XX), query parameters are
// sorted and encoded with '/' escaped too, header names are lowercased and
// values trimmed, and the payload hash is the hex SHA-256 of the body or
// "UNSIGNED-PAYLOAD". Every header given is signed; "host" and "x-amz-date"
// (compact ISO-8601, which also gives the scope date) must be among them,
// plus "x-amz-content-sha256" and "x-amz-security-token" where S3 expects
// them (the caller sends the same headers it signs).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace lakepipe::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" when none
};

struct SigningRequest {
  std::string method;  // "GET", "PUT", ...
  std::string path;    // decoded, starting with '/': "/dir/test$file.text"
  std::vector<std::pair<std::string, std::string>> query;    // decoded names and values
  std::vector<std::pair<std::string, std::string>> headers;  // any case; all are signed
  std::string payload_sha256;                                // hex, or "UNSIGNED-PAYLOAD"
};

// The pieces of a signature, for tests and diagnostics.
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;x-amz-content-sha256;x-amz-date"
  std::string signature;       // hex
  std::string authorization;   // the Authorization header's value
};

// Signs `request`. kInvalidArgument when x-amz-date or host is missing or
// x-amz-date is not YYYYMMDD'T'HHMMSS'Z'.
Result<Signature> SignV4(const SigningRequest& request, const Credentials& credentials,
                         std::string_view region, std::string_view service = "s3");

// Lowercase hex SHA-256 of `data`.
std::string HexSha256(std::string_view data);
// The current UTC time as SigV4's x-amz-date ("20261207T231200Z").
std::string AmzDate();

// Base64 of the MD5 of `data` (the Content-MD5 header).
std::string Base64Md5(std::string_view data);

// S3's URI encoding: unreserved bytes stay, others become %XX (uppercase);
// '/' stays when `keep_slash`.
std::string UriEncode(std::string_view text, bool keep_slash);

}  // namespace lakepipe::s3
