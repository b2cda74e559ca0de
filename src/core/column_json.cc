#include "core/column_json.h"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "core/time_util.h"
#include "core/utf8.h"

namespace lakepipe {
namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// A JSON string as nlohmann::json dumps it (UTF-8 kept, control
// characters escaped, invalid UTF-8 replaced by U+FFFD), without building a
// json value for the usual valid text.
void AppendString(std::string_view s, std::string* out) {
  if (!IsValidUtf8(s)) {
    *out += nlohmann::json(std::string(s))
                .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  AppendJsonString(s, out);
}

void AppendBytesText(std::string_view s, std::string* out) {
  std::string text;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      text += static_cast<char>(c);
    } else {
      text += fmt::format("\\x{:02X}", c);
    }
  }
  AppendString(text, out);
}

void AppendBase64Text(std::string_view s, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  *out += '"';
  size_t i = 0;
  const auto byte = [&s](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(s[k]));
  };
  for (; i + 3 <= s.size(); i += 3) {
    const uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) *out += kAlphabet[(v >> shift) & 63];
  }
  if (s.size() - i == 1) {
    const uint32_t v = byte(i) << 16;
    *out += kAlphabet[(v >> 18) & 63];
    *out += kAlphabet[(v >> 12) & 63];
    *out += "==";
  } else if (s.size() - i == 2) {
    const uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    *out += kAlphabet[(v >> 18) & 63];
    *out += kAlphabet[(v >> 12) & 63];
    *out += kAlphabet[(v >> 6) & 63];
    *out += '=';
  }
  *out += '"';
}

void AppendUuid(std::string_view s, std::string* out) {
  std::string text;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    text += fmt::format("{:02x}", static_cast<unsigned char>(s[i]));
  }
  AppendString(text, out);
}

// The decimal text of `unscaled` * 10^-scale.
void AppendDecimal(Int128 unscaled, int32_t scale, std::string* out) {
  const bool negative = unscaled < 0;
  UInt128 v = negative ? -static_cast<UInt128>(unscaled) : static_cast<UInt128>(unscaled);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) {
      digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  if (negative) *out += '-';
  *out += digits;
}

// A big-endian two's complement integer of up to 16 bytes.
Int128 FromBigEndian(std::string_view bytes) {
  if (bytes.empty()) return 0;
  UInt128 v = static_cast<unsigned char>(bytes[0]) & 0x80 ? ~static_cast<UInt128>(0) : 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return static_cast<Int128>(v);
}

void AppendTime(int64_t value, int64_t per_second, std::string* out) {
  const int64_t seconds = FloorDiv(value, per_second);
  *out += fmt::format("\"{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  *out += per_second == 1000 ? fmt::format(".{:03}\"", FloorMod(value, per_second))
                             : fmt::format(".{:06}\"", FloorMod(value, per_second));
}

void AppendTimestamp(const Field& f, int64_t value, std::string* out) {
  std::string text;
  if (f.unit == TimeUnit::kNanos && f.full_kind) {
    const int64_t seconds = FloorDiv(value, 1000000000);
    text = FormatTimestampMicros(seconds * 1000000);
    text.pop_back();  // the "Z"
    text += fmt::format(".{:09}Z", FloorMod(value, 1000000000));
  } else if (f.full_kind ? f.unit == TimeUnit::kMillis
                         : f.logical == LogicalType::kTimestampMillis) {
    text = FormatTimestampMillis(value);
  } else {
    text = FormatTimestampMicros(value);
  }
  if (!f.utc_adjusted) text.pop_back();
  AppendString(text, out);
}

