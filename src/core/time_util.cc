#include "core/time_util.h"

#include <cstdio>

namespace lakepipe {

// Howard Hinnant's public-domain civil calendar algorithms.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{y + (m <= 2), m, d};
}

namespace {

void AppendDigits(int64_t value, int width, std::string* out) {
  char buf[24];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 || n < width);
  while (n > 0) out->push_back(buf[--n]);
}

void AppendCivil(const CivilDate& c, std::string* out) {
  int64_t year = c.year;
  if (year < 0) {
    out->push_back('-');
    year = -year;
  }
  AppendDigits(year, 4, out);
  out->push_back('-');
  AppendDigits(c.month, 2, out);
  out->push_back('-');
  AppendDigits(c.day, 2, out);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`.
bool ReadFixed(std::string_view s, size_t& pos, int n, int64_t* value) {
  if (pos + n > s.size()) return false;
  int64_t v = 0;
  for (int i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  pos += n;
  *value = v;
  return true;
}

int DaysInMonth(int64_t year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

bool ParseDatePart(std::string_view s, size_t& pos, int64_t* days) {
  int64_t y, m, d;
  if (!ReadFixed(s, pos, 4, &y)) return false;
  if (pos >= s.size() || s[pos] != '-') return false;
  ++pos;
  if (!ReadFixed(s, pos, 2, &m)) return false;
  if (pos >= s.size() || s[pos] != '-') return false;
  ++pos;
  if (!ReadFixed(s, pos, 2, &d)) return false;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, static_cast<int>(m))) return false;
  *days = DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
  return true;
}

}  // namespace

void AppendDate(int32_t days, std::string* out) { AppendCivil(CivilFromDays(days), out); }

std::string FormatDate(int32_t days) {
  std::string out;
  AppendDate(days, &out);
  return out;
}

Result<int32_t> ParseDate(std::string_view text) {
  size_t pos = 0;
  int64_t days;
  if (!ParseDatePart(text, pos, &days) || pos != text.size()) {
    return InvalidArgumentError("'{}' is not a date (expected YYYY-MM-DD)", text);
  }
  return static_cast<int32_t>(days);
}

void AppendTimestampMicros(int64_t micros, std::string* out) {
  const int64_t days = FloorDiv(micros, 86400000000LL);
  const int64_t rem = FloorMod(micros, 86400000000LL);
  AppendCivil(CivilFromDays(days), out);
  out->push_back('T');
  const int64_t secs = rem / 1000000;
  const int64_t frac = rem % 1000000;
  AppendDigits(secs / 3600, 2, out);
  out->push_back(':');
  AppendDigits((secs / 60) % 60, 2, out);
  out->push_back(':');
  AppendDigits(secs % 60, 2, out);
  if (frac != 0) {
    out->push_back('.');
    if (frac % 1000 == 0) {
      AppendDigits(frac / 1000, 3, out);
    } else {
      AppendDigits(frac, 6, out);
    }
  }
  out->push_back('Z');
}

std::string FormatTimestampMicros(int64_t micros) {
  std::string out;
  AppendTimestampMicros(micros, &out);
  return out;
}

void AppendTimestampMillis(int64_t millis, std::string* out) {
  // Out-of-range millis would overflow micros; clamp through the day split instead.
  const int64_t days = FloorDiv(millis, 86400000LL);
  const int64_t rem = FloorMod(millis, 86400000LL);
  AppendCivil(CivilFromDays(days), out);
  out->push_back('T');
  const int64_t secs = rem / 1000;
  const int64_t frac = rem % 1000;
  AppendDigits(secs / 3600, 2, out);
  out->push_back(':');
  AppendDigits((secs / 60) % 60, 2, out);
  out->push_back(':');
  AppendDigits(secs % 60, 2, out);
  if (frac != 0) {
    out->push_back('.');
    AppendDigits(frac, 3, out);
  }
  out->push_back('Z');
}

std::string FormatTimestampMillis(int64_t millis) {
  std::string out;
  AppendTimestampMillis(millis, &out);
  return out;
}

Result<int64_t> ParseTimestampMicros(std::string_view s) {
  auto fail = [&]() {
    return InvalidArgumentError(
        "'{}' is not an ISO-8601 timestamp (expected YYYY-MM-DDTHH:MM:SS[.ffffff]Z)", s);
  };
  size_t pos = 0;
  int64_t days;
  if (!ParseDatePart(s, pos, &days)) return fail();
  int64_t micros = days * 86400000000LL;
  if (pos == s.size()) return micros;
  if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return fail();
  ++pos;
  int64_t hh, mm, ss = 0;
  if (!ReadFixed(s, pos, 2, &hh) || pos >= s.size() || s[pos] != ':') return fail();
  ++pos;
  if (!ReadFixed(s, pos, 2, &mm)) return fail();
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!ReadFixed(s, pos, 2, &ss)) return fail();
  }
  if (hh > 23 || mm > 59 || ss > 60) return fail();
  micros += (hh * 3600 + mm * 60 + ss) * 1000000LL;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    int64_t frac = 0;
    int digits = 0;
    while (pos < s.size() && IsDigit(s[pos])) {
      if (digits < 6) {
        frac = frac * 10 + (s[pos] - '0');
      }
      ++digits;
      ++pos;
    }
    if (digits == 0) return fail();
    for (int i = digits; i < 6; ++i) frac *= 10;
    micros += frac;
  }
  if (pos == s.size()) return micros;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '+' ? 1 : -1;
    ++pos;
    int64_t oh, om = 0;
    if (!ReadFixed(s, pos, 2, &oh)) return fail();
    if (pos < s.size() && s[pos] == ':') ++pos;
    if (pos < s.size() && !ReadFixed(s, pos, 2, &om)) return fail();
    if (oh > 23 || om > 59) return fail();
    micros -= sign * (oh * 3600 + om * 60) * 1000000LL;
  } else {
    return fail();
  }
  if (pos != s.size()) return fail();
  return micros;
}

bool LooksLikeDate(std::string_view text) { return ParseDate(text).ok(); }

bool LooksLikeTimestamp(std::string_view text) {
  // A date-time needs at least a time part; bare dates are dates.
  return text.size() > 10 && ParseTimestampMicros(text).ok();
}

}  // namespace lakepipe
