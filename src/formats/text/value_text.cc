#include "formats/text/value_text.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "core/time_util.h"
#include "formats/text/complete_text.h"

namespace lakepipe::text {

namespace {

// True when the kinds before kComplete describe `field` completely.
bool HasFlatValueKind(const Field& field) {
  if (!field.full_kind) return true;
  switch (*field.full_kind) {
    case Kind::kNull:
    case Kind::kBoolean:
    case Kind::kInt32:
    case Kind::kInt64:
    case Kind::kFloat:
    case Kind::kDouble:
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kEnum:
    case Kind::kDate:
      return true;
    case Kind::kUuid:
      return field.base != Kind::kFixed;
    case Kind::kTimestamp:
      return field.utc_adjusted && field.unit != TimeUnit::kNanos;
    default:
      return false;
  }
}

}  // namespace

ValueKind KindOf(const Field& field) {
  if (!HasFlatValueKind(field)) return ValueKind::kComplete;
  if (field.full_kind) {
    // Complete-model fields may leave the flat view unset.
    switch (*field.full_kind) {
      case Kind::kInt32:
        return ValueKind::kInt32;
      case Kind::kInt64:
        return ValueKind::kInt64;
      case Kind::kUuid:
        return ValueKind::kUuid;
      case Kind::kDate:
        return ValueKind::kDate;
      case Kind::kTimestamp:
        return field.unit == TimeUnit::kMillis ? ValueKind::kTimestampMillis
                                               : ValueKind::kTimestampMicros;
      default:
        break;
    }
  }
  switch (field.type) {
    case Type::kNull:
      return ValueKind::kNull;
    case Type::kBoolean:
      return ValueKind::kBool;
    case Type::kInt:
      return field.logical == LogicalType::kDate ? ValueKind::kDate : ValueKind::kInt32;
    case Type::kLong:
      if (field.logical == LogicalType::kTimestampMillis) return ValueKind::kTimestampMillis;
      if (field.logical == LogicalType::kTimestampMicros) return ValueKind::kTimestampMicros;
      return ValueKind::kInt64;
    case Type::kFloat:
      return ValueKind::kFloat;
    case Type::kDouble:
      return ValueKind::kDouble;
    case Type::kString:
      return field.logical == LogicalType::kUuid ? ValueKind::kUuid : ValueKind::kString;
    case Type::kBytes:
      return ValueKind::kBytes;
    case Type::kEnum:
      return ValueKind::kEnum;
  }
  return ValueKind::kNull;
}

FieldPlan MakeFieldPlan(const Field& f, std::string path) {
  FieldPlan p;
  p.kind = KindOf(f);
  p.nullable = f.nullable || f.kind() == Kind::kNull;
  if (p.kind == ValueKind::kEnum) {
    p.symbols = f.symbols;
    for (size_t i = 0; i < f.symbols.size(); ++i) {
      p.symbol_index.emplace(f.symbols[i], static_cast<int>(i));
    }
  }
  if (p.kind == ValueKind::kComplete) {
    p.field = std::make_shared<const Field>(f);
    const Kind kind = f.kind();
    for (size_t i = 0; i < f.children.size(); ++i) {
      const Field& child = f.children[i];
      std::string child_path = kind == Kind::kList  ? path + "[]"
                               : kind == Kind::kMap ? path + (i == 0 ? "{key}" : "{}")
                                                    : path + "." + child.name;
      p.children.push_back(MakeFieldPlan(child, std::move(child_path)));
      if (kind == Kind::kStruct) p.child_index.emplace(child.name, static_cast<int>(i));
    }
  }
  p.key = f.name;
  p.verbatim_key = std::none_of(f.name.begin(), f.name.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
  p.name = std::move(path);
  return p;
}

std::vector<FieldPlan> MakeFieldPlans(const Schema& schema) {
  std::vector<FieldPlan> plans;
  plans.reserve(schema.num_fields());
  for (const Field& f : schema.fields()) plans.push_back(MakeFieldPlan(f, f.name));
  return plans;
}

std::string ExpectedText(const FieldPlan& plan) {
  switch (plan.kind) {
    case ValueKind::kNull:
      return "null (the field's type is null)";
    case ValueKind::kBool:
      return "boolean";
    case ValueKind::kInt32:
      return "int";
    case ValueKind::kInt64:
      return "long";
    case ValueKind::kFloat:
      return "float";
    case ValueKind::kDouble:
      return "double";
    case ValueKind::kString:
      return "string";
    case ValueKind::kUuid:
      return "uuid (8-4-4-4-12 hex digits)";
    case ValueKind::kBytes:
      return "base64 bytes";
    case ValueKind::kEnum:
      return fmt::format("one of the symbols {}", fmt::join(plan.symbols, ", "));
    case ValueKind::kDate:
      return "date (YYYY-MM-DD or days since 1970-01-01)";
    case ValueKind::kTimestampMillis:
      return "timestamp (ISO-8601 or epoch milliseconds)";
    case ValueKind::kTimestampMicros:
      return "timestamp (ISO-8601 or epoch microseconds)";
    case ValueKind::kComplete:
      return CompleteExpectedText(plan);
  }
  return "value";
}

std::string Preview(std::string_view text) {
  constexpr size_t kMax = 80;
  if (text.size() <= kMax) return std::string(text);
  size_t cut = kMax;
  // Do not split a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return fmt::format("{}... ({} bytes)", text.substr(0, cut), text.size());
}

namespace {

bool Fail(const FieldPlan& plan, std::string_view text, std::string* reason) {
  *reason = fmt::format("field '{}': expected {}, got \"{}\"", plan.name, ExpectedText(plan),
                        Preview(text));
  return false;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

constexpr bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Looks like an ISO date or date-time rather than an epoch number.
bool LooksIso(std::string_view text) { return text.size() >= 10 && text[4] == '-'; }

constexpr int8_t kBase64Invalid = -1;
constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = kBase64Invalid;
  for (int i = 0; i < 64; ++i) {
    table[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}

constexpr std::array<int8_t, 256> kBase64 = MakeBase64Table();

}  // namespace

bool ParseBoolText(std::string_view text, bool* out) {
  if (text.size() == 1) {
    if (text[0] == '1') return *out = true, true;
    if (text[0] == '0') return *out = false, true;
    return false;
  }
  if (EqualsIgnoreCase(text, "true")) return *out = true, true;
  if (EqualsIgnoreCase(text, "false")) return *out = false, true;
  return false;
}

namespace {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Exponents beyond this give values far outside int64 (or far below 1), so
// larger ones are clamped to it while they are read.
constexpr int64_t kExponentClamp = int64_t{1} << 40;

}  // namespace

IntegerText ParseExactInteger(std::string_view text, NumberSyntax syntax, int64_t* out) {
  const bool json = syntax == NumberSyntax::kJson;
  const size_t n = text.size();
  size_t i = 0;
  bool negative = false;
  if (i < n && (text[i] == '-' || (!json && text[i] == '+'))) negative = text[i++] == '-';
  const size_t int_begin = i;
  while (i < n && IsDigit(text[i])) ++i;
  const std::string_view int_digits = text.substr(int_begin, i - int_begin);
  std::string_view frac_digits;
  bool has_point = false;
  if (i < n && text[i] == '.') {
    has_point = true;
    const size_t frac_begin = ++i;
    while (i < n && IsDigit(text[i])) ++i;
    frac_digits = text.substr(frac_begin, i - frac_begin);
  }
  if (int_digits.empty() && frac_digits.empty()) return IntegerText::kNotANumber;
  if (json && (int_digits.empty() || (int_digits.size() > 1 && int_digits[0] == '0') ||
               (has_point && frac_digits.empty()))) {
    return IntegerText::kNotANumber;
  }
  int64_t exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) exponent_negative = text[i++] == '-';
    const size_t exp_begin = i;
    for (; i < n && IsDigit(text[i]); ++i) {
      exponent = std::min(exponent * 10 + (text[i] - '0'), kExponentClamp);
    }
    if (i == exp_begin) return IntegerText::kNotANumber;
    if (exponent_negative) exponent = -exponent;
  }
  if (i != n) return IntegerText::kNotANumber;
  // The value is D * 10^scale, D the digits without the decimal point.
  // Leading zeros of D do not count; trailing zeros move into the scale.
  std::string_view head = int_digits;
  std::string_view tail = frac_digits;
  int64_t scale = exponent - static_cast<int64_t>(frac_digits.size());
  while (!tail.empty() && tail.back() == '0') {
    tail.remove_suffix(1);
    ++scale;
  }
  if (tail.empty()) {
    while (!head.empty() && head.back() == '0') {
      head.remove_suffix(1);
      ++scale;
    }
  }
  while (!head.empty() && head.front() == '0') head.remove_prefix(1);
  if (head.empty()) {
    while (!tail.empty() && tail.front() == '0') tail.remove_prefix(1);
  }
  const size_t digits = head.size() + tail.size();
  if (digits == 0) {
    *out = 0;  // zero, whatever its sign and exponent
    return IntegerText::kOk;
  }
  if (scale < 0) return IntegerText::kNotAnInteger;  // the last digit is not 0
  // 2^63 has 19 digits: more digits are out of range.
  if (scale > 19 || static_cast<int64_t>(digits) + scale > 19) return IntegerText::kOutOfRange;
  uint64_t magnitude = 0;
  for (char c : head) magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
  for (char c : tail) magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
  for (int64_t k = 0; k < scale; ++k) magnitude *= 10;  // at most 19 digits: no overflow
  constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;
  if (magnitude > kMaxMagnitude - (negative ? 0 : 1)) return IntegerText::kOutOfRange;
  *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return IntegerText::kOk;
}

bool ParseInt64Text(std::string_view text, int64_t* out) {
  return ParseExactInteger(text, NumberSyntax::kText, out) == IntegerText::kOk;
}

bool ParseDoubleText(std::string_view text, double* out) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && p == end;
}

namespace {

bool ParseFloatText(std::string_view text, float* out) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && p == end;
}

}  // namespace

