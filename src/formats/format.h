// File formats: readers and writers of record batches, chosen by name.
//
//   RecordReader  reads one file batch by batch.
//   FileWriter    writes batches to one file: Write()... then exactly one of
//                 Finish() (the file becomes visible atomically) or Abort().
//                 Destroying an unfinished writer aborts it.
//   FormatRegistry  maps names ("parquet", "avro", "jsonl", "json", "csv")
//                 and file extensions to factories; filled explicitly by
//                 RegisterBuiltinFormats().
//
// Thread-safety: readers and writers are used by one thread at a time;
// the registry is read-only after registration.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"
#include "storage/object_store.h"

namespace lakepipe {

// A record that could not be read, with where it came from and why.
struct BadRecord {
  std::string source;   // file path or URI
  uint64_t line = 0;    // 1-based line for text formats; 0 when not applicable
  uint64_t offset = 0;  // byte offset of the record in the source
  std::string reason;
  std::string raw;  // the record's text (text formats) or bytes
};

// Receives bad records. Returning an error stops reading with that error.
using BadRecordSink = std::function<Status(const BadRecord&)>;

struct ReadOptions {
  // Schema the records are read into. Required for JSON/CSV (use
  // InferSchema() to make one); for Avro it is the reader schema of schema
  // resolution; for Parquet a projection by field name. Null: the file's own.
  SchemaPtr schema;
  // Formats that can skip columns (Parquet) read only the columns named
  // here, when the file has them all; empty: every column. OpenReader()
  // sets it from `schema` when it projects.
  std::vector<std::string> columns;
  // Rows per batch returned by ReadBatch().
  size_t batch_rows = 8192;
  // Where malformed records go. Without a sink, the first malformed record
  // stops reading with kInvalidArgument "file:line: reason".
  BadRecordSink bad_records;
  // CSV: the first line holds column names.
  bool csv_header = true;
  char csv_delimiter = ',';
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // Schema of the batches this reader produces.
  virtual const SchemaPtr& schema() const = 0;
  // Clears `*batch` (whose schema must be schema()) and fills it with up to
  // ReadOptions::batch_rows rows. Returns false once the file is exhausted
  // (the batch is then empty).
  virtual Result<bool> ReadBatch(RecordBatch* batch) = 0;
  // Records rejected so far (sent to the bad-record sink).
  virtual uint64_t rejected() const { return 0; }
};

struct ParquetWriteOptions {
  // Codec of data and dictionary pages: none, snappy, gzip, zstd, brotli,
  // lz4 (= lz4_raw, Parquet's LZ4_RAW), lz4_raw, lz4_hadoop (Parquet's
  // deprecated LZ4 id in Hadoop's framing).
  std::string compression = "zstd";
  // Compression level. 0 = default: zstd tries levels 1 and 3 on each
  // column's first data page and keeps the smaller for that column; gzip 6.
  int compression_level = 0;
  // A row group is closed once its uncompressed pages reach this size.
  uint64_t row_group_bytes = 128ull << 20;
  // Target uncompressed size of one data page.
  uint64_t page_bytes = 1ull << 20;
  // Dictionary-encode columns (falls back to PLAIN per column when the
  // dictionary grows past dictionary_page_bytes or does not pay off).
  bool dictionary = true;
  uint64_t dictionary_page_bytes = 2ull << 20;
  // Give the repeated groups of lists and maps ("list", "key_value") field
  // ids after the schema's largest. Iceberg data files set it false: Java
  // writes them without ids, and readers that match columns by id must not
  // see ids the table schema does not have.
  bool repeated_group_field_ids = true;
};

struct AvroWriteOptions {
  // Block codec: null, deflate, snappy, zstandard, bzip2, xz.
  std::string codec = "null";
  int compression_level = 0;
  // A block is written once its encoded records reach this size.
  uint64_t block_bytes = 64ull << 10;
};

struct CsvWriteOptions {
  bool header = true;
  char delimiter = ',';
};

struct WriteOptions {
  ParquetWriteOptions parquet;
  AvroWriteOptions avro;
  CsvWriteOptions csv;
  OutputOptions output;
};

class FileWriter {
 public:
  virtual ~FileWriter() = default;
  // REQUIRES: batch.schema() has the writer's fields.
  virtual Status Write(const RecordBatch& batch) = 0;
  // Completes the file and makes it visible. REQUIRES: not finished/aborted.
  virtual Status Finish() = 0;
  // Discards the file. Safe after a failed Write() or Finish().
  virtual void Abort() = 0;
  virtual uint64_t rows_written() const = 0;
  // Encoded bytes so far, including data buffered but not yet flushed;
  // lets callers rotate files by size.
  virtual uint64_t bytes_written() const = 0;
  // Heap memory the writer holds for data not yet in the output stream
  // (open pages, row groups, dictionaries); lets callers bound memory
  // across many open writers. Streaming writers hold next to nothing.
  virtual uint64_t memory_bytes() const { return 0; }
};

struct FormatInfo {
  std::string name;                     // "parquet"
  std::string description;              // one line for --help
  std::vector<std::string> extensions;  // ".parquet"
  // Text formats need a schema (given or inferred) to read.
  bool needs_schema = false;
  // The reader honours ReadOptions::schema itself (parsing into it, or Avro
  // schema resolution). Otherwise OpenReader() projects its batches.
  bool resolves_schema = false;
  std::function<Result<std::unique_ptr<RecordReader>>(std::unique_ptr<InputFile>,
                                                      const ReadOptions&)>
      open_reader;
  std::function<Result<std::unique_ptr<FileWriter>>(std::unique_ptr<OutputStream>, SchemaPtr,
                                                    const WriteOptions&)>
      new_writer;
  // Checks the format's part of WriteOptions (codec names, sizes) without
  // writing anything, so that a long-running command can refuse bad options
  // at startup instead of at its first file. Null: nothing to check.
  std::function<Status(const WriteOptions&)> check_write_options;
  // Facts for `inspect` as JSON. Common keys: "format", "num_rows",
  // "file_size", "created_by", "codec", "metadata" (object of strings);
  // Parquet adds "row_groups": [{"num_rows", "total_byte_size",
  // "compressed_size", "columns": [{"name", "physical_type", "logical_type",
  // "codec", "encodings", "num_values", "null_count", "min", "max",
  // "compressed_size", "uncompressed_size"}]}]; Avro adds "blocks".
  std::function<Result<nlohmann::json>(InputFile*)> describe;
};

class FormatRegistry {
 public:
  // The process-wide registry with the built-in formats.
  static const FormatRegistry& Default();

  Status Register(FormatInfo info);
  // By name ("parquet").
  Result<const FormatInfo*> Find(std::string_view name) const;
  // By the path's extension (".parquet", ".ndjson", ...).
  Result<const FormatInfo*> ForPath(std::string_view path) const;
  const std::vector<FormatInfo>& formats() const { return formats_; }

 private:
  std::vector<FormatInfo> formats_;
};

// Registers parquet, avro, jsonl, json and csv.
void RegisterBuiltinFormats(FormatRegistry* registry);

}  // namespace lakepipe
