#include "archive/decoder.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "core/time_util.h"
#include "formats/avro/avro_nested.h"

namespace lakepipe::archive {

RecordDecoder::~RecordDecoder() = default;

Result<std::unique_ptr<RecordDecoder>> RecordDecoder::Make(const DecoderOptions& options) {
  std::unique_ptr<RecordDecoder> decoder(new RecordDecoder());
  decoder->max_record_bytes_ = options.max_record_bytes;
  decoder->schema_ = options.schema;
  decoder->schema_origin_ = options.schema_origin.empty() && options.schema
                                ? std::string("the given schema")
                                : options.schema_origin;
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
    registry::SchemaRegistryClient client(*options.registry);
    Result<registry::SubjectVersion> version = client.GetLatest(options.subject);
    if (!version.ok()) {
      if (version.status().code() != StatusCode::kNotFound) return version.status();
      return NotFoundError("{}; register the topic's schema first, or pass --schema",
                           version.status().message());
    }
    Status deep = avro::CheckSchemaTextDepth(version->schema);
    Result<Schema> latest =
        deep.ok()
            ? Schema::FromAvroJson(version->schema, SchemaParseOptions{.complete_types = true})
            : Result<Schema>(deep);
    if (!latest.ok()) {
      return InvalidArgumentError(
          "the latest schema of subject '{}' cannot be the table schema: {}; pass --schema",
          options.subject, latest.status().message());
    }
    decoder->schema_ = std::make_shared<const Schema>(std::move(latest).value());
    decoder->schema_origin_ =
        fmt::format("subject '{}' version {} (id {}) from {}, latest at start", options.subject,
                    version->version, version->id, client.base_url());
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
      // The JSON parser checks timestamps as it reads them.
      return json_->Parse(value, out, reason);
    case Kind::kAvro: {
      Status status = plain_avro_->Decode(value, out);
      if (status.ok()) return TimestampsReadable(out, reason);
      if (status.code() != StatusCode::kInvalidArgument) return status;
      *reason = status.message();
      return false;
    }
    case Kind::kConfluentAvro: {
      LP_ASSIGN_OR_RETURN(bool decoded, DecodeConfluent(value, out, reason));
      return decoded && TimestampsReadable(out, reason);
    }
  }
  return InternalError("record decoder has no kind");
}

bool RecordDecoder::TimestampsReadable(RecordBatch* out, std::string* reason) const {
  const size_t row = out->num_rows() - 1;
  for (size_t i = 0; i < schema_->num_fields(); ++i) {
    const Field& field = schema_->field(i);
    const bool millis = field.logical == LogicalType::kTimestampMillis;
    if (!millis && field.logical != LogicalType::kTimestampMicros) continue;
    const Column& column = out->column(i);
    if (column.IsNull(row)) continue;
    const int64_t v = column.GetInt64(row);
    if (millis ? TimestampMillisInReaderRange(v) : TimestampMicrosInReaderRange(v)) continue;
    *reason = fmt::format("field '{}': {} is outside the timestamps the lake's readers accept ({})",
                          field.name, v, kReaderTimestampRange);
    out->TruncateRows(row);
    return false;
  }
  return true;
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
  Status deep = avro::CheckSchemaTextDepth(*text);
  Result<Schema> writer =
      deep.ok() ? Schema::FromAvroJson(*text, SchemaParseOptions{.complete_types = true})
                : Result<Schema>(deep);
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
