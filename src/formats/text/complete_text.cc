#include "formats/text/complete_text.h"

#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "core/column_json.h"
#include "core/time_util.h"

namespace lakepipe::text {
namespace {

__extension__ typedef unsigned __int128 UInt128;

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool Expected(const FieldPlan& plan, std::string_view text, std::string* reason) {
  *reason = fmt::format("field '{}': expected {}, got \"{}\"", plan.name,
                        CompleteExpectedText(plan), Preview(text));
  return false;
}

bool OutOfRange(const FieldPlan& plan, std::string_view text, std::string* reason) {
  *reason = fmt::format("field '{}': {} is out of range for {}", plan.name, Preview(text),
                        CompleteExpectedText(plan));
  return false;
}

struct IntRange {
  int64_t min;
  int64_t max;
};

IntRange RangeOf(Kind kind) {
  switch (kind) {
    case Kind::kInt8:
      return {-128, 127};
    case Kind::kInt16:
      return {-32768, 32767};
    case Kind::kUInt8:
      return {0, 255};
    case Kind::kUInt16:
      return {0, 65535};
    case Kind::kUInt32:
      return {0, int64_t{4294967295}};
    default:
      return {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  }
}

bool AppendSmallInt(const FieldPlan& plan, std::string_view text, Column* column,
                    std::string* reason) {
  int64_t v = 0;
  switch (ParseExactInteger(text, NumberSyntax::kText, &v)) {
    case IntegerText::kOk:
      break;
    case IntegerText::kOutOfRange:
      return OutOfRange(plan, text, reason);
    default:
      return Expected(plan, text, reason);
  }
  const IntRange range = RangeOf(plan.field->kind());
  if (v < range.min || v > range.max) return OutOfRange(plan, text, reason);
  if (StorageOf(*plan.field) == Storage::kInt32) {
    column->AppendInt32(static_cast<int32_t>(v));
  } else {
    column->AppendInt64(v);
  }
  return true;
}

bool AppendUInt64(const FieldPlan& plan, std::string_view text, Column* column,
                  std::string* reason) {
  int64_t v = 0;
  switch (ParseExactInteger(text, NumberSyntax::kText, &v)) {
    case IntegerText::kOk:
      if (v < 0) return OutOfRange(plan, text, reason);
      column->AppendInt64(v);
      return true;
    case IntegerText::kOutOfRange: {
      // 2^63 .. 2^64-1: plain digits only.
      std::string_view digits = text;
      if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
      uint64_t u = 0;
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u);
      if (ec != std::errc() || end != digits.data() + digits.size()) {
        return OutOfRange(plan, text, reason);
      }
      column->AppendInt64(static_cast<int64_t>(u));
      return true;
    }
    default:
      return Expected(plan, text, reason);
  }
}

// Minimal big-endian two's complement bytes of `v` (`size` bytes when > 0).
std::string BigEndian(Int128 v, size_t size) {
  std::string bytes;
  auto u = static_cast<UInt128>(v);
  const bool negative = v < 0;
  do {
    bytes.insert(bytes.begin(), static_cast<char>(static_cast<unsigned char>(u & 0xFF)));
    u >>= 8;
    if (negative) u |= ~(~static_cast<UInt128>(0) >> 8);
  } while (size > 0 ? bytes.size() < size
                    : (negative ? (u != ~static_cast<UInt128>(0) ||
                                   !(static_cast<unsigned char>(bytes[0]) & 0x80))
                                : (u != 0 || (static_cast<unsigned char>(bytes[0]) & 0x80))));
  return bytes;
}

bool AppendDecimal(const FieldPlan& plan, std::string_view text, Column* column,
                   std::string* reason) {
  const Field& f = *plan.field;
  Int128 unscaled = 0;
  switch (ParseDecimalText(text, f.precision, f.scale, &unscaled)) {
    case DecimalText::kOk:
      break;
    case DecimalText::kNotANumber:
      return Expected(plan, text, reason);
    case DecimalText::kTooManyDigits:
      *reason = fmt::format("field '{}': {} has more than {} digits, too many for {}", plan.name,
                            Preview(text), f.precision, CompleteExpectedText(plan));
      return false;
    case DecimalText::kTooManyFractionDigits:
      *reason = fmt::format("field '{}': {} has more than {} fraction digits, too many for {}",
                            plan.name, Preview(text), f.scale, CompleteExpectedText(plan));
      return false;
  }
  switch (f.base) {
    case Kind::kInt32:
      column->AppendInt32(static_cast<int32_t>(unscaled));
      break;
    case Kind::kInt64:
      column->AppendInt64(static_cast<int64_t>(unscaled));
      break;
    case Kind::kFixed:
      column->AppendBytes(BigEndian(unscaled, static_cast<size_t>(f.fixed_size)));
      break;
    default:
      column->AppendBytes(BigEndian(unscaled, 0));
      break;
  }
  return true;
}

bool AppendFixed(const FieldPlan& plan, std::string_view text, Column* column,
                 std::string* reason) {
  std::string bytes;
  if (!DecodeBase64(text, &bytes) || bytes.size() != static_cast<size_t>(plan.field->fixed_size)) {
    return Expected(plan, text, reason);
  }
  column->AppendBytes(bytes);
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

bool AppendUuidFixed(const FieldPlan& plan, std::string_view text, Column* column,
                     std::string* reason) {
  if (!IsCanonicalUuid(text)) return Expected(plan, text, reason);
  std::string bytes;
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '-') {
      ++i;
      continue;
    }
    bytes.push_back(static_cast<char>(HexValue(text[i]) * 16 + HexValue(text[i + 1])));
    i += 2;
  }
  column->AppendBytes(bytes);
  return true;
}

// Parses "HH:MM[:SS[.f{1,9}]]" into nanoseconds since midnight (24:00:00 at most).
bool ParseTimeNanos(std::string_view t, int64_t* nanos) {
  auto two = [&t](size_t at, int64_t* v) {
    if (at + 2 > t.size() || !IsDigit(t[at]) || !IsDigit(t[at + 1])) return false;
    *v = (t[at] - '0') * 10 + (t[at + 1] - '0');
    return true;
  };
  int64_t h = 0;
  int64_t m = 0;
  int64_t s = 0;
  if (!two(0, &h) || t.size() < 5 || t[2] != ':' || !two(3, &m)) return false;
  size_t i = 5;
  if (i < t.size() && t[i] == ':') {
    if (!two(i + 1, &s)) return false;
    i += 3;
  }
  int64_t fraction = 0;
  if (i < t.size() && t[i] == '.') {
    int digits = 0;
    for (++i; i < t.size() && IsDigit(t[i]); ++i, ++digits) {
      if (digits < 9) fraction = fraction * 10 + (t[i] - '0');
    }
    if (digits == 0) return false;
    for (; digits < 9; ++digits) fraction *= 10;
  }
  if (i != t.size() || m > 59 || s > 59) return false;
  *nanos = ((h * 60 + m) * 60 + s) * 1000000000 + fraction;
  return *nanos <= int64_t{86400} * 1000000000;
}

bool AppendTime(const FieldPlan& plan, std::string_view text, Column* column, std::string* reason) {
  const bool millis = plan.field->kind() == Kind::kTimeMillis;
  const int64_t per_second = millis ? 1000 : 1000000;
  int64_t v = 0;
  int64_t nanos = 0;
  if (ParseTimeNanos(text, &nanos)) {
    v = nanos / (1000000000 / per_second);
  } else if (ParseExactInteger(text, NumberSyntax::kText, &v) != IntegerText::kOk) {
    return Expected(plan, text, reason);
  }
  if (v < 0 || v > 86400 * per_second) return OutOfRange(plan, text, reason);
  if (millis) {
    column->AppendInt32(static_cast<int32_t>(v));
  } else {
    column->AppendInt64(v);
  }
  return true;
}

// The sub-microsecond digits (7th to 9th) of an ISO timestamp's fraction.
int64_t SubMicroNanos(std::string_view text) {
  const size_t t = text.find_first_of("T ");
  if (t == std::string_view::npos) return 0;
  const size_t dot = text.find('.', t);
  if (dot == std::string_view::npos) return 0;
  size_t digits = 0;
  while (dot + 1 + digits < text.size() && IsDigit(text[dot + 1 + digits])) ++digits;
  int64_t v = 0;
  for (size_t k = 6; k < 9; ++k) v = v * 10 + (k < digits ? text[dot + 1 + k] - '0' : 0);
  return v;
}

bool AppendTimestamp(const FieldPlan& plan, std::string_view text, Column* column,
                     std::string* reason) {
  const TimeUnit unit = plan.field->unit;
  int64_t v = 0;
  if (LooksLikeTimestamp(text) || LooksLikeDate(text)) {
    // DuckDB prints a zone as "+00": the parser wants minutes too.
    std::string zoned;
    if (text.size() > 3 && (text[text.size() - 3] == '+' || text[text.size() - 3] == '-') &&
        text.find_first_of("T ") != std::string_view::npos) {
      zoned = std::string(text) + "00";
    }
    Result<int64_t> micros = ParseTimestampMicros(zoned.empty() ? text : zoned);
    if (!micros.ok()) return Expected(plan, text, reason);
    if (!TimestampMicrosInReaderRange(*micros)) return OutOfRange(plan, text, reason);
    switch (unit) {
      case TimeUnit::kMillis:
        v = FloorDiv(*micros, 1000);
        break;
      case TimeUnit::kMicros:
        v = *micros;
        break;
      case TimeUnit::kNanos:
        if (__builtin_mul_overflow(*micros, int64_t{1000}, &v) ||
            __builtin_add_overflow(v, SubMicroNanos(text), &v)) {
          return OutOfRange(plan, text, reason);
        }
        break;
    }
  } else if (ParseExactInteger(text, NumberSyntax::kText, &v) != IntegerText::kOk) {
    return Expected(plan, text, reason);
  } else if (unit != TimeUnit::kNanos &&
             !(unit == TimeUnit::kMillis ? TimestampMillisInReaderRange(v)
                                         : TimestampMicrosInReaderRange(v))) {
    return OutOfRange(plan, text, reason);
  }
  column->AppendInt64(v);
  return true;
}

std::string UnitName(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillis:
      return "milliseconds";
    case TimeUnit::kMicros:
      return "microseconds";
    case TimeUnit::kNanos:
      return "nanoseconds";
  }
  return "";
}

}  // namespace

