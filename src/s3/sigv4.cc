#include "s3/sigv4.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

namespace lakepipe::s3 {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &n);
  return std::string(reinterpret_cast<const char*>(out.data()), n);
}

std::string Trim(std::string_view v) {
  // Leading and trailing spaces go; inner runs of spaces become one.
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string Lower(std::string_view v) {
  std::string out(v);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

std::string AmzDate() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string HexSha256(std::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return Hex(digest.data(), digest.size());
}

std::string Base64Md5(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &n, EVP_md5(), nullptr);
  std::array<unsigned char, 64> encoded{};
  const int len = EVP_EncodeBlock(encoded.data(), digest.data(), static_cast<int>(n));
  return std::string(reinterpret_cast<const char*>(encoded.data()), static_cast<size_t>(len));
}

Result<Signature> SignV4(const SigningRequest& request, const Credentials& credentials,
                         std::string_view region, std::string_view service) {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string amz_date;
  bool has_host = false;
  for (const auto& [name, value] : request.headers) {
    headers.emplace_back(Lower(name), Trim(value));
    if (headers.back().first == "x-amz-date") amz_date = headers.back().second;
    if (headers.back().first == "host") has_host = true;
  }
  if (!has_host) return InvalidArgumentError("SigV4: the request has no host header to sign");
  const bool date_ok = amz_date.size() == 16 && amz_date[8] == 'T' && amz_date[15] == 'Z' &&
                       std::all_of(amz_date.begin(), amz_date.begin() + 8, ::isdigit) &&
                       std::all_of(amz_date.begin() + 9, amz_date.begin() + 15, ::isdigit);
  if (!date_ok) {
    return InvalidArgumentError("SigV4: x-amz-date must look like 20261121T050000Z, got '{}'",
                                amz_date);
  }
  std::sort(headers.begin(), headers.end());

  Signature sig;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += fmt::format("{}:{}\n", name, value);
    if (!sig.signed_headers.empty()) sig.signed_headers.push_back(';');
    sig.signed_headers += name;
  }
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& [name, value] : request.query) {
    query.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(query.begin(), query.end());
  std::string canonical_query;
  for (const auto& [name, value] : query) {
    if (!canonical_query.empty()) canonical_query.push_back('&');
    canonical_query += name + "=" + value;
  }
  const std::string path = request.path.empty() ? "/" : request.path;
  sig.canonical_request =
      fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method, UriEncode(path, true), canonical_query,
                  canonical_headers, sig.signed_headers, request.payload_sha256);

  const std::string date = amz_date.substr(0, 8);
  const std::string scope = fmt::format("{}/{}/{}/aws4_request", date, region, service);
  sig.string_to_sign = fmt::format("AWS4-HMAC-SHA256\n{}\n{}\n{}", amz_date, scope,
                                   HexSha256(sig.canonical_request));
  std::string key = Hmac("AWS4" + credentials.secret_access_key, date);
  key = Hmac(key, region);
  key = Hmac(key, service);
  key = Hmac(key, "aws4_request");
  const std::string raw = Hmac(key, sig.string_to_sign);
  sig.signature = Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
  sig.authorization =
      fmt::format("AWS4-HMAC-SHA256 Credential={}/{},SignedHeaders={},Signature={}",
                  credentials.access_key_id, scope, sig.signed_headers, sig.signature);
  return sig;
}

}  // namespace lakepipe::s3
