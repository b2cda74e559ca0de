#include "formats/parquet/metadata.h"

#include <algorithm>

#include "formats/parquet/thrift_compact.h"

namespace lakepipe::parquet {

std::string_view PhysicalTypeName(PhysicalType t) {
  switch (t) {
    case PhysicalType::kBoolean:
      return "BOOLEAN";
    case PhysicalType::kInt32:
      return "INT32";
    case PhysicalType::kInt64:
      return "INT64";
    case PhysicalType::kInt96:
      return "INT96";
    case PhysicalType::kFloat:
      return "FLOAT";
    case PhysicalType::kDouble:
      return "DOUBLE";
    case PhysicalType::kByteArray:
      return "BYTE_ARRAY";
    case PhysicalType::kFixedLenByteArray:
      return "FIXED_LEN_BYTE_ARRAY";
  }
  return "UNKNOWN";
}

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kPlain:
      return "PLAIN";
    case Encoding::kPlainDictionary:
      return "PLAIN_DICTIONARY";
    case Encoding::kRle:
      return "RLE";
    case Encoding::kBitPacked:
      return "BIT_PACKED";
    case Encoding::kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case Encoding::kDeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case Encoding::kDeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case Encoding::kRleDictionary:
      return "RLE_DICTIONARY";
    case Encoding::kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
  }
  return "UNKNOWN";
}

std::string_view CompressionCodecName(CompressionCodec c) {
  switch (c) {
    case CompressionCodec::kUncompressed:
      return "UNCOMPRESSED";
    case CompressionCodec::kSnappy:
      return "SNAPPY";
    case CompressionCodec::kGzip:
      return "GZIP";
    case CompressionCodec::kLzo:
      return "LZO";
    case CompressionCodec::kBrotli:
      return "BROTLI";
    case CompressionCodec::kLz4:
      return "LZ4";
    case CompressionCodec::kZstd:
      return "ZSTD";
    case CompressionCodec::kLz4Raw:
      return "LZ4_RAW";
  }
  return "UNKNOWN";
}

