#include "formats/parquet/schema_mapping.h"

#include <fmt/format.h>

namespace lakepipe::parquet {
namespace {

using Kind = LogicalTypeAnnotation::Kind;

LogicalTypeAnnotation Annotation(Kind kind) {
  LogicalTypeAnnotation a;
  a.kind = kind;
  return a;
}

LogicalTypeAnnotation TimestampAnnotation(TimeUnit unit) {
  LogicalTypeAnnotation a = Annotation(Kind::kTimestamp);
  a.adjusted_to_utc = true;
  a.unit = unit;
  return a;
}

SchemaElement LeafFor(const Field& f, int32_t field_id) {
  SchemaElement e;
  e.name = f.name;
  e.field_id = field_id;
  e.repetition =
      f.nullable || f.type == Type::kNull ? Repetition::kOptional : Repetition::kRequired;
  switch (f.type) {
    case Type::kNull:
      e.type = PhysicalType::kInt32;
      e.logical_type = Annotation(Kind::kNull);
      break;
    case Type::kBoolean:
      e.type = PhysicalType::kBoolean;
      break;
    case Type::kInt:
      e.type = PhysicalType::kInt32;
      if (f.logical == LogicalType::kDate) {
        e.converted_type = ConvertedType::kDate;
        e.logical_type = Annotation(Kind::kDate);
      }
      break;
    case Type::kLong:
      e.type = PhysicalType::kInt64;
      if (f.logical == LogicalType::kTimestampMillis) {
        e.converted_type = ConvertedType::kTimestampMillis;
        e.logical_type = TimestampAnnotation(TimeUnit::kMillis);
      } else if (f.logical == LogicalType::kTimestampMicros) {
        e.converted_type = ConvertedType::kTimestampMicros;
        e.logical_type = TimestampAnnotation(TimeUnit::kMicros);
      }
      break;
    case Type::kFloat:
      e.type = PhysicalType::kFloat;
      break;
    case Type::kDouble:
      e.type = PhysicalType::kDouble;
      break;
    case Type::kString:
    case Type::kEnum:
      e.type = PhysicalType::kByteArray;
      e.converted_type = ConvertedType::kUtf8;
      e.logical_type = Annotation(Kind::kString);
      break;
    case Type::kBytes:
      e.type = PhysicalType::kByteArray;
      break;
  }
  return e;
}

}  // namespace

std::vector<SchemaElement> ToParquetSchema(const Schema& schema) {
  std::vector<SchemaElement> out;
  SchemaElement root;
  root.name = schema.name().empty() ? "schema" : schema.name();
  root.num_children = static_cast<int32_t>(schema.num_fields());
  out.push_back(root);
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    out.push_back(LeafFor(schema.field(i), static_cast<int32_t>(i + 1)));
  }
  return out;
}

}  // namespace lakepipe::parquet
