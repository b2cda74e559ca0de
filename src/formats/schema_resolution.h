// Avro schema resolution as a plan: how each field of a reader schema is
// produced from data written with a writer schema.
//
// One set of rules serves both the Avro datum decoder (avro_datum.h), which
// resolves while decoding bytes, and BatchProjector (formats/projection.h),
// which converts in-memory batches. The rules are those listed in
// formats/projection.h: fields by name or reader alias, defaults for missing
// reader fields, dropped writer fields, numeric promotions, string <-> bytes,
// nullable widening, per-record null checks and enums by symbol (with the
// reader enum's "default" symbol).
//
// The plan is decided once per schema pair; the Append* helpers below apply
// it to one value at a time without further decisions.
//
// Implemented in formats/projection.cc and, for nested types,
// formats/schema_resolution.cc (library formats_api) so that every format
// can use it.
//
// Thread-safety: a SchemaResolution is immutable after ResolveSchemas();
// share it freely between threads.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"

namespace lakepipe {

// How one writer value becomes a reader value.
enum class ValueConversion : uint8_t {
  kCopy,            // same in-memory representation (incl. string <-> bytes)
  kIntToLong,       // int32 -> int64
  kIntToFloat,      // int32 -> float
  kIntToDouble,     // int32 -> double
  kLongToFloat,     // int64 -> float
  kLongToDouble,    // int64 -> double
  kFloatToDouble,   // float -> double
  kMillisToMicros,  // timestamp-millis -> timestamp-micros (may overflow)
  kMicrosToMillis,  // timestamp-micros -> timestamp-millis (floor)
  kEnumRemap,       // writer symbol index -> reader symbol index
  kNull,            // the writer field has type null: every value is null
};

// A reader field's default value, converted to the field's type once.
struct DefaultDatum {
  bool is_null = true;
  Storage storage = Storage::kNone;
  bool boolean = false;
  int32_t i32 = 0;
  int64_t i64 = 0;
  float f32 = 0;
  double f64 = 0;
  std::string bytes;
};

// How one reader field is produced.
struct FieldResolution {
  size_t reader_field = 0;
  // Index of the writer field read, or -1 when the reader field takes
  // `default_value` (the writer has no such field).
  int writer_field = -1;
  ValueConversion conversion = ValueConversion::kCopy;
  // The writer field may hold null but the reader field may not: a null
  // value makes that record bad.
  bool null_is_bad = false;
  // kEnumRemap: reader symbol index for each writer symbol index; -1 when
  // the reader enum lacks the symbol and has no default symbol.
  std::vector<int32_t> enum_map;
  // Only meaningful when writer_field == -1.
  DefaultDatum default_value;

