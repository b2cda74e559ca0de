// The tables of a lake, found by listing it: every directory of Parquet
// files the archive and the transform jobs write, with the columns of its
// files (from one file's footer) and the Hive partition columns of its paths.
//
//   <table>/<zone>/parquet/[k=v/...]file.parquet            zones raw, clean,
//                                                           rejected
//   <table>/<job>/parquet/<metric>/[k=v/...]file.parquet    analytics,
//                                                           demographics,
//                                                           timeseries
//
// Thread-safety: plain functions over a Lake used by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/schema.h"
#include "lake/lake.h"

namespace lakepipe::warehouse {

// A Hive partition column: its name, its type (kInt for digits only, kInt
// with kDate for YYYY-MM-DD, else kString) and the values seen, sorted.
struct PartitionColumn {
  std::string name;
  Type type = Type::kString;
  LogicalType logical = LogicalType::kNone;
  std::vector<std::string> values;
};

// Where an Iceberg table is and how its catalog is reached: what each
// dialect's Iceberg DDL needs (iceberg_tables.h fills it from a catalog).
struct IcebergSource {
  std::vector<std::string> namespace_levels;  // {"default"}
  std::string table_name;                     // users
  std::string catalog_type;                   // file, sql, rest
  std::string catalog_name = "lakepipe";      // catalog.name (sql: the catalog_name column)
  std::string catalog_uri;                    // sql: the SQLite file; rest: the server
  std::string warehouse;                      // catalog.warehouse
  std::string rest_prefix;                    // rest: catalog.prefix
  // rest: how the catalog authenticates ("oauth2", "bearer", "sigv4" or ""),
  // never the secrets themselves; the OAuth2 token endpoint and scope.
  std::string rest_auth;
  std::string oauth2_server_uri;
  std::string scope;
  // rest over AWS Glue's Iceberg endpoint (SigV4, service glue) and its region.
  bool glue = false;
  std::string signing_region;
  std::string table_location;     // the table's root URI
  std::string metadata_location;  // its current metadata file
  std::optional<int64_t> snapshot_id;
  // The current snapshot's live data files (for views that read them
  // without an Iceberg reader); listed only when asked for.
  bool files_listed = false;
  std::vector<std::string> data_files;

  std::string Identifier() const;  // default.users
};

struct LakeTable {
  std::string name;      // users_clean, user_activity_analytics_funnel_daily
  std::string table;     // users
  std::string zone;      // raw, clean, rejected, analytics, demographics, timeseries
  std::string metric;    // the metric of an aggregate zone, else ""
  std::string location;  // relative to the lake: users/clean/parquet
  SchemaPtr schema;      // the data columns (not the partition columns)
  std::vector<PartitionColumn> partitions;
  uint64_t files = 0;
  uint64_t bytes = 0;
  // Set for an Iceberg table: `location` is then its root URI, `schema` its
  // current schema and `partitions` empty (Iceberg partitions are hidden).
  std::optional<IcebergSource> iceberg;
};

// The name of the table of a zone ("users_clean") or of a metric of an
// aggregate zone ("users_analytics_age_groups").
std::string TableName(const std::string& table, const std::string& zone,
                      const std::string& metric = "");

// Every table of `lake` (only those of `only_table` when not empty), by
// name. kNotFound when there is none. `schemas` gives, by table name, the
// data columns of tables whose files' footers should not be read for them
// (a schema the user owns); kInvalidArgument for a name that is no table.
Result<std::vector<LakeTable>> DiscoverTables(const lake::Lake& lake,
                                              const std::string& only_table = "",
                                              const std::map<std::string, SchemaPtr>& schemas = {});

}  // namespace lakepipe::warehouse
