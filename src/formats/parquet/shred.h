// Shredding: the definition and repetition levels and the stored values of
// one Parquet leaf column, computed from a nested Column (see core/column.h)
// column by column, as Dremel describes (and parquet-format specifies).
//
// For each top-level row the leaf gets one level entry per value it holds
// and one per place where its path ends early: a null struct, list, map or
// value, or an empty list or map. The definition level counts the optional
// and repeated levels defined on the path; the repetition level names the
// innermost list or map that repeats (0 starts a new row). A leaf at the top
// level that is not repeated has one entry per row.
//
// Values are converted to the stored physical type here (see LeafEncoding
// in schema_to_parquet.h): decimals change storage exactly, floats become
// FLOAT16, uint32 becomes its INT32 bits.
//
// Thread-safety: none; a ShreddedLeaf belongs to one writer.
#pragma once

#include <cstdint>
#include <vector>

#include "core/column.h"
#include "formats/parquet/schema_to_parquet.h"

namespace lakepipe::parquet {

struct ShreddedLeaf {
  explicit ShreddedLeaf(Storage storage) : values(storage, true) {}

  // One slot per level entry: the value when def == max_def, else null.
  Column values;
  std::vector<uint8_t> def;
  std::vector<uint8_t> rep;

  size_t size() const { return def.size(); }
  void Clear() {
    values.Clear();
    def.clear();
    rep.clear();
  }
};

// The in-memory storage of a leaf's stored values (kInt32 for an enum's
// symbol indices, kNone for a null leaf).
Storage ShreddedStorage(const LeafPlan& leaf);

// Appends the levels and values of rows [begin, end) of `column`, the
// column of the leaf's top-level field. kInvalidArgument naming the column
// and the value when a value cannot be stored (a decimal too wide for its
// precision, fixed bytes of the wrong size).
Status ShredLeaf(const LeafPlan& leaf, const Column& column, size_t begin, size_t end,
                 ShreddedLeaf* out);

// IEEE 754 half precision bits of `v`, rounded to nearest, ties to even.
uint16_t FloatToHalf(float v);

}  // namespace lakepipe::parquet
