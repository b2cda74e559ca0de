#include "core/column.h"

#include <algorithm>

namespace lakepipe {

size_t Column::null_count() const {
  if (storage_ == Storage::kNone) return size_;
  if (!nullable_) return 0;
  return static_cast<size_t>(std::count(valid_.begin(), valid_.end(), 0));
}

size_t Column::ByteSize() const {
  return valid_.size() + bools_.size() + i32_.size() * 4 + i64_.size() * 8 + f32_.size() * 4 +
         f64_.size() * 8 + (storage_ == Storage::kBinary ? offsets_.size() * 8 : 0) + data_.size();
}

void Column::AppendFrom(const Column& src, size_t row) {
  if (src.IsNull(row)) {
    AppendNull();
    return;
  }
  switch (storage_) {
    case Storage::kNone:
      AppendNull();
      break;
    case Storage::kBool:
      AppendBool(src.GetBool(row));
      break;
    case Storage::kInt32:
      AppendInt32(src.GetInt32(row));
      break;
    case Storage::kInt64:
      AppendInt64(src.GetInt64(row));
      break;
    case Storage::kFloat:
      AppendFloat(src.GetFloat(row));
      break;
    case Storage::kDouble:
      AppendDouble(src.GetDouble(row));
      break;
    case Storage::kBinary:
      AppendBytes(src.GetBytes(row));
      break;
  }
}

void Column::AppendColumn(const Column& src) {
  if (nullable_ || storage_ == Storage::kNone) {
    valid_.insert(valid_.end(), src.valid_.begin(), src.valid_.end());
  }
  switch (storage_) {
    case Storage::kNone:
      break;
    case Storage::kBool:
      bools_.insert(bools_.end(), src.bools_.begin(), src.bools_.end());
      break;
    case Storage::kInt32:
      i32_.insert(i32_.end(), src.i32_.begin(), src.i32_.end());
      break;
    case Storage::kInt64:
      i64_.insert(i64_.end(), src.i64_.begin(), src.i64_.end());
      break;
    case Storage::kFloat:
      f32_.insert(f32_.end(), src.f32_.begin(), src.f32_.end());
      break;
    case Storage::kDouble:
      f64_.insert(f64_.end(), src.f64_.begin(), src.f64_.end());
      break;
    case Storage::kBinary: {
      const int64_t base = static_cast<int64_t>(data_.size());
      data_.append(src.data_);
      offsets_.reserve(offsets_.size() + src.size_);
      for (size_t i = 1; i <= src.size_; ++i) offsets_.push_back(base + src.offsets_[i]);
      break;
    }
  }
  size_ += src.size_;
}

void Column::Truncate(size_t n) {
  if (n >= size_) return;
  size_ = n;
  if (nullable_ || storage_ == Storage::kNone) valid_.resize(n);
  switch (storage_) {
    case Storage::kNone:
      break;
    case Storage::kBool:
      bools_.resize(n);
      break;
    case Storage::kInt32:
      i32_.resize(n);
      break;
    case Storage::kInt64:
      i64_.resize(n);
      break;
    case Storage::kFloat:
      f32_.resize(n);
      break;
    case Storage::kDouble:
      f64_.resize(n);
      break;
    case Storage::kBinary:
      offsets_.resize(n + 1);
      data_.resize(static_cast<size_t>(offsets_[n]));
      break;
  }
}

void Column::Reserve(size_t rows) {
  if (nullable_) valid_.reserve(rows);
  switch (storage_) {
    case Storage::kNone:
      break;
    case Storage::kBool:
      bools_.reserve(rows);
      break;
    case Storage::kInt32:
      i32_.reserve(rows);
      break;
    case Storage::kInt64:
      i64_.reserve(rows);
      break;
    case Storage::kFloat:
      f32_.reserve(rows);
      break;
    case Storage::kDouble:
      f64_.reserve(rows);
      break;
    case Storage::kBinary:
      offsets_.reserve(rows + 1);
      break;
  }
}

RecordBatch::RecordBatch(SchemaPtr schema) : schema_(std::move(schema)) {
  columns_.reserve(schema_->num_fields());
  for (const Field& f : schema_->fields()) {
    columns_.emplace_back(f.storage(), f.nullable || f.type == Type::kNull);
  }
}

void RecordBatch::RollbackRow() {
  for (Column& c : columns_) c.Truncate(num_rows_);
}

void RecordBatch::Clear() {
  for (Column& c : columns_) c.Clear();
  num_rows_ = 0;
}

void RecordBatch::TruncateRows(size_t rows) {
  for (Column& c : columns_) c.Truncate(rows);
  num_rows_ = rows;
}

void RecordBatch::Reserve(size_t rows) {
  for (Column& c : columns_) c.Reserve(rows);
}

void RecordBatch::AppendRowFrom(const RecordBatch& src, size_t row) {
  for (size_t c = 0; c < columns_.size(); ++c) columns_[c].AppendFrom(src.column(c), row);
  CommitRow();
}

void RecordBatch::AppendBatch(const RecordBatch& src) {
  for (size_t c = 0; c < columns_.size(); ++c) columns_[c].AppendColumn(src.column(c));
  num_rows_ += src.num_rows();
}

size_t Column::MemoryBytes() const {
  return valid_.capacity() + bools_.capacity() + i32_.capacity() * sizeof(int32_t) +
         i64_.capacity() * sizeof(int64_t) + f32_.capacity() * sizeof(float) +
         f64_.capacity() * sizeof(double) + offsets_.capacity() * sizeof(int64_t) +
         data_.capacity();
}

size_t RecordBatch::MemoryBytes() const {
  size_t total = 0;
  for (const Column& c : columns_) total += c.MemoryBytes();
  return total;
}

size_t RecordBatch::ByteSize() const {
  size_t total = 0;
  for (const Column& c : columns_) total += c.ByteSize();
  return total;
}

}  // namespace lakepipe
