#include "iceberg/data_schema.h"

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace lakepipe::iceberg {
namespace {

constexpr int64_t kMicrosPerMilli = 1000;
constexpr int64_t kMaxMillis = std::numeric_limits<int64_t>::max() / kMicrosPerMilli;

// A leaf whose values change unit: timestamp-millis or time-millis.
bool ChangesUnit(const Field& f) {
  return (f.kind() == Kind::kTimestamp && f.unit == TimeUnit::kMillis) ||
         f.kind() == Kind::kTimeMillis;
}

bool Converts(const Field& f) {
  if (ChangesUnit(f)) return true;
  for (const Field& child : f.children) {
    if (Converts(child)) return true;
  }
  return false;
}

void ToDataField(Field* f) {
  for (Field& child : f->children) ToDataField(&child);
  const Kind kind = f->kind();
  if (kind == Kind::kTimestamp && f->unit == TimeUnit::kMillis) {
    f->full_kind = Kind::kTimestamp;
    f->unit = TimeUnit::kMicros;
  } else if (kind == Kind::kTimeMillis) {
    f->full_kind = Kind::kTimeMicros;
  } else if (kind == Kind::kUuid && f->base != Kind::kFixed) {
    f->full_kind = Kind::kString;
    f->base = Kind::kNull;
  } else {
    return;
  }
  const bool nullable = f->nullable;
  SetFlatView(f);
  f->nullable = nullable;
}

// Whether the values of rows [begin, end) of `c` convert; `*reason` names
// the first that does not.
bool RangeConvertible(const Field& f, const Column& c, size_t begin, size_t end,
                      std::string* reason) {
  if (f.kind() == Kind::kTimestamp && f.unit == TimeUnit::kMillis) {
    for (size_t i = begin; i < end; ++i) {
      const int64_t v = c.GetInt64(i);
      if (c.IsValid(i) && (v > kMaxMillis || v < -kMaxMillis)) {
        *reason = fmt::format(
            "field '{}': timestamp {} ms is beyond what an Iceberg timestamp holds in "
            "microseconds (±{} ms)",
            f.name, v, kMaxMillis);
        return false;
      }
    }
    return true;
  }
  if (!Converts(f) || begin >= end) return true;
  switch (c.layout()) {
    case Layout::kStruct:
      for (size_t k = 0; k < f.children.size(); ++k) {
        if (!RangeConvertible(f.children[k], c.child(k), begin, end, reason)) return false;
      }
      return true;
    case Layout::kList:
    case Layout::kMap:
      for (size_t k = 0; k < f.children.size(); ++k) {
        if (!RangeConvertible(f.children[k], c.child(k), c.ListBegin(begin), c.ListEnd(end - 1),
                              reason)) {
          return false;
        }
      }
      return true;
    default:
      return true;
  }
}

// `src` (of field `from`) in the data files' types into `*dst`.
Status ConvertColumn(const Field& from, const Column& src, Column* dst) {
  if (!ChangesUnit(from)) {
    *dst = src;
    for (size_t k = 0; k < from.children.size() && k < src.num_children(); ++k) {
      if (Converts(from.children[k])) {
        LP_RETURN_IF_ERROR(ConvertColumn(from.children[k], src.child(k), &dst->child(k)));
      }
    }
    return Status::OK();
  }
  if (dst->layout() == Layout::kFlat && dst->storage() == Storage::kInt64 &&
      dst->nullable() == src.nullable()) {
    dst->Clear();
  } else {
    *dst = Column(Storage::kInt64, src.nullable());
  }
  dst->Reserve(src.size());
  const bool millis32 = from.kind() == Kind::kTimeMillis;
  for (size_t i = 0; i < src.size(); ++i) {
    if (src.IsNull(i)) {
      dst->AppendNull();
      continue;
    }
    const int64_t v = millis32 ? src.GetInt32(i) : src.GetInt64(i);
    if (v > kMaxMillis || v < -kMaxMillis) {
      return InvalidArgumentError(
          "field '{}': timestamp {} ms is beyond what an Iceberg timestamp holds in microseconds",
          from.name, v);
    }
    dst->AppendInt64(v * kMicrosPerMilli);
  }
  return Status::OK();
}

class ConvertingWriter final : public FileWriter {
 public:
  ConvertingWriter(std::unique_ptr<FileWriter> inner, SchemaPtr records, SchemaPtr data)
      : inner_(std::move(inner)),
        records_(std::move(records)),
        data_(std::move(data)),
        converted_(data_) {}

  Status Write(const RecordBatch& batch) override {
    LP_RETURN_IF_ERROR(ConvertBatch(*records_, batch, data_, &converted_));
    return inner_->Write(converted_);
  }
  Status Finish() override { return inner_->Finish(); }
  void Abort() override { inner_->Abort(); }
  uint64_t rows_written() const override { return inner_->rows_written(); }
  uint64_t bytes_written() const override { return inner_->bytes_written(); }
  uint64_t memory_bytes() const override {
    return inner_->memory_bytes() + converted_.MemoryBytes();
  }

 private:
  std::unique_ptr<FileWriter> inner_;
  SchemaPtr records_;
  SchemaPtr data_;
  RecordBatch converted_;  // reused: its buffers keep their capacity
};

}  // namespace

Schema DataFileSchema(const Schema& records) {
  std::vector<Field> fields = records.fields();
  for (Field& f : fields) ToDataField(&f);
  return Schema(records.name(), std::move(fields), records.name_space());
}

bool NeedsConversion(const Schema& records) {
  for (const Field& f : records.fields()) {
    if (Converts(f)) return true;
  }
  return false;
}

bool RowConvertible(const Schema& records, const RecordBatch& batch, size_t row,
                    std::string* reason) {
  for (size_t i = 0; i < records.num_fields(); ++i) {
    if (!RangeConvertible(records.field(i), batch.column(i), row, row + 1, reason)) return false;
  }
  return true;
}

Status ConvertBatch(const Schema& records, const RecordBatch& batch, const SchemaPtr& data,
                    RecordBatch* out) {
  if (out->schema() != data) *out = RecordBatch(data);
  for (size_t i = 0; i < records.num_fields(); ++i) {
    LP_RETURN_IF_ERROR(ConvertColumn(records.field(i), batch.column(i), &out->column(i)));
  }
  out->SetNumRows(batch.num_rows());
  return Status::OK();
}

std::unique_ptr<FileWriter> DataFileWriter(std::unique_ptr<FileWriter> inner, SchemaPtr records,
                                           SchemaPtr data) {
  if (!NeedsConversion(*records)) return inner;
  return std::make_unique<ConvertingWriter>(std::move(inner), std::move(records), std::move(data));
}

}  // namespace lakepipe::iceberg
