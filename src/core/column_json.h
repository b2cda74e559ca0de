// Values of a batch as JSON text, as DuckDB's to_json prints rows: for
// tests (comparing what a reader returns with what was written) and for
// messages naming a value.
//
//   struct (and union struct)  {"a": 1, "b": null}
//   list                       [1, null, 2]
//   map                        {"k": 1} with string keys, else
//                              [{"key": 1, "value": 2}]
//   decimal                    12.34 (exact, from the unscaled value)
//   date, time                 "2024-01-31", "12:34:56.789"
//   timestamp                  "2024-01-31T12:34:56.789Z" (UTC-adjusted;
//                              local ones without the "Z")
//   bytes, fixed               "\x00ab" (printable ASCII as is, others \xNN)
//   uuid on fixed(16)          "8-4-4-4-12" hex text
//   enum                       the symbol
//   uint64                     the unsigned value
//
// JsonTextStyle::kLake prints what lakepipe's JSON and CSV writers write
// for nested and logical values: the same text without blanks after ',' and
// ':', bytes and fixed as base64, and non-finite floats as "NaN",
// "Infinity" and "-Infinity", so that lakepipe's readers take it back.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "core/column.h"

namespace lakepipe {

enum class JsonTextStyle {
  kDuckDb,  // as above (tests, messages)
  kLake,    // what the text writers write (see above)
};

// Appends the value of row `row` of `column` (a column of `field`) to `out`.
void AppendValueJson(const Field& field, const Column& column, size_t row, std::string* out,
                     JsonTextStyle style = JsonTextStyle::kDuckDb);
std::string ValueJson(const Field& field, const Column& column, size_t row);
// {"field": value, ...} for row `row` of `batch`.
std::string RowJson(const RecordBatch& batch, size_t row);
// One RowJson line per row.
std::string BatchJson(const RecordBatch& batch);
// True when both batches have the same field names and kinds and every row
// prints the same; otherwise false and `*diff` says where they first differ.
bool BatchesEqual(const RecordBatch& a, const RecordBatch& b, std::string* diff);

}  // namespace lakepipe
