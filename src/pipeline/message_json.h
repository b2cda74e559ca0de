// JSON Kafka messages of records with nested fields: compact objects,
// arrays and maps in the values' own types, leaves as core/column_json.h
// prints them (exact decimals, ISO-8601 dates), except that timestamps
// always carry their fraction ("2026-01-01T00:00:00.000Z" for millis), as
// APIs such as randomuser.me write them.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "core/column.h"

namespace lakepipe {

// Appends row `row` of `batch` as one JSON object (no newline).
void AppendMessageJson(const RecordBatch& batch, size_t row, std::string* out);

}  // namespace lakepipe
