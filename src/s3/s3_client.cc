#include "s3/s3_client.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include <fmt/format.h>

#include "core/redact.h"

namespace lakepipe::s3 {
namespace {

// The text of the first <tag>...</tag> in `xml` after `from`, entity-decoded;
// nullopt when absent. S3's XML answers are flat enough for this.
std::optional<std::string> XmlText(std::string_view xml, std::string_view tag, size_t from = 0,
                                   size_t* end = nullptr) {
  const std::string open = fmt::format("<{}>", tag);
  const std::string close = fmt::format("</{}>", tag);
  const size_t a = xml.find(open, from);
  if (a == std::string_view::npos) return std::nullopt;
  const size_t b = xml.find(close, a + open.size());
  if (b == std::string_view::npos) return std::nullopt;
  if (end != nullptr) *end = b + close.size();
  std::string out;
  const std::string_view raw = xml.substr(a + open.size(), b - a - open.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out.push_back(raw[i]);
      continue;
    }
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool matched = false;
    for (const auto& [entity, c] : kEntities) {
      if (raw.substr(i, entity.size()) == entity) {
        out.push_back(c);
        i += entity.size() - 1;
        matched = true;
        break;
      }
    }
    if (!matched) out.push_back('&');
  }
  return out;
}

StatusCode CodeFor(long status, std::string_view s3_code) {
  if (s3_code == "AccessDenied" || s3_code == "SignatureDoesNotMatch" ||
      s3_code == "InvalidAccessKeyId" || s3_code == "ExpiredToken" || status == 403) {
    return StatusCode::kFailedPrecondition;
  }
  if (s3_code == "NoSuchKey" || s3_code == "NoSuchBucket" || s3_code == "NoSuchUpload" ||
      status == 404) {
    return StatusCode::kNotFound;
  }
  if (s3_code == "PreconditionFailed" || status == 412) return StatusCode::kAlreadyExists;
  return StatusCode::kInvalidArgument;
}

}  // namespace

Result<std::pair<std::string, std::string>> ParseS3Uri(std::string_view uri) {
  constexpr std::string_view kScheme = "s3://";
  if (uri.substr(0, kScheme.size()) != kScheme) {
    return InvalidArgumentError("'{}' is not an s3:// URI (s3://bucket/prefix)", uri);
  }
  std::string_view rest = uri.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string bucket(rest.substr(0, slash));
  std::string prefix = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  const bool bucket_ok =
      bucket.size() >= 3 && bucket.size() <= 63 &&
      std::all_of(bucket.begin(), bucket.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
      });
  if (!bucket_ok) {
    return InvalidArgumentError(
        "'{}': '{}' is not a valid S3 bucket name (3 to 63 characters: lowercase letters, digits, "
        "'-' and '.')",
        uri, bucket);
  }
  return std::make_pair(std::move(bucket), std::move(prefix));
}

S3Client::S3Client(S3Options options) : options_(std::move(options)) {}
S3Client::~S3Client() = default;

Result<std::unique_ptr<S3Client>> S3Client::Make(S3Options options) {
  if (options.region.empty()) return InvalidArgumentError("S3: no region given (s3.region)");
  if (options.part_size < (5ull << 20)) {
    return InvalidArgumentError("S3 part size {} is below S3's minimum of 5 MiB",
                                options.part_size);
  }
  if (options.parallel_parts < 1) options.parallel_parts = 1;
  std::unique_ptr<S3Client> client(new S3Client(std::move(options)));
  const S3Options& o = client->options_;
  if (o.endpoint.empty()) {
    client->scheme_ = "https";
    client->host_ = fmt::format("s3.{}.amazonaws.com", o.region);
    client->path_style_ = o.path_style.value_or(false);
  } else {
    const size_t sep = o.endpoint.find("://");
    if (sep == std::string::npos) {
      return InvalidArgumentError(
          "S3 endpoint '{}' has no scheme: write it as http://host:port or https://host",
          MaskUrlCredentials(o.endpoint));
    }
    client->scheme_ = o.endpoint.substr(0, sep);
    if (client->scheme_ != "http" && client->scheme_ != "https") {
      return InvalidArgumentError("S3 endpoint '{}': the scheme must be http or https",
                                  MaskUrlCredentials(o.endpoint));
    }
    client->host_ = o.endpoint.substr(sep + 3);
    while (!client->host_.empty() && client->host_.back() == '/') client->host_.pop_back();
    if (client->host_.empty() || client->host_.find('/') != std::string::npos) {
      return InvalidArgumentError("S3 endpoint '{}' must be scheme://host[:port] without a path",
                                  MaskUrlCredentials(o.endpoint));
    }
    client->path_style_ = o.path_style.value_or(true);
  }
  return client;
}

