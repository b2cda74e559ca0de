// In-memory records: typed column batches.
//
// A RecordBatch holds one Column per schema field. Every column stores a
// value slot for every row, nulls included (a null slot holds 0 or an empty
// string), plus a validity byte per row when the field is nullable. Values
// are appended column by column; CommitRow() ends a row and RollbackRow()
// drops a partly appended one (used when a record turns out to be bad).
//
// Nested data (fields of the complete type model, see schema.h) uses an
// Arrow-like layout, so that a batch holds it column by column with no
// per-row objects:
//  - every column, nested or not, has a slot per row of its parent and,
//    when nullable, a validity byte per slot (validity at every level);
//  - a struct column has one child column per field, each with a slot for
//    every struct row (under a null struct the child slots hold null, or an
//    empty value when the child is not nullable);
//  - a list column has offsets (size()+1 entries, the first 0) into its one
//    child, the elements: row i holds child rows [offsets[i], offsets[i+1]).
//    A null list and an empty list both span no elements;
//  - a map column is a list column with two children of equal length, the
//    keys (never null) and the values.
// layout() tells which; storage() is kNone for the nested layouts. Build a
// nested value with AppendStruct() then one value per child, or by
// appending the elements to the child(ren) then FinishList().
//
// Thread-safety: none; a batch belongs to one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"

namespace lakepipe {

enum class Layout : uint8_t { kFlat, kStruct, kList, kMap };

class Column {
 public:
  Column(Storage storage, bool nullable) : storage_(storage), nullable_(nullable) {
    if (storage_ == Storage::kBinary) offsets_.push_back(0);
  }
  static Column Struct(std::vector<Column> children, bool nullable);
  static Column List(Column element, bool nullable);
  static Column Map(Column keys, Column values, bool nullable);
  // The column for a field of either view (a null field is nullable).
  static Column ForField(const Field& field);

  Layout layout() const { return layout_; }
  Storage storage() const { return storage_; }
  bool nullable() const { return nullable_; }
  size_t size() const { return size_; }

  // REQUIRES: nullable() (or storage() == kNone).
  void AppendNull() {
    if (layout_ != Layout::kFlat) return AppendNestedNull();
    ++size_;
    valid_.push_back(0);
    switch (storage_) {
      case Storage::kNone:
        break;
      case Storage::kBool:
        bools_.push_back(0);
        break;
      case Storage::kInt32:
        i32_.push_back(0);
        break;
      case Storage::kInt64:
        i64_.push_back(0);
        break;
      case Storage::kFloat:
        f32_.push_back(0);
        break;
      case Storage::kDouble:
        f64_.push_back(0);
        break;
      case Storage::kBinary:
        offsets_.push_back(static_cast<int64_t>(data_.size()));
        break;
    }
  }
  void AppendBool(bool v) {
    MarkValid();
    bools_.push_back(v ? 1 : 0);
  }
  void AppendInt32(int32_t v) {
    MarkValid();
    i32_.push_back(v);
  }
  void AppendInt64(int64_t v) {
    MarkValid();
    i64_.push_back(v);
  }
  void AppendFloat(float v) {
    MarkValid();
    f32_.push_back(v);
  }
  void AppendDouble(double v) {
    MarkValid();
    f64_.push_back(v);
  }
  void AppendBytes(std::string_view v) {
    MarkValid();
    data_.append(v.data(), v.size());
    offsets_.push_back(static_cast<int64_t>(data_.size()));
  }
  // Appends an empty binary value and returns the buffer to append its bytes
  // to; lets decoders write in place (e.g. unescaping JSON strings).
  std::string* BeginBytes() {
    MarkValid();
    return &data_;
  }
  void EndBytes() { offsets_.push_back(static_cast<int64_t>(data_.size())); }

  // Starts a valid struct row: append one value to each child next.
  void AppendStruct() { MarkValid(); }
  // Ends a valid list (map) row whose elements (entries) were appended to
  // the child (both children) since the previous row ended.
  void FinishList() {
    MarkValid();
    offsets_.push_back(static_cast<int64_t>(children_[0].size()));
  }
  // Appends the slot of a row under a null parent: null when nullable,
  // otherwise 0, an empty string or list, or a struct of such slots.
  void AppendEmpty();

  // Replaces the value of row `i` (an int32 column's valid row).
  void SetInt32(size_t i, int32_t v) { i32_[i] = v; }