template <typename T>
void AppendFloating(T v, JsonTextStyle style, std::string* out) {
  if (std::isfinite(v)) {
    // kLake: the shortest text that reads back as the same float.
    if (style == JsonTextStyle::kLake) {
      *out += fmt::format("{}", v);
    } else {
      *out += fmt::format("{}", static_cast<double>(v));
    }
  } else if (style == JsonTextStyle::kLake) {
    AppendString(std::isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity", out);
  } else {
    AppendString(std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf", out);
  }
}

// The separators after a value and after a key.
const char* Comma(JsonTextStyle style) { return style == JsonTextStyle::kLake ? "," : ", "; }
const char* Colon(JsonTextStyle style) { return style == JsonTextStyle::kLake ? ":" : ": "; }

void AppendChildren(const Field& f, const Column& c, size_t row, JsonTextStyle style,
                    std::string* out) {
  *out += '{';
  for (size_t i = 0; i < f.children.size(); ++i) {
    if (i > 0) *out += Comma(style);
    AppendString(f.children[i].name, out);
    *out += Colon(style);
    AppendValueJson(f.children[i], c.child(i), row, out, style);
  }
  *out += '}';
}

void AppendList(const Field& f, const Column& c, size_t row, JsonTextStyle style,
                std::string* out) {
  *out += '[';
  for (size_t k = c.ListBegin(row); k < c.ListEnd(row); ++k) {
    if (k > c.ListBegin(row)) *out += Comma(style);
    AppendValueJson(f.children[0], c.child(0), k, out, style);
  }
  *out += ']';
}

void AppendMap(const Field& f, const Column& c, size_t row, JsonTextStyle style, std::string* out) {
  const bool string_keys = f.children[0].kind() == Kind::kString;
  *out += string_keys ? '{' : '[';
  for (size_t k = c.ListBegin(row); k < c.ListEnd(row); ++k) {
    if (k > c.ListBegin(row)) *out += Comma(style);
    if (!string_keys) *out += fmt::format("{{\"key\"{}", Colon(style));
    AppendValueJson(f.children[0], c.child(0), k, out, style);
    if (string_keys) {
      *out += Colon(style);
    } else {
      *out += fmt::format("{}\"value\"{}", Comma(style), Colon(style));
    }
    AppendValueJson(f.children[1], c.child(1), k, out, style);
    if (!string_keys) *out += '}';
  }
  *out += string_keys ? '}' : ']';
}

}  // namespace

void AppendValueJson(const Field& f, const Column& c, size_t row, std::string* out,
                     JsonTextStyle style) {
  if (c.IsNull(row) || f.kind() == Kind::kNull) {
    *out += "null";
    return;
  }
  switch (f.kind()) {
    case Kind::kNull:
      break;
    case Kind::kBoolean:
      *out += c.GetBool(row) ? "true" : "false";
      break;
    case Kind::kInt8:
    case Kind::kInt16:
    case Kind::kInt32:
    case Kind::kUInt8:
    case Kind::kUInt16:
      *out += fmt::format("{}", c.GetInt32(row));
      break;
    case Kind::kInt64:
    case Kind::kUInt32:
      *out += fmt::format("{}", c.GetInt64(row));
      break;
    case Kind::kUInt64:
      *out += fmt::format("{}", static_cast<uint64_t>(c.GetInt64(row)));
      break;
    case Kind::kFloat:
      AppendFloating(c.GetFloat(row), style, out);
      break;
    case Kind::kDouble:
      AppendFloating(c.GetDouble(row), style, out);
      break;
    case Kind::kString:
      AppendString(c.GetBytes(row), out);
      break;
    case Kind::kBytes:
    case Kind::kFixed:
      if (style == JsonTextStyle::kLake) {
        AppendBase64Text(c.GetBytes(row), out);
      } else {
        AppendBytesText(c.GetBytes(row), out);
      }
      break;
    case Kind::kEnum: {
      const int32_t i = c.GetInt32(row);
      if (i >= 0 && static_cast<size_t>(i) < f.symbols.size()) {
        AppendString(f.symbols[static_cast<size_t>(i)], out);
      } else {
        *out += fmt::format("{}", i);
      }
      break;
    }
    case Kind::kUuid:
      if (f.base == Kind::kFixed) {
        AppendUuid(c.GetBytes(row), out);
      } else {
        AppendString(c.GetBytes(row), out);
      }
      break;
    case Kind::kDecimal: {
      const Int128 unscaled = f.base == Kind::kInt32   ? c.GetInt32(row)
                              : f.base == Kind::kInt64 ? c.GetInt64(row)
                                                       : FromBigEndian(c.GetBytes(row));
      AppendDecimal(unscaled, f.scale, out);
      break;
    }
    case Kind::kDate:
      *out += '"' + FormatDate(c.GetInt32(row)) + '"';
      break;
    case Kind::kTimeMillis:
      AppendTime(c.GetInt32(row), 1000, out);
      break;
    case Kind::kTimeMicros:
      AppendTime(c.GetInt64(row), 1000000, out);
      break;
    case Kind::kTimestamp:
      AppendTimestamp(f, c.GetInt64(row), out);
      break;
    case Kind::kStruct:
      AppendChildren(f, c, row, style, out);
      break;
    case Kind::kList:
      AppendList(f, c, row, style, out);
      break;
    case Kind::kMap:
      AppendMap(f, c, row, style, out);
      break;
  }
}

std::string ValueJson(const Field& field, const Column& column, size_t row) {
  std::string out;
  AppendValueJson(field, column, row, &out);
  return out;
}

std::string RowJson(const RecordBatch& batch, size_t row) {
  std::string out = "{";
  const Schema& schema = *batch.schema();
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    if (i > 0) out += ", ";
    AppendString(schema.field(i).name, &out);
    out += ": ";
    AppendValueJson(schema.field(i), batch.column(i), row, &out);
  }
  return out + "}";
}

std::string BatchJson(const RecordBatch& batch) {
  std::string out;
  for (size_t r = 0; r < batch.num_rows(); ++r) out += RowJson(batch, r) + "\n";
  return out;
}

bool BatchesEqual(const RecordBatch& a, const RecordBatch& b, std::string* diff) {
  const Schema& sa = *a.schema();
  const Schema& sb = *b.schema();
  if (sa.num_fields() != sb.num_fields()) {
    *diff = fmt::format("{} columns vs {}", sa.num_fields(), sb.num_fields());
    return false;
  }
  for (size_t i = 0; i < sa.num_fields(); ++i) {
    if (sa.field(i).name != sb.field(i).name || sa.field(i).Describe() != sb.field(i).Describe()) {
      *diff = fmt::format("column {}: {} {} vs {} {}", i, sa.field(i).name, sa.field(i).Describe(),
                          sb.field(i).name, sb.field(i).Describe());
      return false;
    }
  }
  if (a.num_rows() != b.num_rows()) {
    *diff = fmt::format("{} rows vs {}", a.num_rows(), b.num_rows());
    return false;
  }
  for (size_t r = 0; r < a.num_rows(); ++r) {
    std::string ra = RowJson(a, r);
    std::string rb = RowJson(b, r);
    if (ra != rb) {
      *diff = fmt::format("row {}: {} vs {}", r, ra, rb);
      return false;
    }
  }
  return true;
}

}  // namespace lakepipe
