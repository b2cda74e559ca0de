#include "archive/decoder.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "http/http_client.h"

namespace lakepipe::archive {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexDigit(text[i + 1]) >= 0 &&
        HexDigit(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(text[i + 1]) * 16 + HexDigit(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// The user and password written into a URL ("http://user:pass@host/"), as
// the registry client reads them.
void CredentialsInUrl(std::string_view url, std::string* user, std::string* password) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return;
  const size_t authority = scheme_end + 3;
  size_t authority_end = url.find_first_of("/?#", authority);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  const std::string_view host_part = url.substr(authority, authority_end - authority);
  const size_t at = host_part.rfind('@');
  if (at == std::string_view::npos) return;
  const std::string_view userinfo = host_part.substr(0, at);
  const size_t colon = userinfo.find(':');
  *user = PercentDecode(userinfo.substr(0, colon));
  *password = colon == std::string_view::npos ? "" : PercentDecode(userinfo.substr(colon + 1));
}

// GET <registry>/subjects/<subject>/versions/latest -> the schema text.
// The registry client speaks only the id and register endpoints, so this one
// request is made here, with the same URL handling, retries and errors.
Result<std::string> FetchLatestSchema(const registry::RegistryOptions& options,
                                      const std::string& subject) {
  const std::string base = registry::SchemaRegistryClient(options).base_url();
  if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
    return InvalidArgumentError("schema registry URL '{}' must start with http:// or https://",
                                base);
  }
  HttpRequest request;
  request.method = "GET";
  request.url =
      fmt::format("{}/subjects/{}/versions/latest", base, registry::EscapePathSegment(subject));
  request.timeout = options.timeout;
  request.connect_timeout = std::min(options.timeout, request.connect_timeout);
  request.headers = {
      {"Accept",
       "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, "
       "application/json"}};
  request.user = options.username;
  request.password = options.password;
  if (request.user.empty()) CredentialsInUrl(options.url, &request.user, &request.password);
  HttpClient http;
  Result<HttpResponse> response = SendWithRetry(http, request, options.retry);
  if (!response.ok()) return response.status().WithContext("schema registry");
  if (response->status == 401 || response->status == 403) {
    return FailedPreconditionError(
        "schema registry authentication failed for {} (HTTP {}): check the user name and password",
        request.url, response->status);
  }
  if (response->status == 404) {
    return NotFoundError(
        "subject '{}' not found in the schema registry at {}: register the topic's schema first, "
        "or pass --schema",
        subject, base);
  }
  const nlohmann::json json = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status < 200 || response->status > 299 || !json.is_object() ||
      !json.contains("schema") || !json["schema"].is_string()) {
    return FailedPreconditionError(
        "schema registry: GET {} answered HTTP {} without a \"schema\" (is the URL a schema "
        "registry?)",
        request.url, response->status);
  }
  return json["schema"].get<std::string>();
}

}  // namespace

RecordDecoder::~RecordDecoder() = default;

Result<std::unique_ptr<RecordDecoder>> RecordDecoder::Make(const DecoderOptions& options) {
  std::unique_ptr<RecordDecoder> decoder(new RecordDecoder());
  decoder->max_record_bytes_ = options.max_record_bytes;
  decoder->schema_ = options.schema;
  if (options.input_format == "json") {
    if (!options.schema) {
      return InvalidArgumentError(
          "decoding JSON messages needs the table schema: pass --schema with an Avro schema "
          "(.avsc) of the records");
    }
    decoder->kind_ = Kind::kJson;
    decoder->json_.emplace(options.schema);
    return decoder;
  }
  if (options.input_format != "avro") {
    return InvalidArgumentError("unknown input format '{}': use json or avro",
                                options.input_format);
  }
  if (!options.registry) {
    if (!options.schema) {
      return InvalidArgumentError(
          "decoding Avro messages without a schema registry needs the schema they were written "
          "with: pass --schema, or a schema registry URL for Confluent-framed messages");
    }
    LP_ASSIGN_OR_RETURN(avro::DatumDecoder plain,
                        avro::DatumDecoder::Make(options.schema, options.schema));
    decoder->kind_ = Kind::kAvro;
    decoder->plain_avro_.emplace(std::move(plain));
    return decoder;
  }
  decoder->kind_ = Kind::kConfluentAvro;
  if (!decoder->schema_) {
    if (options.subject.empty()) {
      return InvalidArgumentError(
          "decoding Avro messages through a schema registry needs the table schema: pass "
          "--schema, or a subject (e.g. '<topic>-value') whose latest schema to use");
    }
    LP_ASSIGN_OR_RETURN(std::string text, FetchLatestSchema(*options.registry, options.subject));
    Result<Schema> latest = Schema::FromAvroJson(text);
    if (!latest.ok()) {
      return InvalidArgumentError(
          "the latest schema of subject '{}' cannot be the table schema: {}; pass --schema",
          options.subject, latest.status().message());
    }
    decoder->schema_ = std::make_shared<const Schema>(std::move(latest).value());
  }
  decoder->registry_ = std::make_unique<registry::SchemaRegistryClient>(*options.registry);
  return decoder;
}