namespace {

// ---------------------------------------------------------------- writing

void WriteStatistics(ThriftWriter& w, int16_t id, const Statistics& s) {
  w.FieldStruct(id);
  if (s.max) w.FieldBinary(1, *s.max);
  if (s.min) w.FieldBinary(2, *s.min);
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.distinct_count) w.FieldI64(4, *s.distinct_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  w.EndStruct();
}

void WriteEmptyStructField(ThriftWriter& w, int16_t id) {
  w.FieldStruct(id);
  w.EndStruct();
}

void WriteTimeUnit(ThriftWriter& w, int16_t id, TimeUnit unit) {
  w.FieldStruct(id);
  WriteEmptyStructField(w, unit == TimeUnit::kMillis ? 1 : unit == TimeUnit::kMicros ? 2 : 3);
  w.EndStruct();
}

void WriteLogicalType(ThriftWriter& w, int16_t id, const LogicalTypeAnnotation& lt) {
  using Kind = LogicalTypeAnnotation::Kind;
  w.FieldStruct(id);
  switch (lt.kind) {
    case Kind::kString:
      WriteEmptyStructField(w, 1);
      break;
    case Kind::kMap:
      WriteEmptyStructField(w, 2);
      break;
    case Kind::kList:
      WriteEmptyStructField(w, 3);
      break;
    case Kind::kEnum:
      WriteEmptyStructField(w, 4);
      break;
    case Kind::kDecimal:
      w.FieldStruct(5);
      w.FieldI32(1, lt.scale);
      w.FieldI32(2, lt.precision);
      w.EndStruct();
      break;
    case Kind::kDate:
      WriteEmptyStructField(w, 6);
      break;
    case Kind::kTime:
    case Kind::kTimestamp:
      w.FieldStruct(lt.kind == Kind::kTime ? 7 : 8);
      w.FieldBool(1, lt.adjusted_to_utc);
      WriteTimeUnit(w, 2, lt.unit);
      w.EndStruct();
      break;
    case Kind::kInteger:
      w.FieldStruct(10);
      w.FieldByte(1, static_cast<int8_t>(lt.bit_width));
      w.FieldBool(2, lt.is_signed);
      w.EndStruct();
      break;
    case Kind::kNull:
      WriteEmptyStructField(w, 11);
      break;
    case Kind::kJson:
      WriteEmptyStructField(w, 12);
      break;
    case Kind::kBson:
      WriteEmptyStructField(w, 13);
      break;
    case Kind::kUuid:
      WriteEmptyStructField(w, 14);
      break;
    case Kind::kFloat16:
      WriteEmptyStructField(w, 15);
      break;
    case Kind::kVariant:
      WriteEmptyStructField(w, 16);
      break;
    case Kind::kGeometry:
    case Kind::kGeography:
      w.FieldStruct(lt.kind == Kind::kGeometry ? 17 : 18);
      if (!lt.crs.empty()) w.FieldBinary(1, lt.crs);
      if (lt.kind == Kind::kGeography && lt.algorithm) w.FieldI32(2, *lt.algorithm);
      w.EndStruct();
      break;
    case Kind::kOther:
      break;
  }
  w.EndStruct();
}

void WriteSchemaElement(ThriftWriter& w, const SchemaElement& e) {
  w.BeginStruct();
  if (e.type) w.FieldI32(1, static_cast<int32_t>(*e.type));
  if (e.type_length) w.FieldI32(2, *e.type_length);
  if (e.repetition) w.FieldI32(3, static_cast<int32_t>(*e.repetition));
  w.FieldBinary(4, e.name);
  if (e.num_children) w.FieldI32(5, *e.num_children);
  if (e.converted_type) w.FieldI32(6, static_cast<int32_t>(*e.converted_type));
  if (e.scale) w.FieldI32(7, *e.scale);
  if (e.precision) w.FieldI32(8, *e.precision);
  if (e.field_id) w.FieldI32(9, *e.field_id);
  if (e.logical_type) WriteLogicalType(w, 10, *e.logical_type);
  w.EndStruct();
}

void WriteKeyValues(ThriftWriter& w, int16_t id, const std::vector<KeyValue>& kvs) {
  w.FieldList(id, TType::kStruct, kvs.size());
  for (const KeyValue& kv : kvs) {
    w.BeginStruct();
    w.FieldBinary(1, kv.key);
    if (kv.value) w.FieldBinary(2, *kv.value);
    w.EndStruct();
  }
}

void WriteColumnMetaData(ThriftWriter& w, int16_t id, const ColumnMetaData& m) {
  w.FieldStruct(id);
  w.FieldI32(1, static_cast<int32_t>(m.type));
  w.FieldList(2, TType::kI32, m.encodings.size());
  for (Encoding e : m.encodings) w.ElemI32(static_cast<int32_t>(e));
  w.FieldList(3, TType::kBinary, m.path_in_schema.size());
  for (const std::string& p : m.path_in_schema) w.ElemBinary(p);
  w.FieldI32(4, static_cast<int32_t>(m.codec));
  w.FieldI64(5, m.num_values);
  w.FieldI64(6, m.total_uncompressed_size);
  w.FieldI64(7, m.total_compressed_size);
  w.FieldI64(9, m.data_page_offset);
  if (m.dictionary_page_offset) w.FieldI64(11, *m.dictionary_page_offset);
  if (m.statistics) WriteStatistics(w, 12, *m.statistics);
  if (!m.encoding_stats.empty()) {
    w.FieldList(13, TType::kStruct, m.encoding_stats.size());
    for (const PageEncodingStats& s : m.encoding_stats) {
      w.BeginStruct();
      w.FieldI32(1, static_cast<int32_t>(s.page_type));
      w.FieldI32(2, static_cast<int32_t>(s.encoding));
      w.FieldI32(3, s.count);
      w.EndStruct();
    }
  }
  w.EndStruct();
}

// ---------------------------------------------------------------- reading

template <typename E>
Status ReadEnum(ThriftReader& r, TType t, E* out) {
  int32_t v;
  LP_RETURN_IF_ERROR(r.ReadI32(t, &v));
  *out = static_cast<E>(v);
  return Status::OK();
}

template <typename T, typename Fn>
Status ReadList(ThriftReader& r, TType t, std::vector<T>* out, Fn&& read_elem) {
  TType elem = TType::kStop;
  uint32_t n;
  LP_RETURN_IF_ERROR(r.ReadListHeader(t, &elem, &n));
  out->clear();
  // n is bounded by the bytes left, not by memory: reserve modestly.
  out->reserve(std::min<uint32_t>(n, 1024));
  for (uint32_t i = 0; i < n; ++i) {
    T value{};
    LP_RETURN_IF_ERROR(read_elem(elem, &value));
    out->push_back(std::move(value));
  }
  return Status::OK();
}

Status ReadStatistics(ThriftReader& r, Statistics* s) {
  return r.ReadStruct([&](int16_t id, TType t) -> Status {
    switch (id) {
      case 1:
        return r.ReadBinary(t, &s->max.emplace());
      case 2:
        return r.ReadBinary(t, &s->min.emplace());
      case 3:
        return r.ReadI64(t, &s->null_count.emplace());
      case 4:
        return r.ReadI64(t, &s->distinct_count.emplace());
      case 5:
        return r.ReadBinary(t, &s->max_value.emplace());
      case 6:
        return r.ReadBinary(t, &s->min_value.emplace());
      default:
        return r.Skip(t);
    }
  });
}

Status ExpectStruct(TType t) {
  if (t != TType::kStruct)
    return CorruptionError("Thrift field has type {}, expected struct", static_cast<int>(t));
  return Status::OK();
}

Status ReadTimeUnit(ThriftReader& r, TimeUnit* unit) {
  return r.ReadStruct([&](int16_t id, TType t) -> Status {
    if (id == 1) *unit = TimeUnit::kMillis;
    if (id == 2) *unit = TimeUnit::kMicros;
    if (id == 3) *unit = TimeUnit::kNanos;
    return r.Skip(t);
  });
}

Status ReadLogicalType(ThriftReader& r, LogicalTypeAnnotation* lt) {
  using Kind = LogicalTypeAnnotation::Kind;
  return r.ReadStruct([&](int16_t id, TType t) -> Status {
    switch (id) {
      case 1:
        lt->kind = Kind::kString;
        break;
      case 2:
        lt->kind = Kind::kMap;
        break;
      case 3:
        lt->kind = Kind::kList;
        break;
      case 4:
        lt->kind = Kind::kEnum;
        break;
      case 5:
        lt->kind = Kind::kDecimal;
        LP_RETURN_IF_ERROR(ExpectStruct(t));
        return r.ReadStruct([&](int16_t fid, TType ft) -> Status {
          if (fid == 1) return r.ReadI32(ft, &lt->scale);
          if (fid == 2) return r.ReadI32(ft, &lt->precision);
          return r.Skip(ft);
        });
      case 6:
        lt->kind = Kind::kDate;
        break;
      case 7:
      case 8:
        lt->kind = id == 7 ? Kind::kTime : Kind::kTimestamp;
        LP_RETURN_IF_ERROR(ExpectStruct(t));
        return r.ReadStruct([&](int16_t fid, TType ft) -> Status {
          if (fid == 1) return r.ReadBool(ft, &lt->adjusted_to_utc);
          if (fid == 2) {
            LP_RETURN_IF_ERROR(ExpectStruct(ft));
            return ReadTimeUnit(r, &lt->unit);
          }
          return r.Skip(ft);
        });
      case 10:
        lt->kind = Kind::kInteger;
        LP_RETURN_IF_ERROR(ExpectStruct(t));
        return r.ReadStruct([&](int16_t fid, TType ft) -> Status {
          if (fid == 1) return r.ReadI32(ft, &lt->bit_width);
          if (fid == 2) return r.ReadBool(ft, &lt->is_signed);
          return r.Skip(ft);
        });
      case 11:
        lt->kind = Kind::kNull;
        break;
      case 12:
        lt->kind = Kind::kJson;
        break;
      case 13:
        lt->kind = Kind::kBson;
        break;
      case 14:
        lt->kind = Kind::kUuid;
        break;
      case 15:
        lt->kind = Kind::kFloat16;
        break;
      case 16:
        lt->kind = Kind::kVariant;
        break;
      case 17:
      case 18:
        lt->kind = id == 17 ? Kind::kGeometry : Kind::kGeography;
        LP_RETURN_IF_ERROR(ExpectStruct(t));
        return r.ReadStruct([&](int16_t fid, TType ft) -> Status {
          if (fid == 1) return r.ReadBinary(ft, &lt->crs);
          if (fid == 2 && id == 18) return r.ReadI32(ft, &lt->algorithm.emplace());
          return r.Skip(ft);
        });
      default:
        lt->kind = Kind::kOther;
        break;
    }
    return r.Skip(t);
  });
}

Status ReadSchemaElement(ThriftReader& r, SchemaElement* e) {
  bool has_name = false;
  LP_RETURN_IF_ERROR(r.ReadStruct([&](int16_t id, TType t) -> Status {
    switch (id) {
      case 1:
        return ReadEnum(r, t, &e->type.emplace());
      case 2:
        return r.ReadI32(t, &e->type_length.emplace());
      case 3:
        return ReadEnum(r, t, &e->repetition.emplace());
      case 4:
        has_name = true;
        return r.ReadBinary(t, &e->name);
      case 5:
        return r.ReadI32(t, &e->num_children.emplace());
      case 6:
        return ReadEnum(r, t, &e->converted_type.emplace());
      case 7:
        return r.ReadI32(t, &e->scale.emplace());
      case 8:
        return r.ReadI32(t, &e->precision.emplace());
      case 9:
        return r.ReadI32(t, &e->field_id.emplace());
      case 10:
        LP_RETURN_IF_ERROR(ExpectStruct(t));
        return ReadLogicalType(r, &e->logical_type.emplace());
      default:
        return r.Skip(t);
    }
  }));
  if (!has_name) return CorruptionError("schema element without a name");
  return Status::OK();
}

Status ReadKeyValue(ThriftReader& r, KeyValue* kv) {
  return r.ReadStruct([&](int16_t id, TType t) -> Status {
    if (id == 1) return r.ReadBinary(t, &kv->key);
    if (id == 2) return r.ReadBinary(t, &kv->value.emplace());
    return r.Skip(t);
  });
}

Status ReadColumnMetaData(ThriftReader& r, ColumnMetaData* m) {
  return r.ReadStruct([&](int16_t id, TType t) -> Status {
    switch (id) {
      case 1:
        return ReadEnum(r, t, &m->type);
      case 2:
        return ReadList(r, t, &m->encodings, [&](TType, Encoding* e) {
          int32_t v;
          LP_RETURN_IF_ERROR(r.ReadElemI32(&v));
          *e = static_cast<Encoding>(v);
          return Status::OK();
        });
      case 3:
        return ReadList(r, t, &m->path_in_schema,
                        [&](TType, std::string* s) { return r.ReadElemBinary(s); });
      case 4:
        return ReadEnum(r, t, &m->codec);
      case 5:
        return r.ReadI64(t, &m->num_values);
      case 6:
        return r.ReadI64(t, &m->total_uncompressed_size);
      case 7:
        return r.ReadI64(t, &m->total_compressed_size);
      case 9:
        return r.ReadI64(t, &m->data_page_offset);
      case 11:
        return r.ReadI64(t, &m->dictionary_page_offset.emplace());
      case 12:
        LP_RETURN_IF_ERROR(ExpectStruct(t));
        return ReadStatistics(r, &m->statistics.emplace());
      case 13:
        return ReadList(r, t, &m->encoding_stats, [&](TType et, PageEncodingStats* s) -> Status {
          LP_RETURN_IF_ERROR(ExpectStruct(et));
          return r.ReadStruct([&](int16_t fid, TType ft) -> Status {
            if (fid == 1) return ReadEnum(r, ft, &s->page_type);
            if (fid == 2) return ReadEnum(r, ft, &s->encoding);
            if (fid == 3) return r.ReadI32(ft, &s->count);
            return r.Skip(ft);
          });
        });
      default:
        return r.Skip(t);
    }
  });
}

Status ReadColumnChunk(ThriftReader& r, ColumnChunk* c) {
  return r.ReadStruct([&](int16_t id, TType t) -> Status {
    switch (id) {
      case 1:
        return r.ReadBinary(t, &c->file_path.emplace());
      case 2:
        return r.ReadI64(t, &c->file_offset);
      case 3:
        LP_RETURN_IF_ERROR(ExpectStruct(t));
        return ReadColumnMetaData(r, &c->meta_data.emplace());
      case 8:
      case 9:
        c->encrypted = true;
        return r.Skip(t);
      default:
        return r.Skip(t);
    }
  });
}

Status ReadRowGroup(ThriftReader& r, RowGroup* g) {
  return r.ReadStruct([&](int16_t id, TType t) -> Status {
    switch (id) {
      case 1:
        return ReadList(r, t, &g->columns, [&](TType et, ColumnChunk* c) -> Status {
          LP_RETURN_IF_ERROR(ExpectStruct(et));
          return ReadColumnChunk(r, c);
        });
      case 2:
        return r.ReadI64(t, &g->total_byte_size);
      case 3:
        return r.ReadI64(t, &g->num_rows);
      case 5:
        return r.ReadI64(t, &g->file_offset.emplace());
      case 6:
        return r.ReadI64(t, &g->total_compressed_size.emplace());
      case 7: {
        int32_t v;
        LP_RETURN_IF_ERROR(r.ReadI32(t, &v));
        g->ordinal = static_cast<int16_t>(v);
        return Status::OK();
      }
      default:
        return r.Skip(t);
    }
  });
}

}  // namespace

