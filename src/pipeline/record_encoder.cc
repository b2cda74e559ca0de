#include "pipeline/record_encoder.h"

#include <fmt/format.h>

#include "core/time_util.h"
#include "formats/avro/avro_datum.h"
#include "formats/text/text_formats.h"

namespace lakepipe {

Result<PayloadFormat> ParsePayloadFormat(std::string_view name) {
  if (name == "json") return PayloadFormat::kJson;
  if (name == "avro") return PayloadFormat::kAvro;
  return InvalidArgumentError("unknown message format '{}' (use json or avro)", name);
}

Result<RecordEncoder> RecordEncoder::Make(PayloadFormat format, const Schema& schema,
                                          std::optional<int32_t> schema_id) {
  if (schema_id && format != PayloadFormat::kAvro) {
    return InvalidArgumentError("a schema registry applies to Avro messages, not JSON");
  }
  return RecordEncoder(format, schema, schema_id);
}

void RecordEncoder::Encode(const RecordBatch& batch, size_t row, std::string* out) const {
  out->clear();
  if (json_) {
    json_->Append(batch, row, out);
    return;
  }
  if (schema_id_) {
    const auto id = static_cast<uint32_t>(*schema_id_);
    const char header[5] = {0, static_cast<char>(id >> 24), static_cast<char>(id >> 16),
                            static_cast<char>(id >> 8), static_cast<char>(id)};
    out->append(header, 5);
  }
  avro::AppendDatum(batch, row, out);
}

Result<KeyExtractor> KeyExtractor::Make(const Schema& schema, std::string_view field) {
  const int index = schema.FieldIndex(field);
  if (index < 0) {
    std::string names;
    for (const Field& f : schema.fields()) names += (names.empty() ? "" : ", ") + f.name;
    return InvalidArgumentError("key field '{}' is not in the record (fields: {})", field, names);
  }
  return KeyExtractor(schema.field(static_cast<size_t>(index)), static_cast<size_t>(index));
}

bool KeyExtractor::Extract(const RecordBatch& batch, size_t row, std::string* out) const {
  const Column& c = batch.column(index_);
  out->clear();
  if (c.IsNull(row)) return false;
  switch (field_.type) {
    case Type::kNull:
      return false;
    case Type::kString:
    case Type::kBytes:
      out->assign(c.GetBytes(row));
      return true;
    case Type::kEnum:
      out->assign(field_.symbols[static_cast<size_t>(c.GetInt32(row))]);
      return true;
    case Type::kBoolean:
      out->assign(c.GetBool(row) ? "true" : "false");
      return true;
    case Type::kInt:
      if (field_.logical == LogicalType::kDate) {
        AppendDate(c.GetInt32(row), out);
      } else {
        out->assign(std::to_string(c.GetInt32(row)));
      }
      return true;
    case Type::kLong:
      if (field_.logical == LogicalType::kTimestampMillis) {
        AppendTimestampMillis(c.GetInt64(row), out);
      } else if (field_.logical == LogicalType::kTimestampMicros) {
        AppendTimestampMicros(c.GetInt64(row), out);
      } else {
        out->assign(std::to_string(c.GetInt64(row)));
      }
      return true;
    case Type::kFloat:
      out->assign(fmt::format("{}", c.GetFloat(row)));
      return true;
    case Type::kDouble:
      out->assign(fmt::format("{}", c.GetDouble(row)));
      return true;
  }
  return false;
}

}  // namespace lakepipe
