// JSON Lines, JSON array and CSV writers. Rows are encoded into a buffer
// that is appended to the output stream once it reaches kFlushBytes.

#include <cctype>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "core/column_json.h"
#include "formats/text/complete_text.h"
#include "formats/text/text_internal.h"

namespace lakepipe::text {

JsonRowEncoder::JsonRowEncoder(const Schema& schema) : plans_(MakeFieldPlans(schema)) {
  keys_.reserve(schema.num_fields());
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    std::string key = i == 0 ? "{" : ",";
    AppendJsonString(schema.field(i).name, &key);
    key.push_back(':');
    keys_.push_back(std::move(key));
  }
}

void JsonRowEncoder::Append(const RecordBatch& batch, size_t row, std::string* out) const {
  if (plans_.empty()) {
    out->append("{}");
    return;
  }
  for (size_t i = 0; i < plans_.size(); ++i) {
    out->append(keys_[i]);
    const Column& column = batch.column(i);
    const FieldPlan& plan = plans_[i];
    if (column.IsNull(row)) {
      out->append("null");
      continue;
    }
    switch (plan.kind) {
      case ValueKind::kNull:
        out->append("null");
        break;
      case ValueKind::kBool:
      case ValueKind::kInt32:
      case ValueKind::kInt64:
        AppendValueText(plan, column, row, out);
        break;
      case ValueKind::kFloat:
      case ValueKind::kDouble: {
        const double v =
            plan.kind == ValueKind::kFloat ? column.GetFloat(row) : column.GetDouble(row);
        const bool quote = !std::isfinite(v);  // "NaN", "Infinity", "-Infinity"
        if (quote) out->push_back('"');
        AppendValueText(plan, column, row, out);
        if (quote) out->push_back('"');
        break;
      }
      case ValueKind::kString:
      case ValueKind::kUuid:
        AppendJsonString(column.GetBytes(row), out);
        break;
      case ValueKind::kEnum: {
        std::string symbol;
        AppendValueText(plan, column, row, &symbol);
        AppendJsonString(symbol, out);
        break;
      }
      case ValueKind::kBytes:
      case ValueKind::kDate:
      case ValueKind::kTimestampMillis:
      case ValueKind::kTimestampMicros:
        // Base64 and ISO-8601 text need no escaping.
        out->push_back('"');
        AppendValueText(plan, column, row, out);
        out->push_back('"');
        break;
      case ValueKind::kComplete:
        AppendValueJson(*plan.field, column, row, out, JsonTextStyle::kLake);
        break;
    }
  }
  out->push_back('}');
}

namespace {

constexpr size_t kFlushBytes = size_t{1} << 20;

enum class TextKind { kJsonLines, kJsonArray, kCsv };

class TextWriter final : public FileWriter {
 public:
  TextWriter(std::unique_ptr<OutputStream> out, SchemaPtr schema, TextKind kind,
             const CsvWriteOptions& csv)
      : out_(std::move(out)),
        schema_(std::move(schema)),
        kind_(kind),
        csv_(csv),
        plans_(MakeFieldPlans(*schema_)),
        json_(*schema_) {
    buffer_.reserve(kFlushBytes + (kFlushBytes >> 2));
    // Numbers, booleans, dates, timestamps and base64 use only these
    // characters; unless the delimiter is one of them they need no quotes.
    const char d = csv_.delimiter;
    plain_values_ = !std::isalnum(static_cast<unsigned char>(d)) &&
                    std::string_view("+-.:/=_ \t").find(d) == std::string_view::npos;
    if (kind_ == TextKind::kCsv) {
      csv_symbols_.resize(plans_.size());
      for (size_t i = 0; i < plans_.size(); ++i) {
        for (const std::string& symbol : plans_[i].symbols) {
          std::swap(buffer_, scratch_);
          buffer_.clear();
          AppendCsvText(symbol);
          csv_symbols_[i].push_back(buffer_);
          std::swap(buffer_, scratch_);
        }
      }
      scratch_.clear();
    }
    if (kind_ == TextKind::kJsonArray) buffer_.push_back('[');
    if (kind_ == TextKind::kCsv && csv_.header) {
      for (size_t i = 0; i < schema_->num_fields(); ++i) {
        if (i > 0) buffer_.push_back(csv_.delimiter);
        AppendCsvText(schema_->field(i).name);
      }
      buffer_.push_back('\n');
    }
  }

