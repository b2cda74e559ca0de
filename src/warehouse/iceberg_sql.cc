#include "warehouse/iceberg_sql.h"

#include <fmt/format.h>

#include "warehouse/types.h"

namespace lakepipe::warehouse {
namespace {

constexpr std::string_view kFileIntegration = "lakepipe_iceberg_files";
constexpr std::string_view kRestIntegration = "lakepipe_iceberg_rest";
constexpr std::string_view kVolume = "lakepipe_iceberg_volume";

std::string Literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

bool IsS3(std::string_view uri) { return uri.rfind("s3://", 0) == 0; }

// A local file URI as a plain path; anything else as it is.
std::string PlainPath(std::string_view uri) {
  if (uri.rfind("file://", 0) == 0) uri.remove_prefix(7);
  return std::string(uri);
}

// s3://bucket/ of an s3:// URI.
std::string BucketRoot(std::string_view uri) {
  const size_t slash = uri.find('/', 5);
  return std::string(uri.substr(0, slash == std::string_view::npos ? uri.size() : slash)) + "/";
}

std::string Namespace(const IcebergSource& s) {
  return fmt::format("{}", fmt::join(s.namespace_levels, "."));
}

std::string Describe(const LakeTable& t) {
  const IcebergSource& s = *t.iceberg;
  std::string out =
      fmt::format("-- {}: Iceberg table {} ({} catalog", t.name, s.Identifier(), s.catalog_type);
  out += s.snapshot_id ? fmt::format(", snapshot {})\n", *s.snapshot_id) : ", no snapshot yet)\n";
  return out;
}

Status NeedS3(const std::string& dialect, const LakeTable& t) {
  if (IsS3(t.iceberg->metadata_location)) return Status::OK();
  return InvalidArgumentError(
      "{} reads Iceberg tables from S3; {} ({}) has its metadata at '{}': write the table to an "
      "s3:// warehouse (catalog.warehouse)",
      dialect, t.iceberg->Identifier(), t.name, t.iceberg->metadata_location);
}

// The external volume's base URL: the warehouse when every table is under
// it, else the bucket they share.
Result<std::string> VolumeBase(const std::vector<const LakeTable*>& tables) {
  std::string warehouse = tables.front()->iceberg->warehouse;
  while (!warehouse.empty() && warehouse.back() == '/') warehouse.pop_back();
  bool under = IsS3(warehouse);
  for (const LakeTable* t : tables) {
    under = under && t->iceberg->metadata_location.rfind(warehouse + "/", 0) == 0;
  }
  if (under) return warehouse + "/";
  const std::string bucket = BucketRoot(tables.front()->iceberg->metadata_location);
  for (const LakeTable* t : tables) {
    if (BucketRoot(t->iceberg->metadata_location) != bucket) {
      return InvalidArgumentError(
          "snowflake: the Iceberg tables are in more than one bucket ({} and {}): declare them "
          "separately (--table) with an external volume each (--external-volume)",
          bucket, BucketRoot(t->iceberg->metadata_location));
    }
  }
  return bucket;
}

std::string SnowflakeVolume(const std::string& base) {
  return fmt::format(
      "-- An external volume over {}: Snowflake reads the tables' files through it.\n"
      "CREATE EXTERNAL VOLUME IF NOT EXISTS {}\n"
      "  STORAGE_LOCATIONS = ((\n"
      "    NAME = 'lakepipe'\n"
      "    STORAGE_PROVIDER = 'S3'\n"
      "    STORAGE_BASE_URL = {}\n"
      "    STORAGE_AWS_ROLE_ARN = '<arn of an IAM role Snowflake assumes to read the bucket>'\n"
      "  ))\n"
      "  ALLOW_WRITES = FALSE;\n\n",
      base, kVolume, Literal(base));
}

std::string SnowflakeRestIntegration(const IcebergSource& s) {
  std::string config = fmt::format("    CATALOG_URI = {}\n", Literal(s.catalog_uri));
  if (!s.rest_prefix.empty()) config += fmt::format("    PREFIX = {}\n", Literal(s.rest_prefix));
  std::string auth;
  if (s.glue) {
    config += "    CATALOG_API_TYPE = AWS_GLUE\n";
    config += fmt::format(
        "    CATALOG_NAME = {}\n",
        Literal(s.warehouse.empty() || IsS3(s.warehouse) ? "<aws account id>" : s.warehouse));
    auth = "    TYPE = SIGV4\n    SIGV4_IAM_ROLE = '<arn of an IAM role Snowflake assumes>'\n";
    if (!s.signing_region.empty()) {
      auth += fmt::format("    SIGV4_SIGNING_REGION = {}\n", Literal(s.signing_region));
    }
  } else {
    if (!s.warehouse.empty())
      config += fmt::format("    CATALOG_NAME = {}\n", Literal(s.warehouse));
    if (s.rest_auth == "oauth2") {
      auth = "    TYPE = OAUTH\n";
      if (!s.oauth2_server_uri.empty()) {
        auth += fmt::format("    OAUTH_TOKEN_URI = {}\n", Literal(s.oauth2_server_uri));
      }
      auth += fmt::format(
          "    OAUTH_CLIENT_ID = '<client id>'\n    OAUTH_CLIENT_SECRET = '<client secret>'\n"
          "    OAUTH_ALLOWED_SCOPES = ({})\n",
          Literal(s.scope.empty() ? "catalog" : s.scope));
    } else {
      auth = "    TYPE = BEARER\n    BEARER_TOKEN = '<token>'\n";
    }
  }
  return fmt::format(
      "-- The REST catalog at {} (credentials to fill in).\n"
      "CREATE CATALOG INTEGRATION IF NOT EXISTS {}\n"
      "  CATALOG_SOURCE = ICEBERG_REST\n  TABLE_FORMAT = ICEBERG\n"
      "  REST_CONFIG = (\n{}  )\n  REST_AUTHENTICATION = (\n{}  )\n  ENABLED = TRUE;\n\n",
      s.catalog_uri, kRestIntegration, config, auth);
}

}  // namespace

Result<std::string> SnowflakeIcebergDdl(const std::vector<const LakeTable*>& tables,
                                        const SqlOptions& o) {
  if (tables.empty()) return std::string();
  for (const LakeTable* t : tables) LP_RETURN_IF_ERROR(NeedS3("snowflake", *t));
  std::string out =
      "-- Iceberg tables: Snowflake reads them through a catalog integration (the REST\n"
      "-- catalog's, or one for metadata files in object storage) and an external volume.\n\n";
  std::string volume = o.external_volume;
  if (volume.empty()) {
    Result<std::string> base = VolumeBase(tables);
    if (!base.ok()) return base.status();
    out += SnowflakeVolume(*base);
    volume = std::string(kVolume);
  }
  const bool rest = tables.front()->iceberg->catalog_type == "rest";
  std::string integration = o.catalog_integration;
  if (integration.empty()) {
    integration = std::string(rest ? kRestIntegration : kFileIntegration);
    out += rest ? SnowflakeRestIntegration(*tables.front()->iceberg)
                : fmt::format(
                      "-- Tables read from their metadata files.\n"
                      "CREATE CATALOG INTEGRATION IF NOT EXISTS {}\n  CATALOG_SOURCE = "
                      "OBJECT_STORE\n  TABLE_FORMAT = ICEBERG\n  ENABLED = TRUE;\n\n",
                      integration);
  }
  Result<std::string> base = VolumeBase(tables);
  std::string refresh;
  for (const LakeTable* t : tables) {
    const IcebergSource& s = *t->iceberg;
    out += Describe(*t);
    out +=
        fmt::format("CREATE OR REPLACE ICEBERG TABLE {}\n  EXTERNAL_VOLUME = {}\n  CATALOG = {}\n",
                    t->name, Literal(volume), Literal(integration));
    if (s.catalog_type == "rest") {
      out += fmt::format(
          "  CATALOG_NAMESPACE = {}\n  CATALOG_TABLE_NAME = {}\n  AUTO_REFRESH = TRUE;\n\n",
          Literal(Namespace(s)), Literal(s.table_name));
      continue;
    }
    // METADATA_FILE_PATH is relative to the volume's base URL.
    std::string path = s.metadata_location;
    if (base.ok() && path.rfind(*base, 0) == 0) path = path.substr(base->size());
    out += fmt::format("  METADATA_FILE_PATH = {};\n\n", Literal(path));
    refresh +=
        fmt::format("-- ALTER ICEBERG TABLE {} REFRESH '<its newer metadata file>';\n", t->name);
  }
  if (!refresh.empty()) {
    out +=
        "-- New commits write new metadata files: point the tables at them (lakepipe sql\n"
        "-- prints the current ones), relative to the external volume:\n" +
        refresh + "\n";
  }
  return out;
}

Result<std::string> AthenaIcebergDdl(const std::vector<const LakeTable*>& tables,
                                     const SqlOptions& o) {
  if (tables.empty()) return std::string();
  std::string out = "-- Iceberg tables: Athena reads those registered in the Glue catalog.\n\n";
  for (const LakeTable* t : tables) {
    const IcebergSource& s = *t->iceberg;
    LP_RETURN_IF_ERROR(NeedS3("athena", *t));
    out += Describe(*t);
    if (s.glue) {
      out += fmt::format(
          "-- It is in Glue already (through Glue's Iceberg REST endpoint); a view gives it\n"
          "-- the lake's name.\nCREATE OR REPLACE VIEW {}.{} AS SELECT * FROM \"{}\".\"{}\";\n\n",
          o.database, t->name, Namespace(s), s.table_name);
      continue;
    }
    // Athena's CREATE TABLE ... 'table_type' = 'ICEBERG' would start a new,
    // empty table: the existing one is registered with Glue's API instead.
    const std::string input = fmt::format(
        "{{\"Name\": \"{}\", \"TableType\": \"EXTERNAL_TABLE\", \"Parameters\": {{\"table_type\": "
        "\"ICEBERG\", \"metadata_location\": \"{}\"}}, \"StorageDescriptor\": {{\"Location\": "
        "\"{}\"}}}}",
        t->name, s.metadata_location, s.table_location);
    out += fmt::format(
        "-- Register its current metadata file in Glue (Athena's CREATE TABLE with\n"
        "-- 'table_type' = 'ICEBERG' would create a new, empty table instead):\n"
        "--   aws glue create-table --database-name {} --table-input '{}'\n"
        "-- and after new commits point Glue at the newer metadata file:\n"
        "--   aws glue update-table --database-name {} --table-input '<the same, with\n"
        "--   \"metadata_location\": <newer file>, \"previous_metadata_location\": \"{}\">'\n\n",
        o.database, input, o.database, s.metadata_location);
  }
  return out;
}

std::string SparkIcebergDdl(const std::vector<const LakeTable*>& tables) {
  if (tables.empty()) return std::string();
  const IcebergSource& s = *tables.front()->iceberg;
  const std::string& name = s.catalog_name;
  const std::string key = "--   spark.sql.catalog." + name;
  auto s3a = [](std::string uri) { return IsS3(uri) ? "s3a://" + uri.substr(5) : PlainPath(uri); };
  std::string conf = fmt::format(
      "--   "
      "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions\n"
      "{}=org.apache.iceberg.spark.SparkCatalog\n",
      key);
  std::string warehouse = s.warehouse;
  if (s.catalog_type == "file") {
    if (warehouse.empty()) {
      // <warehouse>/<namespace...>/<table>
      warehouse = s.table_location;
      for (size_t i = 0; i <= s.namespace_levels.size(); ++i) {
        const size_t slash = warehouse.rfind('/');
        if (slash != std::string::npos) warehouse.erase(slash);
      }
    }
    conf += fmt::format("{0}.type=hadoop\n{0}.warehouse={1}\n", key, s3a(warehouse));
  } else if (s.catalog_type == "sql") {
    conf += fmt::format(
        "{0}.type=jdbc\n{0}.uri=jdbc:sqlite:{1}\n"
        "--   (the catalog's name must stay '{2}': it is the catalog_name column; the\n"
        "--   org.xerial sqlite-jdbc driver on the classpath)\n",
        key, PlainPath(s.catalog_uri), name);
    if (!warehouse.empty()) conf += fmt::format("{}.warehouse={}\n", key, s3a(warehouse));
  } else {
    conf += fmt::format("{0}.type=rest\n{0}.uri={1}\n", key, s.catalog_uri);
    if (!warehouse.empty()) conf += fmt::format("{}.warehouse={}\n", key, warehouse);
    if (!s.rest_prefix.empty()) conf += fmt::format("{}.prefix={}\n", key, s.rest_prefix);
    if (s.rest_auth == "sigv4") {
      conf += fmt::format("{0}.rest.sigv4-enabled=true\n{0}.rest.signing-name={1}\n", key,
                          s.glue ? "glue" : "<signing name>");
      if (!s.signing_region.empty())
        conf += fmt::format("{}.rest.signing-region={}\n", key, s.signing_region);
    } else if (s.rest_auth == "oauth2") {
      conf += fmt::format("{}.credential=<client id>:<client secret>\n", key);
      if (!s.oauth2_server_uri.empty())
        conf += fmt::format("{}.oauth2-server-uri={}\n", key, s.oauth2_server_uri);
      if (!s.scope.empty()) conf += fmt::format("{}.scope={}\n", key, s.scope);
    } else if (s.rest_auth == "bearer") {
      conf += fmt::format("{}.token=<token>\n", key);
    }
  }
  if (s.catalog_type != "file" && IsS3(s.metadata_location)) {
    conf += fmt::format("{}.io-impl=org.apache.iceberg.aws.s3.S3FileIO\n", key);
  }
  std::string out = fmt::format(
      "-- Iceberg tables through the Iceberg catalog '{}' ({} catalog). Start spark-sql with\n"
      "-- the Iceberg Spark runtime and these settings (--conf or spark-defaults.conf):\n{}\n",
      name, s.catalog_type, conf);
  for (const LakeTable* t : tables) {
    std::vector<std::string> parts;
    for (const std::string& level : t->iceberg->namespace_levels)
      parts.push_back(fmt::format("`{}`", level));
    parts.push_back(fmt::format("`{}`", t->iceberg->table_name));
    out += Describe(*t);
    out += fmt::format("CREATE OR REPLACE TEMPORARY VIEW {} AS SELECT * FROM {}.{};\n\n", t->name,
                       t->iceberg->catalog_name, fmt::join(parts, "."));
  }
  return out;
}

Result<std::string> DuckDbIcebergDdl(const std::vector<const LakeTable*>& tables,
                                     const SqlOptions& o) {
  if (tables.empty()) return std::string();
  std::string out;
  if (!o.live_files) {
    out +=
        "-- Iceberg tables through DuckDB's iceberg extension.\nINSTALL iceberg;\nLOAD "
        "iceberg;\n\n";
  } else {
    out +=
        "-- Iceberg tables read as the Parquet data files of their current snapshots (no\n"
        "-- extension needed); regenerate after new commits.\n\n";
  }
  for (const LakeTable* t : tables) {
    const IcebergSource& s = *t->iceberg;
    out += Describe(*t);
    std::vector<std::string> typed;
    for (const Field& f : t->schema->fields()) {
      const std::string column = ColumnName(Dialect::kDuckDb, f.name);
      const std::string type = SqlType(Dialect::kDuckDb, f);
      out += fmt::format("--   {} {}\n", column, type);
      typed.push_back(fmt::format("CAST(NULL AS {}) AS {}", type, column));
    }
    if (!o.live_files) {
      out += fmt::format("CREATE OR REPLACE VIEW {} AS\n  SELECT * FROM iceberg_scan({});\n\n",
                         t->name, Literal(PlainPath(s.metadata_location)));
      continue;
    }
    if (!s.files_listed) {
      return InvalidArgumentError("{} ({}): its data files were not listed", t->name,
                                  s.Identifier());
    }
    if (s.data_files.empty()) {
      out += fmt::format("CREATE OR REPLACE VIEW {} AS\n  SELECT {} WHERE false;\n\n", t->name,
                         fmt::join(typed, ", "));
      continue;
    }
    std::vector<std::string> files;
    for (const std::string& f : s.data_files) files.push_back(Literal(PlainPath(f)));
    out += fmt::format(
        "CREATE OR REPLACE VIEW {} AS\n  SELECT * FROM read_parquet([\n    {}\n  ]);\n\n", t->name,
        fmt::join(files, ",\n    "));
  }
  return out;
}

}  // namespace lakepipe::warehouse
