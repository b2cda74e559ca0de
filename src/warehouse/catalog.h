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