namespace {

constexpr std::array<bool, 256> MakeHexTable() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = IsHex(static_cast<char>(c));
  return table;
}

constexpr std::array<bool, 256> kHex = MakeHexTable();

// Days of each month (index 1..12) in a common year.
}  // namespace

bool IsCanonicalUuid(std::string_view t) {
  if (t.size() != 36 || t[8] != '-' || t[13] != '-' || t[18] != '-' || t[23] != '-') return false;
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  auto hex = [p](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      if (!kHex[p[i]]) return false;
    }
    return true;
  };
  return hex(0, 8) && hex(9, 13) && hex(14, 18) && hex(19, 23) && hex(24, 36);
}

bool DecodeBase64(std::string_view text, std::string* out) {
  size_t n = text.size();
  while (n > 0 && text[n - 1] == '=') --n;
  if (text.size() - n > 2) return false;
  if (text.size() % 4 != 0 && n != text.size()) return false;  // padding only on full groups
  if (n % 4 == 1) return false;
  out->reserve(out->size() + n / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    int8_t v = kBase64[static_cast<unsigned char>(text[i])];
    if (v == kBase64Invalid) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return true;
}

void AppendBase64(std::string_view bytes, std::string* out) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  out->reserve(out->size() + (n + 2) / 3 * 4);
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{s[i]} << 16) | (uint32_t{s[i + 1]} << 8) | s[i + 2];
    out->push_back(kBase64Alphabet[(v >> 18) & 63]);
    out->push_back(kBase64Alphabet[(v >> 12) & 63]);
    out->push_back(kBase64Alphabet[(v >> 6) & 63]);
    out->push_back(kBase64Alphabet[v & 63]);
  }
  if (n - i == 1) {
    uint32_t v = uint32_t{s[i]} << 16;
    out->push_back(kBase64Alphabet[(v >> 18) & 63]);
    out->push_back(kBase64Alphabet[(v >> 12) & 63]);
    out->append("==");
  } else if (n - i == 2) {
    uint32_t v = (uint32_t{s[i]} << 16) | (uint32_t{s[i + 1]} << 8);
    out->push_back(kBase64Alphabet[(v >> 18) & 63]);
    out->push_back(kBase64Alphabet[(v >> 12) & 63]);
    out->push_back(kBase64Alphabet[(v >> 6) & 63]);
    out->push_back('=');
  }
}

