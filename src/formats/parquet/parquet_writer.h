// Streaming Parquet writer for flat schemas.
//
// Profile (what DuckDB, Spark, Athena and Snowflake all read): data pages
// v1; a PLAIN dictionary page first in each column chunk and RLE_DICTIONARY
// data pages, falling back to PLAIN pages when the dictionary passes
// ParquetWriteOptions::dictionary_page_bytes or does not pay off on the
// first page; definition levels RLE with a length prefix (OPTIONAL columns
// only); chunk statistics (min_value, max_value, null_count; NaN excluded)
// with TYPE_ORDER column orders; LogicalType and ConvertedType annotations
// (see schema_mapping.h); field_id on every leaf; created_by
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
