#include "core/time_util.h"

#include <cstdio>
#include <cstring>

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

namespace {

constexpr char kTwoDigits[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

char* Put2(char* p, int64_t v) {
  std::memcpy(p, kTwoDigits + 2 * v, 2);
  return p + 2;
}

// "YYYY-MM-DD"; years outside 0000..9999 with a sign or more digits.
char* PutCivil(char* p, const CivilDate& c) {
  if (c.year >= 0 && c.year <= 9999) {
    p = Put2(p, c.year / 100);
    p = Put2(p, c.year % 100);
  } else {
    std::string year;
    AppendCivil(CivilDate{c.year, 1, 1}, &year);
    year.resize(year.size() - 6);  // drop "-01-01"
    std::memcpy(p, year.data(), year.size());
    p += year.size();
  }
  *p++ = '-';
  p = Put2(p, c.month);
  *p++ = '-';
  return Put2(p, c.day);
}

char* PutTime(char* p, int64_t seconds_of_day) {
  p = Put2(p, seconds_of_day / 3600);
  *p++ = ':';
  p = Put2(p, seconds_of_day / 60 % 60);
  *p++ = ':';
  return Put2(p, seconds_of_day % 60);
}

char* PutMillis(char* p, int64_t ms) {
  *p++ = static_cast<char>('0' + ms / 100);
  return Put2(p, ms % 100);
}

}  // namespace

void AppendDate(int32_t days, std::string* out) {
  char buf[32];
  char* end = PutCivil(buf, CivilFromDays(days));
  out->append(buf, static_cast<size_t>(end - buf));
}

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
  char buf[48];
  char* p = PutCivil(buf, CivilFromDays(days));
  *p++ = 'T';
  p = PutTime(p, rem / 1000000);
  const int64_t frac = rem % 1000000;
  if (frac != 0) {
    *p++ = '.';
    if (frac % 1000 == 0) {
      p = PutMillis(p, frac / 1000);
    } else {
      p = Put2(p, frac / 10000);
      p = Put2(p, frac / 100 % 100);
      p = Put2(p, frac % 100);
    }
  }
  *p++ = 'Z';
  out->append(buf, static_cast<size_t>(p - buf));
}

std::string FormatTimestampMicros(int64_t micros) {
  std::string out;
  AppendTimestampMicros(micros, &out);
  return out;
}

void AppendTimestampMillis(int64_t millis, std::string* out) {
  const int64_t days = FloorDiv(millis, 86400000LL);
  const int64_t rem = FloorMod(millis, 86400000LL);
  char buf[48];
  char* p = PutCivil(buf, CivilFromDays(days));
  *p++ = 'T';
  p = PutTime(p, rem / 1000);
  if (rem % 1000 != 0) {
    *p++ = '.';
    p = PutMillis(p, rem % 1000);
  }
  *p++ = 'Z';
  out->append(buf, static_cast<size_t>(p - buf));
}

std::string FormatTimestampMillis(int64_t millis) {
  std::string out;
  AppendTimestampMillis(millis, &out);
  return out;
}

namespace {

// Days since 1970-01-01 for years 0000..9999, in unsigned arithmetic so that
// every division is by a constant (the hot path of text parsing).
int64_t DaysFromCivilSmall(unsigned year, unsigned month, unsigned day) {
  // Days from March 1st to the first of each month, years starting in March.
  static constexpr unsigned kDaysFromMarch[13] = {0,   306, 337, 0,   31,  61, 92,
                                                  122, 153, 184, 214, 245, 275};
  const unsigned y = year + 400 - (month <= 2);  // one 400-year era later: no negatives
  const unsigned era = y / 400;
  const unsigned yoe = y - era * 400;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + kDaysFromMarch[month] + day - 1;
  return int64_t{era} * 146097 + doe - 719468 - 146097;
}

// The common shape "YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}]Z" without building an
// error; false leaves the text to the general parser.
bool ParseCommonTimestamp(std::string_view s, int64_t* out) {
  static constexpr unsigned kMonthDays[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const size_t n = s.size();
  if (n < 20 || s[n - 1] != 'Z' || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
      s[13] != ':' || s[16] != ':') {
    return false;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  unsigned d[19] = {};
  bool bad = false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    d[i] = p[i] - unsigned{'0'};
    bad |= d[i] > 9;
  }
  if (bad) return false;
  const unsigned year = d[0] * 1000 + d[1] * 100 + d[2] * 10 + d[3];
  const unsigned month = d[5] * 10 + d[6];
  const unsigned day = d[8] * 10 + d[9];
  const unsigned hour = d[11] * 10 + d[12];
  const unsigned minute = d[14] * 10 + d[15];
  const unsigned second = d[17] * 10 + d[18];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kMonthDays[month] + (month == 2 && leap)) return false;
  int64_t fraction = 0;
  if (n > 20) {
    // ".f{1,9}" before the 'Z'; digits past microseconds are truncated.
    const size_t digits = n - 21;
    if (s[19] != '.' || digits == 0 || digits > 9) return false;
    for (size_t i = 0; i < digits; ++i) {
      const unsigned v = p[20 + i] - unsigned{'0'};
      if (v > 9) return false;
      if (i < 6) fraction = fraction * 10 + v;
    }
    for (size_t i = digits; i < 6; ++i) fraction *= 10;
  }
  const int64_t days = DaysFromCivilSmall(year, month, day);
  *out = (days * 86400 + int64_t{hour * 3600 + minute * 60 + second}) * 1000000 + fraction;
  return true;
}

}  // namespace

Result<int64_t> ParseTimestampMicros(std::string_view s) {
  int64_t common = 0;
  if (ParseCommonTimestamp(s, &common)) return common;
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
