#include "core/column.h"

#include <algorithm>

namespace lakepipe {

Column Column::Struct(std::vector<Column> children, bool nullable) {
  Column c(Storage::kNone, nullable);
  c.layout_ = Layout::kStruct;
  c.children_ = std::move(children);
  return c;
}

Column Column::List(Column element, bool nullable) {
  Column c(Storage::kNone, nullable);
  c.layout_ = Layout::kList;
  c.offsets_.push_back(0);
  c.children_.push_back(std::move(element));
  return c;
}

Column Column::Map(Column keys, Column values, bool nullable) {
  Column c = List(std::move(keys), nullable);
  c.layout_ = Layout::kMap;
  c.children_.push_back(std::move(values));
  return c;
}

Column Column::ForField(const Field& field) {
  const bool nullable = field.nullable || field.kind() == Kind::kNull;
  switch (field.kind()) {
    case Kind::kStruct: {
      std::vector<Column> children;
      children.reserve(field.children.size());
      for (const Field& f : field.children) children.push_back(ForField(f));
      return Struct(std::move(children), nullable);
    }
    case Kind::kList:
      return List(ForField(field.children.at(0)), nullable);
    case Kind::kMap:
      return Map(ForField(field.children.at(0)), ForField(field.children.at(1)), nullable);
    default:
      return Column(field.IsFlat() ? field.storage() : StorageOf(field), nullable);
  }
}

void Column::AppendEmpty() {
  if (nullable_) return AppendNull();
  switch (layout_) {
    case Layout::kStruct:
      AppendStruct();
      for (Column& c : children_) c.AppendEmpty();
      return;
    case Layout::kList:
    case Layout::kMap:
      FinishList();
      return;
    case Layout::kFlat:
      break;
  }
  switch (storage_) {
    case Storage::kNone:
      ++size_;
      valid_.push_back(0);
      break;
    case Storage::kBool:
      AppendBool(false);
      break;
    case Storage::kInt32:
      AppendInt32(0);
      break;
    case Storage::kInt64:
      AppendInt64(0);
      break;
    case Storage::kFloat:
      AppendFloat(0);
      break;
    case Storage::kDouble:
      AppendDouble(0);
      break;
    case Storage::kBinary:
      AppendBytes({});
      break;
  }
}

void Column::AppendNestedNull() {
  ++size_;
  valid_.push_back(0);
  if (layout_ == Layout::kStruct) {
    for (Column& c : children_) c.AppendEmpty();
  } else {
    offsets_.push_back(offsets_.back());
  }
}

void Column::AppendNestedFrom(const Column& src, size_t row) {
  if (src.IsNull(row)) return AppendNull();
  if (layout_ == Layout::kStruct) {
    AppendStruct();
    for (size_t c = 0; c < children_.size(); ++c) children_[c].AppendFrom(src.children_[c], row);
    return;
  }
  for (size_t c = 0; c < children_.size(); ++c) {
    for (size_t k = src.ListBegin(row); k < src.ListEnd(row); ++k) {
      children_[c].AppendFrom(src.children_[c], k);
    }
  }
  FinishList();
}

void Column::AppendNestedColumn(const Column& src) {
  if (nullable_) valid_.insert(valid_.end(), src.valid_.begin(), src.valid_.end());
  if (layout_ != Layout::kStruct) {
    const int64_t base = offsets_.back();
    offsets_.reserve(offsets_.size() + src.size_);
    for (size_t i = 1; i <= src.size_; ++i) offsets_.push_back(base + src.offsets_[i]);
  }
  for (size_t c = 0; c < children_.size(); ++c) children_[c].AppendColumn(src.children_[c]);
  size_ += src.size_;
}

void Column::TruncateNested(size_t n) {
  size_ = n;
  if (nullable_) valid_.resize(n);
  if (layout_ == Layout::kStruct) {
    for (Column& c : children_) c.Truncate(n);
    return;
  }
  offsets_.resize(n + 1);
  for (Column& c : children_) c.Truncate(static_cast<size_t>(offsets_[n]));
}

size_t Column::null_count() const {
  if (layout_ != Layout::kFlat) {
    return nullable_ ? static_cast<size_t>(std::count(valid_.begin(), valid_.end(), 0)) : 0;
  }
  if (storage_ == Storage::kNone) return size_;
  if (!nullable_) return 0;
  return static_cast<size_t>(std::count(valid_.begin(), valid_.end(), 0));
}

size_t Column::ByteSize() const {
  size_t nested = layout_ == Layout::kFlat || layout_ == Layout::kStruct ? 0 : offsets_.size() * 8;
  for (const Column& c : children_) nested += c.ByteSize();
  return nested + valid_.size() + bools_.size() + i32_.size() * 4 + i64_.size() * 8 +
         f32_.size() * 4 + f64_.size() * 8 +
         (storage_ == Storage::kBinary ? offsets_.size() * 8 : 0) + data_.size();
}

void Column::AppendFrom(const Column& src, size_t row) {
  if (layout_ != Layout::kFlat) return AppendNestedFrom(src, row);
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
  if (layout_ != Layout::kFlat) return AppendNestedColumn(src);
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
  // A nested column also drops what was appended to its children since row
  // n ended (a row given up half way).
  if (layout_ != Layout::kFlat && n <= size_) return TruncateNested(n);
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
  if (layout_ == Layout::kStruct) {
    for (Column& c : children_) c.Reserve(rows);
  }
  if (layout_ == Layout::kList || layout_ == Layout::kMap) offsets_.reserve(rows + 1);
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
    if (f.IsFlat()) {
      columns_.emplace_back(f.storage(), f.nullable || f.type == Type::kNull);
    } else {
      columns_.push_back(Column::ForField(f));
    }
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
  size_t nested = children_.capacity() * sizeof(Column);
  for (const Column& c : children_) nested += c.MemoryBytes();
  return nested + valid_.capacity() + bools_.capacity() + i32_.capacity() * sizeof(int32_t) +
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
