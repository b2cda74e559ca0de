// The Iceberg tables of a catalog as LakeTables, for `lakepipe sql`:
// each under the name the Hive layout gives the same data, its columns from
// the table's current schema, with what each dialect needs to reach it
// (catalog, metadata file, optionally the current snapshot's data files).
//
// Which tables: the identifiers given; else every table the catalog holds,
// found by listing the warehouse for metadata/ directories (file catalog) or
// by reading iceberg_tables (sql catalog). A REST catalog's tables must be
// named.
//
// Thread-safety: plain functions; the catalog is used by one thread.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "iceberg/catalog.h"
#include "warehouse/catalog.h"

namespace lakepipe::warehouse {

struct IcebergDiscovery {
  iceberg::CatalogOptions catalog;
  // "ns.name" (a bare name is in namespace "default"); empty: every table.
  std::vector<std::string> identifiers;
  // Keep only the tables of this lake table (as --table): the view name is
  // `only_table` or starts with `only_table` + "_".
  std::string only_table;
  bool list_files = false;  // fill IcebergSource::data_files
};

// The name of the view of Iceberg table `table_name`: a name that already
// ends in a zone (_raw, _clean, _rejected) or holds an aggregate job's
// metric stays as it is; any other name is an archived topic's table, the
// raw zone: "users" → "users_raw".
std::string IcebergViewName(const std::string& table_name);

// kNotFound when the catalog holds no table (or none of `only_table`);
// kInvalidArgument for a REST catalog without identifiers, a bad
// identifier, or two tables with one view name; a table's load error names
// the table.
Result<std::vector<LakeTable>> DiscoverIcebergTables(const IcebergDiscovery& discovery);

}  // namespace lakepipe::warehouse
