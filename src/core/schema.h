// Schema: a flat record described by Avro schema JSON (.avsc).
//
// Supported field types: null, boolean, int, long, float, double, string,
// bytes, enum, and nullable unions ["null", T] / [T, "null"] of these.
// Logical types: date (int), timestamp-millis / timestamp-micros (long),
// uuid (string). Unknown logical types fall back to the underlying type, as
// the Avro specification requires. Nested records, arrays, maps, fixed and
// other unions are rejected with an error naming the field.
//
// The original schema text is kept verbatim (Avro container headers and the
// Parquet key-value metadata store it), because re-serialising loses doc,
// defaults and custom attributes in some tools.
//
// Thread-safety: immutable after construction; share as
// std::shared_ptr<const Schema>.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace lakepipe {

enum class Type {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kString,
  kBytes,
  kEnum,
};

enum class LogicalType {
  kNone,
  kDate,             // on kInt: days since 1970-01-01
  kTimestampMillis,  // on kLong: ms since epoch, UTC
  kTimestampMicros,  // on kLong: µs since epoch, UTC
  kUuid,             // on kString: canonical 36-character text
};

// "int", "string", ... as written in Avro schemas.
std::string_view TypeName(Type type);
// "date", "timestamp-millis", ... ("" for kNone).
std::string_view LogicalTypeName(LogicalType logical);

// How a column is stored in memory (see column.h).
enum class Storage {
  kNone,    // kNull: no values, every row is null
  kBool,    // uint8_t 0/1
  kInt32,   // int, date, enum symbol index
  kInt64,   // long, timestamps
  kFloat,   // float
  kDouble,  // double
  kBinary,  // string, bytes, uuid: offsets + data
};
Storage StorageOf(Type type);

struct Field {
  std::string name;
  Type type = Type::kNull;
  LogicalType logical = LogicalType::kNone;
  // Declared as a union with null. A kNull field is always nullable.
  bool nullable = false;
  // Union branch order: ["null", T] when true, [T, "null"] when false. The
  // Avro binary encoding writes the branch index, so it must be kept.
  bool null_first = true;
  // kEnum only: the enum's full name, its symbols, and the symbol that
  // schema resolution uses for symbols the reader does not know ("" if none).
  std::string enum_name;
  std::vector<std::string> symbols;
  std::string enum_default;
  // The field's "default" as JSON, when the schema has one.
  std::optional<nlohmann::json> default_value;
  std::string doc;
  std::vector<std::string> aliases;

  Storage storage() const { return StorageOf(type); }
  // Avro type JSON of this field, e.g. ["null", {"type":"long","logicalType":"timestamp-millis"}].
  nlohmann::json TypeJson() const;
  // Index of `symbol` in `symbols`, or -1.
  int SymbolIndex(std::string_view symbol) const;
  // "long (timestamp-millis)", "nullable string", ...
  std::string Describe() const;
};

class Schema {
 public:
  Schema() = default;
  // A schema made in code; its Avro JSON is generated.
  Schema(std::string name, std::vector<Field> fields, std::string name_space = "");

  // Parses Avro schema JSON whose top level is a record.
  static Result<Schema> FromAvroJson(std::string_view json_text);
  // Reads and parses an .avsc file.
  static Result<Schema> FromFile(const std::string& path);

  const std::string& name() const { return name_; }
  const std::string& name_space() const { return namespace_; }
  const std::string& doc() const { return doc_; }
  const std::vector<Field>& fields() const { return fields_; }
  size_t num_fields() const { return fields_.size(); }
  const Field& field(size_t i) const { return fields_[i]; }
  // Index of the field named `name` (exact match), or -1.
  int FieldIndex(std::string_view name) const;

  // The schema text as given to FromAvroJson, or generated JSON for schemas
  // built in code. Suitable for avro.schema and Parquet metadata.
  const std::string& avro_json() const { return avro_json_; }
  // Freshly generated Avro JSON (compact).
  std::string ToAvroJson() const;

  // Multi-line human-readable description used by `inspect`.
  std::string ToString() const;

 private:
  std::string name_;
  std::string namespace_;
  std::string doc_;
  std::vector<Field> fields_;
  std::unordered_map<std::string, int> index_;
  std::string avro_json_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

}  // namespace lakepipe
