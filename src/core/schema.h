// Schema: a record described by Avro schema JSON (.avsc).
//
// Two views of each field:
//  - the flat view (`type`, `logical`, `nullable`): null, boolean, int, long,
//    float, double, string, bytes, enum, and nullable unions ["null", T] /
//    [T, "null"] of these; logical date, timestamp-millis/-micros, uuid.
//    Logical types this view does not interpret fall back to the underlying
//    type, as the Avro specification requires.
//  - the complete view (`kind()` and the members below it; see types in
//    "The complete type model" further down): struct, list and map at any
//    nesting, nullable at every level; decimal, fixed, uuid, date, time,
//    timestamps in three units, UTC-adjusted or local; small and unsigned
//    integers; Avro unions of any members; a field id on every field.
//
// FromAvroJson parses the complete view; every format reads and writes it.
// Code that handles only the flat view (a job over a known table, say) can
// ask, with SchemaParseOptions::complete_types = false, for a field the flat
// view cannot describe (record, array, map, fixed, a union other than
// ["null", T]) to be refused with `unsupported:` naming the field and type.
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

// The complete type model.
//
// Kind says what a value means; the Avro type it is written as, and how a
// column stores it (Storage), follow from it:
//
//   kind                 Avro                                  storage
//   kNull..kDouble       null, boolean, int, long, float, double   as named
//   kInt8, kInt16,       int  + "logicalType": "int8" ...      kInt32
//   kUInt8, kUInt16
//   kUInt32              long + "logicalType": "uint32"         kInt64
//   kUInt64              long + "logicalType": "uint64"         kInt64 (the
//                        (Avro has no unsigned type: readers    64 bits as
//                        that do not know the annotation read   stored)
//                        values >= 2^63 as negative)
//   kString, kBytes      string, bytes                         kBinary
//   kFixed               fixed(n)                              kBinary (n bytes)
//   kEnum                enum                                  kInt32 (symbol index)
//   kUuid                string or fixed(16) + uuid            kBinary (text or 16 bytes)
//   kDecimal             int, long, bytes or fixed + decimal   kInt32, kInt64 or kBinary
//                                                              (unscaled, big-endian
//                                                              two's complement)
//   kDate                int + date                            kInt32 (days)
//   kTimeMillis/Micros   int/long + time-millis/-micros        kInt32 / kInt64
//   kTimestamp           long + [local-]timestamp-millis/      kInt64 (in `unit`)
//                        -micros/-nanos
//   kStruct              record (or a union, see below)        children
//   kList                array                                 offsets + child
//   kMap                 map (string keys), or an array of     offsets + key, value
//                        {key, value} records + "map" (Iceberg)
//
// Decimals on int and long are how Parquet stores small ones (precision up
// to 9 and 18); the Avro specification defines decimal on bytes and fixed
// only, so other Avro readers take those as plain int/long: an Avro writer
// should store them on bytes. A decimal whose parameters are invalid (scale
// above precision, too many digits for its fixed) is, as the specification
// says, its underlying type, its attributes kept.
//
// The small and unsigned integers have no Avro type; they are written as the
// Avro int or long that holds every value, with a "logicalType" naming them
// that other readers ignore and lakepipe reads back.
//
// Unions: ["null", T] and [T, "null"] are a nullable T (null_first keeps the
// order); [T] is T (single_branch_union). Any other union is a struct whose
// members are named member0..memberN over the non-null branches in order, as
// Spark names them, each nullable and carrying its branch index
// (union_branch); at most one member is set in a row. A union that also
// lists "null" makes the struct nullable and keeps null's index
// (null_branch), so that Avro writes the same branch indexes back. (DuckDB's
// Avro reader makes such a union its own UNION type, members named u<branch
// index>; a struct is what Parquet, JSON and CSV can carry, so lakepipe
// follows Spark's struct and names.)
enum class Kind : uint8_t {
  kNull,
  kBoolean,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat,
  kDouble,
  kString,
  kBytes,
  kFixed,
  kEnum,
  kUuid,
  kDecimal,
  kDate,
  kTimeMillis,
  kTimeMicros,
  kTimestamp,
  kStruct,
  kList,
  kMap,
};

enum class TimeUnit : uint8_t { kMillis, kMicros, kNanos };

// "int8", "decimal", "struct", ... (lower-case, as Describe() prints them).
std::string_view KindName(Kind kind);
// True for kStruct, kList and kMap.
bool IsNested(Kind kind);

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