std::string CompleteExpectedText(const FieldPlan& plan) {
  const Field& f = *plan.field;
  switch (f.kind()) {
    case Kind::kInt8:
    case Kind::kInt16:
    case Kind::kUInt8:
    case Kind::kUInt16:
    case Kind::kUInt32: {
      const IntRange r = RangeOf(f.kind());
      return fmt::format("{} ({} to {})", KindName(f.kind()), r.min, r.max);
    }
    case Kind::kUInt64:
      return "uint64 (0 to 18446744073709551615)";
    case Kind::kDecimal:
      return fmt::format("decimal({},{})", f.precision, f.scale);
    case Kind::kFixed:
      return fmt::format("fixed({}) (base64 of {} bytes)", f.fixed_size, f.fixed_size);
    case Kind::kUuid:
      return "uuid (8-4-4-4-12 hex digits)";
    case Kind::kTimeMillis:
    case Kind::kTimeMicros:
      return fmt::format("time (HH:MM:SS[.fff] or {} since midnight)",
                         f.kind() == Kind::kTimeMillis ? "milliseconds" : "microseconds");
    case Kind::kTimestamp:
      return fmt::format("{}timestamp (ISO-8601 or epoch {})", f.utc_adjusted ? "" : "local ",
                         UnitName(f.unit));
    case Kind::kStruct:
      return "struct (a JSON object)";
    case Kind::kList:
      return "list (a JSON array)";
    case Kind::kMap:
      return "map (a JSON object, or an array of {\"key\", \"value\"} objects)";
    default:
      return std::string(KindName(f.kind()));
  }
}

