// How lakepipe schemas map to Parquet schemas, in both directions.
//
// Writing (flat record → root group + one leaf per field):
//   boolean → BOOLEAN          int → INT32              long → INT64
//   float → FLOAT              double → DOUBLE          bytes → BYTE_ARRAY
//   string, uuid, enum → BYTE_ARRAY + STRING / UTF8 (enum symbols and uuid
//       survive through the Avro schema kept in the key-value metadata)
//   date → INT32 + DATE / DATE
//   timestamp-millis → INT64 + TIMESTAMP(UTC, MILLIS) / TIMESTAMP_MILLIS
//   timestamp-micros → INT64 + TIMESTAMP(UTC, MICROS) / TIMESTAMP_MICROS
//   null → INT32 + UNKNOWN (always null)
// Nullable fields are OPTIONAL, others REQUIRED; field_id = position + 1.
//
// Reading, without a usable Avro schema in the metadata (files from other
// writers), leaves map back by physical and logical type; INT96 and
// TIMESTAMP(NANOS) become timestamp-micros, FIXED_LEN_BYTE_ARRAY(16) + UUID
// becomes a uuid string, unsigned 32-bit integers widen to long. Nested
// columns, DECIMAL, INTERVAL and unsigned 64-bit integers are rejected with
// an error naming the column.
#pragma once

#include <string>
#include <vector>

#include "core/schema.h"
#include "formats/parquet/metadata.h"

namespace lakepipe::parquet {

// Key of the Avro schema in Parquet key-value metadata (as parquet-avro).
inline constexpr const char kAvroSchemaKey[] = "parquet.avro.schema";
inline constexpr const char kLegacyAvroSchemaKey[] = "avro.schema";

// How one leaf's stored values become a lakepipe column.
enum class LeafConversion {
  kDirect,          // physical values are stored as is
  kUint32ToLong,    // INT32 holding unsigned values → long
  kNanosToMicros,   // INT64 nanoseconds → timestamp-micros
  kInt96ToMicros,   // INT96 legacy timestamp → timestamp-micros
  kFixedToBytes,    // FIXED_LEN_BYTE_ARRAY → bytes
  kUuidToString,    // FIXED_LEN_BYTE_ARRAY(16) UUID → canonical text
  kFloat16ToFloat,  // FIXED_LEN_BYTE_ARRAY(2) FLOAT16 → float
  kBinaryToEnum,    // BYTE_ARRAY text → enum symbol index (Avro schema says enum)
};

struct LeafMapping {
  Field field;              // the lakepipe field of the leaf
  PhysicalType physical;    // as stored
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY width
  bool optional = false;    // definition level 0/1
  LeafConversion conversion = LeafConversion::kDirect;
};

struct FileSchemaMapping {
  Schema schema;                    // what readers of the file see
  std::vector<LeafMapping> leaves;  // one per column chunk, in file order
};

// Derives the lakepipe schema of a file from its footer; prefers the Avro
// schema in the key-value metadata when it agrees with the Parquet schema.
Result<FileSchemaMapping> MapFileSchema(const FileMetaData& metadata);

}  // namespace lakepipe::parquet
