// lakepipe sql: warehouse SQL for the tables of a lake.
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/catalog_flags.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "jobs/lake.h"
#include "s3/s3_store.h"
#include "warehouse/catalog.h"
#include "warehouse/iceberg_tables.h"
#include "warehouse/sql.h"

namespace lakepipe::cli {
namespace {

struct SqlFlags {
  std::string dialect, lake, table, location, stage, storage_integration, database = "lakepipe",
                                                                          config_path;
  std::vector<std::string> schemas;  // TABLE=FILE.avsc
  bool print_config = false;
  S3Flags s3;
  // Iceberg tables.
  std::string table_format = "hive";
  std::vector<std::string> iceberg_tables;  // ns.name
  std::string external_volume, catalog_integration;
  bool live_files = false;
  CatalogFlags catalog;
};

// --schema TABLE=FILE.avsc, each parsed with every type of the complete
// model (nested, decimal, ...).
Result<std::map<std::string, SchemaPtr>> ParseSchemas(const std::vector<std::string>& flags) {
  std::map<std::string, SchemaPtr> out;
  for (const std::string& flag : flags) {
    const size_t eq = flag.find('=');
    if (eq == 0 || eq == std::string::npos || eq + 1 == flag.size()) {
      return InvalidArgumentError(
          "--schema '{}': give a table and an Avro schema file, e.g. --schema "
          "users_raw=users.avsc",
          flag);
    }
    const std::string table = flag.substr(0, eq), path = flag.substr(eq + 1);
    Result<Schema> schema = Schema::FromFile(path, SchemaParseOptions{.complete_types = true});
    if (!schema.ok()) return schema.status().WithContext(fmt::format("--schema {}", flag));
    out[table] = std::make_shared<const Schema>(std::move(schema).value());
  }
  return out;
}

// The tables to declare: the Hive layout's, listed in the lake, or the
// Iceberg tables of the configured catalog.
Result<std::vector<warehouse::LakeTable>> FindTables(const SqlFlags& f, config::Config* cfg,
                                                     const Result<std::string>& lake_uri) {
  if (f.table_format == "hive") {
    if (!lake_uri.ok()) return lake_uri.status();
    if (f.live_files || !f.iceberg_tables.empty()) {
      return InvalidArgumentError(
          "--live-files and --iceberg-table read Iceberg tables: add --table-format iceberg");
    }
    Result<jobs::Lake> lake = jobs::Lake::Open(*lake_uri);
    if (!lake.ok()) return lake.status();
    Result<std::map<std::string, SchemaPtr>> schemas = ParseSchemas(f.schemas);
    if (!schemas.ok()) return schemas.status();
    return warehouse::DiscoverTables(*lake, f.table, *schemas);
  }
  if (!f.schemas.empty()) {
    return InvalidArgumentError(
        "--schema declares Hive tables' columns; an Iceberg table's come from its metadata");
  }
  warehouse::IcebergDiscovery d;
  Result<iceberg::CatalogOptions> catalog =
      CatalogOptionsFromConfig(*cfg, lake_uri.ok() ? *lake_uri : std::string());
  if (!catalog.ok()) return catalog.status();
  d.catalog = std::move(catalog).value();
  if (d.catalog.warehouse.empty() && d.catalog.type == "file") {
    return lake_uri.status().WithContext(
        "the file catalog's tables are under the lake (or --warehouse)");
  }
  d.identifiers = f.iceberg_tables;
  d.only_table = f.table;
  d.list_files = f.live_files;
  return warehouse::DiscoverIcebergTables(d);
}

Result<int> Sql(const CLI::App& app, SqlFlags f) {
  const std::string cmd = "lakepipe sql";
  auto cfg = LoadConfigWithS3Flags(app, f.config_path, f.s3);
  if (!cfg.ok()) return cfg.status();
  Result<std::string> lake_uri = LakeFromConfig(app, f.lake, &*cfg);
  LP_RETURN_IF_ERROR(ApplyCatalogFlags(app, f.catalog, &*cfg));
  if (f.print_config) return PrintConfig(*cfg);
  if (app.count("--table-format") == 0) {
    // The lake's layout as the archive writes it (archive.table_format).
    Result<std::string> format = cfg->GetString("archive", "table_format");
    if (!format.ok()) return format.status();
    f.table_format = *format;
  }
  s3::S3Options s3_options;
  LP_RETURN_IF_ERROR(ConfigureS3(*cfg, &s3_options));
  Result<std::vector<warehouse::LakeTable>> tables = FindTables(f, &*cfg, lake_uri);
  if (!tables.ok()) return tables.status();
  warehouse::SqlOptions o;
  o.dialect = f.dialect;
  o.location = f.location;
  o.live_files = f.live_files;
  o.external_volume = f.external_volume;
  o.catalog_integration = f.catalog_integration;
  bool s3_tables = false;
  for (const warehouse::LakeTable& t : *tables) {
    s3_tables = s3_tables || (t.iceberg && t.iceberg->metadata_location.rfind("s3://", 0) == 0);
  }
  if (o.location.empty() && lake_uri.ok()) {
    o.location = *lake_uri;
    // A local lake as an absolute path, so that the SQL runs from anywhere.
    if (o.location.find("://") == std::string::npos || o.location.rfind("file://", 0) == 0) {
      std::string path = o.location.rfind("file://", 0) == 0 ? o.location.substr(7) : o.location;
      o.location = std::filesystem::absolute(path).lexically_normal().string();
    }
  }
  if (o.location.rfind("s3://", 0) == 0 || s3_tables) {
    // Where DuckDB finds the bucket: the endpoint lakepipe itself would use.
    Result<s3::S3Options> s3 = s3::ResolveS3Options(s3_options, /*need_credentials=*/false);
    if (!s3.ok()) return s3.status();
    o.s3_endpoint = s3->endpoint;
    o.s3_path_style = s3->path_style.value_or(!s3->endpoint.empty());
    o.s3_region = s3->region;
  }
  if (!f.stage.empty()) {
    o.stage = f.stage;
    o.create_stage = false;
  }
  o.storage_integration = f.storage_integration;
  o.database = f.database;
  Result<std::string> sql = warehouse::GenerateSql(*tables, o);
  if (!sql.ok()) return sql.status();
  fmt::print("{}", *sql);
  fmt::print(stderr, "{}: {} {} tables of {} ({})\n", cmd, tables->size(), f.table_format,
             tables->empty() || !tables->front().iceberg
                 ? (lake_uri.ok() ? *lake_uri : std::string())
                 : fmt::format("the {} catalog", tables->front().iceberg->catalog_type),
             f.dialect);
  return kExitOk;
}

}  // namespace

Result<int> RunSql(int argc, char** argv) {
  CLI::App app(
      "Print SQL that declares every Parquet table of the lake in a warehouse, with sample "
      "analytics queries and data-quality checks (row counts, null rates, freshness, the share "
      "of rejected records). Tables: <table>_<zone> (raw, clean, rejected) and "
      "<table>_<job>_<metric>; column types follow the files' Parquet schemas (or --schema), "
      "partition columns their Hive paths. Nested columns (struct, list, map at any depth), "
      "decimals, small and unsigned integers and local or UTC timestamps map to each "
      "dialect's types; a query per table reads the leaves of its struct columns by "
      "path.\n\nsnowflake: a Parquet file format, a stage and external "
      "tables with partition columns parsed from METADATA$FILENAME; nested columns as OBJECT, "
      "ARRAY or VARIANT, UTC timestamps as TIMESTAMP_LTZ, local ones as TIMESTAMP_NTZ.\nduckdb: "
      "views over "
      "read_parquet(..., hive_partitioning = true), the columns' types as DuckDB reads them listed "
      "above each; for s3:// an S3 secret with the endpoint "
      "lakepipe uses (--s3-endpoint, s3.endpoint, AWS_ENDPOINT_URL).\nathena: Glue external tables "
      "with "
      "partition projection.\nspark: CREATE TABLE ... USING parquet, then MSCK REPAIR TABLE."
      "\n\n--table-format iceberg: the Iceberg tables of the catalog, under the same names "
      "(users -> users_raw): snowflake CREATE ICEBERG TABLE over a catalog integration (REST) "
      "or the metadata file (file and sql catalogs); athena through Glue; spark the Iceberg "
      "catalog settings and temporary views; duckdb iceberg_scan of the metadata file, or "
      "read_parquet of the current data files with --live-files.",
      "lakepipe sql");
  SqlFlags f;
  app.add_option("--dialect", f.dialect, "snowflake, duckdb, athena or spark")->required();
  app.add_option("--lake", f.lake,
                 "Lake root to read the tables from: a path or s3://bucket/prefix (default: "
                 "archive.lake of the config file)");
  app.add_option("--table", f.table,
                 "Only this table's zones and metrics (users, user_activity; default: every "
                 "table of the lake, whatever archive.table says)")
      ->check(TableNameValidator());
  app.add_option("--schema", f.schemas,
                 "TABLE=FILE.avsc: declare table TABLE's data columns (users_raw, ...) from this "
                 "Avro schema instead of from its files' footer; nested records, arrays, maps, "
                 "decimals and every logical type are taken (repeatable)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--location", f.location,
                 "Where the warehouse reads the lake, when not at --lake (e.g. s3://bucket/lake "
                 "after copying a local lake there)");
  app.add_option("--stage", f.stage,
                 "snowflake: an existing stage at the lake's root (default: create lakepipe_lake)");
  app.add_option("--storage-integration", f.storage_integration,
                 "snowflake: the storage integration the created stage uses");
  app.add_option("--database", f.database, "athena: the Glue database")->capture_default_str();
  app.add_option("--config", f.config_path,
                 "YAML config file shared by every command (archive.lake and the s3 section are "
                 "used; the others are validated)");
  app.add_option("--table-format", f.table_format,
                 "hive: the lake's Parquet directories; iceberg: the Iceberg tables of the "
                 "catalog (catalog section, --catalog-*), each under the name its data has in "
                 "the Hive layout (users → users_raw), so the same queries run on both "
                 "(default: archive.table_format of the config file)")
      ->check(CLI::IsMember({"hive", "iceberg"}))
      ->capture_default_str();
  app.add_option("--iceberg-table", f.iceberg_tables,
                 "iceberg: declare this table, <namespace>.<table> (a bare name is in "
                 "namespace default); default: every table of a file or sql catalog "
                 "(repeatable; a REST catalog's tables must be named)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--external-volume", f.external_volume,
                 "snowflake, iceberg: an existing external volume over the tables' bucket "
                 "(default: create lakepipe_iceberg_volume)");
  app.add_option("--catalog-integration", f.catalog_integration,
                 "snowflake, iceberg: an existing catalog integration (default: create one for "
                 "the REST catalog, or for metadata files in object storage)");
  app.add_flag("--live-files", f.live_files,
               "duckdb, iceberg: views over read_parquet of the current snapshot's data files "
               "instead of iceberg_scan (no iceberg extension needed; regenerate after new "
               "commits)");
  AddCatalogFlags(&app, &f.catalog);
  AddPrintConfigFlag(&app, &f.print_config);
  AddS3Flags(&app, &f.s3);
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  return Sql(app, f);
}

}  // namespace lakepipe::cli
