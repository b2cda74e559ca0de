#include "iceberg/transforms.h"

#include <charconv>
#include <cstring>

#include "core/time_util.h"

namespace lakepipe::iceberg {
namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

constexpr int64_t kMicrosPerDay = 86'400'000'000;
constexpr int64_t kMicrosPerHour = 3'600'000'000;

bool IsInt(Kind k) {
  return k == Kind::kInt8 || k == Kind::kInt16 || k == Kind::kUInt8 || k == Kind::kUInt16 ||
         k == Kind::kInt32 || k == Kind::kUInt32 || k == Kind::kInt64;
}
bool IsString(Kind k) { return k == Kind::kString || k == Kind::kEnum; }
bool IsTime(Kind k) { return k == Kind::kTimeMillis || k == Kind::kTimeMicros; }

Field IntField(const Field& source, Kind kind) {
  Field f;
  f.name = source.name;
  f.full_kind = kind;
  f.nullable = true;
  SetFlatView(&f);
  return f;
}

Status NotApplicable(const Transform& t, const Field& source) {
  return InvalidArgumentError(
      "transform '{}' does not apply to field '{}' ({}); pick one the Iceberg spec allows for it",
      t.ToString(), source.name, source.Describe());
}

bool Applies(TransformKind kind, const Field& source) {
  const Kind k = source.kind();
  const bool ts = k == Kind::kTimestamp;
  switch (kind) {
    case TransformKind::kIdentity:
      return !IsNested(k) && k != Kind::kNull && k != Kind::kUInt64;
    case TransformKind::kVoid:
      return true;
    case TransformKind::kBucket:
      return IsInt(k) || IsString(k) || IsTime(k) || k == Kind::kDecimal || k == Kind::kDate ||
             (ts && source.unit != TimeUnit::kNanos) || k == Kind::kUuid || k == Kind::kFixed ||
             k == Kind::kBytes;
    case TransformKind::kTruncate:
      return IsInt(k) || IsString(k) || k == Kind::kDecimal || k == Kind::kBytes;
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay:
      return k == Kind::kDate || ts;
    case TransformKind::kHour:
      return ts;
  }
  return false;
}

Int128 FromBigEndian(std::string_view bytes) {
  Int128 v = (!bytes.empty() && (static_cast<uint8_t>(bytes[0]) & 0x80)) ? -1 : 0;
  for (char c : bytes)
    v = static_cast<Int128>((static_cast<UInt128>(v) << 8) | static_cast<uint8_t>(c));
  return v;
}

std::string ToMinimalBigEndian(Int128 v) {
  std::string bytes(16, '\0');
  for (int i = 0; i < 16; ++i) {
    bytes[static_cast<size_t>(15 - i)] =
        static_cast<char>((static_cast<UInt128>(v) >> (8 * i)) & 0xFF);
  }
  size_t i = 0;
  while (i + 1 < bytes.size()) {
    const auto b = static_cast<uint8_t>(bytes[i]);
    const auto next = static_cast<uint8_t>(bytes[i + 1]);
    if (!((b == 0x00 && !(next & 0x80)) || (b == 0xFF && (next & 0x80)))) break;
    ++i;
  }
  return bytes.substr(i);
}

Result<Datum> Truncate(const Field& source, const Datum& value, int32_t width) {
  const Kind k = source.kind();
  if (const auto* v = std::get_if<int32_t>(&value)) {
    return Datum(static_cast<int32_t>(*v - FloorMod(*v, width)));
  }
  if (const auto* v = std::get_if<int64_t>(&value)) return Datum(*v - FloorMod(*v, width));
  const auto& bytes = std::get<std::string>(value);
  if (k == Kind::kDecimal) {
    if (bytes.size() > 16) {
      return InvalidArgumentError("field '{}': decimal of {} bytes exceeds precision 38",
                                  source.name, bytes.size());
    }
    const Int128 u = FromBigEndian(bytes);
    Int128 rem = u % width;
    if (rem < 0) rem += width;
    return Datum(ToMinimalBigEndian(u - rem));
  }
  if (IsString(k)) return Datum(std::string(TruncateCodePoints(bytes, static_cast<size_t>(width))));
  return Datum(bytes.substr(0, std::min(bytes.size(), static_cast<size_t>(width))));
}

Datum TimeTransform(TransformKind kind, const Field& source, const Datum& value) {
  int64_t micros = 0;
  int64_t days = 0;
  if (source.kind() == Kind::kDate) {
    days = std::get<int32_t>(value);
  } else {
    micros = std::get<int64_t>(value);
    if (source.unit == TimeUnit::kNanos) micros = FloorDiv(micros, 1000);
    days = FloorDiv(micros, kMicrosPerDay);
  }
  if (kind == TransformKind::kHour)
    return Datum(static_cast<int32_t>(FloorDiv(micros, kMicrosPerHour)));
  if (kind == TransformKind::kDay) return Datum(static_cast<int32_t>(days));
  const CivilDate civil = CivilFromDays(days);
  if (kind == TransformKind::kYear) return Datum(static_cast<int32_t>(civil.year - 1970));
  return Datum(static_cast<int32_t>((civil.year - 1970) * 12 + (civil.month - 1)));
}

uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

}  // namespace

