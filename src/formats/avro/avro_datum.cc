#include "formats/avro/avro_datum.h"

#include <cstring>

#include <fmt/format.h>

#include "core/utf8.h"
#include "formats/avro/avro_nested.h"

namespace lakepipe::avro {
namespace {

inline void PutVarint(uint64_t u, std::string* out) {
  char buf[10];
  size_t n = 0;
  while (u >= 0x80) {
    buf[n++] = static_cast<char>((u & 0x7f) | 0x80);
    u >>= 7;
  }
  buf[n++] = static_cast<char>(u);
  out->append(buf, n);
}

inline uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

inline void PutFixed32(uint32_t bits, std::string* out) {
  const char buf[4] = {static_cast<char>(bits), static_cast<char>(bits >> 8),
                       static_cast<char>(bits >> 16), static_cast<char>(bits >> 24)};
  out->append(buf, 4);
}

inline void PutFixed64(uint64_t bits, std::string* out) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(bits >> (8 * i));
  out->append(buf, 8);
}

inline uint32_t LoadFixed32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}

inline uint64_t LoadFixed64(const uint8_t* p) {
  return static_cast<uint64_t>(LoadFixed32(p)) | (static_cast<uint64_t>(LoadFixed32(p + 4)) << 32);
}

enum class VarintStatus { kOk, kTruncated, kOverlong };

// Reads one zigzag varint of at most 10 bytes.
inline VarintStatus ReadVarint(const uint8_t*& p, const uint8_t* end, int64_t* v) {
  uint64_t u = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p == end) return VarintStatus::kTruncated;
    const uint8_t b = *p++;
    if (shift == 63 && b > 1) return VarintStatus::kOverlong;
    u |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
      return VarintStatus::kOk;
    }
  }
  return VarintStatus::kOverlong;
}

std::string_view VarintProblem(VarintStatus s) {
  return s == VarintStatus::kTruncated ? "the datum ends inside a varint"
                                       : "varint is longer than 10 bytes";
}

}  // namespace

void AppendLong(int64_t v, std::string* out) { PutVarint(ZigZag(v), out); }

void AppendBytes(std::string_view v, std::string* out) {
  PutVarint(ZigZag(static_cast<int64_t>(v.size())), out);
  out->append(v.data(), v.size());
}

VarintRead ReadLong(std::string_view* in, int64_t* v) {
  const auto* begin = reinterpret_cast<const uint8_t*>(in->data());
  const uint8_t* p = begin;
  switch (ReadVarint(p, begin + in->size(), v)) {
    case VarintStatus::kOk:
      in->remove_prefix(static_cast<size_t>(p - begin));
      return VarintRead::kOk;
    case VarintStatus::kTruncated:
      return VarintRead::kTruncated;
    case VarintStatus::kOverlong:
      return VarintRead::kOverlong;
  }
  return VarintRead::kOverlong;
}

