// CSV reader (RFC 4180): rows are split by CsvScanner, fields by
// CsvRowParser, and values parsed per value_text.h.

#include <cstring>

#include <fmt/format.h>

#include "formats/text/text_internal.h"
#include "formats/text/text_reader.h"

namespace lakepipe::text {

size_t CsvScanner::Scan(const char* data, size_t from, size_t size, size_t* content_end) {
  size_t i = from;
  // Fast path: a row that starts here and holds no quote ends at the next
  // line feed.
  if (state_ == State::kFieldStart) {
    const void* nl = std::memchr(data + i, '\n', size - i);
    const size_t limit = nl ? static_cast<size_t>(static_cast<const char*>(nl) - data) : size;
    if (std::memchr(data + i, '"', limit - i) == nullptr) {
      if (nl != nullptr) {
        ++newlines_;
        *content_end = limit;
        return limit + 1;
      }
      if (size > i) state_ = data[size - 1] == delimiter_ ? State::kFieldStart : State::kUnquoted;
      return kNotFound;
    }
  }
  for (; i < size; ++i) {
    const char c = data[i];
    switch (state_) {
      case State::kFieldStart:
        if (c == '"') {
          state_ = State::kQuoted;
          break;
        }
        [[fallthrough]];
      case State::kUnquoted:
        if (c == '\n') {
          ++newlines_;
          state_ = State::kFieldStart;
          *content_end = i;
          return i + 1;
        }
        state_ = c == delimiter_ ? State::kFieldStart : State::kUnquoted;
        break;
      case State::kQuoted:
        if (c == '"') {
          state_ = State::kQuoteInQuoted;
        } else if (c == '\n') {
          ++newlines_;
        }
        break;
      case State::kQuoteInQuoted:
        if (c == '"') {
          state_ = State::kQuoted;
        } else if (c == '\n') {
          ++newlines_;
          state_ = State::kFieldStart;
          *content_end = i;
          return i + 1;
        } else {
          state_ = c == delimiter_ ? State::kFieldStart : State::kUnquoted;
        }
        break;
    }
  }
  return kNotFound;
}

bool CsvRowParser::Parse(std::string_view row, std::string* reason) {
  fields_.clear();
  scratch_.clear();
  // Unquoted text never grows, so views into scratch_ stay valid.
  scratch_.reserve(row.size());
  const size_t n = row.size();
  size_t i = 0;
  while (true) {
    if (i < n && row[i] == '"') {
      const size_t start = scratch_.size();
      ++i;
      bool closed = false;
      while (i < n) {
        const void* q = std::memchr(row.data() + i, '"', n - i);
        if (q == nullptr) {
          scratch_.append(row.data() + i, n - i);
          i = n;
          break;
        }
        const size_t at = static_cast<size_t>(static_cast<const char*>(q) - row.data());
        scratch_.append(row.data() + i, at - i);
        i = at + 1;
        if (i < n && row[i] == '"') {
          scratch_.push_back('"');
          ++i;
          continue;
        }
        closed = true;
        break;
      }
      if (!closed) {
        *reason = fmt::format("field {}: a quoted field is never closed (unterminated '\"')",
                              fields_.size() + 1);
        return false;
      }
      fields_.push_back(
          CsvField{std::string_view(scratch_.data() + start, scratch_.size() - start), true});
      if (i == n || (row[i] == '\r' && i + 1 == n)) return true;
      if (row[i] == delimiter_) {
        ++i;
        continue;
      }
      *reason = fmt::format("field {}: unexpected text after the closing quote: {}", fields_.size(),
                            Preview(row.substr(i)));
      return false;
    }
    const void* d = std::memchr(row.data() + i, delimiter_, n - i);
    const size_t end = d ? static_cast<size_t>(static_cast<const char*>(d) - row.data()) : n;
    std::string_view field = row.substr(i, end - i);
    if (d == nullptr && !field.empty() && field.back() == '\r') field.remove_suffix(1);
    fields_.push_back(CsvField{field, false});
    if (d == nullptr) return true;
    i = end + 1;
  }
}

namespace {

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True for a row with no text (an empty line, LF or CRLF ended).
bool IsEmptyRow(std::string_view text) { return text.empty() || text == "\r"; }

class CsvReader final : public TextRecordReader {
 public:
  CsvReader(std::unique_ptr<InputFile> file, ReadOptions options, const ReaderTuning& tuning)
      : TextRecordReader(std::move(file), std::move(options)),
        scanner_(this->options().csv_delimiter),
        splitter_(&this->file(), &scanner_, tuning.chunk_bytes, tuning.max_record_bytes),
        row_(this->options().csv_delimiter),
        plans_(MakeFieldPlans(*this->options().schema)) {}

