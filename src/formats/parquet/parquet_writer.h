// Streaming Parquet writer for the complete type model (nested structs,
// lists and maps, logical types; see schema_to_parquet.h).
//
// Profile (what DuckDB, Spark, Athena and Snowflake all read): data pages
// v1; a PLAIN dictionary page first in each column chunk and RLE_DICTIONARY
// data pages, falling back to PLAIN pages when the dictionary passes
// ParquetWriteOptions::dictionary_page_bytes or does not pay off on the
// first page; repetition and definition levels RLE with a length prefix
// (when the leaf has them; see shred.h), pages of repeated leaves ending
// where rows end; chunk statistics (min_value, max_value where the order is
// well defined, null_count; NaN excluded) with TYPE_ORDER column orders;
// LogicalType and ConvertedType annotations and field_id on every element
// (see schema_to_parquet.h); created_by
// "lakepipe version X.Y.Z (build HASH)"; the Avro schema in the key-value
// metadata under "parquet.avro.schema".
//
// Memory: one row group's compressed pages plus each column's open page and
// dictionary; a row group is closed when its uncompressed pages reach
// ParquetWriteOptions::row_group_bytes, whatever the file size.
//
// Lifecycle: Write()... then exactly one of Finish() or Abort(); the
// destructor of an unfinished writer aborts. Not thread-safe.
#pragma once

#include <memory>

#include "formats/format.h"

namespace lakepipe {

// kInvalidArgument naming the bad value when `options` cannot be written
// (unknown compression, zero page or row group size); NewParquetWriter
// fails the same way.
Status CheckParquetWriteOptions(const ParquetWriteOptions& options);

Result<std::unique_ptr<FileWriter>> NewParquetWriter(std::unique_ptr<OutputStream> out,
                                                     SchemaPtr schema,
                                                     const ParquetWriteOptions& options);

}  // namespace lakepipe
