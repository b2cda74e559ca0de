// RecordDecoder: Kafka message values -> rows of the table schema.
//
//   json  one JSON object per value, parsed with the JSON Lines rules of
//         formats/text (JsonRecordParser): keys matched to fields by name,
//         exact conversions only. Needs the table schema.
//   avro  one Avro binary datum per value.
//         Without a registry: written with the table schema itself.
//         With a registry: in the Confluent wire format (0x00, a big-endian
//         int32 schema id, the datum). Each id's writer schema is fetched
//         once (GET /schemas/ids/{id}) and resolved into the table schema
//         with Avro schema resolution (added fields take their defaults,
//         removed fields are dropped, numeric promotions, enum symbols by
//         name). The table schema is DecoderOptions::schema or, when that is
//         null, the latest schema of `subject`, fetched once by Make()
//         (GET /subjects/{subject}/versions/latest).
//
// Bad records: a value that is not the record it should be returns false
// with a reason naming the problem; the caller dead-letters it and goes on.
// Reasons: "oversize: ...", "empty input: expected a JSON object",
// "invalid JSON (...)", "expected a JSON object, got ...", "field 'x':
// missing, and the field is not nullable", "field 'x': expected int, got
// \"abc\"", "field 'x': expected one of the symbols ...", "payload does not
// start with the Confluent magic byte 0x00 ...", "schema id N not found in
// the schema registry ...", "schema id N cannot be read as the table
// schema: ...", "field 'x': string is not valid UTF-8 (byte 0xe9 at offset
// 3 of 4) ..." (Avro strings are checked as the JSON parser checks whole
// payloads: the lake's readers reject invalid UTF-8), the Avro decoder's
// messages for truncated or malformed datums, and "field 'x': N is outside
// the timestamps the lake's readers accept (0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999Z)" for a timestamp no reader of the lake could
// read (core/time_util.h).
//
// Errors: Decode() returns an error Status only when the record is not at
// fault: the registry is unreachable after its retries (kUnavailable /
// kDeadlineExceeded), refuses the credentials (kFailedPrecondition), or
// answers something that is not a registry. The caller must then stop
// without committing the message's offset, and retry later.
//
// Caching: writer schemas and their resolution plans are kept per schema id
// for the decoder's life (registry ids are immutable). An id the registry
// does not know is remembered for kUnknownIdRetry so that a burst of such
// records does not hammer the registry, then asked again (it may have been
// registered since).
//
// Thread-safety: thread-compatible. One thread at a time uses a decoder
// (its registry client and parser scratch are per decoder); give each
// thread its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"
#include "formats/avro/avro_datum.h"
#include "formats/text/text_formats.h"
#include "registry/schema_registry.h"

namespace lakepipe::archive {

struct DecoderOptions {
  // "json" or "avro".
  std::string input_format = "json";
  // The table schema (--schema). Required for json, and for avro without a
  // registry; optional for avro with a registry (then the subject's latest).
  SchemaPtr schema;
  // Set for avro in the Confluent wire format. Ignored for json.
  std::optional<registry::RegistryOptions> registry;
  // Where `schema` comes from, for the log: "from --schema users.avsc",
  // "built-in User schema". "" when `schema` is null.
  std::string schema_origin;
  // The registry subject whose latest schema is the table schema when
  // `schema` is null, e.g. "<topic>-value" (registry::ValueSubject).
  std::string subject;
  // Larger values are bad records ("oversize").
  size_t max_record_bytes = size_t{8} << 20;
};

class RecordDecoder {
 public:
  // How long an unknown schema id is answered from memory before the
  // registry is asked again.
  static constexpr std::chrono::seconds kUnknownIdRetry{60};

  // Fails with kInvalidArgument when the format is unknown, when json or
  // plain avro lacks a schema (pass --schema), or when avro with a registry
  // has neither a schema nor a subject. With a registry and no schema, the
  // subject's latest schema is fetched here: kNotFound when the subject does
  // not exist, kUnavailable when the registry cannot be reached, and
  // kInvalidArgument when that schema is not one lakepipe can write.
  static Result<std::unique_ptr<RecordDecoder>> Make(const DecoderOptions& options);

  ~RecordDecoder();
  RecordDecoder(const RecordDecoder&) = delete;
  RecordDecoder& operator=(const RecordDecoder&) = delete;

  // The table schema: every decoded row has it.
  const SchemaPtr& schema() const { return schema_; }
  // Where the table schema came from: DecoderOptions::schema_origin, or
  // "subject 'users-value' version 3 (id 7) from http://..., latest at start".
  const std::string& schema_origin() const { return schema_origin_; }

  // Appends the record in `value` to `*out` (whose schema is schema()) as
  // one committed row and returns true; or returns false, leaving `*out` as
  // it was, with `*reason` saying what is wrong with the record. An error
  // Status only for failures that are not the record's fault (see above).
  Result<bool> Decode(std::string_view value, RecordBatch* out, std::string* reason);

 private:
  enum class Kind { kJson, kAvro, kConfluentAvro };

  // A schema id's outcome: a decoder, or why its records are bad.
  struct WriterEntry {
    std::optional<avro::DatumDecoder> decoder;
    std::string bad_reason;
    // For ids the registry did not know: when to ask again.
    std::optional<std::chrono::steady_clock::time_point> retry_after;
  };

  RecordDecoder() = default;
  Result<bool> DecodeConfluent(std::string_view value, RecordBatch* out, std::string* reason);
  Result<const WriterEntry*> Writer(int32_t id);
  // Checks the timestamps of the last row of `*out` (just decoded) against
  // the range the lake's readers accept; outside it, removes the row, sets
  // `*reason` and returns false.
  bool TimestampsReadable(RecordBatch* out, std::string* reason) const;

  Kind kind_ = Kind::kJson;
  SchemaPtr schema_;
  std::string schema_origin_;
  size_t max_record_bytes_ = 0;
  std::optional<JsonRecordParser> json_;
  std::optional<avro::DatumDecoder> plain_avro_;
  std::unique_ptr<registry::SchemaRegistryClient> registry_;
  std::map<int32_t, WriterEntry> writers_;
};

}  // namespace lakepipe::archive