void SerializeFileMetaData(const FileMetaData& md, std::string* out) {
  ThriftWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, md.version);
  w.FieldList(2, TType::kStruct, md.schema.size());
  for (const SchemaElement& e : md.schema) WriteSchemaElement(w, e);
  w.FieldI64(3, md.num_rows);
  w.FieldList(4, TType::kStruct, md.row_groups.size());
  for (const RowGroup& g : md.row_groups) {
    w.BeginStruct();
    w.FieldList(1, TType::kStruct, g.columns.size());
    for (const ColumnChunk& c : g.columns) {
      w.BeginStruct();
      if (c.file_path) w.FieldBinary(1, *c.file_path);
      w.FieldI64(2, c.file_offset);
      if (c.meta_data) WriteColumnMetaData(w, 3, *c.meta_data);
      if (c.encrypted) WriteEmptyStructField(w, 8);
      w.EndStruct();
    }
    w.FieldI64(2, g.total_byte_size);
    w.FieldI64(3, g.num_rows);
    if (g.file_offset) w.FieldI64(5, *g.file_offset);
    if (g.total_compressed_size) w.FieldI64(6, *g.total_compressed_size);
    if (g.ordinal) w.FieldI16(7, *g.ordinal);
    w.EndStruct();
  }
  if (!md.key_value_metadata.empty()) WriteKeyValues(w, 5, md.key_value_metadata);
  if (md.created_by) w.FieldBinary(6, *md.created_by);
  if (!md.column_orders.empty()) {
    w.FieldList(7, TType::kStruct, md.column_orders.size());
    for (size_t i = 0; i < md.column_orders.size(); ++i) {
      w.BeginStruct();
      WriteEmptyStructField(w, 1);  // TYPE_ORDER
      w.EndStruct();
    }
  }
  if (md.encrypted) WriteEmptyStructField(w, 8);
  w.EndStruct();
}

