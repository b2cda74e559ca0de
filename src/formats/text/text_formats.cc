#include "formats/text/text_formats.h"

#include "formats/text/text_internal.h"

namespace lakepipe {

FormatInfo JsonLinesFormat() {
  FormatInfo info;
  info.name = "jsonl";
  info.description = "JSON Lines: one JSON object per line";
  info.extensions = {".jsonl", ".ndjson"};
  info.needs_schema = true;
  info.resolves_schema = true;
  info.open_reader = [](std::unique_ptr<InputFile> file, const ReadOptions& options) {
    return text::NewJsonLinesReader(std::move(file), options);
  };
  info.new_writer = [](std::unique_ptr<OutputStream> out, SchemaPtr schema,
                       const WriteOptions& options) {
    return text::NewJsonLinesWriter(std::move(out), std::move(schema), options);
  };
  info.describe = [](InputFile* file) -> Result<nlohmann::json> {
    LP_ASSIGN_OR_RETURN(uint64_t rows, text::CountJsonLines(file));
    return nlohmann::json{{"format", "jsonl"}, {"file_size", file->size()}, {"num_rows", rows}};
  };
  return info;
}

FormatInfo JsonArrayFormat() {
  FormatInfo info;
  info.name = "json";
  info.description = "JSON: a top-level array of objects (or objects one after another)";
  info.extensions = {".json"};
  info.needs_schema = true;
  info.resolves_schema = true;
  info.open_reader = [](std::unique_ptr<InputFile> file, const ReadOptions& options) {
    return text::NewJsonArrayReader(std::move(file), options);
  };
  info.new_writer = [](std::unique_ptr<OutputStream> out, SchemaPtr schema,
                       const WriteOptions& options) {
    return text::NewJsonArrayWriter(std::move(out), std::move(schema), options);
  };
  info.describe = [](InputFile* file) -> Result<nlohmann::json> {
    LP_ASSIGN_OR_RETURN(uint64_t rows, text::CountJsonArrayElements(file));
    return nlohmann::json{{"format", "json"}, {"file_size", file->size()}, {"num_rows", rows}};
  };
  return info;
}

FormatInfo CsvFormat() {
  FormatInfo info;
  info.name = "csv";
  info.description = "CSV (RFC 4180) with a header row";
  info.extensions = {".csv"};
  info.needs_schema = true;
  info.resolves_schema = true;
  info.open_reader = [](std::unique_ptr<InputFile> file, const ReadOptions& options) {
    return text::NewCsvReader(std::move(file), options);
  };
  info.new_writer = [](std::unique_ptr<OutputStream> out, SchemaPtr schema,
                       const WriteOptions& options) {
    return text::NewCsvWriter(std::move(out), std::move(schema), options);
  };
  info.describe = [](InputFile* file) -> Result<nlohmann::json> {
    std::vector<std::string> header;
    LP_ASSIGN_OR_RETURN(uint64_t rows, text::CountCsvRows(file, ',', &header));
    return nlohmann::json{
        {"format", "csv"}, {"file_size", file->size()}, {"num_rows", rows}, {"header", header}};
  };
  return info;
}

Result<Schema> InferSchema(InputFile* file, const FormatInfo& format, const InferOptions& options) {
  if (options.sample_rows == 0) return InvalidArgumentError("sample_rows must be at least 1");
  if (format.name == "jsonl") return text::InferJsonSchema(file, false, options);
  if (format.name == "json") return text::InferJsonSchema(file, true, options);
  if (format.name == "csv") return text::InferCsvSchema(file, options);
  return InvalidArgumentError(
      "cannot infer a schema for format '{}' (only jsonl, json and csv need one); give a schema",
      format.name);
}

JsonRowWriter::JsonRowWriter(const Schema& schema)
    : encoder_(std::make_unique<text::JsonRowEncoder>(schema)) {}
JsonRowWriter::~JsonRowWriter() = default;
JsonRowWriter::JsonRowWriter(JsonRowWriter&&) noexcept = default;
JsonRowWriter& JsonRowWriter::operator=(JsonRowWriter&&) noexcept = default;

void JsonRowWriter::Append(const RecordBatch& batch, size_t row, std::string* out) const {
  encoder_->Append(batch, row, out);
}

void AppendJsonRow(const RecordBatch& batch, size_t row, std::string* out) {
  text::JsonRowEncoder(*batch.schema()).Append(batch, row, out);
}

}  // namespace lakepipe
