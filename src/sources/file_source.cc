#include "sources/file_source.h"

#include <algorithm>
#include <utility>

#include "formats/open.h"

namespace lakepipe::sources {
namespace {

void AppendValue(const Column& from, size_t row, Column& to) {
  if (from.IsNull(row)) {
    to.AppendNull();
    return;
  }
  switch (from.storage()) {
    case Storage::kNone:
      to.AppendNull();
      break;
    case Storage::kBool:
      to.AppendBool(from.GetBool(row));
      break;
    case Storage::kInt32:
      to.AppendInt32(from.GetInt32(row));
      break;
    case Storage::kInt64:
      to.AppendInt64(from.GetInt64(row));
      break;
    case Storage::kFloat:
      to.AppendFloat(from.GetFloat(row));
      break;
    case Storage::kDouble:
      to.AppendDouble(from.GetDouble(row));
      break;
    case Storage::kBinary:
      to.AppendBytes(from.GetBytes(row));
      break;
  }
}

class FileSource final : public Source {
 public:
  explicit FileSource(std::unique_ptr<RecordReader> reader)
      : reader_(std::move(reader)), pending_(reader_->schema()) {}

  const SchemaPtr& schema() const override { return reader_->schema(); }
  std::string default_key_field() const override { return ""; }
  uint64_t rejected() const override { return reader_->rejected(); }

  Result<bool> Next(RecordBatch* batch, size_t max_rows) override {
    if (max_rows == 0) return InvalidArgumentError("file: max_rows must be positive");
    batch->Clear();
    while (offset_ >= pending_.num_rows()) {
      if (done_) return false;
      LP_ASSIGN_OR_RETURN(bool more, reader_->ReadBatch(&pending_));
      offset_ = 0;
      if (!more) {
        done_ = true;
        pending_.Clear();
        return false;
      }
    }
    const size_t end = std::min(pending_.num_rows(), offset_ + max_rows);
    if (offset_ == 0 && end == pending_.num_rows()) {
      std::swap(*batch, pending_);  // the whole batch: no copy
      pending_.Clear();
      offset_ = 0;
    } else {
      AppendRows(pending_, offset_, end, batch);
      offset_ = end;
    }
    return true;
  }

 private:
  std::unique_ptr<RecordReader> reader_;
  RecordBatch pending_;
  size_t offset_ = 0;
  bool done_ = false;
};

}  // namespace

void AppendRows(const RecordBatch& from, size_t begin, size_t end, RecordBatch* to) {
  for (size_t row = begin; row < end; ++row) {
    for (size_t c = 0; c < from.num_columns(); ++c) AppendValue(from.column(c), row, to->column(c));
    to->CommitRow();
  }
}

Result<std::unique_ptr<Source>> NewFileSource(std::string_view path, const SourceOptions& options) {
  if (path.empty()) return InvalidArgumentError("file source needs a path: use file:PATH");
  // "file:///x" reaches here as "///x": give the store the whole URI back.
  const std::string uri =
      path.substr(0, 2) == "//" ? "file:" + std::string(path) : std::string(path);
  LP_ASSIGN_OR_RETURN(const FormatInfo* format, FormatRegistry::Default().ForPath(uri));
  ReadOptions read;
  read.schema = options.file_schema;
  read.bad_records = options.bad_records;
  LP_ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader, OpenReader(uri, *format, read));
  return std::unique_ptr<Source>(std::make_unique<FileSource>(std::move(reader)));
}

}  // namespace lakepipe::sources
