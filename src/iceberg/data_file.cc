// DataFileFromParquet: a data file's manifest metrics from its Parquet
// footer, as Java's ParquetUtil.footerMetrics derives them, plus the NaN
// counts of float and double columns, which only the data holds.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "formats/parquet/metadata.h"
#include "formats/parquet/parquet_reader.h"
#include "iceberg/manifest.h"

namespace lakepipe::iceberg {
namespace {

using parquet::ConvertedType;
using parquet::LogicalTypeAnnotation;
using parquet::PhysicalType;
using parquet::SchemaElement;

// A leaf column of the footer's schema.
struct Leaf {
  const SchemaElement* element = nullptr;
  bool under_repeated = false;  // inside a list or map: no bounds, as Java
};

// Walks the depth-first schema elements from `*index`, collecting leaves.
Status CollectLeaves(const std::vector<SchemaElement>& elements, size_t* index, bool under_repeated,
                     std::vector<Leaf>* leaves) {
  if (*index >= elements.size()) return CorruptionError("the Parquet schema ends early");
  const SchemaElement& e = elements[(*index)++];
  const bool repeated =
      under_repeated || (e.repetition && *e.repetition == parquet::Repetition::kRepeated);
  const int32_t children = e.num_children.value_or(0);
  if (children == 0 && e.type) {
    leaves->push_back(Leaf{&e, repeated});
    return Status::OK();
  }
  for (int32_t c = 0; c < children; ++c) {
    LP_RETURN_IF_ERROR(CollectLeaves(elements, index, repeated, leaves));
  }
  return Status::OK();
}

void IndexFields(const std::vector<Field>& fields, std::map<int32_t, const Field*>* out) {
  for (const Field& f : fields) {
    if (f.field_id) (*out)[*f.field_id] = &f;
    IndexFields(f.children, out);
  }
}

template <typename T>
std::optional<T> Plain(const std::string& bytes) {
  if (bytes.size() != sizeof(T)) return std::nullopt;
  T v;
  std::memcpy(&v, bytes.data(), sizeof(T));
  return v;
}

bool IsUnsigned(const SchemaElement& e) {
  if (e.logical_type && e.logical_type->kind == LogicalTypeAnnotation::Kind::kInteger) {
    return !e.logical_type->is_signed;
  }
  return e.converted_type && (*e.converted_type == ConvertedType::kUint8 ||
                              *e.converted_type == ConvertedType::kUint16 ||
                              *e.converted_type == ConvertedType::kUint32 ||
                              *e.converted_type == ConvertedType::kUint64);
}

// The statistic's value in an order-preserving Datum (decimals stay
// unscaled ints until serialised); nullopt when it cannot be a bound.
std::optional<Datum> Decode(const SchemaElement& e, const std::string& bytes) {
  switch (*e.type) {
    case PhysicalType::kBoolean:
      if (bytes.size() != 1) return std::nullopt;
      return Datum(bytes[0] != 0);
    case PhysicalType::kInt32: {
      auto v = Plain<int32_t>(bytes);
      if (!v) return std::nullopt;
      if (IsUnsigned(e)) return Datum(static_cast<int64_t>(static_cast<uint32_t>(*v)));
      return Datum(*v);
    }
    case PhysicalType::kInt64: {
      auto v = Plain<int64_t>(bytes);
      if (!v || IsUnsigned(e)) return std::nullopt;
      return Datum(*v);
    }
    case PhysicalType::kFloat: {
      auto v = Plain<float>(bytes);
      if (!v || std::isnan(*v)) return std::nullopt;
      return Datum(*v);
    }
    case PhysicalType::kDouble: {
      auto v = Plain<double>(bytes);
      if (!v || std::isnan(*v)) return std::nullopt;
      return Datum(*v);
    }
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      return Datum(bytes);
    default:
      return std::nullopt;
  }
}

int64_t MicrosPerUnit(parquet::TimeUnit unit) {
  return unit == parquet::TimeUnit::kMillis ? 1000 : 1;
}

// The Iceberg single-value serialisation of a decoded statistic for a
// field of Iceberg type `field`; nullopt when the pair does not convert.
std::optional<std::string> ToIceberg(const SchemaElement& e, const Field& field, const Datum& d,
                                     bool upper) {
  const auto* i32 = std::get_if<int32_t>(&d);
  const auto* i64 = std::get_if<int64_t>(&d);
  const auto* bytes = std::get_if<std::string>(&d);
  const auto* f32 = std::get_if<float>(&d);
  const std::optional<LogicalTypeAnnotation>& lt = e.logical_type;
  switch (field.kind()) {
    case Kind::kBoolean:
      if (!std::holds_alternative<bool>(d)) return std::nullopt;
      return Serialize(d);
    case Kind::kInt8:
    case Kind::kInt16:
    case Kind::kInt32:
    case Kind::kUInt8:
    case Kind::kUInt16:
    case Kind::kDate:
      if (i32 != nullptr) return Serialize(*i32);
      return std::nullopt;
    case Kind::kInt64:
    case Kind::kUInt32:
      if (i32 != nullptr) return Serialize(static_cast<int64_t>(*i32));
      if (i64 != nullptr) return Serialize(*i64);
      return std::nullopt;
    case Kind::kTimeMillis:
    case Kind::kTimeMicros: {
      // Iceberg's time is in microseconds; TIME_MILLIS is on INT32.
      int64_t scale = i32 != nullptr ? 1000 : 1;
      if (lt && lt->kind == LogicalTypeAnnotation::Kind::kTime) {
        if (lt->unit == parquet::TimeUnit::kNanos) return std::nullopt;
        scale = MicrosPerUnit(lt->unit);
      }
      if (i32 != nullptr) return Serialize(static_cast<int64_t>(*i32) * scale);
      if (i64 != nullptr) return Serialize(*i64 * scale);
      return std::nullopt;
    }
    case Kind::kTimestamp: {
      if (i64 == nullptr || !lt || lt->kind != LogicalTypeAnnotation::Kind::kTimestamp) {
        return std::nullopt;
      }
      const bool want_nanos = field.unit == TimeUnit::kNanos;
      const bool have_nanos = lt->unit == parquet::TimeUnit::kNanos;
      if (want_nanos != have_nanos) return std::nullopt;
      return Serialize(*i64 * MicrosPerUnit(lt->unit));
    }
    case Kind::kFloat:
      if (f32 != nullptr) return Serialize(d);
      return std::nullopt;
    case Kind::kDouble:
      if (f32 != nullptr) return Serialize(static_cast<double>(*f32));
      if (std::holds_alternative<double>(d)) return Serialize(d);
      return std::nullopt;
    case Kind::kDecimal:
      if (i32 != nullptr) return MinimalBigEndian(*i32);
      if (i64 != nullptr) return MinimalBigEndian(*i64);
      return std::nullopt;  // fixed decimals: no reliable Parquet order
    case Kind::kString:
    case Kind::kBytes: {
      if (bytes == nullptr) return std::nullopt;
      const bool is_string = field.kind() == Kind::kString;
      if (upper) return TruncateUpperBound(*bytes, is_string);
      return TruncateLowerBound(*bytes, is_string);
    }
    case Kind::kFixed:
    case Kind::kUuid:
      if (bytes == nullptr || *e.type != PhysicalType::kFixedLenByteArray) return std::nullopt;
      return *bytes;
    default:
      return std::nullopt;
  }
}

// Whether a statistic's deprecated min/max may be used: only where the
// order is the signed one they were written with.
bool LegacyOrderIsSigned(const SchemaElement& e) {
  switch (*e.type) {
    case PhysicalType::kBoolean:
    case PhysicalType::kFloat:
    case PhysicalType::kDouble:
      return true;
    case PhysicalType::kInt32:
    case PhysicalType::kInt64:
      return !IsUnsigned(e);
    default:
      return false;
  }
}

bool Less(const Datum& a, const Datum& b) { return a < b; }

// Metrics of one leaf across row groups.
struct LeafMetrics {
  int64_t size = 0;
  int64_t values = 0;
  int64_t nulls = 0;
  bool nulls_known = true;
  bool bounds_known = true;
  std::optional<Datum> min;
  std::optional<Datum> max;
};

void AddChunk(const Leaf& leaf, const parquet::ColumnMetaData& md, LeafMetrics* m) {
  m->size += md.total_compressed_size;
  m->values += md.num_values;
  if (!md.statistics) {
    m->nulls_known = false;
    m->bounds_known = false;
    return;
  }
  const parquet::Statistics& st = *md.statistics;
  if (st.null_count) {
    m->nulls += *st.null_count;
  } else {
    m->nulls_known = false;
  }
  std::optional<std::string> lo = st.min_value;
  std::optional<std::string> hi = st.max_value;
  if ((!lo || !hi) && LegacyOrderIsSigned(*leaf.element)) {
    lo = st.min;
    hi = st.max;
  }
  if (!lo || !hi) {
    // A chunk of nulls only has no bounds and narrows nothing.
    if (!(st.null_count && *st.null_count == md.num_values)) m->bounds_known = false;
    return;
  }
  std::optional<Datum> dlo = Decode(*leaf.element, *lo);
  std::optional<Datum> dhi = Decode(*leaf.element, *hi);
  if (!dlo || !dhi) {
    m->bounds_known = false;
    return;
  }
  if (!m->min || Less(*dlo, *m->min)) m->min = dlo;
  if (!m->max || Less(*m->max, *dhi)) m->max = dhi;
}

// Reads a file another owner keeps open, for a reader that wants its own.
class BorrowedInput final : public InputFile {
 public:
  explicit BorrowedInput(InputFile* file) : file_(file) {}
  const std::string& path() const override { return file_->path(); }
  uint64_t size() const override { return file_->size(); }
  Status ReadAt(uint64_t offset, size_t n, std::string* out) override {
    return file_->ReadAt(offset, n, out);
  }