  // True when some values of a valid record cannot be converted.
  bool CanFail() const {
    if (null_is_bad || conversion == ValueConversion::kMillisToMicros) return true;
    if (conversion != ValueConversion::kEnumRemap) return false;
    for (int32_t m : enum_map) {
      if (m < 0) return true;
    }
    return false;
  }
};

struct SchemaResolution {
  // One entry per reader field, in reader order.
  std::vector<FieldResolution> fields;
  // For each writer field: the index in `fields` that reads it, or -1 when
  // the reader drops it.
  std::vector<int> reader_of_writer;
  // The reader's fields equal the writer's, in the same order, with the same
  // types, logical types, nullability and enum symbols.
  bool identity = false;
};

// Plans reading data written with `writer` as `reader`. Fails with
// kInvalidArgument naming the first reader field that cannot be resolved
// (no such writer field and no default, incompatible types or logical
// types, an invalid default, two reader fields reading one writer field).
Result<SchemaResolution> ResolveSchemas(const Schema& writer, const Schema& reader);

// Nested types (the complete model of core/schema.h). ResolveSchemas() plans
// the flat view; these apply the Avro specification's rules at every
// nesting level: records by field name or reader alias (a reader field the
// writer lacks needs a default), arrays by items, maps by values (a map and
// an array of {key, value} records read each other when the keys do), a
// writer union branch into the first reader union member that matches it,
// promotions int -> long -> float -> double, string <-> bytes, fixed of
// equal size, enums by name.

// Whether a writer value of type `writer` can be read as `reader` (neither
// a union of several members): the same type, or with `exact` false also
// one it promotes to. Records, enums and fixed match by unqualified name
// only when `exact`.
bool AvroTypesMatch(const Field& writer, const Field& reader, bool exact);

// Checks that data written with `writer` can be read as `reader` at every
// nesting level. Fails with kInvalidArgument naming the field path (e.g.
// "location.street.number") and why: a writer union branch no reader member
// takes, types that do not resolve, or a reader field with no writer field
// and no default. A writer null into a reader that cannot be null is left
// to each record, as ResolveSchemas() leaves it.
Status CheckNestedResolution(const Schema& writer, const Schema& reader);

// Why a record was rejected for field `r`: `was_null` when its value was
// null, else `value` is the writer's int32/int64 value that had no reader
// equivalent (an enum symbol index or a timestamp).
std::string DescribeRejection(const Schema& writer, const Schema& reader, const FieldResolution& r,
                              bool was_null, int64_t value);

// Why a record was rejected because `value`, read into the string field
// `reader_field`, is not valid UTF-8 from byte `bad` on.
std::string DescribeInvalidUtf8(const Field& reader_field, std::string_view value, size_t bad);

// Appending one writer value to the reader column `out` (whose storage is
// the reader field's). Each REQUIRES the writer field's storage to match
// the function (int32 for int/date/enum, int64 for long/timestamps, ...).
// The bool results are false when the value has no reader equivalent; the
// column is then unchanged.

inline bool AppendResolvedInt32(const FieldResolution& r, int32_t v, Column* out) {
  switch (r.conversion) {
    case ValueConversion::kIntToLong:
      out->AppendInt64(v);
      return true;
    case ValueConversion::kIntToFloat:
      out->AppendFloat(static_cast<float>(v));
      return true;
    case ValueConversion::kIntToDouble:
      out->AppendDouble(static_cast<double>(v));
      return true;
    case ValueConversion::kEnumRemap: {
      if (v < 0 || static_cast<size_t>(v) >= r.enum_map.size()) return false;
      const int32_t mapped = r.enum_map[static_cast<size_t>(v)];
      if (mapped < 0) return false;
      out->AppendInt32(mapped);
      return true;
    }
    default:
      out->AppendInt32(v);
      return true;
  }
}

inline bool AppendResolvedInt64(const FieldResolution& r, int64_t v, Column* out) {
  switch (r.conversion) {
    case ValueConversion::kLongToFloat:
      out->AppendFloat(static_cast<float>(v));
      return true;
    case ValueConversion::kLongToDouble:
      out->AppendDouble(static_cast<double>(v));
      return true;
    case ValueConversion::kMillisToMicros: {
      constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 1000;
      if (v > kLimit || v < -kLimit) return false;
      out->AppendInt64(v * 1000);
      return true;
    }
    case ValueConversion::kMicrosToMillis:
      out->AppendInt64(v / 1000 - ((v % 1000 != 0) && (v < 0)));
      return true;
    default:
      out->AppendInt64(v);
      return true;
  }
}

inline void AppendResolvedFloat(const FieldResolution& r, float v, Column* out) {
  if (r.conversion == ValueConversion::kFloatToDouble) {
    out->AppendDouble(static_cast<double>(v));
  } else {
    out->AppendFloat(v);
  }
}

inline void AppendResolvedDouble(const FieldResolution&, double v, Column* out) {
  out->AppendDouble(v);
}

inline void AppendResolvedBool(const FieldResolution&, bool v, Column* out) { out->AppendBool(v); }

inline void AppendResolvedBytes(const FieldResolution&, std::string_view v, Column* out) {
  out->AppendBytes(v);
}

// Appends the reader field's default. REQUIRES: r.writer_field == -1.
inline void AppendDefault(const FieldResolution& r, Column* out) {
  const DefaultDatum& d = r.default_value;
  if (d.is_null) {
    out->AppendNull();
    return;
  }
  switch (d.storage) {
    case Storage::kNone:
      out->AppendNull();
      break;
    case Storage::kBool:
      out->AppendBool(d.boolean);
      break;
    case Storage::kInt32:
      out->AppendInt32(d.i32);
      break;
    case Storage::kInt64:
      out->AppendInt64(d.i64);
      break;
    case Storage::kFloat:
      out->AppendFloat(d.f32);
      break;
    case Storage::kDouble:
      out->AppendDouble(d.f64);
      break;
    case Storage::kBinary:
      out->AppendBytes(d.bytes);
      break;
  }
}

}  // namespace lakepipe