struct Field;
// The storage of a complete-model field (kNone for nested kinds: their data
// lives in child columns).
Storage StorageOf(const Field& field);

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

  // ---- The complete view (see "The complete type model"). ----
  // Set by the parser and by code that builds complete types; unset for
  // fields made in code from `type`/`logical` alone, for which kind()
  // derives it. A field the flat view cannot describe has type == kNull.
  std::optional<Kind> full_kind;
  // kTimestamp: the unit, and false for a local (wall-clock) timestamp.
  TimeUnit unit = TimeUnit::kMicros;
  bool utc_adjusted = true;
  // kDecimal.
  int32_t precision = 0;
  int32_t scale = 0;
  // kDecimal and kUuid: the kind they are stored as (kInt32, kInt64, kBytes
  // or kFixed; kString or kFixed). kNull when it does not apply.
  Kind base = Kind::kNull;
  // kFixed, and kDecimal/kUuid on a fixed: its size in bytes and full name.
  int32_t fixed_size = 0;
  // kFixed and kStruct: the Avro full name of the fixed or record.
  std::string type_name;
  // kStruct: its fields. kList: one field "element". kMap: "key" (never
  // nullable) and "value".
  std::vector<Field> children;
  // Iceberg/Parquet field id ("field-id" on an Avro field; "element-id",
  // "key-id" and "value-id" on an Avro array or map for its children).
  std::optional<int32_t> field_id;
  // Avro unions (see above).
  bool avro_union = false;           // a kStruct standing for a union
  int32_t null_branch = -1;          // avro_union: index of "null", or -1
  int32_t union_branch = -1;         // member of an avro_union: its index
  bool single_branch_union = false;  // written as [T]
  // kMap written as Iceberg writes maps whose keys are not strings: an
  // array of records {key, value} with "logicalType": "map" (type_name
  // holds the record's name).
  bool avro_map_as_array = false;
  // Attributes of the Avro type object that lakepipe does not interpret
  // (a logicalType it does not know and its parameters, custom properties),
  // written back as they were. An object, or null when there are none.
  nlohmann::json type_attributes;

  Kind kind() const;
  // The Avro type the complete view is written as: "int", "long", "bytes",
  // "fixed", "record", "array", "map", "enum", ... ("record" for a union
  // struct too).
  std::string_view AvroBaseName() const;
  // Its Avro "logicalType" ("" when none): "decimal", "local-timestamp-micros",
  // "int8", ...
  std::string AvroLogicalType() const;
  // True when the flat view describes the field completely enough for the
  // readers and writers built on it (no nested kinds, fixed or unions).
  bool IsFlat() const;

  // The flat view's storage (StorageOf(field) is the complete view's).
  Storage storage() const { return StorageOf(type); }
  // Avro type JSON of this field, e.g. ["null", {"type":"long","logicalType":"timestamp-millis"}].
  nlohmann::json TypeJson() const;
  // Index of `symbol` in `symbols`, or -1.
  int SymbolIndex(std::string_view symbol) const;
  // "long (timestamp-millis)", "nullable string", ...
  std::string Describe() const;
};

// Sets the flat view (`type`, `logical`, and `nullable` for kNull) of a
// field whose complete view (`full_kind` and its parameters) is set, as the
// Avro schema parser does; fields the flat view cannot describe get kNull.
void SetFlatView(Field* field);

// Gives every field without a field id (at any depth: struct fields, list
// elements, map keys and values) one, after the largest id already used, in
// breadth-first order as Iceberg assigns them: the top-level fields first,
// then their children in order, and so on.
void AssignMissingFieldIds(std::vector<Field>* fields);

// How FromAvroJson parses.
struct SchemaParseOptions {
  // Accept every type of the complete model (the default). When false, a
  // field the flat view cannot describe is refused with `unsupported:`.
  bool complete_types = true;
};

class Schema {
 public:
  Schema() = default;
  // A schema made in code; its Avro JSON is generated.
  Schema(std::string name, std::vector<Field> fields, std::string name_space = "");

  // Parses Avro schema JSON whose top level is a record.
  static Result<Schema> FromAvroJson(std::string_view json_text,
                                     const SchemaParseOptions& options = {});
  // Reads and parses an .avsc file.
  static Result<Schema> FromFile(const std::string& path, const SchemaParseOptions& options = {});

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
