// The `file:PATH` source: replays the records of a Parquet, Avro, JSON
// Lines, JSON or CSV file (format chosen by extension; PATH may be a path or
// a URI such as file:///data/x.parquet). The schema is
// SourceOptions::file_schema when set (text is parsed into it, Avro and
// Parquet data resolved into it), else the file's own (Parquet, Avro) or one
// inferred from the first rows (JSON, CSV). Malformed records go to
// SourceOptions::bad_records. Finite: Next returns false at the end.
//
// Thread-safety: a source is used by one thread at a time.
#pragma once

#include <memory>
#include <string_view>

#include "sources/source.h"

namespace lakepipe::sources {

Result<std::unique_ptr<Source>> NewFileSource(std::string_view path, const SourceOptions& options);

// Appends rows [begin, end) of `from` to `to`; both have the same fields.
void AppendRows(const RecordBatch& from, size_t begin, size_t end, RecordBatch* to);

}  // namespace lakepipe::sources