namespace {

void EncodeValue(const Field& f, const Column& c, size_t row, std::string* out);

// A fixed-size value: exactly `size` bytes (a decimal sign-extended, any
// other value padded with zeros or cut, should the column hold another size).
void EncodeFixed(const Field& f, std::string_view v, std::string* out) {
  const auto size = static_cast<size_t>(f.fixed_size);
  if (v.size() == size) {
    out->append(v.data(), v.size());
  } else if (v.size() < size) {
    const bool negative = f.kind() == Kind::kDecimal && !v.empty() && (v[0] & 0x80) != 0;
    if (f.kind() == Kind::kDecimal) out->append(size - v.size(), negative ? '\xff' : '\0');
    out->append(v.data(), v.size());
    if (f.kind() != Kind::kDecimal) out->append(size - v.size(), '\0');
  } else {
    out->append(f.kind() == Kind::kDecimal ? v.substr(v.size() - size) : v.substr(0, size));
  }
}

// The minimal big-endian two's-complement bytes of `v` (at least one
// byte), kept in `buf`: how the Avro specification stores a decimal's
// unscaled value.
std::string_view UnscaledBytes(int64_t v, char (&buf)[8]) {
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(static_cast<uint64_t>(v) >> (56 - 8 * i));
  size_t skip = 0;
  // A leading byte is redundant when it only repeats the sign of the next.
  while (skip < 7 && (buf[skip] == '\0' || buf[skip] == '\xff') &&
         ((buf[skip] & 0x80) == (buf[skip + 1] & 0x80))) {
    ++skip;
  }
  return {buf + skip, 8 - skip};
}

// A decimal stored on int or long that the writer schema declares on bytes
// or fixed.
void EncodeUnscaled(const Field& f, int64_t v, std::string* out) {
  char buf[8];
  const std::string_view bytes = UnscaledBytes(v, buf);
  if (f.AvroBaseName() == "fixed") return EncodeFixed(f, bytes, out);
  AppendBytes(bytes, out);
}

bool IsIntDecimal(const Field& f) {
  return f.kind() == Kind::kDecimal && (f.base == Kind::kInt32 || f.base == Kind::kInt64);
}

bool IsDeclaredOnBinary(const Field& f) {
  return f.kind() == Kind::kDecimal && (f.base == Kind::kBytes || f.base == Kind::kFixed);
}

// `v` as an Avro JSON bytes default: one code point per byte.
std::string BytesDefault(int64_t v) {
  char buf[8];
  std::string text;
  for (const char c : UnscaledBytes(v, buf)) {
    const auto b = static_cast<uint8_t>(c);
    if (b < 0x80) {
      text.push_back(static_cast<char>(b));
    } else {
      text.push_back(static_cast<char>(0xc0 | (b >> 6)));
      text.push_back(static_cast<char>(0x80 | (b & 0x3f)));
    }
  }
  return text;
}

// Declares the decimals on int or long in `f` (and below it) on bytes.
// True when anything changed.
bool RebaseIntDecimals(Field* f) {
  bool changed = false;
  for (Field& child : f->children) changed = RebaseIntDecimals(&child) || changed;
  if (!IsIntDecimal(*f)) return changed;
  f->base = Kind::kBytes;
  f->type = Type::kBytes;
  if (f->default_value && f->default_value->is_number_integer()) {
    *f->default_value = BytesDefault(f->default_value->get<int64_t>());
  }
  return true;
}

// Arrays and maps: one block holding every item, then the empty block.
void EncodeListOrMap(const Field& f, const Column& c, size_t row, std::string* out) {
  const size_t begin = c.ListBegin(row);
  const size_t end = c.ListEnd(row);
  if (end > begin) {
    AppendLong(static_cast<int64_t>(end - begin), out);
    for (size_t i = begin; i < end; ++i) {
      if (f.kind() == Kind::kList) {
        EncodeValue(f.children[0], c.child(0), i, out);
        continue;
      }
      if (f.avro_map_as_array || c.child(0).storage() != Storage::kBinary) {
        // (keys that are not text belong in an array of records; a schema
        // built otherwise still encodes each key by its own type)
        EncodeValue(f.children[0], c.child(0), i, out);
      } else {
        AppendBytes(c.child(0).GetBytes(i), out);
      }
      EncodeValue(f.children[1], c.child(1), i, out);
    }
  }
  out->push_back('\0');
}

// The value of a field that is not null in this row, without a branch index.
void EncodeNonNull(const Field& f, const Column& c, size_t row, std::string* out) {
  switch (f.kind()) {
    case Kind::kNull:
      return;
    case Kind::kStruct:
      for (size_t i = 0; i < f.children.size(); ++i)
        EncodeValue(f.children[i], c.child(i), row, out);
      return;
    case Kind::kList:
    case Kind::kMap:
      return EncodeListOrMap(f, c, row, out);
    default:
      break;
  }
  switch (c.storage()) {
    case Storage::kNone:
      break;
    case Storage::kBool:
      out->push_back(c.GetBool(row) ? '\x01' : '\0');
      break;
    case Storage::kInt32:
      if (IsDeclaredOnBinary(f)) return EncodeUnscaled(f, c.GetInt32(row), out);
      PutVarint(ZigZag(c.GetInt32(row)), out);
      break;
    case Storage::kInt64:
      if (IsDeclaredOnBinary(f)) return EncodeUnscaled(f, c.GetInt64(row), out);
      PutVarint(ZigZag(c.GetInt64(row)), out);
      break;
    case Storage::kFloat: {
      const float v = c.GetFloat(row);
      uint32_t bits = 0;
      std::memcpy(&bits, &v, sizeof bits);
      PutFixed32(bits, out);
      break;
    }
    case Storage::kDouble: {
      const double v = c.GetDouble(row);
      uint64_t bits = 0;
      std::memcpy(&bits, &v, sizeof bits);
      PutFixed64(bits, out);
      break;
    }
    case Storage::kBinary:
      if (f.AvroBaseName() == "fixed") {
        EncodeFixed(f, c.GetBytes(row), out);
      } else {
        AppendBytes(c.GetBytes(row), out);
      }
      break;
  }
}

// A union of several members: the branch index of the member that is set
// (or of null), then its value.
void EncodeUnion(const Field& f, const Column& c, size_t row, std::string* out) {
  if (c.IsNull(row) && f.null_branch >= 0) return AppendLong(f.null_branch, out);
  for (size_t i = 0; i < f.children.size(); ++i) {
    if (c.child(i).IsValid(row)) {
      AppendLong(f.children[i].union_branch, out);
      return EncodeNonNull(f.children[i], c.child(i), row, out);
    }
  }
  // No member set in a union without null: the first member's empty value.
  AppendLong(f.children[0].union_branch, out);
  EncodeNonNull(f.children[0], c.child(0), row, out);
}

void EncodeValue(const Field& f, const Column& c, size_t row, std::string* out) {
  if (f.avro_union) return EncodeUnion(f, c, row, out);
  const Kind kind = f.kind();
  if (kind == Kind::kNull) {
    if (f.single_branch_union) out->push_back('\0');
    return;
  }
  if (f.single_branch_union) {
    out->push_back('\0');
  } else if (f.nullable) {
    const bool is_null = c.IsNull(row);
    // The branch index is a long: zigzag(0) = 0x00, zigzag(1) = 0x02.
    out->push_back(is_null == f.null_first ? '\0' : '\x02');
    if (is_null) return;
  }
  EncodeNonNull(f, c, row, out);
}

}  // namespace

