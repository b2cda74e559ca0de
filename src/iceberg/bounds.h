// Iceberg values of a core column row and their binary single-value
// serialisation (the table spec's Appendix D), used for manifests'
// lower/upper bounds, partition summaries and bucket hashing.
//
// A Datum is an Iceberg value in its canonical form: int (and date, and
// the small integers) as int32; long, uint32, time (µs) and timestamps (µs,
// or ns for nanosecond timestamps) as int64; string, binary, fixed, uuid
// (16 bytes, big-endian) and decimal (unscaled, minimal big-endian two's
// complement) as bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"

namespace lakepipe::iceberg {

using Datum = std::variant<std::monostate, bool, int32_t, int64_t, float, double, std::string>;

// The value of row `row` of `column` (described by `field`) as a Datum
// (std::monostate for null). Refuses kinds Iceberg has no type for (uint64,
// nested kinds) with `unsupported:` naming the field.
Result<Datum> ReadDatum(const Field& field, const Column& column, size_t row);

// The minimal big-endian two's-complement bytes of `v`.
std::string MinimalBigEndian(int64_t v);

// The single-value serialisation of `value` (not null): int 4-byte LE,
// long 8-byte LE, float/double LE IEEE 754, boolean one byte, bytes as they
// are.
std::string Serialize(const Datum& value);

// Bounds truncated to `length` code points (strings) or bytes (binary),
// as Iceberg's default metrics mode truncate(16) writes them. The lower
// bound is the prefix; the upper bound is the prefix with its last code
// point (byte) incremented, dropping ones that cannot be, or nullopt when
// none can. A value no longer than `length` is its own bound.
std::string TruncateLowerBound(std::string_view value, bool is_string, size_t length = 16);
std::optional<std::string> TruncateUpperBound(std::string_view value, bool is_string,
                                              size_t length = 16);

// The first `length` code points of UTF-8 `text`.
std::string_view TruncateCodePoints(std::string_view text, size_t length);

}  // namespace lakepipe::iceberg
