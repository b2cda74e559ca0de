// Partitioner: the Hive-style partition path of each record, from a template.
//
// Template: path components separated by '/', each "name=value". The name
// is an identifier ([A-Za-z_][A-Za-z0-9_]*, at most kMaxPartitionNameBytes
// bytes, unique in the template). The value mixes literal text with
// placeholders {field} or {field:FORMAT}; "{{" and "}}" are literal braces.
//
//   event_time  the record's event time: the time field (--time-field: a
//               timestamp-millis, timestamp-micros, date, or ISO-8601 string
//               field; a string that does not parse is a null event time),
//               or without one the Kafka record timestamp (a negative
//               timestamp means none: null). An event time outside the
//               years 0001..9999 fails EventTimeReadable() (a bad record).
//               The name always means this, even when the schema has a
//               field called event_time (pass --time-field event_time to
//               partition by that field).
//   other names fields of the schema. Booleans render true/false, ints and
//               longs in decimal, floats and doubles as the shortest text
//               that reads back (NaN, Infinity, -Infinity), strings and
//               uuids as they are, enums as the symbol, dates YYYY-MM-DD,
//               timestamps ISO-8601 UTC. Only top-level fields: bytes,
//               fixed, decimal, uint64, union, record, list and map fields
//               and values inside records ({location.country}) are refused
//               naming the field.
//   FORMAT      strftime-like over UTC, only for event_time, date and
//               timestamp fields and the time field: %Y (year, at least 4
//               digits), %m %d %H %M %S (2 digits), %j (day of the year, 3
//               digits), %u (ISO weekday, 1 = Monday), %% (a '%'); any other
//               character is literal. It cannot hold '/', '{' or '}'.
// A value with any null placeholder is null as a whole.
//
// Default template: "event_date={event_time:%Y-%m-%d}/hour={event_time:%H}".
// An empty template means an unpartitioned table (the path is empty).
//
// Every value goes through EscapeHiveValue() below, so that a path never
// leaves the table: '/' and every other special character are escaped, and
// each component is "name=" followed by an escaped value (a value of "..",
// for instance, gives the component "name=..", not a parent directory).
//
// Thread-safety: a Partitioner is immutable after Make(); PathFor() may run
// concurrently. EscapeHiveValue() is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"

namespace lakepipe::archive {

inline constexpr std::string_view kDefaultPartitionTemplate =
    "event_date={event_time:%Y-%m-%d}/hour={event_time:%H}";
// How Hive names the partition of null and empty values; DuckDB, Spark and
// Trino read it back as NULL.
inline constexpr std::string_view kHiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";
// Longest escaped value kept whole; longer ones are cut and hashed (below).
inline constexpr size_t kMaxEscapedValueBytes = 200;
inline constexpr size_t kMaxPartitionNameBytes = 50;

// Hive's escaping of one partition value (Hive's FileUtils.escapePathName):
//   - null, or an empty string: __HIVE_DEFAULT_PARTITION__;
//   - "%" followed by two uppercase hex digits for the bytes 0x00-0x1F,
//     0x7F and " # % ' * / : = ? \ { [ ] ^ (Hive's set on Linux), so
//     "a/b" -> "a%2Fb", "x=y" -> "x%3Dy", "%2F" -> "%252F";
//   - every other byte of valid UTF-8 as it is (so "café" stays "café");
//     bytes that are not valid UTF-8 are %-escaped too (Java strings cannot
//     hold them; this keeps paths valid UTF-8, which object stores need).
// Two additions keep values distinct from what readers treat as null:
// a value equal to "null" in any letter case has its first letter escaped
// ("NULL" -> "%4EULL"), because DuckDB reads a bare NULL as SQL NULL; and a
// value equal to "__HIVE_DEFAULT_PARTITION__" has its first '_' escaped.
// Readers that decode %XX (Hive, Spark, DuckDB) get the original back.
//
// Length cap: when the escaped value would exceed kMaxEscapedValueBytes
// (with the name, a path component must stay under the 255-byte limit of
// common file systems), it is cut at a character boundary (never inside a
// UTF-8 sequence or a %XX escape) and suffixed with "~" and 16 lowercase
// hex digits of the 64-bit FNV-1a hash of the whole value, so that distinct
// long values stay in distinct partitions. The result is then exactly
// kMaxEscapedValueBytes bytes or a little less. Readers see the cut value
// in the partition column; the record itself keeps the full value.
std::string EscapeHiveValue(std::string_view value, bool is_null);
// Appends EscapeHiveValue(value, is_null) to `*out`.
void AppendHiveValue(std::string_view value, bool is_null, std::string* out);

class Partitioner {
 public:
  // Parses and checks `templ` against `schema`; `time_field` ("" for the
  // Kafka timestamp) names the field event_time comes from. kInvalidArgument
  // naming the problem: a component that is not name=value, an empty or
  // invalid or repeated name, an unknown field (the message lists the
  // fields), an unclosed or empty placeholder, a FORMAT on a field that is
  // not a time, an unknown FORMAT specifier, a bytes field, a time field
  // that is not a timestamp, date or string.
  static Result<Partitioner> Make(const Schema& schema, std::string_view templ,
                                  std::string_view time_field);