size_t MinValueBytes(const Field& f) {
  if (f.kind() == Kind::kNull) return f.single_branch_union ? 1 : 0;
  if (f.avro_union || f.nullable || f.single_branch_union) return 1;
  switch (f.kind()) {
    case Kind::kNull:
      return 0;
    case Kind::kFloat:
      return 4;
    case Kind::kDouble:
      return 8;
    case Kind::kFixed:
      return static_cast<size_t>(f.fixed_size);
    case Kind::kStruct: {
      size_t total = 0;
      for (const Field& c : f.children) total += MinValueBytes(c);
      return total;
    }
    default:
      return f.AvroBaseName() == "fixed" ? static_cast<size_t>(f.fixed_size) : 1;
  }
}

void AppendDatum(const RecordBatch& batch, size_t row, std::string* out) {
  const Schema& schema = *batch.schema();
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    EncodeValue(schema.field(i), batch.column(i), row, out);
  }
}

void AppendDatums(const RecordBatch& batch, size_t begin, size_t end, std::string* out) {
  for (size_t row = begin; row < end; ++row) AppendDatum(batch, row, out);
}

void AppendDatum(const Schema& writer, const RecordBatch& batch, size_t row, std::string* out) {
  for (size_t i = 0; i < writer.num_fields(); ++i) {
    EncodeValue(writer.field(i), batch.column(i), row, out);
  }
}

SchemaPtr AvroWriterSchema(const SchemaPtr& schema) {
  if (!schema) return schema;
  std::vector<Field> fields = schema->fields();
  bool changed = false;
  for (Field& f : fields) changed = RebaseIntDecimals(&f) || changed;
  if (!changed) return schema;
  return std::make_shared<const Schema>(schema->name(), std::move(fields), schema->name_space());
}

size_t MinDatumBytes(const Schema& schema) {
  size_t total = 0;
  for (const Field& f : schema.fields()) total += MinValueBytes(f);
  return total;
}

namespace {

bool AllFlat(const Schema& schema) {
  for (const Field& f : schema.fields()) {
    if (!f.IsFlat()) return false;
  }
  return true;
}

}  // namespace