namespace {

bool OutOfRange(const FieldPlan& plan, std::string_view text, std::string_view what,
                std::string* reason) {
  *reason = fmt::format("field '{}': {} is out of range for {}", plan.name, Preview(text), what);
  return false;
}

bool OutsideReaderTimestamps(const FieldPlan& plan, std::string_view text, std::string* reason) {
  *reason = fmt::format("field '{}': {} is outside the timestamps the lake's readers accept ({})",
                        plan.name, Preview(text), kReaderTimestampRange);
  return false;
}

constexpr bool FitsInt32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

}  // namespace

bool IntegerOutOfRange(const FieldPlan& plan, std::string_view text, std::string* reason) {
  switch (plan.kind) {
    case ValueKind::kInt32:
      return OutOfRange(plan, text, "int (declare the field long)", reason);
    case ValueKind::kDate:
      return OutOfRange(plan, text, "a date", reason);
    case ValueKind::kTimestampMillis:
    case ValueKind::kTimestampMicros:
      return OutsideReaderTimestamps(plan, text, reason);
    default:
      return OutOfRange(plan, text, "long (-2^63 to 2^63-1)", reason);
  }
}

bool AppendIntegerValue(const FieldPlan& plan, int64_t v, std::string_view text, Column* column,
                        std::string* reason) {
  switch (plan.kind) {
    case ValueKind::kInt32:
      if (!FitsInt32(v)) return OutOfRange(plan, text, "int (declare the field long)", reason);
      column->AppendInt32(static_cast<int32_t>(v));
      return true;
    case ValueKind::kDate:
      if (!FitsInt32(v)) return OutOfRange(plan, text, "a date", reason);
      column->AppendInt32(static_cast<int32_t>(v));
      return true;
    case ValueKind::kInt64:
      column->AppendInt64(v);
      return true;
    case ValueKind::kTimestampMillis:
      if (!TimestampMillisInReaderRange(v)) return OutsideReaderTimestamps(plan, text, reason);
      column->AppendInt64(v);
      return true;
    case ValueKind::kTimestampMicros:
      if (!TimestampMicrosInReaderRange(v)) return OutsideReaderTimestamps(plan, text, reason);
      column->AppendInt64(v);
      return true;
    default:
      return Fail(plan, text, reason);
  }
}

