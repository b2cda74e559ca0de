// Text formats: JSON Lines (.jsonl, .ndjson), JSON arrays (.json) and CSV.
//
// Value text (reading and writing):
//   boolean     true/false (CSV also accepts 1/0, case-insensitive true/false)
//   int/long    integers; reading also accepts a fraction or an exponent
//               whose value is exactly an integer (3.0, 1e3), parsed
//               exactly (never through a double); a value outside the
//               type's range or with a non-zero fraction is a bad record
//   float/double numbers (shortest text that reads back exactly; -0.0 keeps
//               its sign); NaN and infinities as the strings "NaN",
//               "Infinity", "-Infinity" (JSON has no literals for them;
//               reading also accepts them bare, as DuckDB writes them)
//   string/uuid text; enum: the symbol
//   bytes       base64 (RFC 4648, with padding)
//   date        "YYYY-MM-DD" (reading also accepts days since epoch as a number)
//   timestamps  ISO-8601 UTC "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (reading also
//               accepts offsets and epoch numbers in the field's unit, read
//               as int/long are); reading takes only values the lake's
//               readers accept, 0001-01-01 to 9999-12-31 (core/time_util.h)
//   null        JSON null / a missing key; CSV: an empty unquoted field.
//               CSV writes an empty string as "" so it stays distinct from null.
//   struct, list, map  JSON object, array, object (string keys) or
//               [{"key": k, "value": v}] (other keys; reading also takes an
//               object whose keys are the keys' text); CSV: the JSON text in
//               the cell. Printed as core/column_json.h prints them
//               (JsonTextStyle::kLake).
//   decimal     an exact JSON number (reading: a number or a string, parsed
//               exactly; more digits than the precision or fraction digits
//               than the scale is a bad record)
//   int8..uint64 integers checked against the type's range
//   fixed       base64 of exactly its size; uuid on fixed(16): 8-4-4-4-12
//   time        "HH:MM:SS.fff[fff]" (reading also a count since midnight)
//   local and nanosecond timestamps: ISO-8601 without "Z" / with nine
//               fraction digits
//   A bad nested value names its path: "field 'location.street.number':
//   ...", "field 'tags[]'" (list elements), "field 'm{}'" (map values).
//
// Reading JSON: every record is an object; keys are matched to schema
// fields by name (unknown keys are ignored, the last of duplicate keys
// wins). Values that do not have the field's type are converted when the
// conversion is exact: numeric and boolean strings for numeric and boolean
// fields, and for string fields the JSON text of numbers, booleans, objects
// and arrays. A missing or null value of a field that is not nullable, a
// value that does not fit, invalid JSON or a line that is not an object
// makes the record bad: it goes to ReadOptions::bad_records, or reading
// fails with kInvalidArgument "path:line: reason". The "json" format reads
// a top-level array of objects, or objects one after another (as in JSON
// Lines). Records are at most 64 MiB; a UTF-8 byte order mark is skipped.
//
// CSV (RFC 4180): quoted fields may hold delimiters, doubled quotes and line
// breaks; rows end with LF or CRLF (writers use LF). With a header, columns
// are matched to fields by name (extra columns are ignored; a required field
// without a column fails at open); without one, by position. Blank lines
// are skipped unless rows have a single column (then they are nulls).
//
// Writers buffer output and append it to the stream in 1 MiB pieces;
// strings are written as valid UTF-8 (invalid bytes become U+FFFD).
//
// Thread-safety: the functions here are thread-safe; readers and writers
// belong to one thread at a time.
#pragma once

#include <string>

#include "formats/format.h"

namespace lakepipe {

FormatInfo JsonLinesFormat();
FormatInfo JsonArrayFormat();
FormatInfo CsvFormat();

struct InferOptions {
  // Rows sampled from the start of the file.
  size_t sample_rows = 10000;
  bool csv_header = true;
  char csv_delimiter = ',';
  // Name of the inferred record.
  std::string record_name = "record";
};

// Infers a schema from the first rows of a JSON Lines, JSON array or CSV
// file: booleans, int widening to long and then double, strings; strings
// that all parse as dates / ISO-8601 timestamps become date /
// timestamp-micros; canonical UUIDs become uuid. A field missing or null in
// some sampled rows is nullable; one never seen with a value has type null.
// JSON objects become structs (never maps, as DuckDB infers them): their
// keys unioned over the sample, a key missing from some objects nullable;
// arrays become lists of their elements' widened type (only empty arrays:
// a list of nullable strings). Values of incompatible kinds (a number and a
// string, an object and an array) make a string (objects and arrays kept as
// their JSON text). Records are named after their path (location_street). "NaN",
// "Infinity" and "-Infinity" count as doubles. Fields keep the order in
// which their keys first appear.
// CSV values are classified from their text: empty (unquoted) is null,
// integers, decimals and exponents (double), true/false (boolean), else the
// string rules above. Without a header the columns are named column0,
// column1, ... (as DuckDB names them); a header naming a column twice is an
// error. Malformed rows are skipped here (reading reports them). Fails with
// kInvalidArgument when a JSON sample holds no object or a CSV file is empty.
Result<Schema> InferSchema(InputFile* file, const FormatInfo& format, const InferOptions& options);

namespace text {
class JsonRowEncoder;
}  // namespace text

// Encodes rows of one schema as JSON objects (no newline), using the value
// text above. Prepares per-field plans once: build one per schema and reuse
// it for every row. Thread-safety: Append is const and may run concurrently.
class JsonRowWriter {
 public:
  explicit JsonRowWriter(const Schema& schema);
  ~JsonRowWriter();
  JsonRowWriter(JsonRowWriter&&) noexcept;
  JsonRowWriter& operator=(JsonRowWriter&&) noexcept;
  // REQUIRES: batch has the schema given to the constructor.
  void Append(const RecordBatch& batch, size_t row, std::string* out) const;

 private:
  std::unique_ptr<text::JsonRowEncoder> encoder_;
};

// Appends row `row` of `batch` as one JSON object (no newline). Prepares
// the schema's plans on every call: for many rows use JsonRowWriter.
void AppendJsonRow(const RecordBatch& batch, size_t row, std::string* out);

// Parses single JSON objects (e.g. Kafka message values) into rows of one
// schema, with the JSON Lines reader's parser and its rules above (keys
// matched by name, exact conversions, the same reasons for bad records).
// Keeps a padded copy of each input (simdjson reads past the end) and the
// parser's scratch memory between calls: build one per schema and reuse it.
// Thread-safety: none; one thread at a time.
class JsonRecordParser {
 public:
  explicit JsonRecordParser(SchemaPtr schema);
  ~JsonRecordParser();
  JsonRecordParser(JsonRecordParser&&) noexcept;
  JsonRecordParser& operator=(JsonRecordParser&&) noexcept;

  const SchemaPtr& schema() const { return schema_; }

  // Appends the object in `json` (surrounding JSON whitespace allowed) to
  // `*out` as one committed row and returns true. Otherwise returns false,
  // leaves `*out` as it was and sets `*reason`: "invalid JSON (...)",
  // "expected a JSON object, got ...", "field 'x': missing, and the field is
  // not nullable", "field 'x': expected int, got \"abc\"" (for an enum:
  // "expected one of the symbols A, B, got \"C\""). An empty or blank
  // input is "empty input: expected a JSON object".
  // REQUIRES: out->schema() has schema()'s fields.
  bool Parse(std::string_view json, RecordBatch* out, std::string* reason);

 private:
  struct Impl;
  SchemaPtr schema_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lakepipe
