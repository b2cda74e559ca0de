// S3Client: the S3 REST API over libcurl, signed with SigV4 (sigv4.h), for
// AWS S3 and S3-compatible stores (MinIO, moto, Ceph...).
//
//   S3Options o;  o.region = "eu-west-1";  o.credentials = ...;
//   LP_ASSIGN_OR_RETURN(auto s3, S3Client::Make(o));
//   LP_RETURN_IF_ERROR(s3->PutObject("bucket", "dir/key.parquet", bytes));
//
// Addressing: virtual-hosted (https://bucket.s3.<region>.amazonaws.com/key)
// by default; path-style (https://endpoint/bucket/key) when `path_style` is
// set, which is the default with a custom endpoint.
// Every request carries x-amz-content-sha256 with the body's hash, so a body
// changed in transit is refused by S3; PUTs also send Content-MD5.
// Retries: transport failures (timeouts, resets), 429 and 5xx (SlowDown)
// with exponential backoff and jitter until `retry`'s deadline; then an
// error naming the bucket, key and last cause (kUnavailable). A 4xx is
// reported at once with S3's error code and message: AccessDenied and
// SignatureDoesNotMatch are kFailedPrecondition (fix the credentials), NoSuchKey/NoSuchBucket
// kNotFound, PreconditionFailed kAlreadyExists.
// Secrets never appear in errors or logs.
//
// Thread-safety: all methods may be called from several threads at once;
// each call uses a connection of its own from a pool (connections are
// reused between calls).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/http_client.h"
#include "s3/sigv4.h"

namespace lakepipe::s3 {

struct S3Options {
  std::string region = "us-east-1";
  // "" for AWS; else the endpoint URL, e.g. "http://127.0.0.1:5000".
  std::string endpoint{};
  // Path-style addressing; std::nullopt: only with a custom endpoint.
  std::optional<bool> path_style{};
  Credentials credentials{};
  // Profile of the AWS files ResolveS3Options reads; "": AWS_PROFILE.
  std::string profile{};
  // HTTPS: verify certificates (turning it off is for tests against
  // self-signed endpoints only), with this CA bundle when not "".
  bool verify_tls = true;
  std::string ca_bundle{};
  // Objects up to this size go in one PUT; larger ones in parts of this size.
  uint64_t part_size = 16ull << 20;
  // Parts uploaded at once by a multipart upload.
  int parallel_parts = 4;
  RetryPolicy retry{};
  std::chrono::milliseconds request_timeout{120000};
  // Called before each retry (for logs and metrics).
  std::function<void(const RetryEvent&)> on_retry{};
};

struct ObjectHead {
  uint64_t size = 0;
  std::string etag;
};

struct ListedObject {
  std::string key;
  uint64_t size = 0;
};

class S3Client {
 public:
  // kInvalidArgument for a bad region, endpoint or part size.
  static Result<std::unique_ptr<S3Client>> Make(S3Options options);
  ~S3Client();

  // One PUT. With `if_none_match`, fails with kAlreadyExists when the key
  // exists (If-None-Match: *).
  Status PutObject(std::string_view bucket, std::string_view key, std::string_view body,
                   bool if_none_match = false);
  // The whole object, or `length` bytes from `offset` (fewer at the end).
  Result<std::string> GetObject(std::string_view bucket, std::string_view key,
                                std::optional<std::pair<uint64_t, uint64_t>> range = std::nullopt);
  Result<ObjectHead> HeadObject(std::string_view bucket, std::string_view key);
  // Every object under `prefix`, following continuation tokens; S3 answers
  // with up to `page_size` keys per request (1000 at most).
  Result<std::vector<ListedObject>> ListObjects(std::string_view bucket, std::string_view prefix,
                                                int page_size = 1000);
  // Deleting a missing key succeeds.
  Status DeleteObject(std::string_view bucket, std::string_view key);
  Status HeadBucket(std::string_view bucket);
  // Creates a bucket in the client's region (us-east-1 needs no location).
  Status CreateBucket(std::string_view bucket);

  // Multipart uploads (parts are numbered from 1; each but the last at least
  // 5 MiB on AWS).
  Result<std::string> CreateMultipartUpload(std::string_view bucket, std::string_view key);
  Result<std::string> UploadPart(std::string_view bucket, std::string_view key,
                                 std::string_view upload_id, int part_number,
                                 std::string_view body);  // returns the ETag
  Status CompleteMultipartUpload(std::string_view bucket, std::string_view key,
                                 std::string_view upload_id, const std::vector<std::string>& etags);
  Status AbortMultipartUpload(std::string_view bucket, std::string_view key,
                              std::string_view upload_id);

  const S3Options& options() const { return options_; }

 private:
  explicit S3Client(S3Options options);

  struct Call {
    std::string method;
    std::string bucket;
    std::string key;
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string_view body;
  };
  // Signs, sends with retries, and maps S3 errors (see above).
  Result<HttpResponse> Perform(const Call& call);
  std::unique_ptr<HttpClient> Borrow();
  void Return(std::unique_ptr<HttpClient> client);

  S3Options options_;
  bool path_style_ = false;
  std::string scheme_;  // "https" or "http"
  std::string host_;    // endpoint host[:port], or s3.<region>.amazonaws.com
  std::mutex mu_;
  std::vector<std::unique_ptr<HttpClient>> idle_;
};

// Parses "s3://bucket/prefix" into bucket and prefix (without a leading '/').
Result<std::pair<std::string, std::string>> ParseS3Uri(std::string_view uri);

}  // namespace lakepipe::s3