  ~TextWriter() override {
    if (state_ != State::kFinished && state_ != State::kAborted) Abort();
  }

  Status Write(const RecordBatch& batch) override {
    if (state_ != State::kOpen) {
      return FailedPreconditionError("cannot write to '{}': the writer is {}", out_->path(),
                                     StateName());
    }
    LP_RETURN_IF_ERROR(CheckSchema(*batch.schema()));
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      switch (kind_) {
        case TextKind::kJsonLines:
          json_.Append(batch, row, &buffer_);
          buffer_.push_back('\n');
          break;
        case TextKind::kJsonArray:
          if (rows_ > 0) buffer_.append(",\n");
          json_.Append(batch, row, &buffer_);
          break;
        case TextKind::kCsv:
          AppendCsvRow(batch, row);
          break;
      }
      ++rows_;
      if (buffer_.size() >= kFlushBytes) LP_RETURN_IF_ERROR(Flush());
    }
    return Status::OK();
  }

  Status Finish() override {
    if (state_ != State::kOpen) {
      return FailedPreconditionError("cannot finish '{}': the writer is {}", out_->path(),
                                     StateName());
    }
    if (kind_ == TextKind::kJsonArray) buffer_.append("]\n");
    LP_RETURN_IF_ERROR(Flush());
    Status status = out_->Commit();
    if (!status.ok()) {
      state_ = State::kFailed;
      return status;
    }
    state_ = State::kFinished;
    return Status::OK();
  }

  void Abort() override {
    if (state_ == State::kFinished || state_ == State::kAborted) return;
    out_->Abort();
    buffer_.clear();
    state_ = State::kAborted;
  }

  uint64_t rows_written() const override { return rows_; }
  uint64_t bytes_written() const override { return out_->position() + buffer_.size(); }

 private:
  enum class State { kOpen, kFailed, kFinished, kAborted };

  const char* StateName() const {
    switch (state_) {
      case State::kOpen:
        return "open";
      case State::kFailed:
        return "failed (abort it)";
      case State::kFinished:
        return "finished";
      case State::kAborted:
        return "aborted";
    }
    return "unknown";
  }

  Status CheckSchema(const Schema& schema) const {
    if (&schema == schema_.get()) return Status::OK();
    bool same = schema.num_fields() == schema_->num_fields();
    for (size_t i = 0; same && i < schema.num_fields(); ++i) {
      same = KindOf(schema.field(i)) == plans_[i].kind;
    }
    if (!same) {
      return InvalidArgumentError("'{}': batch schema {} does not match the writer's schema {}",
                                  out_->path(), schema.ToAvroJson(), schema_->ToAvroJson());
    }
    return Status::OK();
  }

  Status Flush() {
    if (buffer_.empty()) return Status::OK();
    Status status = out_->Append(buffer_);
    if (!status.ok()) {
      state_ = State::kFailed;
      return status;
    }
    buffer_.clear();
    return Status::OK();
  }

  // Appends `text` as one CSV field, quoted when NeedsCsvQuotes() says so,
  // with invalid UTF-8 replaced.
  void AppendCsvText(std::string_view text) {
    if (!NeedsCsvQuotes(text, csv_.delimiter)) {
      AppendValidUtf8(text, &buffer_);
      return;
    }
    buffer_.push_back('"');
    size_t start = 0;
    for (size_t q = text.find('"'); q != std::string_view::npos; q = text.find('"', start)) {
      AppendValidUtf8(text.substr(start, q + 1 - start), &buffer_);
      buffer_.push_back('"');
      start = q + 1;
    }
    AppendValidUtf8(text.substr(start), &buffer_);
    buffer_.push_back('"');
  }