DecimalText ParseDecimalText(std::string_view text, int32_t precision, int32_t scale,
                             Int128* unscaled) {
  size_t i = 0;
  const size_t n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::string digits;  // significant digits, leading zeros dropped
  int64_t exponent = 0;
  size_t count = 0;
  for (; i < n && IsDigit(text[i]); ++i, ++count) {
    if (!digits.empty() || text[i] != '0') digits.push_back(text[i]);
  }
  if (i < n && text[i] == '.') {
    for (++i; i < n && IsDigit(text[i]); ++i, ++count) {
      if (!digits.empty() || text[i] != '0') digits.push_back(text[i]);
      --exponent;
    }
  }
  if (count == 0) return DecimalText::kNotANumber;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    int64_t e = 0;
    const size_t begin = i;
    for (; i < n && IsDigit(text[i]); ++i) e = std::min<int64_t>(e * 10 + (text[i] - '0'), 1000);
    if (i == begin) return DecimalText::kNotANumber;
    exponent += exp_negative ? -e : e;
  }
  if (i != n) return DecimalText::kNotANumber;
  // value = digits * 10^exponent; unscaled = digits * 10^(exponent + scale).
  int64_t shift = exponent + scale;
  while (shift < 0 && !digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++shift;
  }
  if (digits.empty()) {
    *unscaled = 0;
    return DecimalText::kOk;
  }
  if (shift < 0) return DecimalText::kTooManyFractionDigits;
  if (static_cast<int64_t>(digits.size()) + shift > precision) return DecimalText::kTooManyDigits;
  UInt128 v = 0;
  for (char c : digits) v = v * 10 + static_cast<unsigned>(c - '0');
  for (int64_t k = 0; k < shift; ++k) v *= 10;
  *unscaled = negative ? -static_cast<Int128>(v) : static_cast<Int128>(v);
  return DecimalText::kOk;
}

