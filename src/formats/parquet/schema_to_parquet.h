// How a lakepipe schema (the complete type model, see core/schema.h) is
// written as a Parquet schema, and where each leaf column's values and
// levels come from.
//
// Groups and leaves (parquet-format LogicalTypes.md):
//   struct  → group of its fields
//   list    → <name> (LIST) { repeated group list { element } }
//   map     → <name> (MAP) { repeated group key_value { required key; value } }
//   nullable at any level → OPTIONAL, otherwise REQUIRED.
// Leaves, each with its LogicalType and, where one exists, the legacy
// ConvertedType:
//   boolean → BOOLEAN                 int32, int64 → INT32, INT64
//   int8, int16 → INT32 + INT(8|16, signed) / INT_8, INT_16
//   uint8, uint16, uint32 → INT32 + INT(n, unsigned) / UINT_n
//   uint64 → INT64 + INT(64, unsigned) / UINT_64
//   float, double → FLOAT, DOUBLE; a float with "logicalType": "float16" in
//       its type attributes → FIXED_LEN_BYTE_ARRAY(2) + FLOAT16
//   string → BYTE_ARRAY + STRING / UTF8 (JSON / JSON, or ENUM / ENUM, by
//       the type attributes)
//   bytes → BYTE_ARRAY (GEOMETRY, GEOGRAPHY or BSON by the type attributes;
//       BSON without its ConvertedType, which DuckDB refuses)
//   fixed(n) → FIXED_LEN_BYTE_ARRAY(n) (fixed(12) "duration" → INTERVAL)
//   enum → BYTE_ARRAY + ENUM / ENUM (the symbol text)
//   uuid on fixed(16) → FIXED_LEN_BYTE_ARRAY(16) + UUID; uuid text →
//       BYTE_ARRAY + STRING / UTF8 (Spark 3 rejects the UUID type; the
//       Avro schema in the key-value metadata keeps the annotation)
//   decimal(p, s) → INT32 (p <= 9), INT64 (p <= 18), else
//       FIXED_LEN_BYTE_ARRAY of the fewest bytes that hold p digits;
//       DECIMAL(p, s) / DECIMAL
//   date → INT32 + DATE / DATE
//   time-millis → INT32 + TIME(MILLIS); time-micros → INT64 + TIME(MICROS);
//       a long with "logicalType": "time-nanos" → INT64 + TIME(NANOS);
//       isAdjustedToUTC from the field, TIME_MILLIS / TIME_MICROS when true
//   timestamp → INT64 + TIMESTAMP(unit, isAdjustedToUTC from the field);
//       TIMESTAMP_MILLIS / TIMESTAMP_MICROS for UTC-adjusted millis/micros
//   null → INT32 + UNKNOWN (always null)
// Every element but the root carries a field_id: the field's own, or one
// assigned as AssignMissingFieldIds assigns them; the repeated groups of
// lists and maps, which have no field, get ids after the largest (unless
// ParquetWriteOptions::repeated_group_field_ids is false: then none).
//
// Thread-safety: pure functions; a plan is immutable once made.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/schema.h"
#include "formats/parquet/metadata.h"

namespace lakepipe::parquet {

// How a leaf's values are turned into the stored physical values.
enum class LeafEncoding : uint8_t {
  kDirect,   // the column's storage as is
  kUint32,   // uint32 held as int64 → the INT32 bits
  kDecimal,  // unscaled value from the field's base storage → physical
  kFloat16,  // float → IEEE half, round to nearest even
  kEnum,     // symbol index → symbol text
  kNull,     // no values: every slot is null
};

// One level on the path from a top-level field down to a leaf.
struct LeafStep {
  const Field* field = nullptr;
  Kind kind = Kind::kNull;
  bool optional = false;
  // kStruct: the child followed; kMap: 0 keys, 1 values; kList: 0.
  size_t child = 0;
  // kList, kMap: the repetition level of its entries.
  int rep_level = 0;
};

struct LeafPlan {
  size_t top = 0;                 // index of the top-level field
  std::vector<LeafStep> steps;    // steps[0] is the top-level field, the last the leaf
  std::vector<std::string> path;  // path_in_schema
  size_t element = 0;             // index of the leaf's SchemaElement
  PhysicalType physical = PhysicalType::kInt32;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY width
  int max_def = 0;
  int max_rep = 0;
  LeafEncoding encoding = LeafEncoding::kDirect;
  // Whether min/max statistics follow the column order readers use
  // (unsigned 32/64-bit, FLOAT16, FIXED decimals and INTERVAL do not).
  bool min_max = true;

  const Field& leaf() const { return *steps.back().field; }
  // A top-level leaf stored as the column holds it: written without shredding.
  bool flat() const {
    return steps.size() == 1 && physical != PhysicalType::kFixedLenByteArray &&
           (encoding == LeafEncoding::kDirect || encoding == LeafEncoding::kEnum ||
            encoding == LeafEncoding::kNull);
  }
};

struct ParquetSchemaPlan {
  std::vector<Field> fields;            // the schema's fields, every field id assigned
  std::vector<SchemaElement> elements;  // root first, depth-first
  std::vector<LeafPlan> leaves;         // in file (depth-first) order
};

// Plans how `schema` is written. kInvalidArgument naming the field when it
// cannot be (nesting deeper than levels can count). Without
// `repeated_group_field_ids` the repeated groups of lists and maps get no
// field id (as Iceberg's Java writer leaves them).
Result<std::unique_ptr<const ParquetSchemaPlan>> PlanParquetSchema(
    const Schema& schema, bool repeated_group_field_ids = true);

// The Parquet schema elements (root first) for `schema`; empty when it
// cannot be planned.
std::vector<SchemaElement> ToParquetSchema(const Schema& schema);

// Bytes of the FIXED_LEN_BYTE_ARRAY that holds every decimal of `precision`
// digits.
int32_t DecimalFixedBytes(int32_t precision);

}  // namespace lakepipe::parquet