void SerializePageHeader(const PageHeader& h, std::string* out) {
  ThriftWriter w(out);
  w.BeginStruct();
  w.FieldI32(1, static_cast<int32_t>(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.crc) w.FieldI32(4, *h.crc);
  if (h.data_page_header) {
    const DataPageHeader& d = *h.data_page_header;
    w.FieldStruct(5);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, static_cast<int32_t>(d.encoding));
    w.FieldI32(3, static_cast<int32_t>(d.definition_level_encoding));
    w.FieldI32(4, static_cast<int32_t>(d.repetition_level_encoding));
    if (d.statistics) WriteStatistics(w, 5, *d.statistics);
    w.EndStruct();
  }
  if (h.dictionary_page_header) {
    const DictionaryPageHeader& d = *h.dictionary_page_header;
    w.FieldStruct(7);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, static_cast<int32_t>(d.encoding));
    if (d.is_sorted) w.FieldBool(3, *d.is_sorted);
    w.EndStruct();
  }
  if (h.data_page_header_v2) {
    const DataPageHeaderV2& d = *h.data_page_header_v2;
    w.FieldStruct(8);
    w.FieldI32(1, d.num_values);
    w.FieldI32(2, d.num_nulls);
    w.FieldI32(3, d.num_rows);
    w.FieldI32(4, static_cast<int32_t>(d.encoding));
    w.FieldI32(5, d.definition_levels_byte_length);
    w.FieldI32(6, d.repetition_levels_byte_length);
    w.FieldBool(7, d.is_compressed);
    if (d.statistics) WriteStatistics(w, 8, *d.statistics);
    w.EndStruct();
  }
  w.EndStruct();
}