  // Replaces `*out` with the relative path of row `row` of `batch`, e.g.
  // "event_date=2026-11-21/hour=05" (no leading or trailing '/').
  // `kafka_timestamp_ms`: the record's Kafka timestamp, -1 when absent.
  // REQUIRES: batch has the schema given to Make(); row < batch.num_rows().
  void PathFor(const RecordBatch& batch, size_t row, int64_t kafka_timestamp_ms,
               std::string* out) const;

  // The row's event time in microseconds since the epoch (UTC), or nullopt
  // when it is null. Same REQUIRES as PathFor().
  std::optional<int64_t> EventTimeMicros(const RecordBatch& batch, size_t row,
                                         int64_t kafka_timestamp_ms) const;

  // False, with `*reason`, when the template uses the event time and the
  // row's event time (a time field's value, or the Kafka timestamp) is
  // outside what the lake's readers accept (TimestampMicrosInReaderRange in
  // core/time_util.h): such a record is bad. Null event times are fine.
  // Same REQUIRES as PathFor().
  bool EventTimeReadable(const RecordBatch& batch, size_t row, int64_t kafka_timestamp_ms,
                         std::string* reason) const;

  // PathFor() and EventTimeReadable() in one, the event time read once:
  // false, with `*reason` and `*out` unspecified, when the row's event time
  // is outside what the lake's readers accept. Same REQUIRES as PathFor().
  bool ReadablePathFor(const RecordBatch& batch, size_t row, int64_t kafka_timestamp_ms,
                       std::string* out, std::string* reason) const;

  // The partition column names, in path order.
  std::vector<std::string> names() const;

 private:
  enum class PieceKind { kLiteral, kEventTime, kField };
  struct Piece {
    PieceKind kind = PieceKind::kLiteral;
    std::string text;  // kLiteral: the text; otherwise the FORMAT ("" = none)
    bool has_format = false;
    size_t field = 0;  // kField: schema field index
  };
  struct Component {
    std::string name;
    std::vector<Piece> pieces;
  };

  Partitioner() = default;
  // Appends the text of one placeholder; false when its value is null.
  // The event time (nullopt when null) and whether readers accept it
  // (see EventTimeReadable()).
  bool ReadEventTime(const RecordBatch& batch, size_t row, int64_t kafka_timestamp_ms,
                     std::optional<int64_t>* event_time, std::string* reason) const;
  void AppendPath(const RecordBatch& batch, size_t row, const std::optional<int64_t>& event_time,
                  std::string* out) const;
  bool AppendPiece(const Piece& piece, const RecordBatch& batch, size_t row,
                   const std::optional<int64_t>& event_time, std::string* out) const;

  std::vector<Component> components_;
  std::vector<Field> fields_;  // the schema's fields, for rendering
  int time_field_ = -1;        // -1: the Kafka timestamp
  bool uses_event_time_ = false;
};

}  // namespace lakepipe::archive
