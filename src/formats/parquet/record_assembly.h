// Record assembly: rebuilds the nested Column of a top-level field from
// the definition and repetition levels and non-null values of the leaves
// below it (the Dremel algorithm parquet-format describes).
//
// The levels of one record are walked once through the field's read tree
// (ReadNode in schema_mapping.h): a struct appends a validity slot and
// recurses into its fields; a list or map appends its elements while the
// repetition level continues it, then its offsets; a leaf appends its next
// value, or a null, or an empty slot under a null parent. Values are copied
// from each leaf's decoded values column by column; no per-row objects are
// made.
//
// Levels that disagree between the leaves of a field, or with the schema
// (a record that ends early, a repetition level that cannot start an
// element), give kCorruption naming the leaf's column path (a.b.element).
//
// Thread-safety: pure functions over their arguments.
#pragma once

#include <vector>

#include "core/column.h"
#include "formats/parquet/column_reader.h"
#include "formats/parquet/schema_mapping.h"

namespace lakepipe::parquet {

// Appends `rows` records of the field `node` to `out` (a column of the
// field). `levels[i]` holds the levels and values of leaf node.first_leaf +
// i, each exactly `rows` records; their cursors must be at 0.
Status AssembleRecords(const ReadNode& node, const std::vector<LeafMapping>& leaves, size_t rows,
                       std::vector<LeafLevels>* levels, Column* out);

}  // namespace lakepipe::parquet
