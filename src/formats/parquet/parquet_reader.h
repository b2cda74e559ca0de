// Parquet reader (flat and nested columns, see schema_mapping.h for the
// types), and the footer facts `lakepipe inspect` shows.
//
// OpenParquetReader checks the file before it reads any data: the PAR1
// magic at both ends, the footer length against the file size, every column
// chunk of every row group (metadata present, path and physical type match
// the schema leaf, offsets and sizes inside the file, value counts equal to
// the row group's row count, codec supported). It then streams the column
// chunks page by page (see column_reader.h): memory holds one page per
// column and that column's dictionary, never a whole row group. A batch may
// span pages and row groups. A top-level field that is a single optional or
// required leaf is read straight into its column; other fields read each
// leaf's levels and values and assemble them (record_assembly.h).
//
// Batches use the file's own schema (MapFileSchema in schema_mapping.h),
// restricted to ReadOptions::columns (top-level field names) when the file
// has all of them: only the column chunks below those fields are read and
// decoded (a projection's pruning).
// ReadOptions::schema is ignored (OpenReader in formats/open.h projects
// batches when another schema is wanted, and sets `columns` for it).
//
// Errors: damaged files (inconsistent levels included) give kCorruption,
// features lakepipe lacks (VARIANT, modular encryption, the LZO codec, ...)
// give kUnimplemented; messages name the file, row group, column path
// (a.b.element) and what is wrong. After an error the reader keeps returning that error.
//
// Thread-safety: a reader is used by one thread at a time.
#pragma once

#include <memory>

#include <nlohmann/json.hpp>

#include "formats/format.h"
#include "formats/parquet/metadata.h"
#include "storage/object_store.h"

namespace lakepipe {

// Opens a Parquet file; see above.
Result<std::unique_ptr<RecordReader>> OpenParquetReader(std::unique_ptr<InputFile> file,
                                                        const ReadOptions& options);

// Footer facts as JSON (keys documented on FormatInfo::describe in
// format.h): "format", "file_size", "num_rows", "created_by", "version",
// "metadata", "codecs", "encodings", and "row_groups" with per-column
// "name", "physical_type", "logical_type", "repetition", "field_id",
// "codec", "encodings", "num_values", "null_count", "min", "max" (decoded
// per type; omitted when absent), "compressed_size", "uncompressed_size",
// "data_page_offset", "dictionary_page_offset". Works for files whose
// columns the reader cannot decode (e.g. nested ones). Every string in the
// result is valid UTF-8.
Result<nlohmann::json> DescribeParquet(InputFile* file);

namespace parquet {

// Reads and parses the footer of `file`. `*footer_offset` gets the offset
// of the footer's first byte (the end of the column data).
Result<FileMetaData> ReadFileMetaData(InputFile* file, uint64_t* footer_offset);

}  // namespace parquet
}  // namespace lakepipe
