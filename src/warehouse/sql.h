// SQL that declares the lake's tables in a warehouse, with sample analytics
// queries and data-quality checks:
//
//   snowflake  a Parquet file format, a stage, external tables whose
//              partition columns are parsed from METADATA$FILENAME
//   duckdb     views over read_parquet(..., hive_partitioning = true)
//   athena     CREATE EXTERNAL TABLE ... PARTITIONED BY ... STORED AS
//              PARQUET with partition projection (Glue catalog)
//   spark      CREATE TABLE ... USING parquet PARTITIONED BY ..., then
//              MSCK REPAIR TABLE
//
// Column types follow the tables' schemas (the files' Parquet schemas, or
// a schema given for the table), every kind of the complete type model
// mapped as types.h says; each dialect also gets, per table with struct
// columns, a query reading their leaves by path.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "warehouse/catalog.h"

namespace lakepipe::warehouse {

struct SqlOptions {
  std::string dialect;  // snowflake, duckdb, athena, spark
  // Where the warehouse reads the lake: an s3:// URI, or a path for
  // duckdb and spark. Default: the lake's URI.
  std::string location;
  std::string stage = "lakepipe_lake";  // snowflake: the stage's name
  bool create_stage = true;             // snowflake: false when --stage names an existing one
  std::string storage_integration;      // snowflake: for the stage ("": credentials to fill in)
  std::string database = "lakepipe";    // athena: the Glue database
  // duckdb, s3:// locations: the URL of the S3-compatible store the lake
  // is on, written into the CREATE SECRET as ENDPOINT, USE_SSL and
  // URL_STYLE, with its region (REGION, when not ""); "": AWS, left to
  // DuckDB and the credential chain.
  std::string s3_endpoint;
  bool s3_path_style = true;  // URL_STYLE 'path', else 'vhost'
  std::string s3_region;
  // Iceberg tables (iceberg_sql.h). snowflake: an existing catalog
  // integration ("": one is created) and external volume ("": one is
  // created over the tables' bucket).
  std::string catalog_integration;
  std::string external_volume;
  // duckdb: views over read_parquet of the current snapshot's data files
  // instead of iceberg_scan (the tables' files must have been listed).
  bool live_files = false;
};

// The dialects, for --help and errors.
const std::vector<std::string>& Dialects();

// kInvalidArgument for an unknown dialect or a location the dialect cannot
// read (snowflake and athena need s3://).
Result<std::string> GenerateSql(const std::vector<LakeTable>& tables, const SqlOptions& options);

}  // namespace lakepipe::warehouse