 private:
  InputFile* file_;
};

bool IsFloatingPoint(const Field& f) {
  return f.kind() == Kind::kFloat || f.kind() == Kind::kDouble;
}

// Adds the NaN values of `col` (of field `f`) and of its children to
// `counts`, by field id.
void CountNaNs(const Field& f, const Column& col, std::map<int32_t, int64_t>* counts) {
  if (IsFloatingPoint(f) && f.field_id) {
    int64_t& n = (*counts)[*f.field_id];
    for (size_t i = 0; i < col.size(); ++i) {
      if (!col.IsValid(i)) continue;
      const bool nan = col.storage() == Storage::kFloat ? std::isnan(col.GetFloat(i))
                                                        : std::isnan(col.GetDouble(i));
      n += nan ? 1 : 0;
    }
    return;
  }
  if (f.children.size() != col.num_children()) return;
  for (size_t c = 0; c < f.children.size(); ++c) CountNaNs(f.children[c], col.child(c), counts);
}

// The NaN values of every float and double column of the file (at any
// depth) by field id, read from the data: a Parquet footer does not count
// them. Only the top-level fields `holding` them are read.
Result<std::map<int32_t, int64_t>> NaNCounts(InputFile* file, std::vector<std::string> holding) {
  std::map<int32_t, int64_t> counts;
  if (holding.empty()) return counts;
  ReadOptions options;
  options.columns = std::move(holding);
  LP_ASSIGN_OR_RETURN(auto reader,
                      OpenParquetReader(std::make_unique<BorrowedInput>(file), options));
  RecordBatch batch(reader->schema());
  while (true) {
    LP_ASSIGN_OR_RETURN(bool more, reader->ReadBatch(&batch));
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      CountNaNs(reader->schema()->field(c), batch.column(c), &counts);
    }
    if (!more) break;
  }
  return counts;
}

// Where a row group starts, as parquet-mr finds it: its first column
// chunk's dictionary page, else its first data page (RowGroup.file_offset
// is wrong in files of some writers).
std::optional<int64_t> RowGroupStart(const parquet::RowGroup& rg) {
  if (rg.columns.empty() || !rg.columns[0].meta_data) return std::nullopt;
  const parquet::ColumnMetaData& m = *rg.columns[0].meta_data;
  if (m.dictionary_page_offset && *m.dictionary_page_offset > 0) return *m.dictionary_page_offset;
  return m.data_page_offset;
}

}  // namespace