std::unique_ptr<HttpClient> S3Client::Borrow() {
  std::lock_guard<std::mutex> lock(mu_);
  if (idle_.empty()) return std::make_unique<HttpClient>();
  std::unique_ptr<HttpClient> c = std::move(idle_.back());
  idle_.pop_back();
  return c;
}

void S3Client::Return(std::unique_ptr<HttpClient> client) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(client));
}

Result<HttpResponse> S3Client::Perform(const Call& call) {
  const std::string host =
      path_style_ || call.bucket.empty() ? host_ : fmt::format("{}.{}", call.bucket, host_);
  std::string path = "/";
  if (path_style_ && !call.bucket.empty()) {
    path += call.bucket;
    if (!call.key.empty()) path += "/" + call.key;
  } else {
    path += call.key;
  }
  SigningRequest sr;
  sr.method = call.method;
  sr.path = path;
  sr.query = call.query;
  sr.payload_sha256 = HexSha256(call.body);
  sr.headers = call.headers;
  if (call.method == "PUT" || call.method == "POST") {
    // Else curl labels the body a web form, which some servers then parse.
    sr.headers.emplace_back("content-type", "application/octet-stream");
  }
  sr.headers.emplace_back("host", host);
  sr.headers.emplace_back("x-amz-date", AmzDate());
  sr.headers.emplace_back("x-amz-content-sha256", sr.payload_sha256);
  if (!options_.credentials.session_token.empty()) {
    sr.headers.emplace_back("x-amz-security-token", options_.credentials.session_token);
  }
  LP_ASSIGN_OR_RETURN(Signature sig, SignV4(sr, options_.credentials, options_.region));

  HttpRequest request;
  request.method = call.method;
  std::string query;
  for (const auto& [k, v] : call.query) {
    query += query.empty() ? "?" : "&";
    query += UriEncode(k, false) + "=" + UriEncode(v, false);
  }
  request.url = fmt::format("{}://{}{}{}", scheme_, host, UriEncode(path, true), query);
  request.headers = sr.headers;
  request.headers.emplace_back("Authorization", sig.authorization);
  request.headers.emplace_back("Expect", "");  // no 100-continue round trip
  request.body = std::string(call.body);
  request.timeout = options_.request_timeout;
  request.verify_tls = options_.verify_tls;
  request.ca_bundle = options_.ca_bundle;

  const std::string what = fmt::format("S3 {} s3://{}/{}", call.method, call.bucket, call.key);
  std::unique_ptr<HttpClient> client = Borrow();
  Result<HttpResponse> response =
      SendWithRetry(*client, request, options_.retry, options_.on_retry);
  Return(std::move(client));
  if (!response.ok()) {
    // The URL may carry the bucket in the host; name the object instead.
    const bool untrusted = response.status().code() == StatusCode::kFailedPrecondition;
    return Status(response.status().code(),
                  fmt::format("{}: {}{}", what, response.status().message(),
                              untrusted ? "; set s3.ca_bundle (--s3-ca-bundle)" : ""));
  }
  if (response->status >= 200 && response->status < 300) return response;
  const std::string code = XmlText(response->body, "Code").value_or("");
  const std::string message = XmlText(response->body, "Message").value_or("");
  return Status(
      CodeFor(response->status, code),
      fmt::format("{}: HTTP {}{}{}", what, response->status, code.empty() ? "" : " " + code,
                  message.empty() ? "" : " (" + message + ")"));
}

Status S3Client::PutObject(std::string_view bucket, std::string_view key, std::string_view body,
                           bool if_none_match) {
  Call call;
  call.method = "PUT";
  call.bucket = bucket;
  call.key = key;
  call.body = body;
  call.headers.emplace_back("content-md5", Base64Md5(body));
  if (if_none_match) call.headers.emplace_back("if-none-match", "*");
  return Perform(call).status();
}

Result<std::string> S3Client::GetObject(std::string_view bucket, std::string_view key,
                                        std::optional<std::pair<uint64_t, uint64_t>> range) {
  Call call;
  call.method = "GET";
  call.bucket = bucket;
  call.key = key;
  if (range) {
    if (range->second == 0) return std::string();
    call.headers.emplace_back(
        "range", fmt::format("bytes={}-{}", range->first, range->first + range->second - 1));
  }
  LP_ASSIGN_OR_RETURN(HttpResponse response, Perform(call));
  return std::move(response.body);
}

Result<ObjectHead> S3Client::HeadObject(std::string_view bucket, std::string_view key) {
  Call call;
  call.method = "HEAD";
  call.bucket = bucket;
  call.key = key;
  LP_ASSIGN_OR_RETURN(HttpResponse response, Perform(call));
  ObjectHead head;
  head.size = std::strtoull(response.Header("content-length").c_str(), nullptr, 10);
  head.etag = response.Header("etag");
  return head;
}