Result<bool> RecordDecoder::Decode(std::string_view value, RecordBatch* out, std::string* reason) {
  if (value.size() > max_record_bytes_) {
    *reason = fmt::format("oversize: the value is {} bytes, larger than the limit of {} bytes",
                          value.size(), max_record_bytes_);
    return false;
  }
  switch (kind_) {
    case Kind::kJson:
      return json_->Parse(value, out, reason);
    case Kind::kAvro: {
      Status status = plain_avro_->Decode(value, out);
      if (status.ok()) return true;
      if (status.code() != StatusCode::kInvalidArgument) return status;
      *reason = status.message();
      return false;
    }
    case Kind::kConfluentAvro:
      return DecodeConfluent(value, out, reason);
  }
  return InternalError("record decoder has no kind");
}

Result<bool> RecordDecoder::DecodeConfluent(std::string_view value, RecordBatch* out,
                                            std::string* reason) {
  Result<registry::ConfluentFrame> frame = registry::ParseConfluentFrame(value);
  if (!frame.ok()) {
    *reason = frame.status().message();
    return false;
  }
  LP_ASSIGN_OR_RETURN(const WriterEntry* writer, Writer(frame->schema_id));
  if (!writer->decoder) {
    *reason = writer->bad_reason;
    return false;
  }
  Status status = writer->decoder->Decode(frame->datum, out);
  if (status.ok()) return true;
  if (status.code() != StatusCode::kInvalidArgument) return status;
  *reason = fmt::format("schema id {}: {}", frame->schema_id, status.message());
  return false;
}

Result<const RecordDecoder::WriterEntry*> RecordDecoder::Writer(int32_t id) {
  const auto now = std::chrono::steady_clock::now();
  if (auto it = writers_.find(id); it != writers_.end()) {
    if (!it->second.retry_after || now < *it->second.retry_after) return &it->second;
    writers_.erase(it);
  }
  WriterEntry entry;
  Result<std::string> text = registry_->GetSchema(id);
  if (!text.ok()) {
    if (text.status().code() != StatusCode::kNotFound) {
      return text.status().WithContext(
          fmt::format("fetching writer schema id {} from the schema registry", id));
    }
    entry.bad_reason =
        fmt::format("unknown schema id {} (the schema registry at {} has no such id)", id,
                    registry_->base_url());
    entry.retry_after = now + kUnknownIdRetry;
    return &writers_.insert_or_assign(id, std::move(entry)).first->second;
  }
  Result<Schema> writer = Schema::FromAvroJson(*text);
  if (!writer.ok()) {
    entry.bad_reason = fmt::format("schema id {} is not a schema lakepipe can read: {}", id,
                                   writer.status().message());
    return &writers_.insert_or_assign(id, std::move(entry)).first->second;
  }
  Result<avro::DatumDecoder> decoder =
      avro::DatumDecoder::Make(std::make_shared<const Schema>(std::move(writer).value()), schema_);
  if (!decoder.ok()) {
    entry.bad_reason = fmt::format("schema id {} cannot be read as the table schema: {}", id,
                                   decoder.status().message());
  } else {
    entry.decoder.emplace(std::move(decoder).value());
  }
  return &writers_.insert_or_assign(id, std::move(entry)).first->second;
}

}  // namespace lakepipe::archive