  void AppendCsvRow(const RecordBatch& batch, size_t row) {
    for (size_t i = 0; i < plans_.size(); ++i) {
      if (i > 0) buffer_.push_back(csv_.delimiter);
      const Column& column = batch.column(i);
      if (column.IsNull(row)) continue;  // null: an empty unquoted field
      const FieldPlan& plan = plans_[i];
      switch (plan.kind) {
        case ValueKind::kString:
        case ValueKind::kUuid:
          AppendCsvText(column.GetBytes(row));
          continue;
        case ValueKind::kEnum: {
          const int32_t idx = column.GetInt32(row);
          if (idx >= 0 && static_cast<size_t>(idx) < csv_symbols_[i].size()) {
            buffer_.append(csv_symbols_[i][static_cast<size_t>(idx)]);
          }
          continue;
        }
        case ValueKind::kComplete:
          // Nested values are JSON text: quoted by the CSV rules.
          scratch_.clear();
          AppendCompleteValueText(plan, column, row, &scratch_);
          AppendCsvText(scratch_);
          continue;
        case ValueKind::kBytes:
          if (column.GetBytes(row).empty()) {
            buffer_.append("\"\"");  // empty, not null
            continue;
          }
          break;
        default:
          break;
      }
      if (plain_values_) {
        AppendValueText(plan, column, row, &buffer_);
        continue;
      }
      scratch_.clear();
      AppendValueText(plan, column, row, &scratch_);
      AppendCsvText(scratch_);
    }
    buffer_.push_back('\n');
  }

  std::unique_ptr<OutputStream> out_;
  SchemaPtr schema_;
  TextKind kind_;
  CsvWriteOptions csv_;
  std::vector<FieldPlan> plans_;
  JsonRowEncoder json_;
  std::string buffer_;
  std::string scratch_;
  // CSV: whether non-text values can be written without quoting checks, and
  // each enum field's symbols as CSV text.
  bool plain_values_ = false;
  std::vector<std::vector<std::string>> csv_symbols_;
  uint64_t rows_ = 0;
  State state_ = State::kOpen;
};

Result<std::unique_ptr<FileWriter>> NewTextWriter(std::unique_ptr<OutputStream> out,
                                                  SchemaPtr schema, TextKind kind,
                                                  const WriteOptions& options) {
  if (!out) return InvalidArgumentError("a text writer needs an output stream");
  if (!schema) return InvalidArgumentError("writing '{}' needs a schema", out->path());
  if (kind == TextKind::kCsv && (options.csv.delimiter == '"' || options.csv.delimiter == '\n' ||
                                 options.csv.delimiter == '\r')) {
    return InvalidArgumentError("the CSV delimiter cannot be a quote or a line break");
  }
  return std::unique_ptr<FileWriter>(
      std::make_unique<TextWriter>(std::move(out), std::move(schema), kind, options.csv));
}

}  // namespace

Result<std::unique_ptr<FileWriter>> NewJsonLinesWriter(std::unique_ptr<OutputStream> out,
                                                       SchemaPtr schema,
                                                       const WriteOptions& options) {
  return NewTextWriter(std::move(out), std::move(schema), TextKind::kJsonLines, options);
}

Result<std::unique_ptr<FileWriter>> NewJsonArrayWriter(std::unique_ptr<OutputStream> out,
                                                       SchemaPtr schema,
                                                       const WriteOptions& options) {
  return NewTextWriter(std::move(out), std::move(schema), TextKind::kJsonArray, options);
}

Result<std::unique_ptr<FileWriter>> NewCsvWriter(std::unique_ptr<OutputStream> out,
                                                 SchemaPtr schema, const WriteOptions& options) {
  return NewTextWriter(std::move(out), std::move(schema), TextKind::kCsv, options);
}

}  // namespace lakepipe::text
