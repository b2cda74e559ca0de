// How a Parquet file's schema maps to lakepipe fields (reading; writing is
// schema_to_parquet.h).
//
// Reading (MapFileSchema, implemented in schema_from_parquet.cc) maps the
// whole schema tree to the complete type model (core/schema.h): groups
// become structs; LIST (3-level, and the legacy 2-level and unannotated
// repeated forms by the backward-compatibility rules of parquet-format's
// LogicalTypes.md) becomes a list; MAP and MAP_KEY_VALUE a map; DECIMAL on
// any physical type, INT(8..64, signed or unsigned), FLOAT16, TIME, TIMESTAMP
// (UTC-adjusted or local, in its unit), UUID (fixed(16)), DATE, INTERVAL
// (fixed(12), "duration"), ENUM/JSON/BSON/GEOMETRY/GEOGRAPHY (kept in
// Field::type_attributes); INT96 becomes timestamp-micros. Only VARIANT is
// refused, with `unsupported:` naming the column.
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
  kUint32ToLong,    // INT32 holding unsigned values → uint32 (64-bit storage)
  kInt96ToMicros,   // INT96 legacy timestamp → timestamp-micros
  kFixedToBytes,    // FIXED_LEN_BYTE_ARRAY → its bytes
  kUuidToString,    // FIXED_LEN_BYTE_ARRAY(16) → canonical uuid text (Avro says string)
  kFloat16ToFloat,  // FIXED_LEN_BYTE_ARRAY(2) FLOAT16 → float
  kBinaryToEnum,    // BYTE_ARRAY text → enum symbol index (Avro schema says enum)
};

struct LeafMapping {
  Field field;              // the lakepipe field of the leaf (its values)
  PhysicalType physical;    // as stored
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY width
  bool optional = false;    // a flat leaf: definition level 0/1
  LeafConversion conversion = LeafConversion::kDirect;
  std::vector<std::string> path;  // path_in_schema
  std::string path_name;          // path joined with '.', for messages
  int max_def = 0;                // maximum definition level
  int max_rep = 0;                // maximum repetition level
};

// How the levels of the leaves below a top-level field rebuild it (see
// record_assembly.h). A node is non-null when the definition level is at
// least `def`; a list or map has an element when it is at least
// `elem_def`, and a repetition level of `rep` continues it.
struct ReadNode {
  enum class Shape : uint8_t { kLeaf, kStruct, kList, kMap };
  Shape shape = Shape::kLeaf;
  int def = 0;
  int elem_def = 0;
  int rep = 0;
  size_t leaf = 0;        // kLeaf: index into FileSchemaMapping::leaves
  size_t first_leaf = 0;  // the leaves below the node: [first_leaf, end_leaf)
  size_t end_leaf = 0;
  std::vector<ReadNode> children;  // struct fields; list element; map key, value
};

struct FileSchemaMapping {
  Schema schema;                    // what readers of the file see
  std::vector<LeafMapping> leaves;  // one per column chunk, in file order
  std::vector<ReadNode> fields;     // one per top-level field of `schema`
};

// True when the top-level field is a single leaf with at most one
// definition level and no repetition (read without level assembly).
bool IsFlatLeaf(const ReadNode& node, const std::vector<LeafMapping>& leaves);

// Derives the lakepipe schema of a file from its footer; prefers the Avro
// schema in the key-value metadata when it agrees with the Parquet schema.
Result<FileSchemaMapping> MapFileSchema(const FileMetaData& metadata);

}  // namespace lakepipe::parquet
