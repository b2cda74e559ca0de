// lakepipe convert IN OUT: converts between Parquet, Avro, JSON Lines, JSON and CSV.
#include <chrono>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/bad_records.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "core/units.h"
#include "formats/copy.h"
#include "formats/format.h"
#include "formats/open.h"

namespace lakepipe::cli {
namespace {

struct ConvertFlags {
  std::string input;
  std::string output;
  std::string schema_path;
  std::string input_format;
  std::string output_format;
  std::optional<std::string> compression;
  int compression_level = 0;
  std::string row_group_bytes = "128MiB";
  std::string page_bytes = "1MiB";
  bool no_dictionary = false;
  std::string bad_records;
  std::string csv_delimiter = ",";
  bool no_header = false;
  size_t sample_rows = 10000;
  bool quiet = false;
  std::string config_path;
  bool print_config = false;
  S3Flags s3;
};

Result<WriteOptions> MakeWriteOptions(const ConvertFlags& flags, const FormatInfo& out_format) {
  WriteOptions w;
  if (flags.compression) {
    if (out_format.name == "parquet") {
      w.parquet.compression = *flags.compression;
    } else if (out_format.name == "avro") {
      w.avro.codec = *flags.compression;
    } else {
      return InvalidArgumentError("--compression applies to parquet and avro output, not {}",
                                  out_format.name);
    }
  }
  w.parquet.compression_level = flags.compression_level;
  w.avro.compression_level = flags.compression_level;
  LP_ASSIGN_OR_RETURN(w.parquet.row_group_bytes, ParseByteSize(flags.row_group_bytes));
  LP_ASSIGN_OR_RETURN(w.parquet.page_bytes, ParseByteSize(flags.page_bytes));
  w.parquet.dictionary = !flags.no_dictionary;
  w.csv.header = !flags.no_header;
  w.csv.delimiter = flags.csv_delimiter[0];
  return w;
}

// Returns the exit status; prints the summary or the error.
Result<int> Convert(const ConvertFlags& flags) {
  const FormatRegistry& registry = FormatRegistry::Default();
  auto in_format = flags.input_format.empty() ? registry.ForPath(flags.input)
                                              : registry.Find(flags.input_format);
  if (!in_format.ok()) return in_format.status().WithContext("input");
  auto out_format = flags.output_format.empty() ? registry.ForPath(flags.output)
                                                : registry.Find(flags.output_format);
  if (!out_format.ok()) return out_format.status().WithContext("output");
  if (flags.csv_delimiter.size() != 1) {
    return InvalidArgumentError("--csv-delimiter must be one character, got '{}'",
                                flags.csv_delimiter);
  }
  Result<WriteOptions> write_options = MakeWriteOptions(flags, **out_format);
  if (!write_options.ok()) return write_options.status();
  write_options->output.create_parent_dirs = false;

  ReadOptions read_options;
  read_options.csv_header = !flags.no_header;
  read_options.csv_delimiter = flags.csv_delimiter[0];
  if (!flags.schema_path.empty()) {
    Result<Schema> schema =
        Schema::FromFile(flags.schema_path, SchemaParseOptions{.complete_types = true});
    if (!schema.ok()) return schema.status();
    read_options.schema = std::make_shared<const Schema>(std::move(schema).value());
  }
  // Outputs go into directories that exist: convert creates none.
  OutputOptions side_output;
  side_output.create_parent_dirs = false;
  std::unique_ptr<BadRecordFile> bad;
  if (!flags.bad_records.empty()) {
    auto opened = BadRecordFile::Open(flags.bad_records, side_output);
    if (!opened.ok()) return opened.status().WithContext("--bad-records");
    bad = std::move(opened).value();
    read_options.bad_records = bad->Sink();
  }
  InferOptions infer;
  infer.sample_rows = flags.sample_rows;

  const auto start = std::chrono::steady_clock::now();
  auto reader = OpenReader(flags.input, **in_format, read_options, infer);
  if (!reader.ok()) return reader.status();
  auto out = OpenOutputStream(flags.output, write_options->output);
  if (!out.ok()) return out.status();
  auto writer =
      (*out_format)->new_writer(std::move(out).value(), (*reader)->schema(), *write_options);
  if (!writer.ok()) return writer.status();

  Result<CopyStats> copied = CopyRecords(reader->get(), writer->get());
  Status status = copied.ok() ? (*writer)->Finish() : copied.status();
  if (!copied.ok()) (*writer)->Abort();
  const uint64_t rejected = (*reader)->rejected();
  if (bad) {
    // The rejects of a failed conversion are not published either.
    if (status.ok()) {
      status = bad->Commit();
    } else {
      bad->Abort();
    }
  }
  if (!status.ok()) return status;

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!flags.quiet) {
    // The size as written: the output may be a FIFO, which cannot be read back.
    fmt::print(stderr, "converted {} records: {} ({}) -> {} ({}, {}) in {}",
               FormatCount(copied->rows), flags.input, (*in_format)->name, flags.output,
               (*out_format)->name, FormatBytes((*writer)->bytes_written()),
               FormatSeconds(seconds));
    if (rejected > 0) {
      fmt::print(stderr, "; {} rejected -> {}", FormatCount(rejected), bad ? bad->path() : "");
    }
    fmt::print(stderr, "\n");
  }
  return rejected > 0 ? kExitRejected : kExitOk;
}

}  // namespace