  bool IsValid(size_t i) const { return !nullable_ || valid_[i] != 0; }
  bool IsNull(size_t i) const { return !IsValid(i); }
  bool GetBool(size_t i) const { return bools_[i] != 0; }
  int32_t GetInt32(size_t i) const { return i32_[i]; }
  int64_t GetInt64(size_t i) const { return i64_[i]; }
  float GetFloat(size_t i) const { return f32_[i]; }
  double GetDouble(size_t i) const { return f64_[i]; }
  std::string_view GetBytes(size_t i) const {
    return std::string_view(data_.data() + offsets_[i],
                            static_cast<size_t>(offsets_[i + 1] - offsets_[i]));
  }

  // Nested columns: the children (struct fields; list element; map keys
  // and values) and the span of list/map row i in them.
  size_t num_children() const { return children_.size(); }
  Column& child(size_t i) { return children_[i]; }
  const Column& child(size_t i) const { return children_[i]; }
  size_t ListBegin(size_t i) const { return static_cast<size_t>(offsets_[i]); }
  size_t ListEnd(size_t i) const { return static_cast<size_t>(offsets_[i + 1]); }
  size_t ListLength(size_t i) const { return ListEnd(i) - ListBegin(i); }

  // Number of null rows.
  size_t null_count() const;

  // Raw buffers for encoders. validity() is empty for non-nullable columns.
  const std::vector<uint8_t>& validity() const { return valid_; }
  const std::vector<uint8_t>& bools() const { return bools_; }
  const std::vector<int32_t>& int32s() const { return i32_; }
  const std::vector<int64_t>& int64s() const { return i64_; }
  const std::vector<float>& floats() const { return f32_; }
  const std::vector<double>& doubles() const { return f64_; }
  // kBinary: value offsets into data(); kList/kMap: row offsets into the
  // child column(s). size()+1 entries.
  const std::vector<int64_t>& offsets() const { return offsets_; }
  const std::string& data() const { return data_; }
  // Bytes held by values (not capacity).
  size_t ByteSize() const;
  // Heap bytes the column holds, including reserved capacity.
  size_t MemoryBytes() const;

  // Appends row `row` of `src` (same storage and nullability; for nested
  // columns the same shape at every level).
  void AppendFrom(const Column& src, size_t row);
  // Appends every row of `src` at once (same storage and nullability).
  void AppendColumn(const Column& src);

  // Drops rows [n, size()).
  void Truncate(size_t n);
  void Clear() { Truncate(0); }
  void Reserve(size_t rows);

 private:
  void MarkValid() {
    ++size_;
    if (nullable_) valid_.push_back(1);
  }
  void AppendNestedNull();
  void AppendNestedFrom(const Column& src, size_t row);
  void AppendNestedColumn(const Column& src);
  void TruncateNested(size_t n);

  Layout layout_ = Layout::kFlat;
  Storage storage_;
  bool nullable_;
  std::vector<Column> children_;
  size_t size_ = 0;
  std::vector<uint8_t> valid_;
  std::vector<uint8_t> bools_;
  std::vector<int32_t> i32_;
  std::vector<int64_t> i64_;
  std::vector<float> f32_;
  std::vector<double> f64_;
  std::vector<int64_t> offsets_;  // size()+1 entries for kBinary
  std::string data_;
};

class RecordBatch {
 public:
  explicit RecordBatch(SchemaPtr schema);

  const SchemaPtr& schema() const { return schema_; }
  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  Column& column(size_t i) { return columns_[i]; }
  const Column& column(size_t i) const { return columns_[i]; }

  // Ends the row whose values were appended to every column.
  void CommitRow() { ++num_rows_; }
  // Drops values appended since the last CommitRow().
  void RollbackRow();
  // Sets num_rows() after columns were filled directly (all must agree).
  void SetNumRows(size_t n) { num_rows_ = n; }
  void Clear();
  // Keeps the first `rows` rows. REQUIRES: rows <= num_rows().
  void TruncateRows(size_t rows);
  void Reserve(size_t rows);
  // Approximate bytes held by the batch's values.
  size_t ByteSize() const;
  // Heap bytes the batch holds, including reserved capacity (also when
  // cleared): what it costs to keep the batch around.
  size_t MemoryBytes() const;
  // Appends (and commits) row `row` of `src`. REQUIRES: src has this batch's schema.
  void AppendRowFrom(const RecordBatch& src, size_t row);
  // Appends (and commits) every row of `src`. REQUIRES: src has this batch's schema.
  void AppendBatch(const RecordBatch& src);

 private:
  SchemaPtr schema_;
  std::vector<Column> columns_;
  size_t num_rows_ = 0;
};

}  // namespace lakepipe
