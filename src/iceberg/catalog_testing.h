// Test helpers for the catalogs: a small table and the append of one
// snapshot to it, as a commit would make it.
#pragma once

#include <string>

#include "iceberg/catalog.h"

namespace lakepipe::iceberg::testing {

// A table with columns id (long) and ts (timestamptz), partitioned by
// day(ts), at `location`.
TableMetadata SmallTable(std::string location);

// `base` plus one appended snapshot whose manifest list is `manifest_list`,
// current on main; and the requirements an append asserts.
TableMetadata WithSnapshot(const TableMetadata& base, const std::string& manifest_list);
TableCommit AppendCommit(const TableMetadata& base, const TableMetadata& updated);

}  // namespace lakepipe::iceberg::testing
