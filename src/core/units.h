// Parsing and printing sizes and durations for flags and summaries.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace lakepipe {

// "1048576", "64KiB", "128MiB", "1GiB", "10MB" (decimal), "512B".
Result<uint64_t> ParseByteSize(std::string_view text);
// "46.1 MiB", "980 B".
std::string FormatBytes(uint64_t bytes);
// "1.52 s", "830 ms".
std::string FormatSeconds(double seconds);
// "1,000,000".
std::string FormatCount(uint64_t n);
// The rate of a counter read as `before`, then as `after` `seconds` later:
// 0 when the interval is not positive or the counter did not grow (never an
// unsigned wrap-around or a division by zero).
double RatePerSecond(uint64_t before, uint64_t after, double seconds);
// The same as "12,345/s", whole per second, at most the largest count.
std::string FormatRate(uint64_t before, uint64_t after, double seconds);

}  // namespace lakepipe