int32_t Murmur3Hash32(std::string_view bytes) {
  constexpr uint32_t c1 = 0xcc9e2d51;
  constexpr uint32_t c2 = 0x1b873593;
  uint32_t h = 0;
  const size_t blocks = bytes.size() / 4;
  for (size_t i = 0; i < blocks; ++i) {
    uint32_t k = 0;
    std::memcpy(&k, bytes.data() + i * 4, 4);  // little-endian hosts
    k = Rotl(k * c1, 15) * c2;
    h = Rotl(h ^ k, 13) * 5 + 0xe6546b64;
  }
  uint32_t k = 0;
  const auto* tail = reinterpret_cast<const uint8_t*>(bytes.data() + blocks * 4);
  switch (bytes.size() & 3) {
    case 3:
      k ^= uint32_t{tail[2]} << 16;
      [[fallthrough]];
    case 2:
      k ^= uint32_t{tail[1]} << 8;
      [[fallthrough]];
    case 1:
      k ^= tail[0];
      h ^= Rotl(k * c1, 15) * c2;
  }
  h ^= static_cast<uint32_t>(bytes.size());
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return static_cast<int32_t>(h);
}

Result<std::string> BucketHashInput(const Field& source, const Datum& value) {
  if (!Applies(TransformKind::kBucket, source)) {
    return NotApplicable(Transform{TransformKind::kBucket, 1}, source);
  }
  if (const auto* v = std::get_if<int32_t>(&value)) return Serialize(Datum(int64_t{*v}));
  return Serialize(value);
}

Result<Transform> Transform::Parse(std::string_view text) {
  static constexpr std::pair<std::string_view, TransformKind> kPlain[] = {
      {"identity", TransformKind::kIdentity}, {"year", TransformKind::kYear},
      {"month", TransformKind::kMonth},       {"day", TransformKind::kDay},
      {"hour", TransformKind::kHour},         {"void", TransformKind::kVoid}};
  for (const auto& [name, kind] : kPlain) {
    if (text == name) return Transform{kind, 0};
  }
  for (const auto& [prefix, kind] :
       {std::pair{std::string_view("bucket["), TransformKind::kBucket},
        std::pair{std::string_view("truncate["), TransformKind::kTruncate}}) {
    if (text.substr(0, prefix.size()) != prefix || text.back() != ']') continue;
    const std::string_view digits = text.substr(prefix.size(), text.size() - prefix.size() - 1);
    int32_t n = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec == std::errc() && end == digits.data() + digits.size() && n > 0) {
      return Transform{kind, n};
    }
  }
  return InvalidArgumentError(
      "unknown partition transform '{}'; use identity, bucket[N], truncate[W], year, month, day, "
      "hour or void (N, W positive)",
      text);
}

std::string Transform::ToString() const {
  switch (kind) {
    case TransformKind::kIdentity:
      return "identity";
    case TransformKind::kBucket:
      return "bucket[" + std::to_string(param) + "]";
    case TransformKind::kTruncate:
      return "truncate[" + std::to_string(param) + "]";
    case TransformKind::kYear:
      return "year";
    case TransformKind::kMonth:
      return "month";
    case TransformKind::kDay:
      return "day";
    case TransformKind::kHour:
      return "hour";
    case TransformKind::kVoid:
      return "void";
  }
  return "void";
}

Result<Field> Transform::ResultType(const Field& source) const {
  if (!Applies(kind, source)) return NotApplicable(*this, source);
  switch (kind) {
    case TransformKind::kBucket:
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kHour:
      return IntField(source, Kind::kInt32);
    case TransformKind::kDay:
      return IntField(source, Kind::kDate);
    default:
      return source;
  }
}

Result<Datum> Transform::Apply(const Field& source, const Datum& value) const {
  if (!Applies(kind, source)) return NotApplicable(*this, source);
  if (std::holds_alternative<std::monostate>(value) || kind == TransformKind::kVoid) return Datum();
  switch (kind) {
    case TransformKind::kIdentity:
      return value;
    case TransformKind::kBucket: {
      LP_ASSIGN_OR_RETURN(std::string input, BucketHashInput(source, value));
      return Datum(static_cast<int32_t>((Murmur3Hash32(input) & 0x7FFFFFFF) % param));
    }
    case TransformKind::kTruncate:
      return Truncate(source, value, param);
    default:
      return TimeTransform(kind, source, value);
  }
}

Result<Datum> Transform::ApplyRow(const Field& source, const Column& column, size_t row) const {
  if (!Applies(kind, source)) return NotApplicable(*this, source);
  LP_ASSIGN_OR_RETURN(Datum value, ReadDatum(source, column, row));
  return Apply(source, value);
}

}  // namespace lakepipe::iceberg
