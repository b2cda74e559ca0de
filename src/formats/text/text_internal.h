// Pieces of the text module shared between its files and its tests; not a
// public API (use text_formats.h and the FormatInfo factories).
//
// Thread-safety: scanners, parsers, readers and writers belong to one
// thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "formats/format.h"
#include "formats/text/record_splitter.h"
#include "formats/text/text_formats.h"
#include "formats/text/value_text.h"

namespace lakepipe::text {

// Chunk and record limits of the readers; tests make them small to
// exercise records that cross chunks.
struct ReaderTuning {
  size_t chunk_bytes = kDefaultChunkBytes;
  size_t max_record_bytes = kDefaultMaxRecordBytes;
};

Result<std::unique_ptr<RecordReader>> NewJsonLinesReader(std::unique_ptr<InputFile> file,
                                                         const ReadOptions& options,
                                                         const ReaderTuning& tuning = {});
// Reads a top-level JSON array of objects, or (when the file starts with
// '{') a sequence of objects separated by whitespace, such as JSON Lines.
Result<std::unique_ptr<RecordReader>> NewJsonArrayReader(std::unique_ptr<InputFile> file,
                                                         const ReadOptions& options,
                                                         const ReaderTuning& tuning = {});
Result<std::unique_ptr<RecordReader>> NewCsvReader(std::unique_ptr<InputFile> file,
                                                   const ReadOptions& options,
                                                   const ReaderTuning& tuning = {});

Result<std::unique_ptr<FileWriter>> NewJsonLinesWriter(std::unique_ptr<OutputStream> out,
                                                       SchemaPtr schema,
                                                       const WriteOptions& options);
Result<std::unique_ptr<FileWriter>> NewJsonArrayWriter(std::unique_ptr<OutputStream> out,
                                                       SchemaPtr schema,
                                                       const WriteOptions& options);
Result<std::unique_ptr<FileWriter>> NewCsvWriter(std::unique_ptr<OutputStream> out,
                                                 SchemaPtr schema, const WriteOptions& options);

Result<Schema> InferJsonSchema(InputFile* file, bool array, const InferOptions& options);
Result<Schema> InferCsvSchema(InputFile* file, const InferOptions& options);

// Splits a JSON array into its elements. Records end after an element
// (kElement: content ends with its closing bracket), at a top-level ','
// (kComma: content is what precedes it) or at the array's ']' (kArrayEnd).
// Content keeps leading whitespace, and the first record keeps the array's
// '['. When the file starts with '{' instead of '[', it is read as a
// sequence of objects: every record is a kElement. Anything else at the
// start ends the first record with kNotArray. After the array's ']' the
// rest of the file is one unterminated record.
class JsonArrayScanner final : public RecordScanner {
 public:
  enum class End { kNone, kElement, kComma, kArrayEnd, kNotArray };
  size_t Scan(const char* data, size_t from, size_t size, size_t* content_end) override;
  End last_end() const { return last_end_; }
  bool sequence() const { return phase_ == Phase::kSequence; }
  bool closed() const { return phase_ == Phase::kClosed; }
  // Inside a top-level array that has not been closed yet.
  bool in_array() const { return phase_ == Phase::kArray; }

 private:
  enum class Phase { kStart, kArray, kSequence, kClosed };
  Phase phase_ = Phase::kStart;
  End last_end_ = End::kNone;
  int64_t depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
};

// Splits CSV text into rows (RFC 4180): a row ends at a line feed outside
// quotes; quotes open only at the start of a field.
class CsvScanner final : public RecordScanner {
 public:
  explicit CsvScanner(char delimiter) : delimiter_(delimiter) {}
  size_t Scan(const char* data, size_t from, size_t size, size_t* content_end) override;
  // True when the last scanned bytes ended inside a quoted field.
  bool in_quotes() const { return state_ == State::kQuoted; }

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuoteInQuoted };
  char delimiter_;
  State state_ = State::kFieldStart;
};

// One CSV field of a parsed row.
struct CsvField {
  std::string_view text;  // unquoted, doubled quotes collapsed
  bool quoted = false;
};

// Splits one CSV row (content without its line feed) into fields.
class CsvRowParser {
 public:
  explicit CsvRowParser(char delimiter) : delimiter_(delimiter) {}
  // A quote inside an unquoted field is kept as text; a CR right before the
  // row's end (a CRLF line end) is dropped. Returns false with `*reason`
  // when the row is malformed. The fields stay valid until the next call.
  bool Parse(std::string_view row, std::string* reason);
  const std::vector<CsvField>& fields() const { return fields_; }

 private:
  char delimiter_;
  std::vector<CsvField> fields_;
  std::string scratch_;
};

// True for JSON whitespace (space, tab, CR, LF).
inline bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
// `text` without leading JSON whitespace.
std::string_view TrimLeadingSpace(std::string_view text);
bool IsBlank(std::string_view text);

// Counts records for `describe`: non-blank lines, array elements, CSV rows.
Result<uint64_t> CountJsonLines(InputFile* file);
Result<uint64_t> CountJsonArrayElements(InputFile* file);
// Rows after the header, and the header's names.
Result<uint64_t> CountCsvRows(InputFile* file, char delimiter, std::vector<std::string>* header);

// Parses one JSON value, such as a CSV cell holding a nested value, into a
// column, with the JSON readers' rules. Keeps a padded copy of the input
// and the parser's scratch memory between calls.
class JsonValueParser {
 public:
  JsonValueParser();
  ~JsonValueParser();
  JsonValueParser(JsonValueParser&&) noexcept;
  JsonValueParser& operator=(JsonValueParser&&) noexcept;
  // Appends the value in `json` to `column` (a column of `plan`'s field).
  // On a bad value returns false with `*reason` naming the field's path;
  // the column may then hold part of the value (roll the row back).
  bool Append(const FieldPlan& plan, std::string_view json, Column* column, std::string* reason);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// JSON text of one row; the encoder caches the escaped keys of a schema.
class JsonRowEncoder {
 public:
  explicit JsonRowEncoder(const Schema& schema);
  void Append(const RecordBatch& batch, size_t row, std::string* out) const;

 private:
  std::vector<FieldPlan> plans_;
  std::vector<std::string> keys_;  // "{\"a\":", ",\"b\":", ...
};

}  // namespace lakepipe::text