bool AppendIntegerText(const FieldPlan& plan, std::string_view text, NumberSyntax syntax,
                       Column* column, std::string* reason) {
  int64_t v = 0;
  switch (ParseExactInteger(text, syntax, &v)) {
    case IntegerText::kOk:
      return AppendIntegerValue(plan, v, text, column, reason);
    case IntegerText::kOutOfRange:
      return IntegerOutOfRange(plan, text, reason);
    case IntegerText::kNotANumber:
    case IntegerText::kNotAnInteger:
      break;
  }
  return Fail(plan, text, reason);
}

bool AppendTextValue(const FieldPlan& plan, std::string_view text, Column* column,
                     std::string* reason) {
  switch (plan.kind) {
    case ValueKind::kNull:
      return Fail(plan, text, reason);
    case ValueKind::kComplete:
      return AppendCompleteText(plan, text, column, reason);
    case ValueKind::kBool: {
      bool b = false;
      if (!ParseBoolText(text, &b)) return Fail(plan, text, reason);
      column->AppendBool(b);
      return true;
    }
    case ValueKind::kInt32:
    case ValueKind::kInt64:
      return AppendIntegerText(plan, text, NumberSyntax::kText, column, reason);
    case ValueKind::kFloat: {
      float v = 0;
      if (!ParseFloatText(text, &v)) return Fail(plan, text, reason);
      column->AppendFloat(v);
      return true;
    }
    case ValueKind::kDouble: {
      double v = 0;
      if (!ParseDoubleText(text, &v)) return Fail(plan, text, reason);
      column->AppendDouble(v);
      return true;
    }
    case ValueKind::kString:
      column->AppendBytes(text);
      return true;
    case ValueKind::kUuid:
      if (!IsCanonicalUuid(text)) return Fail(plan, text, reason);
      column->AppendBytes(text);
      return true;
    case ValueKind::kBytes: {
      std::string* data = column->BeginBytes();
      bool ok = DecodeBase64(text, data);
      column->EndBytes();
      if (!ok) return Fail(plan, text, reason);
      return true;
    }
    case ValueKind::kEnum: {
      auto it = plan.symbol_index.find(text);
      if (it == plan.symbol_index.end()) return Fail(plan, text, reason);
      column->AppendInt32(it->second);
      return true;
    }
    case ValueKind::kDate: {
      if (LooksIso(text)) {
        Result<int32_t> days = ParseDate(text);
        if (!days.ok()) return Fail(plan, text, reason);
        column->AppendInt32(*days);
        return true;
      }
      return AppendIntegerText(plan, text, NumberSyntax::kText, column, reason);
    }
    case ValueKind::kTimestampMillis:
    case ValueKind::kTimestampMicros: {
      if (!LooksIso(text)) {
        return AppendIntegerText(plan, text, NumberSyntax::kText, column, reason);
      }
      Result<int64_t> micros = ParseTimestampMicros(text);
      if (!micros.ok()) return Fail(plan, text, reason);
      if (!TimestampMicrosInReaderRange(*micros)) {
        return OutsideReaderTimestamps(plan, text, reason);
      }
      column->AppendInt64(plan.kind == ValueKind::kTimestampMillis ? FloorDiv(*micros, 1000)
                                                                   : *micros);
      return true;
    }
  }
  return Fail(plan, text, reason);
}

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, static_cast<size_t>(p - buf));
}

