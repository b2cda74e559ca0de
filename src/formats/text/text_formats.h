// Text formats: JSON Lines (.jsonl, .ndjson), JSON arrays (.json) and CSV.
//
// Value text (reading and writing):
//   boolean     true/false (CSV also accepts 1/0, case-insensitive true/false)
//   int/long    integers; JSON also accepts integral floats like 3.0
//   float/double numbers; NaN and infinities as the strings "NaN",
//               "Infinity", "-Infinity" (JSON has no literals for them)
//   string/uuid text; enum: the symbol
//   bytes       base64 (RFC 4648, with padding)
//   date        "YYYY-MM-DD" (reading also accepts days since epoch as a number)
//   timestamps  ISO-8601 UTC "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" (reading also
//               accepts offsets and epoch numbers in the field's unit)
//   null        JSON null / a missing key; CSV: an empty unquoted field.
//               CSV writes an empty string as "" so it stays distinct from null.
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
// Nested JSON values become strings holding their JSON text. Malformed rows
// are skipped here (reading reports them).
Result<Schema> InferSchema(InputFile* file, const FormatInfo& format, const InferOptions& options);

// Appends row `row` of `batch` as one JSON object (no newline), using the
// value text above. Used by the JSON writers and by `inspect`.
void AppendJsonRow(const RecordBatch& batch, size_t row, std::string* out);

}  // namespace lakepipe
