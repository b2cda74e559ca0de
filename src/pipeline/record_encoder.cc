#include "pipeline/record_encoder.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/time_util.h"
#include "formats/avro/avro_datum.h"
#include "formats/text/text_formats.h"
#include "pipeline/message_json.h"

namespace lakepipe {

Result<PayloadFormat> ParsePayloadFormat(std::string_view name) {
  if (name == "json") return PayloadFormat::kJson;
  if (name == "avro") return PayloadFormat::kAvro;
  return InvalidArgumentError("unknown message format '{}' (use json or avro)", name);
}

namespace {

// The first field of `schema` that the flat writers cannot describe.
const Field* FirstNestedField(const Schema& schema) {
  for (const Field& f : schema.fields()) {
    if (!f.IsFlat()) return &f;
  }
  return nullptr;
}

}  // namespace

RecordEncoder::RecordEncoder(PayloadFormat format, const Schema& schema,
                             std::optional<int32_t> schema_id)
    : format_(format), schema_id_(schema_id) {
  if (format_ == PayloadFormat::kAvro && schema_id_) {
    auto given = std::make_shared<const Schema>(schema);
    SchemaPtr writer = avro::AvroWriterSchema(given);
    if (writer != given) avro_writer_ = std::move(writer);
  }
  if (format_ != PayloadFormat::kJson) return;
  nested_json_ = FirstNestedField(schema) != nullptr;
  if (!nested_json_) json_.emplace(schema);
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
  if (nested_json_) {
    AppendMessageJson(batch, row, out);
    return;
  }
  if (schema_id_) {
    const auto id = static_cast<uint32_t>(*schema_id_);
    const char header[5] = {0, static_cast<char>(id >> 24), static_cast<char>(id >> 16),
                            static_cast<char>(id >> 8), static_cast<char>(id)};
    out->append(header, 5);
  }
  if (avro_writer_) {
    avro::AppendDatum(*avro_writer_, batch, row, out);
  } else {
    avro::AppendDatum(batch, row, out);
  }
}

Result<KeyExtractor> KeyExtractor::Make(const Schema& schema, std::string_view field) {
  const std::vector<Field>* fields = &schema.fields();
  const Field* found = nullptr;
  std::vector<size_t> path;
  std::string_view rest = field;
  while (true) {
    const size_t dot = rest.find('.');
    const std::string_view name = rest.substr(0, dot);
    auto it = std::find_if(fields->begin(), fields->end(),
                           [&](const Field& f) { return f.name == name; });
    if (it == fields->end()) {
      std::string names;
      for (const Field& f : *fields) names += (names.empty() ? "" : ", ") + f.name;
      return InvalidArgumentError("key field '{}' is not in the record ({}fields: {})", field,
                                  path.empty() ? "" : fmt::format("'{}' has ", found->name), names);
    }
    found = &*it;
    path.push_back(static_cast<size_t>(it - fields->begin()));
    if (dot == std::string_view::npos) break;
    if (found->kind() != Kind::kStruct) {
      return InvalidArgumentError("key field '{}': '{}' is {}, not a record to look into", field,
                                  found->name, found->Describe());
    }
    fields = &found->children;
    rest = rest.substr(dot + 1);
  }
  if (IsNested(found->kind())) {
    std::string inner;
    for (const Field& f : found->children) inner += (inner.empty() ? "" : ", ") + f.name;
    return InvalidArgumentError(
        "key field '{}' is a {}; name a value inside it as {}.<field> (fields: {})", field,
        KindName(found->kind()), field, inner);
  }
  return KeyExtractor(*found, std::move(path));
}

bool KeyExtractor::Extract(const RecordBatch& batch, size_t row, std::string* out) const {
  out->clear();
  const Column* column = &batch.column(path_[0]);
  for (size_t i = 1; i < path_.size(); ++i) {
    if (column->IsNull(row)) return false;
    column = &column->child(path_[i]);
  }
  const Column& c = *column;
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