namespace {

// AppendDouble and AppendFloat: to_chars of the type itself gives the
// shortest text that reads back as that type's value.
template <typename T>
void AppendFloating(T v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "Infinity" : "-Infinity");
    return;
  }
  if (v == 0 && std::signbit(v)) {
    out->append("-0.0");  // "-0" reads back as the integer 0 in some readers (DuckDB)
    return;
  }
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, static_cast<size_t>(p - buf));
}

}  // namespace

void AppendDouble(double v, std::string* out) { AppendFloating(v, out); }

void AppendFloat(float v, std::string* out) { AppendFloating(v, out); }

bool NeedsCsvQuotes(std::string_view s, char delimiter) {
  if (s.empty()) return true;
  const char first = s.front();
  const char last = s.back();
  if (first == ' ' || first == '\t' || last == ' ' || last == '\t') return true;
  const char* d = s.data();
  const size_t n = s.size();
  size_t i = 0;
#if defined(__SSE2__)
  if (n >= 16) {
    const __m128i delim = _mm_set1_epi8(delimiter);
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i lf = _mm_set1_epi8('\n');
    auto any16 = [&](size_t at) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + at));
      const __m128i hit =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, delim), _mm_cmpeq_epi8(v, quote)),
                       _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
      return _mm_movemask_epi8(hit) != 0;
    };
    for (; i + 16 <= n; i += 16) {
      if (any16(i)) return true;
    }
    return i < n && any16(n - 16);
  }
#endif
  for (; i < n; ++i) {
    const char c = d[i];
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

void AppendValueText(const FieldPlan& plan, const Column& column, size_t row, std::string* out) {
  switch (plan.kind) {
    case ValueKind::kNull:
      return;
    case ValueKind::kBool:
      out->append(column.GetBool(row) ? "true" : "false");
      return;
    case ValueKind::kInt32:
      AppendInt(column.GetInt32(row), out);
      return;
    case ValueKind::kInt64:
      AppendInt(column.GetInt64(row), out);
      return;
    case ValueKind::kFloat:
      AppendFloat(column.GetFloat(row), out);
      return;
    case ValueKind::kDouble:
      AppendDouble(column.GetDouble(row), out);
      return;
    case ValueKind::kString:
    case ValueKind::kUuid:
      out->append(column.GetBytes(row));
      return;
    case ValueKind::kBytes:
      AppendBase64(column.GetBytes(row), out);
      return;
    case ValueKind::kEnum: {
      int32_t idx = column.GetInt32(row);
      if (idx >= 0 && static_cast<size_t>(idx) < plan.symbols.size()) {
        out->append(plan.symbols[static_cast<size_t>(idx)]);
      }
      return;
    }
    case ValueKind::kDate:
      AppendDate(column.GetInt32(row), out);
      return;
    case ValueKind::kTimestampMillis:
      AppendTimestampMillis(column.GetInt64(row), out);
      return;
    case ValueKind::kTimestampMicros:
      AppendTimestampMicros(column.GetInt64(row), out);
      return;
    case ValueKind::kComplete:
      AppendCompleteValueText(plan, column, row, out);
      return;
  }
}

}  // namespace lakepipe::text
