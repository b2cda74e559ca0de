#include "warehouse/sql.h"

#include <algorithm>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "warehouse/iceberg_sql.h"
#include "warehouse/types.h"

namespace lakepipe::warehouse {
namespace {

// A partition column as a field of the flat view: int, date or string.
Field PartitionField(const PartitionColumn& c) {
  Field f;
  f.name = c.name;
  f.type = c.type;
  f.logical = c.logical;
  return f;
}

std::string ColumnType(Dialect d, const PartitionColumn& c) {
  return SqlType(d, PartitionField(c));
}

const LakeTable* Find(const std::vector<LakeTable>& tables, const std::string& name) {
  for (const LakeTable& t : tables) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

bool HasColumn(const LakeTable& t, const std::string& column) {
  for (const Field& f : t.schema->fields()) {
    if (f.name == column) return true;
  }
  for (const PartitionColumn& p : t.partitions) {
    if (p.name == column) return true;
  }
  return false;
}

// Sample analytics queries over the clean tables, each named after the
// metric table whose rows it returns, and data-quality checks. `ref` turns
// a table name into the name queries use.
std::string SampleQueries(const std::vector<LakeTable>& tables,
                          const std::function<std::string(const std::string&)>& ref) {
  std::string out;
  auto sample = [&](const std::string& metric, const std::string& what, const std::string& sql) {
    out += fmt::format("-- sample: {} ({})\n{};\n\n", metric, what, sql);
  };
  auto share = [](const std::string& column) {
    return fmt::format(
        "SELECT {0}, count(*) AS users, CAST(count(*) AS DOUBLE) / sum(count(*)) OVER () AS "
        "share",
        column);
  };
  if (const LakeTable* u = Find(tables, "users_clean")) {
    out +=
        "-- Sample analytics over the clean tables. Each returns the rows of the metric\n"
        "-- table it names, which the transform jobs keep up to date.\n\n";
    const std::string from = ref(u->name);
    sample("users_analytics_gender_distribution", "users and share by gender",
           fmt::format("{} FROM {} GROUP BY gender ORDER BY users DESC, gender", share("gender"),
                       from));
    sample("users_demographics_users_by_country", "users and share by country",
           fmt::format("{} FROM {} GROUP BY country ORDER BY users DESC, country", share("country"),
                       from));
    sample(
        "users_analytics_age_groups", "users and share by age group",
        fmt::format("{} FROM {} GROUP BY age_group ORDER BY age_group", share("age_group"), from));
  }
  if (const LakeTable* a = Find(tables, "user_activity_clean")) {
    if (out.empty()) {
      out +=
          "-- Sample analytics over the clean tables. Each returns the rows of the metric\n"
          "-- table it names, which the transform jobs keep up to date.\n\n";
    }
    const std::string from = ref(a->name);
    sample("user_activity_analytics_events_by_type_daily", "events per type per day",
           fmt::format("SELECT event_date, event_type, count(*) AS events FROM {} GROUP BY "
                       "event_date, event_type ORDER BY event_date, event_type",
                       from));
    sample("user_activity_analytics_users_sessions_daily", "unique users and sessions per day",
           fmt::format("SELECT event_date, count(DISTINCT user_id) AS unique_users, "
                       "count(DISTINCT session_id) AS sessions FROM {} GROUP BY event_date ORDER "
                       "BY event_date",
                       from));
    sample("user_activity_analytics_revenue_daily", "purchases, units and revenue per day",
           fmt::format("SELECT event_date, count(*) AS purchases, sum(quantity) AS units, "
                       "sum(revenue) AS revenue FROM {} WHERE event_type = 'purchase' GROUP BY "
                       "event_date ORDER BY event_date",
                       from));
  }

  // Data quality.
  std::vector<const LakeTable*> counted;
  for (const LakeTable& t : tables) {
    if (t.zone == "raw" || t.zone == "clean" || t.zone == "rejected") counted.push_back(&t);
  }
  if (!counted.empty()) {
    out += "-- Data quality: rows per table.\n";
    for (size_t i = 0; i < counted.size(); ++i) {
      out += fmt::format("{}SELECT '{}' AS table_name, count(*) AS row_count FROM {}\n",
                         i == 0 ? "" : "UNION ALL\n", counted[i]->name, ref(counted[i]->name));
    }
    out += "ORDER BY table_name;\n\n";
  }
  for (const LakeTable& t : tables) {
    if (t.zone != "clean") continue;
    std::vector<std::string> rates;
    for (const Field& f : t.schema->fields()) {
      if (f.nullable) {
        rates.push_back(fmt::format(
            "  avg(CASE WHEN {0} IS NULL THEN 1.0 ELSE 0.0 END) AS {0}_null_rate", f.name));
      }
    }
    if (rates.empty()) continue;
    out += fmt::format("-- Data quality: null rates of {}'s nullable columns.\n", t.name);
    out += fmt::format("SELECT count(*) AS row_count,\n{}\nFROM {};\n\n", fmt::join(rates, ",\n"),
                       ref(t.name));
  }
  for (const LakeTable& t : tables) {
    if (t.zone != "clean") continue;
    const std::string column = HasColumn(t, "event_time")        ? "event_time"
                               : HasColumn(t, "registered_date") ? "registered_date"
                                                                 : "";
    if (column.empty()) continue;
    out += fmt::format("-- Data quality: freshness of {} (its newest record).\n", t.name);
    out += fmt::format("SELECT max({}) AS newest, count(*) AS row_count FROM {};\n\n", column,
                       ref(t.name));
  }
  for (const LakeTable& t : tables) {
    if (t.zone != "raw" || !HasColumn(t, "event_date")) continue;
    out += fmt::format("-- Data quality: freshness of {} (the newest day records arrived on).\n",
                       t.name);
    out += fmt::format("SELECT max(event_date) AS newest_day, count(*) AS row_count FROM {};\n\n",
                       ref(t.name));
  }
  for (const LakeTable& t : tables) {
    if (t.zone != "clean") continue;
    const LakeTable* rejected = Find(tables, TableName(t.table, "rejected"));
    if (rejected == nullptr) continue;
    out += fmt::format("-- Data quality: the share of {}'s records the clean job rejected.\n",
                       t.table);
    out += fmt::format(
        "SELECT r.n AS rejected, c.n AS clean, CAST(r.n AS DOUBLE) / (r.n + c.n) AS "
        "rejected_share\nFROM (SELECT count(*) AS n FROM {}) r CROSS JOIN (SELECT count(*) AS n "
        "FROM {}) c;\n\n",
        ref(rejected->name), ref(t.name));
  }
  return out;
}

// VALUE:"a"."b": the field at `path` of a Snowflake external table's VALUE.
std::string SnowflakeValuePath(const std::vector<std::string>& path) {
  std::vector<std::string> quoted;
  for (const std::string& p : path) {
    std::string q = "\"";
    for (char c : p) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    quoted.push_back(q + "\"");
  }
  return fmt::format("VALUE:{}", fmt::join(quoted, "."));
}

// For each table with struct columns, a query that reads their leaves by
// path expressions. `ref` as in SampleQueries.
std::string NestedPaths(Dialect d, const std::vector<LakeTable>& tables,
                        const std::function<std::string(const std::string&)>& ref) {
  std::string out;
  for (const LakeTable& t : tables) {
    std::vector<std::string> selected;
    for (const Field& f : t.schema->fields()) {
      for (const StructLeaf& leaf : StructLeaves(f)) {
        std::string expr = PathExpression(d, leaf.path);
        if (d == Dialect::kSnowflake) expr += "::" + SqlType(d, *leaf.field);
        selected.push_back(fmt::format(
            "  {} AS {}", expr, PathExpression(d, {fmt::format("{}", fmt::join(leaf.path, "_"))})));
      }
    }
    if (selected.empty()) continue;
    out +=
        fmt::format("-- Nested fields of {} by path (the leaves of its struct columns).\n", t.name);
    out +=
        fmt::format("SELECT\n{}\nFROM {}\nLIMIT 10;\n\n", fmt::join(selected, ",\n"), ref(t.name));
  }
  return out;
}

std::vector<const LakeTable*> IcebergTables(const std::vector<LakeTable>& tables) {
  std::vector<const LakeTable*> out;
  for (const LakeTable& t : tables) {
    if (t.iceberg) out.push_back(&t);
  }
  return out;
}

bool HasHiveTables(const std::vector<LakeTable>& tables) {
  return std::any_of(tables.begin(), tables.end(), [](const LakeTable& t) { return !t.iceberg; });
}

std::string Trim(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

Result<std::string> Snowflake(const std::vector<LakeTable>& tables, const SqlOptions& o,
                              const std::string& location) {
  Result<std::string> iceberg = SnowflakeIcebergDdl(IcebergTables(tables), o);
  if (!iceberg.ok()) return iceberg.status();
  if (!HasHiveTables(tables)) {
    return "-- Snowflake: Iceberg tables\n\n" + *iceberg +
           NestedPaths(Dialect::kSnowflake, tables, [](const std::string& n) { return n; }) +
           SampleQueries(tables, [](const std::string& n) { return n; });
  }
  std::string out = "-- Snowflake: external tables over the lake at " + location + "\n\n";
  // Logical types: dates and timestamps come out as such, not as numbers.
  out +=
      "CREATE FILE FORMAT IF NOT EXISTS lakepipe_parquet TYPE = PARQUET USE_LOGICAL_TYPE = "
      "TRUE;\n\n";
  if (o.create_stage) {
    out += fmt::format("CREATE STAGE IF NOT EXISTS {}\n  URL = '{}/'\n", o.stage, location);
    if (!o.storage_integration.empty()) {
      out += fmt::format("  STORAGE_INTEGRATION = {}\n", o.storage_integration);
    } else {
      out +=
          "  -- no --storage-integration: give the bucket's credentials instead\n"
          "  CREDENTIALS = (AWS_KEY_ID = '<aws key id>' AWS_SECRET_KEY = '<aws secret key>')\n";
    }
    out += "  FILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet');\n\n";
  }
  for (const LakeTable& t : tables) {
    if (t.iceberg) continue;
    std::vector<std::string> columns;
    for (const PartitionColumn& p : t.partitions) {
      const std::string part =
          fmt::format("REGEXP_SUBSTR(METADATA$FILENAME, '{}=([^/]+)', 1, 1, 'e', 1)", p.name);
      const std::string expr = p.logical == LogicalType::kDate ? fmt::format("TO_DATE({})", part)
                               : p.type == Type::kInt          ? fmt::format("TO_NUMBER({})", part)
                                                               : part;
      columns.push_back(
          fmt::format("  {} {} AS ({})", p.name, ColumnType(Dialect::kSnowflake, p), expr));
    }
    for (const Field& f : t.schema->fields()) {
      const std::string type = SqlType(Dialect::kSnowflake, f);
      columns.push_back(fmt::format("  {} {} AS ({}::{})", ColumnName(Dialect::kSnowflake, f.name),
                                    type, SnowflakeValuePath({f.name}), type));
    }
    out += fmt::format("CREATE OR REPLACE EXTERNAL TABLE {} (\n{}\n)\n", t.name,
                       fmt::join(columns, ",\n"));
    if (!t.partitions.empty()) {
      std::vector<std::string> names;
      for (const PartitionColumn& p : t.partitions) names.push_back(p.name);
      out += fmt::format("PARTITION BY ({})\n", fmt::join(names, ", "));
    }
    out += fmt::format(
        "LOCATION = @{}/{}/\nFILE_FORMAT = (FORMAT_NAME = 'lakepipe_parquet')\nAUTO_REFRESH = "
        "FALSE;\n\n",
        o.stage, t.location);
  }
  out +=
      "-- Refresh: the tables list the files present when they were created. After new\n"
      "-- archive or transform runs, refresh them (or create them with AUTO_REFRESH = TRUE\n"
      "-- and send the bucket's S3 event notifications to the queue that\n"
      "-- SHOW EXTERNAL TABLES lists as notification_channel):\n";
  for (const LakeTable& t : tables) {
    if (!t.iceberg) out += fmt::format("ALTER EXTERNAL TABLE {} REFRESH;\n", t.name);
  }
  out += "\n" + *iceberg;
  out += NestedPaths(Dialect::kSnowflake, tables, [](const std::string& n) { return n; });
  out += SampleQueries(tables, [](const std::string& n) { return n; });
  return out;
}

// A SQL string literal.
std::string Quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// DuckDB's S3 secret: credentials from the environment or ~/.aws; the
// endpoint, addressing and region of an S3-compatible store when known.
std::string DuckDbSecret(const SqlOptions& o) {
  std::string out = "INSTALL httpfs;\nLOAD httpfs;\n";
  if (o.s3_endpoint.empty()) {
    return out +
           "-- Credentials from the environment or ~/.aws; add ENDPOINT and URL_STYLE 'path'\n"
           "-- for an S3-compatible store.\n"
           "CREATE OR REPLACE SECRET lakepipe_s3 (TYPE s3, PROVIDER credential_chain);\n\n";
  }
  std::string_view host = o.s3_endpoint;
  const bool https = host.rfind("http://", 0) != 0;
  if (const size_t scheme = host.find("://"); scheme != std::string_view::npos) {
    host.remove_prefix(scheme + 3);
  }
  while (!host.empty() && host.back() == '/') host.remove_suffix(1);
  out += fmt::format(
      "-- Credentials from the environment or ~/.aws; the S3-compatible store at {}.\n"
      "CREATE OR REPLACE SECRET lakepipe_s3 (TYPE s3, PROVIDER credential_chain, ENDPOINT {}, "
      "URL_STYLE {}, USE_SSL {}{});\n\n",
      o.s3_endpoint, Quoted(host), o.s3_path_style ? "'path'" : "'vhost'", https ? "true" : "false",
      o.s3_region.empty() ? "" : ", REGION " + Quoted(o.s3_region));
  return out;
}

Result<std::string> DuckDb(const std::vector<LakeTable>& tables, const std::string& location,
                           const SqlOptions& o) {
  const std::vector<const LakeTable*> iceberg = IcebergTables(tables);
  Result<std::string> iceberg_ddl = DuckDbIcebergDdl(iceberg, o);
  if (!iceberg_ddl.ok()) return iceberg_ddl.status();
  const bool hive = HasHiveTables(tables);
  bool s3 = hive && location.rfind("s3://", 0) == 0;
  for (const LakeTable* t : iceberg)
    s3 = s3 || t->iceberg->metadata_location.rfind("s3://", 0) == 0;
  std::string out = hive ? "-- DuckDB: views over the lake at " + location + "\n\n"
                         : std::string("-- DuckDB: views over Iceberg tables\n\n");
  if (s3) out += DuckDbSecret(o);
  out += *iceberg_ddl;
  for (const LakeTable& t : tables) {
    if (t.iceberg) continue;
    std::string args =
        t.partitions.empty() ? "hive_partitioning = false" : "hive_partitioning = true";
    std::vector<std::string> declared;
    for (const Field& f : t.schema->fields()) {
      declared.push_back(fmt::format("--   {} {}\n", ColumnName(Dialect::kDuckDb, f.name),
                                     SqlType(Dialect::kDuckDb, f)));
    }
    if (!t.partitions.empty()) {
      std::vector<std::string> types;
      for (const PartitionColumn& p : t.partitions) {
        const std::string type = ColumnType(Dialect::kDuckDb, p);
        types.push_back(fmt::format("'{}': {}", p.name, type));
        declared.push_back(fmt::format("--   {} {}\n", ColumnName(Dialect::kDuckDb, p.name), type));
      }
      args += fmt::format(", hive_types = {{{}}}", fmt::join(types, ", "));
    }
    out += fmt::format("-- {}: the columns as DuckDB reads them from the files\n{}", t.name,
                       fmt::join(declared, ""));
    out += fmt::format(
        "CREATE OR REPLACE VIEW {} AS\n  SELECT * FROM read_parquet('{}/{}/**/*.parquet', {});\n\n",
        t.name, location, t.location, args);
  }
  out += NestedPaths(Dialect::kDuckDb, tables, [](const std::string& n) { return n; });
  out += SampleQueries(tables, [](const std::string& n) { return n; });
  return out;
}

Result<std::string> Athena(const std::vector<LakeTable>& tables, const SqlOptions& o,
                           const std::string& location) {
  Result<std::string> iceberg = AthenaIcebergDdl(IcebergTables(tables), o);
  if (!iceberg.ok()) return iceberg.status();
  const bool hive = HasHiveTables(tables);
  std::string out =
      hive ? "-- Athena (Glue catalog): external tables over the lake at " + location +
                 "\n-- Partitions come from partition projection: nothing to load or repair.\n\n"
           : std::string("-- Athena (Glue catalog): Iceberg tables\n\n");
  out += fmt::format("CREATE DATABASE IF NOT EXISTS {};\n\n", o.database);
  out += *iceberg;
  for (const LakeTable& t : tables) {
    if (t.iceberg) continue;
    std::vector<std::string> columns;
    for (const Field& f : t.schema->fields()) {
      columns.push_back(fmt::format("  {} {}", ColumnName(Dialect::kAthena, f.name),
                                    SqlType(Dialect::kAthena, f)));
    }
    const std::string where = fmt::format("{}/{}/", location, t.location);
    out += fmt::format("CREATE EXTERNAL TABLE IF NOT EXISTS {}.{} (\n{}\n)\n", o.database, t.name,
                       fmt::join(columns, ",\n"));
    std::vector<std::string> props;
    if (!t.partitions.empty()) {
      std::vector<std::string> parts;
      std::string tmpl = Trim(where);
      props.push_back("  'projection.enabled' = 'true'");
      for (const PartitionColumn& p : t.partitions) {
        parts.push_back(fmt::format("`{}` {}", p.name, ColumnType(Dialect::kAthena, p)));
        tmpl += fmt::format("/{0}=${{{0}}}", p.name);
        const std::string key = "  'projection." + p.name;
        if (p.logical == LogicalType::kDate) {
          props.push_back(key + ".type' = 'date'");
          props.push_back(key + ".format' = 'yyyy-MM-dd'");
          props.push_back(fmt::format("{}.range' = '{},NOW'", key, p.values.front()));
          props.push_back(key + ".interval' = '1'");
          props.push_back(key + ".interval.unit' = 'DAYS'");
        } else if (p.type == Type::kInt && p.name == "hour") {
          props.push_back(key + ".type' = 'integer'");
          props.push_back(key + ".range' = '0,23'");
          props.push_back(key + ".digits' = '2'");
        } else if (p.type == Type::kInt) {
          std::vector<long> ints;
          for (const std::string& v : p.values) ints.push_back(std::stol(v));
          const auto [lo, hi] = std::minmax_element(ints.begin(), ints.end());
          props.push_back(key + ".type' = 'integer'");
          props.push_back(fmt::format("{}.range' = '{},{}'", key, *lo, *hi));
          const size_t width = p.values.front().size();
          if (width > 1 && p.values.front()[0] == '0') {
            props.push_back(fmt::format("{}.digits' = '{}'", key, width));
          }
        } else {
          props.push_back(key + ".type' = 'enum'");
          props.push_back(fmt::format("{}.values' = '{}'", key, fmt::join(p.values, ",")));
        }
      }
      props.push_back(fmt::format("  'storage.location.template' = '{}/'", tmpl));
      out += fmt::format("PARTITIONED BY ({})\n", fmt::join(parts, ", "));
    }
    out += fmt::format("STORED AS PARQUET\nLOCATION '{}'", where);
    if (!props.empty()) out += fmt::format("\nTBLPROPERTIES (\n{}\n)", fmt::join(props, ",\n"));
    out += ";\n\n";
  }
  if (hive) {
    out +=
        "-- Integer partitions are projected over the values in the lake when this was\n"
        "-- generated (dates up to NOW): regenerate when new years or values appear.\n\n";
  }
  out += NestedPaths(Dialect::kAthena, tables,
                     [&](const std::string& n) { return o.database + "." + n; });
  out += SampleQueries(tables, [&](const std::string& n) { return o.database + "." + n; });
  return out;
}

std::string Spark(const std::vector<LakeTable>& tables, std::string location) {
  const bool hive = HasHiveTables(tables);
  std::string out = hive ? "-- Spark SQL: tables over the lake at " + location + "\n"
                         : std::string("-- Spark SQL: Iceberg tables\n");
  if (hive && location.rfind("s3://", 0) == 0) {
    // Open-source Spark reads S3 through the Hadoop S3A connector.
    location = "s3a://" + location.substr(5);
    out += "-- (as s3a://, Hadoop's S3A connector; on EMR or Databricks s3:// works too)\n";
  }
  out += "\n" + SparkIcebergDdl(IcebergTables(tables));
  for (const LakeTable& t : tables) {
    if (t.iceberg) continue;
    std::vector<std::string> columns;
    for (const Field& f : t.schema->fields()) {
      columns.push_back(
          fmt::format("  {} {}", ColumnName(Dialect::kSpark, f.name), SqlType(Dialect::kSpark, f)));
    }
    std::vector<std::string> names;
    for (const PartitionColumn& p : t.partitions) {
      columns.push_back(fmt::format("  `{}` {}", p.name, ColumnType(Dialect::kSpark, p)));
      names.push_back(fmt::format("`{}`", p.name));
    }
    out += fmt::format("CREATE TABLE IF NOT EXISTS {} (\n{}\n)\nUSING parquet\n", t.name,
                       fmt::join(columns, ",\n"));
    if (!names.empty()) out += fmt::format("PARTITIONED BY ({})\n", fmt::join(names, ", "));
    out += fmt::format("LOCATION '{}/{}';\n", location, t.location);
    if (!names.empty()) out += fmt::format("MSCK REPAIR TABLE {};\n", t.name);
    out += "\n";
  }
  if (hive) {
    out +=
        "-- New partitions written later: MSCK REPAIR TABLE <table> (or ALTER TABLE <table>\n"
        "-- RECOVER PARTITIONS); REFRESH TABLE <table> for new files in known partitions.\n\n";
  }
  out += NestedPaths(Dialect::kSpark, tables, [](const std::string& n) { return n; });
  out += SampleQueries(tables, [](const std::string& n) { return n; });
  return out;
}

}  // namespace

const std::vector<std::string>& Dialects() {
  static const std::vector<std::string> kDialects = {"snowflake", "duckdb", "athena", "spark"};
  return kDialects;
}

Result<std::string> GenerateSql(const std::vector<LakeTable>& tables, const SqlOptions& o) {
  const std::string location = Trim(o.location);
  const bool s3 = location.rfind("s3://", 0) == 0;
  if (o.dialect == "snowflake" || o.dialect == "athena") {
    if (!s3 && HasHiveTables(tables)) {
      return InvalidArgumentError(
          "{} reads external tables from S3, not '{}': copy the lake to a bucket (aws s3 sync) "
          "and give --location s3://bucket/prefix",
          o.dialect, location);
    }
    return o.dialect == "snowflake" ? Snowflake(tables, o, location) : Athena(tables, o, location);
  }
  if (o.dialect == "duckdb") return DuckDb(tables, location, o);
  if (o.dialect == "spark") return Spark(tables, location);
  return InvalidArgumentError("--dialect '{}' is not a dialect ({})", o.dialect,
                              fmt::join(Dialects(), ", "));
}

}  // namespace lakepipe::warehouse
