#include "core/units.h"

#include <cctype>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace lakepipe {

Result<uint64_t> ParseByteSize(std::string_view text) {
  size_t i = 0;
  uint64_t value = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (value > (UINT64_MAX - digit) / 10)
      return InvalidArgumentError("size '{}' is too large", text);
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) {
    return InvalidArgumentError("'{}' is not a size (examples: 1048576, 64KiB, 128MiB, 1GiB)",
                                text);
  }
  std::string unit;
  for (; i < text.size(); ++i) {
    if (text[i] != ' ')
      unit.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(text[i]))));
  }
  uint64_t mult;
  if (unit.empty() || unit == "b") {
    mult = 1;
  } else if (unit == "k" || unit == "kib") {
    mult = 1ull << 10;
  } else if (unit == "m" || unit == "mib") {
    mult = 1ull << 20;
  } else if (unit == "g" || unit == "gib") {
    mult = 1ull << 30;
  } else if (unit == "kb") {
    mult = 1000;
  } else if (unit == "mb") {
    mult = 1000 * 1000;
  } else if (unit == "gb") {
    mult = 1000ull * 1000 * 1000;
  } else {
    return InvalidArgumentError("unknown size unit in '{}' (use B, KiB, MiB, GiB, KB, MB or GB)",
                                text);
  }
  if (value > UINT64_MAX / mult) return InvalidArgumentError("size '{}' is too large", text);
  return value * mult;
}

std::string FormatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{} B", bytes);
  return fmt::format("{:.1f} {}", v, kUnits[u]);
}

std::string FormatSeconds(double seconds) {
  if (seconds < 1) return fmt::format("{:.0f} ms", seconds * 1000);
  return fmt::format("{:.2f} s", seconds);
}

std::string FormatCount(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

double RatePerSecond(uint64_t before, uint64_t after, double seconds) {
  if (!(seconds > 0) || after <= before) return 0;
  return static_cast<double>(after - before) / seconds;
}

std::string FormatRate(uint64_t before, uint64_t after, double seconds) {
  const double rate = RatePerSecond(before, after, seconds);
  // 2^64 as a double; anything at or above it does not fit a count.
  constexpr double kLimit = 18446744073709551616.0;
  const uint64_t whole =
      rate >= kLimit ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(rate);
  return FormatCount(whole) + "/s";
}

}  // namespace lakepipe
