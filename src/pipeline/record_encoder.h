// Kafka message encoding: record values as JSON or Avro, keys from a field.
//
//   json  one JSON object per message (the text rules of formats/text);
//         records with nested fields as pipeline/message_json.h writes
//         them (nested objects and arrays).
//   avro  the Avro binary datum; with a schema id, prefixed by the Confluent
//         wire-format header (0x00, then the id as a big-endian int32), as
//         schema-registry consumers expect. Nested fields are encoded as
//         the Avro spec says (formats/avro/avro_datum.h).
//
// Thread-safety: encoders are immutable after Make(); Encode() may be called
// from several threads with different output strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/result.h"
#include "formats/text/text_formats.h"

namespace lakepipe {

enum class PayloadFormat { kJson, kAvro };

// "json" or "avro"; anything else is kInvalidArgument listing both.
Result<PayloadFormat> ParsePayloadFormat(std::string_view name);

class RecordEncoder {
 public:
  // Encodes batches of `schema`. `schema_id`: only for kAvro; set to frame
  // values in the Confluent format, whose registered schema is then
  // avro::AvroWriterSchema(schema) (decimals on int/long declared on bytes).
  // Without one, values follow `schema` as given, the schema readers are
  // told out of band. Records with nested fields (structs, lists, maps,
  // unions) are nested JSON objects or nested Avro datums.
  static Result<RecordEncoder> Make(PayloadFormat format, const Schema& schema,
                                    std::optional<int32_t> schema_id);

  // Replaces `*out` with the encoding of row `row` of `batch`.
  void Encode(const RecordBatch& batch, size_t row, std::string* out) const;

 private:
  RecordEncoder(PayloadFormat format, const Schema& schema, std::optional<int32_t> schema_id);
  PayloadFormat format_;
  std::optional<int32_t> schema_id_;
  SchemaPtr avro_writer_;              // registered Avro schema, when not `schema`
  std::optional<JsonRowWriter> json_;  // flat JSON records
  bool nested_json_ = false;           // JSON records with nested fields
};

// Renders one field of a row as a Kafka message key: strings, uuids and
// bytes as their bytes, enums as the symbol, numbers and booleans as text,
// dates and timestamps as ISO-8601 text. A null value (or a null struct
// around it) gives no key. The field is a top-level name or a dotted path
// into structs ("login.uuid").
class KeyExtractor {
 public:
  // kInvalidArgument when `field` is not in `schema` (the message lists the
  // fields), or names a struct, list or map.
  static Result<KeyExtractor> Make(const Schema& schema, std::string_view field);
  // False when the value is null (the message then has no key).
  bool Extract(const RecordBatch& batch, size_t row, std::string* out) const;

 private:
  KeyExtractor(const Field& field, std::vector<size_t> path)
      : field_(field), path_(std::move(path)) {}
  Field field_;
  std::vector<size_t> path_;  // the top-level column, then struct children
};

}  // namespace lakepipe