Result<DatumDecoder> DatumDecoder::Make(SchemaPtr writer, SchemaPtr reader) {
  if (!writer || !reader) return InvalidArgumentError("DatumDecoder needs both schemas");
  if (!AllFlat(*writer) || !AllFlat(*reader)) {
    DatumDecoder d;
    LP_ASSIGN_OR_RETURN(d.nested_, PlanNestedDecoding(*writer, *reader));
    d.writer_ = std::move(writer);
    d.reader_ = std::move(reader);
    return d;
  }
  LP_ASSIGN_OR_RETURN(SchemaResolution resolution, ResolveSchemas(*writer, *reader));
  DatumDecoder d;
  d.steps_.reserve(writer->num_fields());
  for (size_t wi = 0; wi < writer->num_fields(); ++wi) {
    const Field& f = writer->field(wi);
    Step s;
    switch (f.type) {
      case Type::kNull:
        s.wire = Wire::kNull;
        break;
      case Type::kBoolean:
        s.wire = Wire::kBoolean;
        break;
      case Type::kInt:
        s.wire = Wire::kInt;
        break;
      case Type::kLong:
        s.wire = Wire::kLong;
        break;
      case Type::kFloat:
        s.wire = Wire::kFloat;
        break;
      case Type::kDouble:
        s.wire = Wire::kDouble;
        break;
      case Type::kString:
      case Type::kBytes:
        s.wire = Wire::kBinary;
        break;
      case Type::kEnum:
        s.wire = Wire::kEnum;
        s.num_symbols = static_cast<int32_t>(f.symbols.size());
        break;
    }
    s.is_union = f.nullable && f.type != Type::kNull;
    s.null_branch = f.null_first ? 0 : 1;
    s.target = resolution.reader_of_writer[wi];
    if (s.target >= 0) {
      const FieldResolution& r = resolution.fields[static_cast<size_t>(s.target)];
      s.utf8 = reader->field(r.reader_field).type == Type::kString;
    }
    s.writer_field = wi;
    d.steps_.push_back(s);
  }
  for (size_t i = 0; i < resolution.fields.size(); ++i) {
    if (resolution.fields[i].writer_field < 0) d.defaulted_.push_back(i);
  }
  d.resolution_ = std::move(resolution);
  d.writer_ = std::move(writer);
  d.reader_ = std::move(reader);
  return d;
}

Status DatumDecoder::Malformed(const Step& step, std::string_view what) const {
  return InvalidArgumentError("malformed Avro datum: field '{}': {}",
                              writer_->field(step.writer_field).name, what);
}

