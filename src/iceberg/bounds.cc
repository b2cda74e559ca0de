#include "iceberg/bounds.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/utf8.h"

namespace lakepipe::iceberg {
namespace {

template <typename T>
std::string LittleEndian(T v) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &v, sizeof(T));  // lakepipe builds for little-endian hosts only
  return out;
}

// Drops leading bytes that only repeat the sign of the next one.
std::string MinimizeBigEndian(std::string_view bytes) {
  size_t i = 0;
  while (i + 1 < bytes.size()) {
    const auto b = static_cast<uint8_t>(bytes[i]);
    const auto next = static_cast<uint8_t>(bytes[i + 1]);
    if ((b == 0x00 && (next & 0x80) == 0) || (b == 0xFF && (next & 0x80) != 0)) {
      ++i;
    } else {
      break;
    }
  }
  return std::string(bytes.substr(i));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> UuidBytes(const Field& field, std::string_view text) {
  std::string out;
  int high = -1;
  for (char c : text) {
    if (c == '-') continue;
    const int v = HexValue(c);
    if (v < 0) break;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>(high * 16 + v));
      high = -1;
    }
  }
  if (out.size() != 16 || high >= 0 || text.size() != 36) {
    return InvalidArgumentError("field '{}': '{}' is not a uuid (want 8-4-4-4-12 hex digits)",
                                field.name, text);
  }
  return out;
}

Result<Datum> DecimalDatum(const Field& field, const Column& column, size_t row) {
  switch (field.base) {
    case Kind::kInt32:
      return Datum(MinimalBigEndian(column.GetInt32(row)));
    case Kind::kInt64:
      return Datum(MinimalBigEndian(column.GetInt64(row)));
    default:
      return Datum(MinimizeBigEndian(column.GetBytes(row)));
  }
}

Result<Datum> TimestampDatum(const Field& field, const Column& column, size_t row) {
  const int64_t v = column.GetInt64(row);
  if (field.unit == TimeUnit::kMillis) return Datum(v * 1000);
  return Datum(v);
}

Status Unsupported(const Field& field) {
  return UnimplementedError(
      "unsupported: field '{}' is a {}, which has no Iceberg type; cast it in a transform",
      field.name, KindName(field.kind()));
}

}  // namespace

std::string MinimalBigEndian(int64_t v) {
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) {
    bytes[static_cast<size_t>(7 - i)] =
        static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xFF);
  }
  return MinimizeBigEndian(bytes);
}

Result<Datum> ReadDatum(const Field& field, const Column& column, size_t row) {
  if (column.IsNull(row)) return Datum();
  switch (field.kind()) {
    case Kind::kBoolean:
      return Datum(column.GetBool(row));
    case Kind::kInt8:
    case Kind::kInt16:
    case Kind::kUInt8:
    case Kind::kUInt16:
    case Kind::kInt32:
    case Kind::kDate:
      return Datum(column.GetInt32(row));
    case Kind::kUInt32:
    case Kind::kInt64:
    case Kind::kTimeMicros:
      return Datum(column.GetInt64(row));
    case Kind::kTimeMillis:
      return Datum(int64_t{column.GetInt32(row)} * 1000);
    case Kind::kTimestamp:
      return TimestampDatum(field, column, row);
    case Kind::kFloat:
      return Datum(column.GetFloat(row));
    case Kind::kDouble:
      return Datum(column.GetDouble(row));
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kFixed:
      return Datum(std::string(column.GetBytes(row)));
    case Kind::kEnum: {
      const int32_t i = column.GetInt32(row);
      if (i < 0 || static_cast<size_t>(i) >= field.symbols.size()) {
        return CorruptionError("field '{}': enum index {} out of range", field.name, i);
      }
      return Datum(field.symbols[static_cast<size_t>(i)]);
    }
    case Kind::kUuid: {
      if (field.base == Kind::kFixed) return Datum(std::string(column.GetBytes(row)));
      LP_ASSIGN_OR_RETURN(std::string bytes, UuidBytes(field, column.GetBytes(row)));
      return Datum(std::move(bytes));
    }
    case Kind::kDecimal:
      return DecimalDatum(field, column, row);
    default:
      return Unsupported(field);
  }
}

std::string Serialize(const Datum& value) {
  struct Visitor {
    std::string operator()(std::monostate) const { return {}; }
    std::string operator()(bool v) const { return std::string(1, v ? '\x01' : '\x00'); }
    std::string operator()(int32_t v) const { return LittleEndian(v); }
    std::string operator()(int64_t v) const { return LittleEndian(v); }
    std::string operator()(float v) const { return LittleEndian(v); }
    std::string operator()(double v) const { return LittleEndian(v); }
    std::string operator()(const std::string& v) const { return v; }
  };
  return std::visit(Visitor{}, value);
}

std::string_view TruncateCodePoints(std::string_view text, size_t length) {
  size_t i = 0;
  for (size_t n = 0; n < length && i < text.size(); ++n) {
    const size_t len = static_cast<uint8_t>(text[i]) < 0x80 ? 1 : Utf8SequenceLength(text, i);
    i += len == 0 ? 1 : len;
  }
  return text.substr(0, std::min(i, text.size()));
}

std::string TruncateLowerBound(std::string_view value, bool is_string, size_t length) {
  if (is_string) return std::string(TruncateCodePoints(value, length));
  return std::string(value.substr(0, std::min(length, value.size())));
}

namespace {

// Decodes the code points of valid UTF-8 `text`.
std::vector<uint32_t> CodePoints(std::string_view text) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<uint8_t>(text[i]);
    const size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (size_t k = 1; k < len && i + k < text.size(); ++k) {
      cp = (cp << 6) | (static_cast<uint8_t>(text[i + k]) & 0x3F);
    }
    out.push_back(cp);
    i += len;
  }
  return out;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::optional<std::string> StringUpperBound(std::string_view prefix) {
  std::vector<uint32_t> cps = CodePoints(prefix);
  while (!cps.empty()) {
    uint32_t next = cps.back() + 1;
    if (next >= 0xD800 && next <= 0xDFFF) next = 0xE000;  // no surrogates in UTF-8
    if (next <= 0x10FFFF) {
      cps.back() = next;
      std::string out;
      for (uint32_t cp : cps) AppendUtf8(cp, &out);
      return out;
    }
    cps.pop_back();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> TruncateUpperBound(std::string_view value, bool is_string,
                                              size_t length) {
  const std::string prefix = TruncateLowerBound(value, is_string, length);
  if (prefix.size() == value.size()) return prefix;
  if (is_string) return StringUpperBound(prefix);
  std::string out = prefix;
  while (!out.empty() && static_cast<uint8_t>(out.back()) == 0xFF) out.pop_back();
  if (out.empty()) return std::nullopt;
  out.back() = static_cast<char>(static_cast<uint8_t>(out.back()) + 1);
  return out;
}

}  // namespace lakepipe::iceberg