  // Reads the header (when there is one) and maps columns to fields.
  Status Open() {
    const Schema& schema = *options().schema;
    if (!options().csv_header) {
      for (size_t i = 0; i < schema.num_fields(); ++i) column_field_.push_back(static_cast<int>(i));
      return Status::OK();
    }
    RawRecord record;
    bool found = false;
    while (!found) {
      LP_ASSIGN_OR_RETURN(bool more, splitter_.Next(&record));
      if (!more) {
        MarkDone();
        return Status::OK();  // an empty file: no header, no rows
      }
      found = !IsEmptyRow(record.text);
    }
    std::string reason;
    if (record.oversized || !row_.Parse(record.text, &reason)) {
      return InvalidArgumentError("{}:{}: cannot read the CSV header: {}", file().path(),
                                  record.line, record.oversized ? "the row is too long" : reason);
    }
    std::vector<bool> mapped(schema.num_fields(), false);
    std::vector<std::string> names;
    for (const CsvField& f : row_.fields()) {
      names.emplace_back(f.text);
      int idx = schema.FieldIndex(f.text);
      if (idx >= 0 && mapped[static_cast<size_t>(idx)]) idx = -1;
      if (idx >= 0) mapped[static_cast<size_t>(idx)] = true;
      column_field_.push_back(idx);
    }
    for (size_t i = 0; i < schema.num_fields(); ++i) {
      if (mapped[i]) continue;
      if (!plans_[i].nullable) {
        return InvalidArgumentError(
            "{}: the CSV header has no column '{}', which the schema requires (header columns: "
            "{}); make the field nullable or fix the header",
            file().path(), schema.field(i).name, fmt::join(names, ", "));
      }
      absent_.push_back(i);
    }
    return Status::OK();
  }

 private:
  RecordSplitter& splitter() override { return splitter_; }

  Status Take(const RawRecord& record, RecordBatch* batch) override {
    std::string reason;
    if (Row(record, batch, &reason)) return Status::OK();
    batch->RollbackRow();
    return Reject(record.line, record.offset, record.text, std::move(reason));
  }

  bool Row(const RawRecord& record, RecordBatch* batch, std::string* reason) {
    if (record.oversized) {
      *reason = fmt::format("the row is {} bytes, longer than the limit of {} bytes", record.size,
                            splitter_.max_record_bytes());
      return false;
    }
    if (!record.terminated && scanner_.in_quotes()) {
      *reason = "the file ends inside a quoted field (unterminated '\"')";
      return false;
    }
    // An empty line is a row only when a row has a single column.
    if (IsEmptyRow(record.text) && column_field_.size() != 1) return true;
    if (!row_.Parse(record.text, reason)) return false;
    const std::vector<CsvField>& fields = row_.fields();
    if (fields.size() != column_field_.size()) {
      *reason = fmt::format("expected {} fields, got {}", column_field_.size(), fields.size());
      return false;
    }
    for (size_t c = 0; c < fields.size(); ++c) {
      const int idx = column_field_[c];
      if (idx < 0) continue;
      if (!Value(plans_[static_cast<size_t>(idx)], fields[c],
                 &batch->column(static_cast<size_t>(idx)), reason)) {
        return false;
      }
    }
    for (size_t idx : absent_) batch->column(idx).AppendNull();
    batch->CommitRow();
    return true;
  }

  bool Value(const FieldPlan& plan, const CsvField& field, Column* column, std::string* reason) {
    const bool keeps_empty = plan.kind == ValueKind::kString || plan.kind == ValueKind::kBytes;
    if (field.text.empty() && (!field.quoted || !keeps_empty)) {
      if (!plan.nullable) {
        *reason = fmt::format("field '{}': empty value, and the field is not nullable", plan.name);
        return false;
      }
      column->AppendNull();
      return true;
    }
    if (plan.kind == ValueKind::kString) {
      column->AppendBytes(field.text);
      return true;
    }
    if (plan.kind == ValueKind::kComplete && IsNested(plan.field->kind())) {
      return json_.Append(plan, field.text, column, reason);  // the JSON text of the value
    }
    return AppendTextValue(plan, keeps_empty ? field.text : TrimBlanks(field.text), column, reason);
  }

  CsvScanner scanner_;
  RecordSplitter splitter_;
  CsvRowParser row_;
  std::vector<FieldPlan> plans_;
  JsonValueParser json_;
  // Field index of each CSV column (-1: ignored), and fields no column has.
  std::vector<int> column_field_;
  std::vector<size_t> absent_;
};

}  // namespace

Result<std::unique_ptr<RecordReader>> NewCsvReader(std::unique_ptr<InputFile> file,
                                                   const ReadOptions& options,
                                                   const ReaderTuning& tuning) {
  if (!options.schema) {
    return InvalidArgumentError("reading CSV from '{}' needs a schema: give one or infer it",
                                file->path());
  }
  if (options.csv_delimiter == '"' || options.csv_delimiter == '\n' ||
      options.csv_delimiter == '\r') {
    return InvalidArgumentError("the CSV delimiter cannot be a quote or a line break");
  }
  auto reader = std::make_unique<CsvReader>(std::move(file), options, tuning);
  LP_RETURN_IF_ERROR(reader->Open());
  return std::unique_ptr<RecordReader>(std::move(reader));
}

Result<uint64_t> CountCsvRows(InputFile* file, char delimiter, std::vector<std::string>* header) {
  CsvScanner scanner(delimiter);
  RecordSplitter splitter(file, &scanner);
  CsvRowParser parser(delimiter);
  RawRecord record;
  uint64_t rows = 0;
  bool have_header = false;
  while (true) {
    LP_ASSIGN_OR_RETURN(bool more, splitter.Next(&record));
    if (!more) return rows;
    if (IsEmptyRow(record.text)) continue;
    if (have_header) {
      ++rows;
      continue;
    }
    have_header = true;
    std::string reason;
    if (!record.oversized && parser.Parse(record.text, &reason)) {
      for (const CsvField& f : parser.fields()) header->emplace_back(f.text);
    }
  }
}

}  // namespace lakepipe::text
