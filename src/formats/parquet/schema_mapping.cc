#include "formats/parquet/schema_mapping.h"

#include <fmt/format.h>

namespace lakepipe::parquet {
namespace {

using Kind = LogicalTypeAnnotation::Kind;

Status Unsupported(const SchemaElement& e, std::string_view feature) {
  return UnimplementedError("Parquet column '{}': {} is not supported", e.name, feature);
}

// Maps one leaf by its physical and logical type alone.
Status MapLeaf(const SchemaElement& e, LeafMapping* leaf) {
  Field& f = leaf->field;
  f.name = e.name;
  leaf->physical = *e.type;
  leaf->type_length = e.type_length.value_or(0);
  leaf->optional = e.repetition.value_or(Repetition::kRequired) == Repetition::kOptional;
  f.nullable = leaf->optional;
  const std::optional<LogicalTypeAnnotation>& lt = e.logical_type;
  const std::optional<ConvertedType>& ct = e.converted_type;
  if ((lt && lt->kind == Kind::kDecimal) || (ct && *ct == ConvertedType::kDecimal)) {
    return Unsupported(e, "the DECIMAL type");
  }
  if (ct && *ct == ConvertedType::kInterval) return Unsupported(e, "the INTERVAL type");
  if (lt && lt->kind == Kind::kNull) {
    f.type = Type::kNull;
    f.nullable = true;
    return Status::OK();
  }
  switch (*e.type) {
    case PhysicalType::kBoolean:
      f.type = Type::kBoolean;
      break;
    case PhysicalType::kInt32:
      f.type = Type::kInt;
      if ((lt && lt->kind == Kind::kDate) || (ct && *ct == ConvertedType::kDate)) {
        f.logical = LogicalType::kDate;
      } else if ((lt && lt->kind == Kind::kInteger && !lt->is_signed && lt->bit_width == 32) ||
                 (ct && *ct == ConvertedType::kUint32)) {
        f.type = Type::kLong;
        leaf->conversion = LeafConversion::kUint32ToLong;
      }
      break;
    case PhysicalType::kInt64:
      f.type = Type::kLong;
      if ((lt && lt->kind == Kind::kInteger && !lt->is_signed) ||
          (ct && *ct == ConvertedType::kUint64)) {
        return Unsupported(e, "the unsigned 64-bit integer type");
      }
      if (lt && lt->kind == Kind::kTimestamp) {
        if (lt->unit == TimeUnit::kMillis) {
          f.logical = LogicalType::kTimestampMillis;
        } else {
          f.logical = LogicalType::kTimestampMicros;
          if (lt->unit == TimeUnit::kNanos) leaf->conversion = LeafConversion::kNanosToMicros;
        }
      } else if (ct && *ct == ConvertedType::kTimestampMillis) {
        f.logical = LogicalType::kTimestampMillis;
      } else if (ct && *ct == ConvertedType::kTimestampMicros) {
        f.logical = LogicalType::kTimestampMicros;
      }
      break;
    case PhysicalType::kInt96:
      f.type = Type::kLong;
      f.logical = LogicalType::kTimestampMicros;
      leaf->conversion = LeafConversion::kInt96ToMicros;
      break;
    case PhysicalType::kFloat:
      f.type = Type::kFloat;
      break;
    case PhysicalType::kDouble:
      f.type = Type::kDouble;
      break;
    case PhysicalType::kByteArray:
      if ((lt &&
           (lt->kind == Kind::kString || lt->kind == Kind::kEnum || lt->kind == Kind::kJson)) ||
          (ct && (*ct == ConvertedType::kUtf8 || *ct == ConvertedType::kEnum ||
                  *ct == ConvertedType::kJson))) {
        f.type = Type::kString;
      } else {
        f.type = Type::kBytes;
      }
      break;
    case PhysicalType::kFixedLenByteArray:
      if (leaf->type_length < 0)
        return CorruptionError("Parquet column '{}': negative type_length", e.name);
      if (lt && lt->kind == Kind::kUuid) {
        if (leaf->type_length != 16)
          return CorruptionError("Parquet column '{}': UUID must be 16 bytes", e.name);
        f.type = Type::kString;
        f.logical = LogicalType::kUuid;
        leaf->conversion = LeafConversion::kUuidToString;
      } else if (lt && lt->kind == Kind::kFloat16) {
        if (leaf->type_length != 2)
          return CorruptionError("Parquet column '{}': FLOAT16 must be 2 bytes", e.name);
        f.type = Type::kFloat;
        leaf->conversion = LeafConversion::kFloat16ToFloat;
      } else {
        f.type = Type::kBytes;
        leaf->conversion = LeafConversion::kFixedToBytes;
      }
      break;
    default:
      return CorruptionError("Parquet column '{}': unknown physical type {}", e.name,
                             static_cast<int>(*e.type));
  }
  return Status::OK();
}

// True when the Avro field can be read from the leaf as mapped.
bool AvroFieldFits(const Field& avro, const LeafMapping& leaf) {
  const Field& f = leaf.field;
  if (avro.name != f.name) return false;
  if (avro.nullable != leaf.optional && !(avro.type == Type::kNull && leaf.optional)) return false;
  if (avro.type == Type::kEnum) return f.type == Type::kString && f.logical == LogicalType::kNone;
  if (avro.type != f.type) return false;
  if (avro.logical == f.logical) return true;
  // A uuid written as text reads back as a plain string from the Parquet side.
  return avro.logical == LogicalType::kUuid && f.logical == LogicalType::kNone;
}

}  // namespace

Result<FileSchemaMapping> MapFileSchema(const FileMetaData& md) {
  const std::vector<SchemaElement>& elems = md.schema;
  if (elems.empty()) return CorruptionError("Parquet schema is empty");
  for (size_t i = 1; i < elems.size(); ++i) {
    const std::optional<LogicalTypeAnnotation>& lt = elems[i].logical_type;
    if (lt && lt->kind == Kind::kVariant) return Unsupported(elems[i], "the VARIANT type");
  }
  const int32_t children = elems[0].num_children.value_or(0);
  if (children < 0 || static_cast<size_t>(children) != elems.size() - 1) {
    // Either nested groups or a damaged schema; find the first group to name it.
    for (size_t i = 1; i < elems.size(); ++i) {
      if (elems[i].num_children || !elems[i].type) {
        return Unsupported(elems[i], "a nested column (group, list, map or struct)");
      }
    }
    return CorruptionError("Parquet schema root declares {} children but {} elements follow",
                           children, elems.size() - 1);
  }
  FileSchemaMapping mapping;
  std::vector<Field> fields;
  for (size_t i = 1; i < elems.size(); ++i) {
    const SchemaElement& e = elems[i];
    if (e.num_children || !e.type) {
      return Unsupported(e, "a nested column (group, list, map or struct)");
    }
    if (e.repetition && *e.repetition == Repetition::kRepeated) {
      return Unsupported(e, "a repeated column");
    }
    if (e.repetition && *e.repetition != Repetition::kRequired &&
        *e.repetition != Repetition::kOptional) {
      return Unsupported(e, fmt::format("repetition type {}", static_cast<int>(*e.repetition)));
    }
    LeafMapping leaf;
    LP_RETURN_IF_ERROR(MapLeaf(e, &leaf));
    fields.push_back(leaf.field);
    mapping.leaves.push_back(std::move(leaf));
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (fields[i].name == fields[j].name) {
        return UnimplementedError("Parquet column name '{}' appears twice", fields[i].name);
      }
    }
  }
  // Prefer the Avro schema the writer kept, when it matches the columns.
  for (const char* key : {kAvroSchemaKey, kLegacyAvroSchemaKey}) {
    for (const KeyValue& kv : md.key_value_metadata) {
      if (kv.key != key || !kv.value) continue;
      Result<Schema> avro = Schema::FromAvroJson(*kv.value);
      if (!avro.ok() || avro->num_fields() != mapping.leaves.size()) continue;
      bool fits = true;
      for (size_t i = 0; i < mapping.leaves.size() && fits; ++i) {
        fits = AvroFieldFits(avro->field(i), mapping.leaves[i]);
      }
      if (!fits) continue;
      for (size_t i = 0; i < mapping.leaves.size(); ++i) {
        LeafMapping& leaf = mapping.leaves[i];
        const Field& af = avro->field(i);
        if (af.type == Type::kEnum) leaf.conversion = LeafConversion::kBinaryToEnum;
        leaf.field = af;
      }
      mapping.schema = std::move(avro).value();
      return mapping;
    }
  }
  mapping.schema = Schema(elems[0].name, std::move(fields));
  return mapping;
}

}  // namespace lakepipe::parquet
