// The Avro object container files Iceberg keeps its manifests and manifest
// lists in, encoded and decoded against a schema given as JSON.
//
// Writing produces one block, codec null unless asked: the schema exactly as given
// (plain primitive names, every record inline), the caller's metadata
// keys, then the records. Reading accepts what any Avro writer produces:
// codecs null, deflate, snappy, zstandard, bzip2 and xz; named types used
// again by name; fixed, enum and map types; unions in any branch order.
// Decoded values keep their schema's field names and Iceberg field ids,
// so that callers look fields up by id (names differ between writers).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace lakepipe::iceberg::avro_io {

// A decoded (or to be encoded) Avro value.
struct Value {
  enum class Kind { kNull, kBool, kLong, kDouble, kBytes, kArray, kRecord };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t l = 0;             // int, long, enum index
  double d = 0;              // float, double
  std::string s;             // string, bytes, fixed
  std::vector<Value> items;  // array elements, record fields in order
  // kRecord: per field its name and "field-id" (-1 when none); an Avro map
  // decodes as an array of records {key, value}.
  std::vector<std::string> names;
  std::vector<int32_t> ids;

  static Value Null() { return Value{}; }
  static Value Bool(bool v);
  static Value Long(int64_t v);
  static Value Double(double v);
  static Value Bytes(std::string v);
  static Value Array(std::vector<Value> items);
  // Fields in the schema's order.
  static Value Record(std::vector<Value> fields);

  bool is_null() const { return kind == Kind::kNull; }
  // The field with Iceberg field id `id`, else the one named `name`; null
  // when the record has neither.
  const Value* Field(int32_t id, std::string_view name) const;
};

// The container bytes of `records` encoded against `schema`, with
// `metadata` (plus avro.schema and avro.codec) in the header. `codec`:
// "null" (what manifests are written with), "deflate", "snappy",
// "zstandard".
Result<std::string> WriteContainer(const nlohmann::ordered_json& schema,
                                   const std::map<std::string, std::string>& metadata,
                                   const std::vector<Value>& records,
                                   std::string_view codec = "null");

struct Container {
  std::map<std::string, std::string> metadata;  // every header key
  nlohmann::ordered_json schema;
  std::vector<Value> records;
};

// Decodes a whole container; kCorruption naming `what` and the offset when
// it is damaged, kUnimplemented for an unknown codec.
Result<Container> ReadContainer(std::string_view bytes, std::string_view what);

}  // namespace lakepipe::iceberg::avro_io
