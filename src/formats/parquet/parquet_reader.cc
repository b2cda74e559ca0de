#include "formats/parquet/parquet_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compress/codec.h"
#include "core/time_util.h"
#include "formats/parquet/column_reader.h"
#include "formats/parquet/decoders.h"
#include "formats/parquet/record_assembly.h"
#include "formats/parquet/schema_mapping.h"

namespace lakepipe {
namespace parquet {

Result<FileMetaData> ReadFileMetaData(InputFile* file, uint64_t* footer_offset) {
  const std::string& path = file->path();
  const uint64_t size = file->size();
  if (size < 12) {
    return CorruptionError("{}: not a Parquet file ({} bytes is too short)", path, size);
  }
  std::string tail;
  LP_RETURN_IF_ERROR(file->ReadAt(size - 8, 8, &tail));
  if (tail.size() != 8) return CorruptionError("{}: file ends early", path);
  const std::string_view magic = std::string_view(tail).substr(4);
  if (magic == "PARE") {
    return UnimplementedError(
        "{}: Parquet modular encryption (an encrypted footer) is not supported", path);
  }
  if (magic != "PAR1") {
    return CorruptionError("{}: not a Parquet file (no PAR1 magic at the end)", path);
  }
  std::string head;
  LP_RETURN_IF_ERROR(file->ReadAt(0, 4, &head));
  if (head != "PAR1") {
    return CorruptionError("{}: not a Parquet file (no PAR1 magic at the start)", path);
  }
  uint32_t length = 0;
  std::memcpy(&length, tail.data(), 4);
  if (length > size - 12) {
    return CorruptionError("{}: footer length {} exceeds the {} bytes of the file", path, length,
                           size);
  }
  *footer_offset = size - 8 - length;
  std::string footer;
  LP_RETURN_IF_ERROR(file->ReadAt(*footer_offset, length, &footer));
  if (footer.size() != length) return CorruptionError("{}: file ends early", path);
  Result<FileMetaData> md = ParseFileMetaData(footer);
  if (!md.ok()) return md.status().WithContext(path);
  return md;
}

namespace {

// `text` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string Utf8Safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    // Sequence length, payload bits of the lead byte, smallest code point.
    size_t len = 0;
    uint32_t cp = 0;
    uint32_t min = 0;
    if ((c & 0xe0) == 0xc0) {
      len = 2;
      cp = c & 0x1f;
      min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3;
      cp = c & 0x0f;
      min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4;
      cp = c & 0x07;
      min = 0x10000;
    }
    bool valid = len > 0 && i + len <= n;
    for (size_t k = 1; valid && k < len; ++k) {
      if ((s[i + k] & 0xc0) != 0x80) valid = false;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    valid = valid && cp >= min && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
    if (valid) {
      out.append(text.data() + i, len);
      i += len;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

template <typename E>
std::string EnumLabel(std::string_view name, E value) {
  if (name == "UNKNOWN") return fmt::format("UNKNOWN({})", static_cast<int>(value));
  return std::string(name);
}

// Checks one column chunk against its schema leaf and the file; gives
// where its pages lie.
Status ValidateChunk(const std::string& path, size_t rg_index, const RowGroup& rg,
                     const LeafMapping& leaf, const ColumnChunk& chunk, uint64_t data_end,
                     ChunkExtent* extent) {
  const std::string& name = leaf.path_name;
  const auto fail = [&](std::string what) {
    return CorruptionError("{}: row group {}, column '{}': {}", path, rg_index, name, what);
  };
  if (chunk.encrypted) {
    return UnimplementedError(
        "{}: row group {}, column '{}': Parquet modular encryption (an encrypted column chunk) "
        "is not supported",
        path, rg_index, name);
  }
  if (chunk.file_path) {
    return UnimplementedError(
        "{}: row group {}, column '{}': column chunks in other files are not supported", path,
        rg_index, name);
  }
  if (!chunk.meta_data) return fail("the column chunk has no metadata");
  const ColumnMetaData& m = *chunk.meta_data;
  if (m.path_in_schema != leaf.path) {
    std::string got;
    for (const std::string& p : m.path_in_schema) got += (got.empty() ? "" : ".") + p;
    return fail(fmt::format("path_in_schema '{}' does not match the schema", got));
  }
  if (m.type != leaf.physical) {
    return fail(fmt::format("physical type {} differs from the schema's {}",
                            EnumLabel(PhysicalTypeName(m.type), m.type),
                            PhysicalTypeName(leaf.physical)));
  }
  Result<Codec> codec = ParquetCodec(m.codec, name);
  if (!codec.ok())
    return codec.status().WithContext(fmt::format("{}: row group {}", path, rg_index));
  // Without repetition every row has one entry; with it, at least one.
  if (leaf.max_rep == 0 ? m.num_values != rg.num_rows : m.num_values < rg.num_rows) {
    return fail(fmt::format("the column chunk holds {} values, the row group {} rows", m.num_values,
                            rg.num_rows));
  }
  if (m.total_compressed_size < 0 || m.total_uncompressed_size < 0) {
    return fail("negative column chunk size");
  }
  if (m.num_values == 0) {
    // No pages are read; writers leave the offsets of an empty chunk 0.
    *extent = ChunkExtent{};
    return Status::OK();
  }
  if (m.data_page_offset < 4) {
    return fail(fmt::format("data_page_offset {} is outside the column data", m.data_page_offset));
  }
  auto start = static_cast<uint64_t>(m.data_page_offset);
  if (m.dictionary_page_offset && *m.dictionary_page_offset > 0) {
    const int64_t dict = *m.dictionary_page_offset;
    if (dict < 4 || dict > m.data_page_offset) {
      return fail(fmt::format("dictionary_page_offset {} is not before data_page_offset {}", dict,
                              m.data_page_offset));
    }
    start = static_cast<uint64_t>(dict);
  }
  const auto size = static_cast<uint64_t>(m.total_compressed_size);
  if (start > data_end || size > data_end - start) {
    return fail(
        fmt::format("the column chunk at {} of {} bytes lies outside the column data "
                    "(which ends at {})",
                    start, size, data_end));
  }
  if (static_cast<uint64_t>(m.data_page_offset) >= start + size) {
    return fail(fmt::format("data_page_offset {} is outside the column chunk", m.data_page_offset));
  }
  extent->start = start;
  extent->size = size;
  return Status::OK();
}

// The readers of one top-level field: one column reader per leaf below it.
struct FieldReader {
  size_t field = 0;   // index in the file's schema
  bool flat = false;  // a single leaf read straight into its column
  std::vector<std::unique_ptr<ColumnReader>> leaves;
  std::vector<LeafLevels> levels;  // nested fields: per leaf, one step's records
  size_t next_row_group = 0;
  int row_group = -1;           // nested fields: the row group being read
  uint64_t row_group_left = 0;  // nested fields: its rows not yet read
};

class ParquetReader final : public RecordReader {
 public:
  ParquetReader(std::unique_ptr<InputFile> file, size_t batch_rows,
                std::vector<std::string> wanted_columns)
      : file_(std::move(file)), batch_rows_(batch_rows), wanted_(std::move(wanted_columns)) {}
  ParquetReader(const ParquetReader&) = delete;
  ParquetReader& operator=(const ParquetReader&) = delete;

  Status Init() {
    const std::string& path = file_->path();
    uint64_t data_end = 0;
    LP_ASSIGN_OR_RETURN(md_, ReadFileMetaData(file_.get(), &data_end));
    if (md_.encrypted) {
      return UnimplementedError(
          "{}: Parquet modular encryption (encrypted columns under a plaintext footer) is not "
          "supported",
          path);
    }
    // Column names become schema (and Avro JSON) names, which must be text.
    for (const SchemaElement& e : md_.schema) {
      if (Utf8Safe(e.name) != e.name) {
        return CorruptionError("{}: schema name '{}' is not valid UTF-8", path, Utf8Safe(e.name));
      }
    }
    Result<FileSchemaMapping> mapping = MapFileSchema(md_);
    if (!mapping.ok()) return mapping.status().WithContext(path);
    mapping_ = std::move(mapping).value();
    for (const LeafMapping& leaf : mapping_.leaves) {
      LP_RETURN_IF_ERROR(ColumnReader::CheckLeaf(leaf).WithContext(path));
    }
    LP_RETURN_IF_ERROR(ValidateRowGroups(data_end));
    SelectFields();
    std::vector<Field> fields;
    for (FieldReader& fr : readers_) {
      const ReadNode& node = mapping_.fields[fr.field];
      fr.flat = IsFlatLeaf(node, mapping_.leaves);
      for (size_t l = node.first_leaf; l < node.end_leaf; ++l) {
        const LeafMapping* leaf = &mapping_.leaves[l];
        fr.leaves.push_back(std::make_unique<ColumnReader>(file_.get(), &codecs_, leaf, !fr.flat));
        if (!fr.flat) fr.levels.emplace_back(StorageOf(leaf->field));
      }
      fields.push_back(mapping_.schema.field(fr.field));
    }
    if (readers_.size() == mapping_.schema.num_fields()) {
      schema_ = std::make_shared<const Schema>(mapping_.schema);
    } else {
      schema_ = std::make_shared<const Schema>(mapping_.schema.name(), std::move(fields),
                                               mapping_.schema.name_space());
    }
    return Status::OK();
  }

  const SchemaPtr& schema() const override { return schema_; }

  Result<bool> ReadBatch(RecordBatch* batch) override {
    if (!error_.ok()) return error_;
    if (batch->num_columns() != readers_.size()) {
      return InvalidArgumentError("batch has {} columns, the Parquet reader's schema {}",
                                  batch->num_columns(), readers_.size());
    }
    for (size_t c = 0; c < readers_.size(); ++c) {
      const Field& f = schema_->field(c);
      const Column& col = batch->column(c);
      const bool nullable = f.nullable || f.kind() == Kind::kNull;
      if (col.storage() != StorageOf(f) || col.nullable() != nullable) {
        return InvalidArgumentError("batch column {} does not match field '{}' ({})", c, f.name,
                                    f.Describe());
      }
    }
    batch->Clear();
    if (rows_read_ >= total_rows_) return false;
    const auto n = static_cast<size_t>(std::min<uint64_t>(batch_rows_, total_rows_ - rows_read_));
    Status st = Fill(batch, n);
    if (!st.ok()) {
      batch->Clear();
      error_ = st;
      return st;
    }
    batch->SetNumRows(n);
    rows_read_ += n;
    return true;
  }

 private:
  Status ValidateRowGroups(uint64_t data_end) {
    const std::string& path = file_->path();
    const size_t ncols = mapping_.leaves.size();
    uint64_t rows = 0;
    extents_.resize(md_.row_groups.size());
    for (size_t g = 0; g < md_.row_groups.size(); ++g) {
      const RowGroup& rg = md_.row_groups[g];
      if (rg.num_rows < 0) {
        return CorruptionError("{}: row group {} has {} rows", path, g, rg.num_rows);
      }
      if (rg.columns.size() != ncols) {
        return CorruptionError("{}: row group {} has {} column chunks, the schema {} columns", path,
                               g, rg.columns.size(), ncols);
      }
      if (__builtin_add_overflow(rows, static_cast<uint64_t>(rg.num_rows), &rows)) {
        return CorruptionError("{}: row counts overflow", path);
      }
      extents_[g].resize(ncols);
      for (size_t c = 0; c < ncols; ++c) {
        LP_RETURN_IF_ERROR(ValidateChunk(path, g, rg, mapping_.leaves[c], rg.columns[c], data_end,
                                         &extents_[g][c]));
      }
    }
    if (rows != static_cast<uint64_t>(md_.num_rows)) {
      return CorruptionError("{}: the footer counts {} rows, its row groups {}", path, md_.num_rows,
                             rows);
    }
    if (ncols == 0 && rows > 0) {
      return UnimplementedError("{}: the file has {} rows but no columns", path, rows);
    }
    total_rows_ = rows;
    return Status::OK();
  }

  // Only the wanted top-level fields, when the file has them all (in file
  // order); else every field.
  void SelectFields() {
    const Schema& schema = mapping_.schema;
    std::vector<size_t> chosen;
    for (size_t i = 0; i < schema.num_fields(); ++i) {
      if (wanted_.empty() ||
          std::find(wanted_.begin(), wanted_.end(), schema.field(i).name) != wanted_.end()) {
        chosen.push_back(i);
      }
    }
    if (chosen.size() != wanted_.size() || chosen.empty()) {
      chosen.clear();
      for (size_t i = 0; i < schema.num_fields(); ++i) chosen.push_back(i);
    }
    readers_.resize(chosen.size());
    for (size_t c = 0; c < chosen.size(); ++c) readers_[c].field = chosen[c];
  }

  Status StartRowGroup(FieldReader* fr) {
    const ReadNode& node = mapping_.fields[fr->field];
    const size_t g = fr->next_row_group++;
    if (g >= md_.row_groups.size()) {
      return InternalError("{}: column '{}' has no row group left", file_->path(),
                           mapping_.leaves[node.first_leaf].path_name);
    }
    for (size_t i = 0; i < fr->leaves.size(); ++i) {
      const size_t leaf = node.first_leaf + i;
      LP_RETURN_IF_ERROR(fr->leaves[i]->StartChunk(
          static_cast<int>(g), &*md_.row_groups[g].columns[leaf].meta_data, extents_[g][leaf]));
    }
    fr->row_group = static_cast<int>(g);
    fr->row_group_left = static_cast<uint64_t>(md_.row_groups[g].num_rows);
    return Status::OK();
  }

  Status FillFlat(FieldReader* fr, size_t n, Column* col) {
    ColumnReader& reader = *fr->leaves[0];
    size_t left = n;
    while (left > 0) {
      if (reader.chunk_values_left() == 0) {
        LP_RETURN_IF_ERROR(StartRowGroup(fr));
        continue;
      }
      const auto take = static_cast<size_t>(std::min<uint64_t>(left, reader.chunk_values_left()));
      LP_RETURN_IF_ERROR(reader.Read(take, col));
      left -= take;
    }
    return Status::OK();
  }

  Status FillNested(FieldReader* fr, size_t n, Column* col) {
    const ReadNode& node = mapping_.fields[fr->field];
    size_t left = n;
    while (left > 0) {
      if (fr->row_group_left == 0) {
        LP_RETURN_IF_ERROR(StartRowGroup(fr));
        continue;
      }
      const auto take = static_cast<size_t>(std::min<uint64_t>(left, fr->row_group_left));
      const std::string where = fmt::format("{}: row group {}", file_->path(), fr->row_group);
      for (size_t i = 0; i < fr->leaves.size(); ++i) {
        LeafLevels& lv = fr->levels[i];
        lv.Clear();
        size_t got = 0;
        LP_RETURN_IF_ERROR(fr->leaves[i]->ReadRecords(take, &lv, &got));
        if (got != take) {
          return CorruptionError(
              "{}, column '{}': the column chunk ends after {} of the row "
              "group's records",
              where, mapping_.leaves[node.first_leaf + i].path_name,
              fr->row_group_left - take + got);
        }
      }
      Status st = AssembleRecords(node, mapping_.leaves, take, &fr->levels, col);
      if (!st.ok()) return st.WithContext(where);
      left -= take;
      fr->row_group_left -= take;
      if (fr->row_group_left > 0) continue;
      for (size_t i = 0; i < fr->leaves.size(); ++i) {
        if (fr->leaves[i]->chunk_values_left() != 0) {
          return CorruptionError(
              "{}, column '{}': the column chunk holds more records than the row group's {} rows",
              where, mapping_.leaves[node.first_leaf + i].path_name,
              md_.row_groups[static_cast<size_t>(fr->row_group)].num_rows);
        }
      }
    }
    return Status::OK();
  }

  Status Fill(RecordBatch* batch, size_t n) {
    for (size_t c = 0; c < readers_.size(); ++c) {
      Column& col = batch->column(c);
      col.Reserve(n);
      FieldReader& fr = readers_[c];
      LP_RETURN_IF_ERROR(fr.flat ? FillFlat(&fr, n, &col) : FillNested(&fr, n, &col));
    }
    return Status::OK();
  }

  std::unique_ptr<InputFile> file_;
  size_t batch_rows_;
  FileMetaData md_;
  FileSchemaMapping mapping_;
  SchemaPtr schema_;
  CodecContext codecs_;
  std::vector<std::vector<ChunkExtent>> extents_;  // [row group][leaf]
  std::vector<std::string> wanted_;
  std::vector<FieldReader> readers_;  // one per field read, in file order
  uint64_t total_rows_ = 0;
  uint64_t rows_read_ = 0;
  Status error_;
};

// ---------------------------------------------------------------- describe

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

std::string_view UnitName(TimeUnit u) {
  switch (u) {
    case TimeUnit::kMillis:
      return "MILLIS";
    case TimeUnit::kMicros:
      return "MICROS";
    case TimeUnit::kNanos:
      return "NANOS";
  }
  return "?";
}

// What min/max decoding and the logical type text need to know of a leaf.
struct TypeFacts {
  enum class Kind { kNone, kString, kDate, kTime, kTimestamp, kInteger, kDecimal, kUuid, kFloat16 };
  Kind kind = Kind::kNone;
  TimeUnit unit = TimeUnit::kMicros;
  bool is_signed = true;
  bool utc = true;  // kTimestamp: isAdjustedToUTC
  int32_t scale = 0;
};

TypeFacts FactsOf(const SchemaElement* e) {
  using Kind = LogicalTypeAnnotation::Kind;
  TypeFacts f;
  if (e == nullptr) return f;
  if (e->logical_type) {
    const LogicalTypeAnnotation& lt = *e->logical_type;
    switch (lt.kind) {
      case Kind::kString:
      case Kind::kEnum:
      case Kind::kJson:
        f.kind = TypeFacts::Kind::kString;
        break;
      case Kind::kDate:
        f.kind = TypeFacts::Kind::kDate;
        break;
      case Kind::kTime:
        f.kind = TypeFacts::Kind::kTime;
        f.unit = lt.unit;
        break;
      case Kind::kTimestamp:
        f.kind = TypeFacts::Kind::kTimestamp;
        f.unit = lt.unit;
        f.utc = lt.adjusted_to_utc;
        break;
      case Kind::kInteger:
        f.kind = TypeFacts::Kind::kInteger;
        f.is_signed = lt.is_signed;
        break;
      case Kind::kDecimal:
        f.kind = TypeFacts::Kind::kDecimal;
        f.scale = lt.scale;
        break;
      case Kind::kUuid:
        f.kind = TypeFacts::Kind::kUuid;
        break;
      case Kind::kFloat16:
        f.kind = TypeFacts::Kind::kFloat16;
        break;
      default:
        break;
    }
    return f;
  }
  if (!e->converted_type) return f;
  switch (*e->converted_type) {
    case ConvertedType::kUtf8:
    case ConvertedType::kEnum:
    case ConvertedType::kJson:
      f.kind = TypeFacts::Kind::kString;
      break;
    case ConvertedType::kDate:
      f.kind = TypeFacts::Kind::kDate;
      break;
    case ConvertedType::kTimeMillis:
    case ConvertedType::kTimeMicros:
      f.kind = TypeFacts::Kind::kTime;
      f.unit =
          *e->converted_type == ConvertedType::kTimeMillis ? TimeUnit::kMillis : TimeUnit::kMicros;
      break;
    case ConvertedType::kTimestampMillis:
    case ConvertedType::kTimestampMicros:
      f.kind = TypeFacts::Kind::kTimestamp;
      f.unit = *e->converted_type == ConvertedType::kTimestampMillis ? TimeUnit::kMillis
                                                                     : TimeUnit::kMicros;
      break;
    case ConvertedType::kUint8:
    case ConvertedType::kUint16:
    case ConvertedType::kUint32:
    case ConvertedType::kUint64:
      f.kind = TypeFacts::Kind::kInteger;
      f.is_signed = false;
      break;
    case ConvertedType::kDecimal:
      f.kind = TypeFacts::Kind::kDecimal;
      f.scale = e->scale.value_or(0);
      break;
    default:
      break;
  }
  return f;
}

std::string_view EdgeAlgorithmName(int32_t algorithm) {
  static constexpr std::string_view kNames[] = {"SPHERICAL", "VINCENTY", "THOMAS", "ANDOYER",
                                                "KARNEY"};
  if (algorithm < 0 || algorithm >= 5) return "UNKNOWN";
  return kNames[algorithm];
}

nlohmann::json LogicalTypeText(const SchemaElement* e) {
  using Kind = LogicalTypeAnnotation::Kind;
  if (e == nullptr) return nullptr;
  if (e->logical_type) {
    const LogicalTypeAnnotation& lt = *e->logical_type;
    const char* zone = lt.adjusted_to_utc ? "UTC" : "LOCAL";
    switch (lt.kind) {
      case Kind::kString:
        return "STRING";
      case Kind::kMap:
        return "MAP";
      case Kind::kList:
        return "LIST";
      case Kind::kEnum:
        return "ENUM";
      case Kind::kDecimal:
        return fmt::format("DECIMAL({},{})", lt.precision, lt.scale);
      case Kind::kDate:
        return "DATE";
      case Kind::kTime:
        return fmt::format("TIME({},{})", UnitName(lt.unit), zone);
      case Kind::kTimestamp:
        return fmt::format("TIMESTAMP({},{})", UnitName(lt.unit), zone);
      case Kind::kInteger:
        return fmt::format("INTEGER({},{})", lt.bit_width, lt.is_signed ? "signed" : "unsigned");
      case Kind::kNull:
        return "UNKNOWN";
      case Kind::kJson:
        return "JSON";
      case Kind::kBson:
        return "BSON";
      case Kind::kUuid:
        return "UUID";
      case Kind::kFloat16:
        return "FLOAT16";
      case Kind::kVariant:
        return "VARIANT";
      case Kind::kGeometry:
        return lt.crs.empty() ? std::string("GEOMETRY") : fmt::format("GEOMETRY({})", lt.crs);
      case Kind::kGeography:
        return fmt::format("GEOGRAPHY({},{})", lt.crs.empty() ? "OGC:CRS84" : lt.crs,
                           EdgeAlgorithmName(lt.algorithm.value_or(0)));
      case Kind::kOther:
        return "OTHER";
    }
    return nullptr;
  }
  if (!e->converted_type) return nullptr;
  switch (*e->converted_type) {
    case ConvertedType::kUtf8:
      return "STRING";
    case ConvertedType::kMap:
    case ConvertedType::kMapKeyValue:
      return "MAP";
    case ConvertedType::kList:
      return "LIST";
    case ConvertedType::kEnum:
      return "ENUM";
    case ConvertedType::kDecimal:
      return fmt::format("DECIMAL({},{})", e->precision.value_or(0), e->scale.value_or(0));
    case ConvertedType::kDate:
      return "DATE";
    case ConvertedType::kTimeMillis:
      return "TIME(MILLIS,UTC)";
    case ConvertedType::kTimeMicros:
      return "TIME(MICROS,UTC)";
    case ConvertedType::kTimestampMillis:
      return "TIMESTAMP(MILLIS,UTC)";
    case ConvertedType::kTimestampMicros:
      return "TIMESTAMP(MICROS,UTC)";
    case ConvertedType::kUint8:
      return "INTEGER(8,unsigned)";
    case ConvertedType::kUint16:
      return "INTEGER(16,unsigned)";
    case ConvertedType::kUint32:
      return "INTEGER(32,unsigned)";
    case ConvertedType::kUint64:
      return "INTEGER(64,unsigned)";
    case ConvertedType::kInt8:
      return "INTEGER(8,signed)";
    case ConvertedType::kInt16:
      return "INTEGER(16,signed)";
    case ConvertedType::kInt32:
      return "INTEGER(32,signed)";
    case ConvertedType::kInt64:
      return "INTEGER(64,signed)";
    case ConvertedType::kJson:
      return "JSON";
    case ConvertedType::kBson:
      return "BSON";
    case ConvertedType::kInterval:
      return "INTERVAL";
  }
  return fmt::format("UNKNOWN({})", static_cast<int>(*e->converted_type));
}

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

std::string DecimalText(Int128 unscaled, int32_t scale) {
  const bool negative = unscaled < 0;
  auto magnitude = static_cast<UInt128>(unscaled);
  if (negative) magnitude = ~magnitude + 1;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  if (scale > 0 && scale <= 38) {
    const auto s = static_cast<size_t>(scale);
    if (digits.size() <= s) digits.insert(0, s + 1 - digits.size(), '0');
    digits.insert(digits.size() - s, 1, '.');
  }
  return negative ? "-" + digits : digits;
}

// Timestamps in years 0000..9999 as ISO text; others (which the text form
// does not cover) as the number.
nlohmann::json TimestampJson(int64_t v, TimeUnit unit) {
  constexpr int64_t kMinDay = -719528;  // 0000-01-01
  constexpr int64_t kEndDay = 2932897;  // 10000-01-01
  const int64_t per_day = unit == TimeUnit::kMillis   ? int64_t{86400000}
                          : unit == TimeUnit::kMicros ? int64_t{86400000000}
                                                      : int64_t{86400000000000};
  const int64_t day = FloorDiv(v, per_day);
  if (day < kMinDay || day >= kEndDay) return v;
  if (unit == TimeUnit::kMillis) return FormatTimestampMillis(v);
  if (unit == TimeUnit::kNanos) return FormatTimestampMicros(FloorDiv(v, 1000));
  return FormatTimestampMicros(v);
}

nlohmann::json FloatJson(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

// A statistics value as readable JSON: numbers, text, ISO dates and
// timestamps; hex for other bytes (and for values of the wrong size).
nlohmann::json StatJson(std::string_view b, PhysicalType type, const TypeFacts& f) {
  using Kind = TypeFacts::Kind;
  const auto* p = reinterpret_cast<const uint8_t*>(b.data());
  switch (type) {
    case PhysicalType::kBoolean:
      if (b.size() != 1) break;
      return p[0] != 0;
    case PhysicalType::kInt32: {
      if (b.size() != 4) break;
      int32_t v = 0;
      std::memcpy(&v, p, 4);
      if (f.kind == Kind::kDate) return FormatDate(v);
      if (f.kind == Kind::kInteger && !f.is_signed) return static_cast<uint32_t>(v);
      if (f.kind == Kind::kDecimal) return DecimalText(v, f.scale);
      return v;
    }
    case PhysicalType::kInt64: {
      if (b.size() != 8) break;
      int64_t v = 0;
      std::memcpy(&v, p, 8);
      if (f.kind == Kind::kTimestamp) {
        nlohmann::json text = TimestampJson(v, f.unit);
        // A local timestamp names no time zone.
        if (!f.utc && text.is_string()) {
          std::string local = text.get<std::string>();
          if (!local.empty() && local.back() == 'Z') local.pop_back();
          return local;
        }
        return text;
      }
      if (f.kind == Kind::kInteger && !f.is_signed) return static_cast<uint64_t>(v);
      if (f.kind == Kind::kDecimal) return DecimalText(v, f.scale);
      return v;
    }
    case PhysicalType::kInt96: {
      if (b.size() != 12) break;
      return TimestampJson(Int96ToMicros(p), TimeUnit::kMicros);
    }
    case PhysicalType::kFloat: {
      if (b.size() != 4) break;
      float v = 0;
      std::memcpy(&v, p, 4);
      return FloatJson(v);
    }
    case PhysicalType::kDouble: {
      if (b.size() != 8) break;
      double v = 0;
      std::memcpy(&v, p, 8);
      return FloatJson(v);
    }
    case PhysicalType::kByteArray:
    case PhysicalType::kFixedLenByteArray:
      if (f.kind == Kind::kString) return Utf8Safe(b);
      if (f.kind == Kind::kUuid && b.size() == 16) {
        std::string text;
        AppendUuidText(p, &text);
        return text;
      }
      if (f.kind == Kind::kFloat16 && b.size() == 2) {
        return FloatJson(HalfToFloat(static_cast<uint16_t>(p[0] | (p[1] << 8))));
      }
      if (f.kind == Kind::kDecimal && !b.empty() && b.size() <= 16) {
        // Big-endian two's complement.
        auto u = static_cast<UInt128>((p[0] & 0x80) ? -1 : 0);
        for (uint8_t byte : b) u = (u << 8) | byte;
        return DecimalText(static_cast<Int128>(u), f.scale);
      }
      break;
  }
  return Hex(b);
}

// The leaf schema elements in column order (walks the tree iteratively).
std::vector<const SchemaElement*> CollectLeaves(const std::vector<SchemaElement>& schema) {
  std::vector<const SchemaElement*> leaves;
  if (schema.empty()) return leaves;
  std::vector<int64_t> open = {schema[0].num_children.value_or(0)};
  for (size_t i = 1; i < schema.size(); ++i) {
    while (!open.empty() && open.back() <= 0) open.pop_back();
    if (open.empty()) break;
    --open.back();
    const SchemaElement& e = schema[i];
    if (e.num_children && *e.num_children > 0) {
      open.push_back(*e.num_children);
    } else if (e.type) {
      leaves.push_back(&e);
    }
  }
  return leaves;
}

void AddDistinct(std::vector<std::string>* names, std::string name) {
  if (std::find(names->begin(), names->end(), name) == names->end()) {
    names->push_back(std::move(name));
  }
}

nlohmann::json OptionalInt(const std::optional<int64_t>& v) {
  if (v) return *v;
  return nullptr;
}

// The min or max to show: the current field, else the legacy one where its
// (signed byte) order is right.
const std::optional<std::string>& PickStat(const std::optional<std::string>& current,
                                           const std::optional<std::string>& legacy,
                                           PhysicalType type) {
  if (current) return current;
  if (type == PhysicalType::kByteArray || type == PhysicalType::kFixedLenByteArray) return current;
  return legacy;
}

Result<nlohmann::json> Describe(InputFile* file) {
  uint64_t footer_offset = 0;
  LP_ASSIGN_OR_RETURN(FileMetaData md, ReadFileMetaData(file, &footer_offset));
  const std::vector<const SchemaElement*> leaves = CollectLeaves(md.schema);
  nlohmann::json out = nlohmann::json::object();
  out["format"] = "parquet";
  out["file_size"] = file->size();
  out["num_rows"] = md.num_rows;
  out["created_by"] = md.created_by ? nlohmann::json(Utf8Safe(*md.created_by)) : nullptr;
  out["version"] = md.version;
  nlohmann::json metadata = nlohmann::json::object();
  for (const KeyValue& kv : md.key_value_metadata) {
    metadata[Utf8Safe(kv.key)] = Utf8Safe(kv.value.value_or(""));
  }
  out["metadata"] = std::move(metadata);
  std::vector<std::string> codecs;
  std::vector<std::string> encodings;
  nlohmann::json groups = nlohmann::json::array();
  for (const RowGroup& rg : md.row_groups) {
    nlohmann::json g = nlohmann::json::object();
    g["num_rows"] = rg.num_rows;
    g["total_byte_size"] = rg.total_byte_size;
    int64_t compressed = 0;
    std::optional<int64_t> first_offset;
    nlohmann::json columns = nlohmann::json::array();
    for (size_t j = 0; j < rg.columns.size(); ++j) {
      const ColumnChunk& cc = rg.columns[j];
      const SchemaElement* leaf = j < leaves.size() ? leaves[j] : nullptr;
      nlohmann::json c = nlohmann::json::object();
      if (!cc.meta_data) {
        c["name"] = leaf ? nlohmann::json(Utf8Safe(leaf->name)) : nullptr;
        if (cc.file_path) c["file_path"] = Utf8Safe(*cc.file_path);
        columns.push_back(std::move(c));
        continue;
      }
      const ColumnMetaData& m = *cc.meta_data;
      std::string name;
      for (const std::string& part : m.path_in_schema) name += (name.empty() ? "" : ".") + part;
      if (leaf && leaf->type && *leaf->type != m.type) leaf = nullptr;
      c["name"] = Utf8Safe(name);
      c["physical_type"] = EnumLabel(PhysicalTypeName(m.type), m.type);
      c["logical_type"] = LogicalTypeText(leaf);
      c["repetition"] = nullptr;
      if (leaf && leaf->repetition) {
        switch (*leaf->repetition) {
          case Repetition::kRequired:
            c["repetition"] = "REQUIRED";
            break;
          case Repetition::kOptional:
            c["repetition"] = "OPTIONAL";
            break;
          case Repetition::kRepeated:
            c["repetition"] = "REPEATED";
            break;
        }
      }
      c["field_id"] = leaf && leaf->field_id ? nlohmann::json(*leaf->field_id) : nullptr;
      const std::string codec = EnumLabel(CompressionCodecName(m.codec), m.codec);
      c["codec"] = codec;
      AddDistinct(&codecs, codec);
      nlohmann::json encs = nlohmann::json::array();
      for (Encoding e : m.encodings) {
        std::string label = EnumLabel(EncodingName(e), e);
        encs.push_back(label);
        AddDistinct(&encodings, std::move(label));
      }
      c["encodings"] = std::move(encs);
      c["num_values"] = m.num_values;
      c["null_count"] = nullptr;
      if (m.statistics) {
        const Statistics& s = *m.statistics;
        c["null_count"] = OptionalInt(s.null_count);
        const TypeFacts facts = FactsOf(leaf);
        const std::optional<std::string>& min = PickStat(s.min_value, s.min, m.type);
        const std::optional<std::string>& max = PickStat(s.max_value, s.max, m.type);
        if (min) c["min"] = StatJson(*min, m.type, facts);
        if (max) c["max"] = StatJson(*max, m.type, facts);
      }
      c["compressed_size"] = m.total_compressed_size;
      c["uncompressed_size"] = m.total_uncompressed_size;
      c["data_page_offset"] = m.data_page_offset;
      c["dictionary_page_offset"] = OptionalInt(m.dictionary_page_offset);
      // Wrapping sum: damaged sizes must not overflow.
      compressed = static_cast<int64_t>(static_cast<uint64_t>(compressed) +
                                        static_cast<uint64_t>(m.total_compressed_size));
      const int64_t start = m.dictionary_page_offset && *m.dictionary_page_offset > 0
                                ? std::min(*m.dictionary_page_offset, m.data_page_offset)
                                : m.data_page_offset;
      if (!first_offset || start < *first_offset) first_offset = start;
      columns.push_back(std::move(c));
    }
    g["compressed_size"] = rg.total_compressed_size.value_or(compressed);
    g["file_offset"] = OptionalInt(rg.file_offset ? rg.file_offset : first_offset);
    g["columns"] = std::move(columns);
    groups.push_back(std::move(g));
  }
  out["row_groups"] = std::move(groups);
  out["codecs"] = codecs;
  out["encodings"] = encodings;
  return out;
}

}  // namespace
}  // namespace parquet

Result<std::unique_ptr<RecordReader>> OpenParquetReader(std::unique_ptr<InputFile> file,
                                                        const ReadOptions& options) {
  if (options.batch_rows == 0) return InvalidArgumentError("batch_rows must be at least 1");
  auto reader = std::make_unique<parquet::ParquetReader>(std::move(file), options.batch_rows,
                                                         options.columns);
  LP_RETURN_IF_ERROR(reader->Init());
  return std::unique_ptr<RecordReader>(std::move(reader));
}

Result<nlohmann::json> DescribeParquet(InputFile* file) { return parquet::Describe(file); }

}  // namespace lakepipe