bool AppendCompleteText(const FieldPlan& plan, std::string_view text, Column* column,
                        std::string* reason) {
  const Field& f = *plan.field;
  switch (f.kind()) {
    case Kind::kInt8:
    case Kind::kInt16:
    case Kind::kUInt8:
    case Kind::kUInt16:
    case Kind::kUInt32:
      return AppendSmallInt(plan, text, column, reason);
    case Kind::kUInt64:
      return AppendUInt64(plan, text, column, reason);
    case Kind::kDecimal:
      return AppendDecimal(plan, text, column, reason);
    case Kind::kFixed:
      return AppendFixed(plan, text, column, reason);
    case Kind::kUuid:
      if (f.base == Kind::kFixed) return AppendUuidFixed(plan, text, column, reason);
      if (!IsCanonicalUuid(text)) return Expected(plan, text, reason);
      column->AppendBytes(text);
      return true;
    case Kind::kTimeMillis:
    case Kind::kTimeMicros:
      return AppendTime(plan, text, column, reason);
    case Kind::kTimestamp:
      return AppendTimestamp(plan, text, column, reason);
    default:
      return Expected(plan, text, reason);
  }
}

void AppendCompleteValueText(const FieldPlan& plan, const Column& column, size_t row,
                             std::string* out) {
  const size_t at = out->size();
  AppendValueJson(*plan.field, column, row, out, JsonTextStyle::kLake);
  if (!IsNested(plan.field->kind()) && out->size() >= at + 2 && (*out)[at] == '"') {
    // Base64, hex, times and timestamps: no escapes inside the quotes.
    out->pop_back();
    out->erase(at, 1);
  }
}

}  // namespace lakepipe::text