Result<DataFile> DataFileFromParquet(InputFile* file, std::string uri, const TableSchema& schema,
                                     std::vector<Datum> partition) {
  uint64_t footer_offset = 0;
  LP_ASSIGN_OR_RETURN(parquet::FileMetaData md, parquet::ReadFileMetaData(file, &footer_offset));
  if (md.schema.empty()) return CorruptionError("{}: the Parquet footer has no schema", uri);
  std::vector<Leaf> leaves;
  std::vector<std::string> floating;  // top-level fields holding float or double leaves
  size_t index = 1;
  for (int32_t c = 0; c < md.schema[0].num_children.value_or(0); ++c) {
    const size_t field = index;
    const size_t first = leaves.size();
    LP_RETURN_IF_ERROR(CollectLeaves(md.schema, &index, false, &leaves));
    if (std::any_of(leaves.begin() + first, leaves.end(), [](const Leaf& l) {
          return *l.element->type == PhysicalType::kFloat ||
                 *l.element->type == PhysicalType::kDouble;
        })) {
      floating.push_back(md.schema[field].name);
    }
  }
  std::map<int32_t, const Field*> fields;
  if (schema.schema != nullptr) IndexFields(schema.schema->fields(), &fields);

  DataFile out;
  out.file_path = std::move(uri);
  out.file_format = "PARQUET";
  out.partition = std::move(partition);
  out.file_size_in_bytes = static_cast<int64_t>(file->size());
  std::vector<LeafMetrics> metrics(leaves.size());
  for (const parquet::RowGroup& rg : md.row_groups) {
    out.record_count += rg.num_rows;
    if (auto start = RowGroupStart(rg)) out.split_offsets.push_back(*start);
    if (rg.columns.size() != leaves.size()) {
      return CorruptionError("{}: a row group has {} columns, the schema {} leaves", out.file_path,
                             rg.columns.size(), leaves.size());
    }
    for (size_t i = 0; i < leaves.size(); ++i) {
      if (!rg.columns[i].meta_data) {
        return CorruptionError("{}: a column chunk without metadata", out.file_path);
      }
      AddChunk(leaves[i], *rg.columns[i].meta_data, &metrics[i]);
    }
  }
  for (size_t i = 0; i < leaves.size(); ++i) {
    const SchemaElement& e = *leaves[i].element;
    if (!e.field_id) continue;  // not a table column
    const int32_t id = *e.field_id;
    const LeafMetrics& m = metrics[i];
    out.column_sizes[id] = m.size;
    out.value_counts[id] = m.values;
    if (!m.nulls_known) continue;
    out.null_value_counts[id] = m.nulls;
    auto field = fields.find(id);
    if (leaves[i].under_repeated || !m.bounds_known || !m.min || field == fields.end()) continue;
    if (auto lo = ToIceberg(e, *field->second, *m.min, false)) out.lower_bounds[id] = *lo;
    if (auto hi = ToIceberg(e, *field->second, *m.max, true)) out.upper_bounds[id] = *hi;
  }
  if (!std::is_sorted(out.split_offsets.begin(), out.split_offsets.end())) {
    out.split_offsets.clear();  // the spec wants them ascending
  }
  LP_ASSIGN_OR_RETURN(out.nan_value_counts, NaNCounts(file, std::move(floating)));
  return out;
}

}  // namespace lakepipe::iceberg