Status S3Client::CreateBucket(std::string_view bucket) {
  Call call;
  call.method = "PUT";
  call.bucket = bucket;
  std::string xml;
  if (options_.region != "us-east-1") {
    xml = fmt::format(
        "<CreateBucketConfiguration><LocationConstraint>{}</LocationConstraint>"
        "</CreateBucketConfiguration>",
        options_.region);
  }
  call.body = xml;
  return Perform(call).status();
}

Status S3Client::HeadBucket(std::string_view bucket) {
  Call call;
  call.method = "HEAD";
  call.bucket = bucket;
  return Perform(call).status();
}

Result<std::vector<ListedObject>> S3Client::ListObjects(std::string_view bucket,
                                                        std::string_view prefix, int page_size) {
  std::vector<ListedObject> out;
  std::string token;
  for (;;) {
    Call call;
    call.method = "GET";
    call.bucket = bucket;
    call.query = {{"list-type", "2"},
                  {"max-keys", std::to_string(std::clamp(page_size, 1, 1000))},
                  {"prefix", std::string(prefix)}};
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    LP_ASSIGN_OR_RETURN(HttpResponse response, Perform(call));
    const std::string& xml = response.body;
    size_t pos = 0;
    for (;;) {
      size_t end = 0;
      std::optional<std::string> contents = XmlText(xml, "Contents", pos, &end);
      if (!contents) break;
      pos = end;
      ListedObject object;
      object.key = XmlText(*contents, "Key").value_or("");
      object.size = std::strtoull(XmlText(*contents, "Size").value_or("0").c_str(), nullptr, 10);
      out.push_back(std::move(object));
    }
    if (XmlText(xml, "IsTruncated").value_or("false") != "true") break;
    token = XmlText(xml, "NextContinuationToken").value_or("");
    if (token.empty()) {
      return InternalError("S3 list of s3://{}/{} is truncated but has no continuation token",
                           bucket, prefix);
    }
  }
  return out;
}

Status S3Client::DeleteObject(std::string_view bucket, std::string_view key) {
  Call call;
  call.method = "DELETE";
  call.bucket = bucket;
  call.key = key;
  Status st = Perform(call).status();
  if (st.code() == StatusCode::kNotFound) return Status::OK();
  return st;
}

Result<std::string> S3Client::CreateMultipartUpload(std::string_view bucket, std::string_view key) {
  Call call;
  call.method = "POST";
  call.bucket = bucket;
  call.key = key;
  call.query = {{"uploads", ""}};
  LP_ASSIGN_OR_RETURN(HttpResponse response, Perform(call));
  std::optional<std::string> id = XmlText(response.body, "UploadId");
  if (!id || id->empty()) {
    return InternalError("S3 CreateMultipartUpload of s3://{}/{} returned no UploadId", bucket,
                         key);
  }
  return *id;
}

Result<std::string> S3Client::UploadPart(std::string_view bucket, std::string_view key,
                                         std::string_view upload_id, int part_number,
                                         std::string_view body) {
  Call call;
  call.method = "PUT";
  call.bucket = bucket;
  call.key = key;
  call.body = body;
  call.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", std::string(upload_id)}};
  call.headers.emplace_back("content-md5", Base64Md5(body));
  LP_ASSIGN_OR_RETURN(HttpResponse response, Perform(call));
  std::string etag = response.Header("etag");
  if (etag.empty()) {
    return InternalError("S3 UploadPart {} of s3://{}/{} returned no ETag", part_number, bucket,
                         key);
  }
  return etag;
}

Status S3Client::CompleteMultipartUpload(std::string_view bucket, std::string_view key,
                                         std::string_view upload_id,
                                         const std::vector<std::string>& etags) {
  std::string xml = "<CompleteMultipartUpload>";
  for (size_t i = 0; i < etags.size(); ++i) {
    xml += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>{}</ETag></Part>", i + 1, etags[i]);
  }
  xml += "</CompleteMultipartUpload>";
  Call call;
  call.method = "POST";
  call.bucket = bucket;
  call.key = key;
  call.body = xml;
  call.query = {{"uploadId", std::string(upload_id)}};
  LP_ASSIGN_OR_RETURN(HttpResponse response, Perform(call));
  // S3 may answer 200 with an error document when completion fails late.
  if (std::optional<std::string> code = XmlText(response.body, "Code")) {
    return UnavailableError("S3 CompleteMultipartUpload of s3://{}/{} failed: {} ({})", bucket, key,
                            *code, XmlText(response.body, "Message").value_or(""));
  }
  return Status::OK();
}

Status S3Client::AbortMultipartUpload(std::string_view bucket, std::string_view key,
                                      std::string_view upload_id) {
  Call call;
  call.method = "DELETE";
  call.bucket = bucket;
  call.key = key;
  call.query = {{"uploadId", std::string(upload_id)}};
  Status st = Perform(call).status();
  if (st.code() == StatusCode::kNotFound) return Status::OK();
  return st;
}

}  // namespace lakepipe::s3
