#include "formats/parquet/shred.h"

#include <cstring>

#include <fmt/format.h>

namespace lakepipe::parquet {
namespace {

std::string PathText(const LeafPlan& leaf) { return fmt::format("{}", fmt::join(leaf.path, ".")); }

// Drops leading bytes of a big-endian two's complement number that only
// repeat its sign.
std::string_view TrimSign(std::string_view b) {
  while (b.size() > 1) {
    const uint8_t first = static_cast<uint8_t>(b[0]);
    const bool negative_next = (static_cast<uint8_t>(b[1]) & 0x80) != 0;
    if ((first == 0x00 && !negative_next) || (first == 0xff && negative_next)) {
      b.remove_prefix(1);
    } else {
      break;
    }
  }
  return b;
}

bool BigEndianToInt64(std::string_view b, int64_t* out) {
  b = TrimSign(b);
  if (b.size() > 8) return false;
  uint64_t v = !b.empty() && (static_cast<uint8_t>(b[0]) & 0x80) ? ~uint64_t{0} : 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  *out = static_cast<int64_t>(v);
  return true;
}

std::string Int64ToBigEndian(int64_t v) {
  std::string b(8, '\0');
  for (int i = 7; i >= 0; --i) {
    b[static_cast<size_t>(i)] = static_cast<char>(static_cast<uint64_t>(v) & 0xff);
    v = static_cast<int64_t>(static_cast<uint64_t>(v) >> 8);
  }
  return b;
}

int64_t Pow10(int32_t n) {
  int64_t p = 1;
  for (int32_t i = 0; i < n; ++i) p *= 10;
  return p;
}

class Shredder {
 public:
  Shredder(const LeafPlan& leaf, ShreddedLeaf* out) : leaf_(leaf), out_(out) {}

  Status Slot(size_t depth, const Column& col, size_t i, uint8_t def, uint8_t rep) {
    const LeafStep& s = leaf_.steps[depth];
    if (s.optional) {
      if (col.IsNull(i)) return Empty(def, rep);
      ++def;
    }
    switch (s.kind) {
      case Kind::kStruct:
        return Slot(depth + 1, col.child(s.child), i, def, rep);
      case Kind::kList:
      case Kind::kMap: {
        const size_t b = col.ListBegin(i);
        const size_t e = col.ListEnd(i);
        if (b == e) return Empty(def, rep);
        const Column& child = col.child(s.child);
        const uint8_t inner = static_cast<uint8_t>(s.rep_level);
        for (size_t k = b; k < e; ++k) {
          LP_RETURN_IF_ERROR(
              Slot(depth + 1, child, k, static_cast<uint8_t>(def + 1), k == b ? rep : inner));
        }
        return Status::OK();
      }
      default:
        out_->def.push_back(def);
        if (leaf_.max_rep > 0) out_->rep.push_back(rep);
        return Value(col, i);
    }
  }

 private:
  // The path ends above the leaf (a null or an empty list or map).
  Status Empty(uint8_t def, uint8_t rep) {
    out_->def.push_back(def);
    if (leaf_.max_rep > 0) out_->rep.push_back(rep);
    out_->values.AppendNull();
    return Status::OK();
  }

  Status Value(const Column& col, size_t i) {
    Column& v = out_->values;
    switch (leaf_.encoding) {
      case LeafEncoding::kNull:
        v.AppendNull();
        return Status::OK();
      case LeafEncoding::kEnum:
        v.AppendInt32(col.GetInt32(i));
        return Status::OK();
      case LeafEncoding::kUint32: {
        const int64_t x = col.GetInt64(i);
        if (x < 0 || x > int64_t{UINT32_MAX}) return Bad(fmt::format("{}", x), "a uint32");
        v.AppendInt32(static_cast<int32_t>(static_cast<uint32_t>(x)));
        return Status::OK();
      }
      case LeafEncoding::kFloat16: {
        const uint16_t h = FloatToHalf(col.GetFloat(i));
        const char b[2] = {static_cast<char>(h & 0xff), static_cast<char>(h >> 8)};
        v.AppendBytes(std::string_view(b, 2));
        return Status::OK();
      }
      case LeafEncoding::kDecimal:
        return Decimal(col, i);
      case LeafEncoding::kDirect:
        break;
    }
    switch (col.storage()) {
      case Storage::kNone:
        v.AppendNull();
        break;
      case Storage::kBool:
        v.AppendBool(col.GetBool(i));
        break;
      case Storage::kInt32:
        v.AppendInt32(col.GetInt32(i));
        break;
      case Storage::kInt64:
        v.AppendInt64(col.GetInt64(i));
        break;
      case Storage::kFloat:
        v.AppendFloat(col.GetFloat(i));
        break;
      case Storage::kDouble:
        v.AppendDouble(col.GetDouble(i));
        break;
      case Storage::kBinary: {
        const std::string_view b = col.GetBytes(i);
        if (leaf_.physical == PhysicalType::kFixedLenByteArray &&
            b.size() != static_cast<size_t>(leaf_.type_length)) {
          return Bad(fmt::format("of {} bytes", b.size()),
                     fmt::format("{} bytes long", leaf_.type_length));
        }
        v.AppendBytes(b);
        break;
      }
    }
    return Status::OK();
  }

