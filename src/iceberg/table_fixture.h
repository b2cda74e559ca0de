// A small Iceberg table for tests of `lakepipe table` (table_report_test.cc
// and the iceberg_table_tool that tests/interop/iceberg_table.test.mjs
// runs): real Parquet data files appended through the file catalog with
// AppendFiles, each snapshot carrying Kafka ranges and offsets.
//
//   clean   three appends of group "archivers" over topic "orders":
//           partition 0 [0, 10) + [10, 17), partition 1 [0, 5) + [5, 9);
//           four data files, partitioned by identity(region).
//   broken  the clean table, then two more appends: orders/0 [20, 23) (a
//           gap of 17..19) and orders/1 [7, 13) (an overlap of 7..8), and
//           one that lists the first data file a second time; then one data
//           file deleted from the store and another grown by a byte, behind
//           the table's back.
// Test-only: built into iceberg_test and iceberg_table_tool.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "iceberg/catalog.h"

namespace lakepipe::iceberg {

struct FixtureFile {
  std::string path;  // full URI
  std::string region;
  int64_t records = 0;
  int64_t size = 0;  // as committed
};

struct TableFixture {
  std::string warehouse;
  std::string id = "db.events";
  std::string location;               // <warehouse>/db/events
  std::vector<FixtureFile> files;     // live in the current snapshot, in commit order
  std::vector<int64_t> snapshot_ids;  // oldest first
  std::string missing_file;           // broken: deleted from the store
  std::string resized_file;           // broken: one byte longer than listed
  std::string duplicate_file;         // broken: listed twice
};

// Builds the table in the catalog `options` choose, at
// <warehouse>/db/events (options.warehouse is set to `warehouse`).
Result<TableFixture> BuildTableFixture(const std::string& warehouse, bool broken,
                                       CatalogOptions options = {});

}  // namespace lakepipe::iceberg
