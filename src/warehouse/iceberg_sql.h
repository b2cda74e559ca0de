// The DDL that declares Iceberg tables (LakeTable with `iceberg` set) in
// each dialect, under the same names as the Hive layout's tables, so that
// sql.cc's sample queries and checks read both layouts alike:
//
//   snowflake  CREATE ICEBERG TABLE over a catalog integration: for a REST
//              catalog (AWS Glue's Iceberg endpoint included) CATALOG =
//              the integration with CATALOG_NAMESPACE / CATALOG_TABLE_NAME
//              and AUTO_REFRESH; for the file and sql catalogs an
//              object-store integration with METADATA_FILE_PATH relative to
//              an external volume over the bucket, refreshed with ALTER
//              ICEBERG TABLE ... REFRESH '<new metadata file>'.
//   athena     the table registered in Glue: through Glue's Iceberg REST
//              endpoint it is already there (a view under the lake's name);
//              otherwise `aws glue create-table` with table_type ICEBERG and
//              metadata_location (Athena's CREATE TABLE ... 'table_type' =
//              'ICEBERG' makes a new, empty table, so it is not used).
//   spark      the catalog settings for the catalog's type (hadoop for the
//              file catalog, jdbc for sql, rest), then temporary views.
//   duckdb     iceberg_scan('<metadata file>') after INSTALL/LOAD iceberg;
//              or, with live_files, read_parquet of the current snapshot's
//              data files (no extension needed; regenerate after commits).
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "warehouse/catalog.h"
#include "warehouse/sql.h"

namespace lakepipe::warehouse {

// Each takes only tables with `iceberg` set. kInvalidArgument when a table
// is where the dialect cannot read it (snowflake and athena: not on S3).
Result<std::string> SnowflakeIcebergDdl(const std::vector<const LakeTable*>& tables,
                                        const SqlOptions& options);
Result<std::string> AthenaIcebergDdl(const std::vector<const LakeTable*>& tables,
                                     const SqlOptions& options);
std::string SparkIcebergDdl(const std::vector<const LakeTable*>& tables);
Result<std::string> DuckDbIcebergDdl(const std::vector<const LakeTable*>& tables,
                                     const SqlOptions& options);

}  // namespace lakepipe::warehouse