Result<int> RunConvert(int argc, char** argv) {
  CLI::App app(
      "Convert a file between Parquet, Avro, JSON Lines (.jsonl/.ndjson), JSON arrays (.json) "
      "and CSV. Formats follow the file extensions unless given. Without --schema, the "
      "schema comes from the input file (Parquet, Avro) or is inferred from its first rows "
      "(JSON, CSV). The output appears only when the conversion succeeds.\n\nTypes: nested "
      "records, lists and maps at any depth and the logical types (decimal, uuid, fixed, "
      "date, time, UTC and local timestamps, small and unsigned integers) in every format; "
      "in CSV a nested value is a cell of JSON text. Not supported: Parquet VARIANT columns and "
      "Parquet modular encryption (refused with unsupported:).\n\nOutputs (OUTPUT, "
      "--bad-records): a regular file is written beside its destination and renamed into place "
      "at the end; a symbolic link is followed and its target replaced (the link stays); a "
      "character device, a FIFO (which waits for its reader) or /dev/stdout, /dev/stderr, "
      "/dev/fd/N is written in place "
      "and never replaced (what was written before a failure stays there); a directory, socket or "
      "block device is refused. convert creates no "
      "directories: the output's directory must exist.\n\nExit status: 0 "
      "done, 1 failed, 2 bad usage, 3 done but records were rejected (see --bad-records).",
      "lakepipe convert");
  ConvertFlags f;
  app.add_option("input", f.input, "Input file: a path, file:// or s3:// URI")->required();
  app.add_option("output", f.output,
                 "Output file: a path, file:// or s3:// URI (in an existing directory; see "
                 "Outputs above)")
      ->required();
  app.add_option(
      "--schema", f.schema_path,
      "Avro schema (.avsc) to read the input as: text is parsed into it, Avro and Parquet "
      "data are resolved into it (added fields need defaults)");
  app.add_option("--compression", f.compression,
                 "Parquet: none, snappy, gzip, zstd, brotli, lz4 (written as LZ4_RAW), lz4_raw, "
                 "lz4_hadoop (the deprecated LZ4 id, Hadoop-framed) (default zstd). Avro: null, "
                 "deflate, snappy, zstandard, bzip2, xz (default null)");
  app.add_option(
         "--compression-level", f.compression_level,
         "Codec level. 0 = default: Parquet zstd keeps, per column, the smaller of levels 1 "
         "and 3 (tried on the column's first page); gzip/deflate 6; Avro zstandard 3; brotli "
         "8 (1..11); bzip2 9 (1..9); xz 6 (1..9); lz4 has none")
      ->check(CLI::Range(0, 22));
  app.add_option("--row-group-bytes", f.row_group_bytes,
                 "Parquet: close a row group at this many uncompressed bytes")
      ->check(ByteSizeValidator())
      ->capture_default_str();
  app.add_option("--page-bytes", f.page_bytes, "Parquet: target data page size")
      ->check(ByteSizeValidator())
      ->capture_default_str();
  app.add_flag("--no-dictionary", f.no_dictionary, "Parquet: write PLAIN pages only");
  app.add_option(
      "--bad-records", f.bad_records,
      "Write malformed input records here (JSON Lines with source, line, reason, record) "
      "and convert the rest; without it the first malformed record stops the conversion. "
      "Written like the output, and only when the conversion succeeds");
  app.add_option("--input-format", f.input_format, "Input format: parquet, avro, jsonl, json, csv");
  app.add_option("--output-format", f.output_format,
                 "Output format: parquet, avro, jsonl, json, csv");
  app.add_option("--csv-delimiter", f.csv_delimiter, "CSV field delimiter")->capture_default_str();
  app.add_flag("--no-header", f.no_header, "CSV has no header row (columns by position)");
  app.add_option("--sample-rows", f.sample_rows, "Rows sampled to infer a schema from JSON or CSV")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("-q,--quiet", f.quiet, "Do not print the summary");
  app.add_option("--config", f.config_path,
                 "YAML config file shared by every command (its s3 section is used; the others are "
                 "validated)");
  AddPrintConfigFlag(&app, &f.print_config);
  AddS3Flags(&app, &f.s3);
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  auto cfg = LoadConfigWithS3Flags(app, f.config_path, f.s3);
  if (!cfg.ok()) return cfg.status();
  if (f.print_config) return PrintConfig(*cfg);
  LP_RETURN_IF_ERROR(ConfigureS3(*cfg));
  return Convert(f);
}

}  // namespace lakepipe::cli
