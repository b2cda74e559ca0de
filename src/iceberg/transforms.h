// Iceberg partition transforms (the table spec's "Partition Transforms").
//
// A Transform is parsed from and printed as the spec's strings: "identity",
// "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void". It
// applies to the Datum (see bounds.h) of a source field and gives the
// partition value, whose type ResultType() tells. Time transforms count
// whole units since 1970-01-01 00:00 UTC, rounding toward negative infinity
// (a value before 1970 falls in the unit that contains it); int truncate
// rounds toward negative infinity too.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"
#include "iceberg/bounds.h"

namespace lakepipe::iceberg {

enum class TransformKind { kIdentity, kBucket, kTruncate, kYear, kMonth, kDay, kHour, kVoid };

struct Transform {
  TransformKind kind = TransformKind::kIdentity;
  // kBucket: the number of buckets; kTruncate: the width. Positive.
  int32_t param = 0;

  static Result<Transform> Parse(std::string_view text);
  std::string ToString() const;

  // The partition value's type for a source field: int for bucket, year,
  // month and hour; date for day; the source's type otherwise. Refuses a
  // source the transform does not apply to, naming the field.
  Result<Field> ResultType(const Field& source) const;

  // The partition value of `value`, a Datum of `source` (null gives null).
  Result<Datum> Apply(const Field& source, const Datum& value) const;
  // The partition value of row `row` of `column`, described by `source`.
  Result<Datum> ApplyRow(const Field& source, const Column& column, size_t row) const;
};

// Murmur3 x86 32-bit hash, seed 0, as a signed int (as Java prints it).
int32_t Murmur3Hash32(std::string_view bytes);

// The bytes the bucket transform hashes for a Datum of `source`: ints,
// dates, longs, times and timestamps as 8-byte little-endian longs; the
// other kinds as their single-value serialisation.
Result<std::string> BucketHashInput(const Field& source, const Datum& value);

}  // namespace lakepipe::iceberg