Result<bool> DatumDecoder::DecodeRow(std::string_view* in, RecordBatch* out,
                                     std::string* reason) const {
  if (nested_) return DecodeNestedRow(*nested_, in, out, reason);
  const auto* const begin = reinterpret_cast<const uint8_t*>(in->data());
  const uint8_t* p = begin;
  const uint8_t* const end = begin + in->size();
  const FieldResolution* failed = nullptr;
  bool failed_null = false;
  int64_t failed_value = 0;
  std::string failed_text;  // the reason, when it is not DescribeRejection()'s
  auto reject = [&](const FieldResolution* r, bool was_null, int64_t value) {
    if (failed != nullptr) return;
    failed = r;
    failed_null = was_null;
    failed_value = value;
  };
  auto reject_utf8 = [&](const FieldResolution* r, std::string_view value, size_t bad) {
    if (failed != nullptr) return;
    failed = r;
    failed_text = DescribeInvalidUtf8(reader_->field(r->reader_field), value, bad);
  };
  auto malformed = [&](const Step& s, std::string_view what) {
    out->RollbackRow();
    return Malformed(s, what);
  };

  for (const Step& s : steps_) {
    const FieldResolution* r =
        s.target >= 0 ? &resolution_.fields[static_cast<size_t>(s.target)] : nullptr;
    Column* col = r != nullptr ? &out->column(r->reader_field) : nullptr;
    if (s.is_union) {
      int64_t branch = 0;
      if (VarintStatus vs = ReadVarint(p, end, &branch); vs != VarintStatus::kOk) {
        return malformed(s, VarintProblem(vs));
      }
      if (branch == s.null_branch) {
        if (col != nullptr) {
          if (r->null_is_bad) {
            reject(r, true, 0);
          } else {
            col->AppendNull();
          }
        }
        continue;
      }
      if (branch != 1 - s.null_branch) {
        return malformed(s, fmt::format("union branch index {} is not 0 or 1", branch));
      }
    }
    switch (s.wire) {
      case Wire::kNull:
        if (col != nullptr) col->AppendNull();
        break;
      case Wire::kBoolean: {
        if (p == end) return malformed(s, "the datum ends before a boolean");
        const uint8_t b = *p++;
        if (b > 1) return malformed(s, fmt::format("boolean byte is 0x{:02x}, not 0 or 1", b));
        if (col != nullptr) AppendResolvedBool(*r, b != 0, col);
        break;
      }
      case Wire::kInt:
      case Wire::kEnum: {
        int64_t v = 0;
        if (VarintStatus vs = ReadVarint(p, end, &v); vs != VarintStatus::kOk) {
          return malformed(s, VarintProblem(vs));
        }
        if (v < INT32_MIN || v > INT32_MAX) {
          return malformed(s, fmt::format("int value {} is out of the 32-bit range", v));
        }
        if (s.wire == Wire::kEnum && (v < 0 || v >= s.num_symbols)) {
          return malformed(
              s, fmt::format("enum index {} is not below the {} symbols", v, s.num_symbols));
        }
        if (col != nullptr && !AppendResolvedInt32(*r, static_cast<int32_t>(v), col)) {
          reject(r, false, v);
        }
        break;
      }
      case Wire::kLong: {
        int64_t v = 0;
        if (VarintStatus vs = ReadVarint(p, end, &v); vs != VarintStatus::kOk) {
          return malformed(s, VarintProblem(vs));
        }
        if (col != nullptr && !AppendResolvedInt64(*r, v, col)) reject(r, false, v);
        break;
      }
      case Wire::kFloat: {
        if (end - p < 4) return malformed(s, "the datum ends inside a float");
        const uint32_t bits = LoadFixed32(p);
        p += 4;
        if (col != nullptr) {
          float v = 0;
          std::memcpy(&v, &bits, sizeof v);
          AppendResolvedFloat(*r, v, col);
        }
        break;
      }
      case Wire::kDouble: {
        if (end - p < 8) return malformed(s, "the datum ends inside a double");
        const uint64_t bits = LoadFixed64(p);
        p += 8;
        if (col != nullptr) {
          double v = 0;
          std::memcpy(&v, &bits, sizeof v);
          AppendResolvedDouble(*r, v, col);
        }
        break;
      }
      case Wire::kBinary: {
        int64_t len = 0;
        if (VarintStatus vs = ReadVarint(p, end, &len); vs != VarintStatus::kOk) {
          return malformed(s, VarintProblem(vs));
        }
        if (len < 0) return malformed(s, fmt::format("negative length {}", len));
        if (len > end - p) {
          return malformed(
              s, fmt::format("length {} exceeds the {} bytes left in the datum", len, end - p));
        }
        if (col != nullptr) {
          const std::string_view v(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
          const size_t bad = s.utf8 ? FindInvalidUtf8(v) : v.size();
          if (bad == v.size()) {
            AppendResolvedBytes(*r, v, col);
          } else {
            reject_utf8(r, v, bad);
          }
        }
        p += len;
        break;
      }
    }
  }
  for (size_t i : defaulted_) {
    const FieldResolution& r = resolution_.fields[i];
    AppendDefault(r, &out->column(r.reader_field));
  }
  in->remove_prefix(static_cast<size_t>(p - begin));
  if (failed != nullptr) {
    out->RollbackRow();
    *reason = !failed_text.empty()
                  ? std::move(failed_text)
                  : DescribeRejection(*writer_, *reader_, *failed, failed_null, failed_value);
    return false;
  }
  return true;
}

Result<bool> DatumDecoder::DecodeNext(std::string_view* in, RecordBatch* out,
                                      std::string* reason) const {
  LP_ASSIGN_OR_RETURN(bool added, DecodeRow(in, out, reason));
  if (added) out->CommitRow();
  return added;
}

Status DatumDecoder::Decode(std::string_view datum, RecordBatch* out) const {
  std::string reason;
  std::string_view in = datum;
  LP_ASSIGN_OR_RETURN(bool added, DecodeRow(&in, out, &reason));
  if (!added) return InvalidArgumentError("{}", reason);
  if (!in.empty()) {
    out->RollbackRow();
    return InvalidArgumentError(
        "malformed Avro datum: {} bytes follow the datum's {} bytes; is the writer schema right?",
        in.size(), datum.size() - in.size());
  }
  out->CommitRow();
  return Status::OK();
}

}  // namespace lakepipe::avro
