// Calendar arithmetic and ISO-8601 text for dates and UTC timestamps.
//
// Dates are days since 1970-01-01; timestamps are micro- or milliseconds
// since 1970-01-01T00:00:00Z (negative before 1970). Proleptic Gregorian
// calendar, years 0000..9999 in text form. All functions are thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace lakepipe {

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

int64_t DaysFromCivil(int64_t year, int month, int day);
CivilDate CivilFromDays(int64_t days);

// Floor division and modulo (the result of FloorMod has the sign of `b`).
inline int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
// Computed without FloorDiv(a, b) * b, which overflows near INT64_MIN.
inline int64_t FloorMod(int64_t a, int64_t b) {
  const int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

// "YYYY-MM-DD".
std::string FormatDate(int32_t days);
void AppendDate(int32_t days, std::string* out);
// Parses "YYYY-MM-DD" (exactly).
Result<int32_t> ParseDate(std::string_view text);

// "YYYY-MM-DDTHH:MM:SS[.ffffff]Z": fraction digits only when non-zero
// (3 digits when the value has whole milliseconds, else 6).
std::string FormatTimestampMicros(int64_t micros);
void AppendTimestampMicros(int64_t micros, std::string* out);
// Same, at millisecond precision.
std::string FormatTimestampMillis(int64_t millis);
void AppendTimestampMillis(int64_t millis, std::string* out);

// Parses ISO-8601 date-times: "YYYY-MM-DD[T| ]HH:MM[:SS[.f{1,9}]][Z|±HH[:]MM]"
// and a bare "YYYY-MM-DD" (midnight UTC). Without a zone the time is UTC.
// Fractions beyond microseconds are truncated.
Result<int64_t> ParseTimestampMicros(std::string_view text);

// The timestamps every reader of the lake accepts: 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999Z, the years that ISO-8601 text, Spark, Hive,
// Snowflake and Python's datetime all support. Wider values break readers:
// DuckDB cannot read a millisecond timestamp whose microseconds overflow
// int64, and it reads the largest int64 microsecond value as infinity.
inline constexpr int64_t kMinReaderTimestampMicros = -62135596800000000;
inline constexpr int64_t kMaxReaderTimestampMicros = 253402300799999999;
inline constexpr bool TimestampMicrosInReaderRange(int64_t micros) {
  return micros >= kMinReaderTimestampMicros && micros <= kMaxReaderTimestampMicros;
}
inline constexpr bool TimestampMillisInReaderRange(int64_t millis) {
  return millis >= kMinReaderTimestampMicros / 1000 && millis <= kMaxReaderTimestampMicros / 1000;
}
// "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z", for messages.
inline constexpr std::string_view kReaderTimestampRange =
    "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z";

// True when `text` looks like a date or a date-time that the parsers accept.
bool LooksLikeDate(std::string_view text);
bool LooksLikeTimestamp(std::string_view text);

}  // namespace lakepipe