Result<FileMetaData> ParseFileMetaData(std::string_view data) {
  ThriftReader r(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  FileMetaData md;
  md.version = 0;
  Status st = r.ReadStruct([&](int16_t id, TType t) -> Status {
    switch (id) {
      case 1:
        return r.ReadI32(t, &md.version);
      case 2:
        return ReadList(r, t, &md.schema, [&](TType et, SchemaElement* e) -> Status {
          LP_RETURN_IF_ERROR(ExpectStruct(et));
          return ReadSchemaElement(r, e);
        });
      case 3:
        return r.ReadI64(t, &md.num_rows);
      case 4:
        return ReadList(r, t, &md.row_groups, [&](TType et, RowGroup* g) -> Status {
          LP_RETURN_IF_ERROR(ExpectStruct(et));
          return ReadRowGroup(r, g);
        });
      case 5:
        return ReadList(r, t, &md.key_value_metadata, [&](TType et, KeyValue* kv) -> Status {
          LP_RETURN_IF_ERROR(ExpectStruct(et));
          return ReadKeyValue(r, kv);
        });
      case 6:
        return r.ReadBinary(t, &md.created_by.emplace());
      case 7: {
        std::vector<int> orders;
        LP_RETURN_IF_ERROR(ReadList(r, t, &orders, [&](TType et, int* o) -> Status {
          LP_RETURN_IF_ERROR(ExpectStruct(et));
          *o = 0;
          return r.ReadStruct([&](int16_t fid, TType ft) -> Status {
            *o = fid;
            return r.Skip(ft);
          });
        }));
        md.column_orders.clear();
        for (int o : orders) md.column_orders.push_back(o == 1);
        return Status::OK();
      }
      case 8:
        md.encrypted = true;
        return r.Skip(t);
      default:
        return r.Skip(t);
    }
  });
  if (!st.ok()) return st.WithContext("Parquet footer");
  if (md.schema.empty()) return CorruptionError("Parquet footer has no schema");
  if (md.num_rows < 0) return CorruptionError("Parquet footer has a negative row count");
  return md;
}

Result<PageHeader> ParsePageHeader(std::string_view data, size_t* consumed) {
  ThriftReader r(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  PageHeader h;
  Status st = r.ReadStruct([&](int16_t id, TType t) -> Status {
    switch (id) {
      case 1:
        return ReadEnum(r, t, &h.type);
      case 2:
        return r.ReadI32(t, &h.uncompressed_page_size);
      case 3:
        return r.ReadI32(t, &h.compressed_page_size);
      case 4:
        return r.ReadI32(t, &h.crc.emplace());
      case 5: {
        LP_RETURN_IF_ERROR(ExpectStruct(t));
        DataPageHeader& d = h.data_page_header.emplace();
        return r.ReadStruct([&](int16_t fid, TType ft) -> Status {
          switch (fid) {
            case 1:
              return r.ReadI32(ft, &d.num_values);
            case 2:
              return ReadEnum(r, ft, &d.encoding);
            case 3:
              return ReadEnum(r, ft, &d.definition_level_encoding);
            case 4:
              return ReadEnum(r, ft, &d.repetition_level_encoding);
            case 5:
              LP_RETURN_IF_ERROR(ExpectStruct(ft));
              return ReadStatistics(r, &d.statistics.emplace());
            default:
              return r.Skip(ft);
          }
        });
      }
      case 7: {
        LP_RETURN_IF_ERROR(ExpectStruct(t));
        DictionaryPageHeader& d = h.dictionary_page_header.emplace();
        return r.ReadStruct([&](int16_t fid, TType ft) -> Status {
          switch (fid) {
            case 1:
              return r.ReadI32(ft, &d.num_values);
            case 2:
              return ReadEnum(r, ft, &d.encoding);
            case 3:
              return r.ReadBool(ft, &d.is_sorted.emplace());
            default:
              return r.Skip(ft);
          }
        });
      }
      case 8: {
        LP_RETURN_IF_ERROR(ExpectStruct(t));
        DataPageHeaderV2& d = h.data_page_header_v2.emplace();
        return r.ReadStruct([&](int16_t fid, TType ft) -> Status {
          switch (fid) {
            case 1:
              return r.ReadI32(ft, &d.num_values);
            case 2:
              return r.ReadI32(ft, &d.num_nulls);
            case 3:
              return r.ReadI32(ft, &d.num_rows);
            case 4:
              return ReadEnum(r, ft, &d.encoding);
            case 5:
              return r.ReadI32(ft, &d.definition_levels_byte_length);
            case 6:
              return r.ReadI32(ft, &d.repetition_levels_byte_length);
            case 7:
              return r.ReadBool(ft, &d.is_compressed);
            case 8:
              LP_RETURN_IF_ERROR(ExpectStruct(ft));
              return ReadStatistics(r, &d.statistics.emplace());
            default:
              return r.Skip(ft);
          }
        });
      }
      default:
        return r.Skip(t);
    }
  });
  if (!st.ok()) return st.WithContext("Parquet page header");
  if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0) {
    return CorruptionError("Parquet page header has a negative page size");
  }
  *consumed = r.consumed();
  return h;
}

}  // namespace lakepipe::parquet