  // The unscaled value, from the field's storage to the physical type.
  Status Decimal(const Column& col, size_t i) {
    const Field& f = leaf_.leaf();
    std::string_view be;
    switch (col.storage()) {
      case Storage::kInt32:
        scratch_ = Int64ToBigEndian(col.GetInt32(i));
        be = scratch_;
        break;
      case Storage::kInt64:
        scratch_ = Int64ToBigEndian(col.GetInt64(i));
        be = scratch_;
        break;
      default:
        be = col.GetBytes(i);
        break;
    }
    const std::string want = fmt::format("a decimal({}, {})", f.precision, f.scale);
    if (leaf_.physical == PhysicalType::kFixedLenByteArray) {
      const std::string_view t = TrimSign(be);
      const size_t n = static_cast<size_t>(leaf_.type_length);
      if (t.size() > n) return Bad(fmt::format("of {} significant bytes", t.size()), want);
      const bool negative = !t.empty() && (static_cast<uint8_t>(t[0]) & 0x80) != 0;
      std::string* b = out_->values.BeginBytes();
      b->append(n - t.size(), negative ? '\xff' : '\0');
      b->append(t.data(), t.size());
      out_->values.EndBytes();
      return Status::OK();
    }
    int64_t x = 0;
    const int64_t limit = Pow10(f.precision);
    if (!BigEndianToInt64(be, &x) || x >= limit || x <= -limit) {
      return Bad("with more digits than its precision", want);
    }
    if (leaf_.physical == PhysicalType::kInt32) {
      out_->values.AppendInt32(static_cast<int32_t>(x));
    } else {
      out_->values.AppendInt64(x);
    }
    return Status::OK();
  }

  Status Bad(const std::string& value, const std::string& want) {
    return InvalidArgumentError("column '{}': a value {} is not {}; fix the value or the schema",
                                PathText(leaf_), value, want);
  }

  const LeafPlan& leaf_;
  ShreddedLeaf* out_;
  std::string scratch_;
};

}  // namespace

Storage ShreddedStorage(const LeafPlan& leaf) {
  switch (leaf.encoding) {
    case LeafEncoding::kNull:
      return Storage::kNone;
    case LeafEncoding::kEnum:
      return Storage::kInt32;
    default:
      break;
  }
  switch (leaf.physical) {
    case PhysicalType::kBoolean:
      return Storage::kBool;
    case PhysicalType::kInt32:
      return Storage::kInt32;
    case PhysicalType::kInt64:
      return Storage::kInt64;
    case PhysicalType::kFloat:
      return Storage::kFloat;
    case PhysicalType::kDouble:
      return Storage::kDouble;
    default:
      return Storage::kBinary;
  }
}

Status ShredLeaf(const LeafPlan& leaf, const Column& column, size_t begin, size_t end,
                 ShreddedLeaf* out) {
  Shredder s(leaf, out);
  for (size_t i = begin; i < end; ++i) LP_RETURN_IF_ERROR(s.Slot(0, column, i, 0, 0));
  return Status::OK();
}

uint16_t FloatToHalf(float v) {
  uint32_t x;
  std::memcpy(&x, &v, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t exp = (x >> 23) & 0xff;
  uint32_t mant = x & 0x7fffff;
  if (exp == 0xff) {  // infinity, or NaN kept quiet
    return static_cast<uint16_t>(sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >> 13) : 0));
  }
  const int32_t e = static_cast<int32_t>(exp) - 127 + 15;
  if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00);
  if (e <= 0) {  // subnormal half (or zero)
    if (e < -10) return sign;
    mant |= 0x800000;
    const int shift = 14 - e;
    uint32_t half = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1);
    const uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (half & 1))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fff;
  // A carry out of the mantissa steps the exponent, up to infinity.
  if (rem > 0x1000 || (rem == 0x1000 && (half & 1))) ++half;
  return static_cast<uint16_t>(sign | half);
}

}  // namespace lakepipe::parquet
