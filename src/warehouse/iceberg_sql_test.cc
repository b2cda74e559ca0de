// The SQL of Iceberg tables in each dialect, for each kind of catalog,
// against golden files in tests/golden/sql/iceberg/ (UPDATE_GOLDEN=1
// rewrites them), and the key clauses checked here too.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "warehouse/catalog.h"
#include "warehouse/sql.h"

namespace lakepipe::warehouse {
namespace {

Field Column(std::string name, Type type, LogicalType logical = LogicalType::kNone,
             bool nullable = false) {
  Field f;
  f.name = std::move(name);
  f.type = type;
  f.logical = logical;
  f.nullable = nullable;
  return f;
}

// users_raw (default.users, as the archive writes it) and users_clean.
std::vector<LakeTable> Tables(const IcebergSource& base, const std::string& root) {
  std::vector<LakeTable> out;
  auto add = [&](std::string name, std::string table_name, std::vector<Field> fields,
                 std::vector<std::string> files) {
    LakeTable t;
    t.name = std::move(name);
    t.table = "users";
    t.zone = t.name.substr(6);
    t.schema = std::make_shared<const Schema>(t.name, std::move(fields), "lakepipe");
    IcebergSource s = base;
    s.table_name = table_name;
    s.table_location = fmt::format("{}/default/{}", root, table_name);
    s.metadata_location =
        base.catalog_type == "file"
            ? s.table_location + "/metadata/v3.metadata.json"
            : s.table_location +
                  "/metadata/00002-6f1c1b9e-6a55-4c53-9a0e-2d8f2f1f7c11.metadata.json";
    s.snapshot_id = 4242424242;
    s.files_listed = true;
    for (const std::string& f : files) s.data_files.push_back(s.table_location + "/data/" + f);
    t.location = s.table_location;
    t.iceberg = s;
    out.push_back(std::move(t));
  };
  add("users_raw", "users",
      {Column("id", Type::kString, LogicalType::kUuid), Column("gender", Type::kString),
       Column("country", Type::kString, LogicalType::kNone, true),
       Column("event_time", Type::kLong, LogicalType::kTimestampMicros)},
      {"event_time_day=2026-12-07/users+0+00000000000000000000-a.parquet",
       "event_time_day=2026-12-07/users+1+00000000000000000000-b.parquet"});
  add("users_clean", "users_clean",
      {Column("id", Type::kString, LogicalType::kUuid), Column("gender", Type::kString),
       Column("country", Type::kString, LogicalType::kNone, true),
       Column("age_group", Type::kString),
       Column("registered_date", Type::kInt, LogicalType::kDate)},
      {});
  return out;
}

IcebergSource Catalog(std::string type, std::string warehouse) {
  IcebergSource s;
  s.namespace_levels = {"default"};
  s.catalog_type = std::move(type);
  s.warehouse = std::move(warehouse);
  return s;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Generates `dialect`'s SQL and compares it with the golden file `name`.
std::string Golden(const std::vector<LakeTable>& tables, SqlOptions o, const std::string& name) {
  Result<std::string> sql = GenerateSql(tables, o);
  EXPECT_TRUE(sql.ok()) << name << ": " << sql.status().ToString();
  if (!sql.ok()) return "";
  const std::filesystem::path file = std::filesystem::path(LAKEPIPE_SOURCE_DIR) / "tests" /
                                     "golden" / "sql" / "iceberg" / (name + ".sql");
  if (std::getenv("UPDATE_GOLDEN") != nullptr) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << *sql;
  }
  EXPECT_EQ(*sql, ReadFile(file)) << "differs from " << file << " (UPDATE_GOLDEN=1 rewrites it)";
  return *sql;
}

SqlOptions Dialect(std::string d) {
  SqlOptions o;
  o.dialect = std::move(d);
  o.location = "s3://lake/wh";
  return o;
}

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(IcebergSql, FileCatalogOnS3) {
  const auto tables = Tables(Catalog("file", "s3://lake/wh"), "s3://lake/wh");
  std::string sql = Golden(tables, Dialect("snowflake"), "file_snowflake");
  EXPECT_TRUE(Has(sql, "CATALOG_SOURCE = OBJECT_STORE"));
  EXPECT_TRUE(Has(sql, "STORAGE_BASE_URL = 's3://lake/wh/'"));
  EXPECT_TRUE(Has(sql, "METADATA_FILE_PATH = 'default/users/metadata/v3.metadata.json'"));
  EXPECT_FALSE(Has(sql, "CREATE STAGE"));
  EXPECT_TRUE(Has(sql, "FROM users_clean GROUP BY gender"));  // the same queries
  sql = Golden(tables, Dialect("athena"), "file_athena");
  EXPECT_TRUE(
      Has(sql, "\"metadata_location\": \"s3://lake/wh/default/users/metadata/v3.metadata.json\""));
  EXPECT_TRUE(Has(sql, "\"table_type\": \"ICEBERG\""));
  EXPECT_TRUE(Has(sql, "FROM lakepipe.users_clean GROUP BY gender"));
  sql = Golden(tables, Dialect("spark"), "file_spark");
  EXPECT_TRUE(Has(sql, "spark.sql.catalog.lakepipe.type=hadoop"));
  EXPECT_TRUE(Has(sql, "spark.sql.catalog.lakepipe.warehouse=s3a://lake/wh"));
  EXPECT_TRUE(Has(
      sql,
      "CREATE OR REPLACE TEMPORARY VIEW users_raw AS SELECT * FROM lakepipe.`default`.`users`;"));
  sql = Golden(tables, Dialect("duckdb"), "file_duckdb");
  EXPECT_TRUE(Has(sql, "LOAD iceberg;"));
  EXPECT_TRUE(Has(sql, "iceberg_scan('s3://lake/wh/default/users/metadata/v3.metadata.json')"));
  EXPECT_TRUE(Has(sql, "CREATE OR REPLACE SECRET lakepipe_s3"));
  SqlOptions live = Dialect("duckdb");
  live.live_files = true;
  sql = Golden(tables, live, "file_duckdb_live_files");
  EXPECT_FALSE(Has(sql,
                   "iceberg"
                   "_scan"));
  EXPECT_TRUE(Has(sql, "users+1+00000000000000000000-b.parquet'\n  ]);"));
  EXPECT_TRUE(Has(sql, "SELECT CAST(NULL AS VARCHAR) AS \"id\""));  // users_clean has no files yet
}

TEST(IcebergSql, SqlCatalog) {
  IcebergSource c = Catalog("sql", "s3://lake/wh");
  c.catalog_uri = "/var/lib/lakepipe/catalog.db";
  const auto tables = Tables(c, "s3://lake/wh");
  std::string sql = Golden(tables, Dialect("spark"), "sql_spark");
  EXPECT_TRUE(Has(sql, "spark.sql.catalog.lakepipe.type=jdbc"));
  EXPECT_TRUE(Has(sql, "spark.sql.catalog.lakepipe.uri=jdbc:sqlite:/var/lib/lakepipe/catalog.db"));
  EXPECT_TRUE(Has(sql, "spark.sql.catalog.lakepipe.io-impl=org.apache.iceberg.aws.s3.S3FileIO"));
  SqlOptions o = Dialect("snowflake");
  o.catalog_integration = "my_files";
  o.external_volume = "my_volume";
  sql = Golden(tables, o, "sql_snowflake");
  EXPECT_FALSE(Has(sql, "CREATE EXTERNAL VOLUME"));
  EXPECT_FALSE(Has(sql, "CREATE CATALOG INTEGRATION"));
  EXPECT_TRUE(Has(sql, "CATALOG = 'my_files'"));
  EXPECT_TRUE(Has(sql, "EXTERNAL_VOLUME = 'my_volume'"));
}

TEST(IcebergSql, RestCatalogs) {
  IcebergSource glue = Catalog("rest", "123456789012");
  glue.catalog_uri = "https://glue.us-east-1.amazonaws.com/iceberg";
  glue.rest_auth = "sigv4";
  glue.glue = true;
  glue.signing_region = "us-east-1";
  auto tables = Tables(glue, "s3://lake/wh");
  std::string sql = Golden(tables, Dialect("snowflake"), "glue_snowflake");
  EXPECT_TRUE(Has(sql, "CATALOG_API_TYPE = AWS_GLUE"));
  EXPECT_TRUE(Has(sql, "TYPE = SIGV4"));
  EXPECT_TRUE(Has(sql, "CATALOG_TABLE_NAME = 'users'"));
  EXPECT_TRUE(Has(sql, "AUTO_REFRESH = TRUE"));
  sql = Golden(tables, Dialect("athena"), "glue_athena");
  EXPECT_TRUE(Has(
      sql, "CREATE OR REPLACE VIEW lakepipe.users_raw AS SELECT * FROM \"default\".\"users\";"));
  EXPECT_FALSE(Has(sql, "aws glue create-table"));
  sql = Golden(tables, Dialect("spark"), "glue_spark");
  EXPECT_TRUE(Has(sql, "spark.sql.catalog.lakepipe.rest.sigv4-enabled=true"));
  EXPECT_TRUE(Has(sql, "spark.sql.catalog.lakepipe.rest.signing-name=glue"));

  IcebergSource rest = Catalog("rest", "");
  rest.catalog_uri = "https://catalog.example.com/api";
  rest.rest_auth = "oauth2";
  rest.scope = "catalog";
  tables = Tables(rest, "s3://lake/wh");
  sql = Golden(tables, Dialect("snowflake"), "rest_snowflake");
  EXPECT_TRUE(Has(sql, "TYPE = OAUTH"));
  EXPECT_TRUE(Has(sql, "OAUTH_CLIENT_SECRET = '<client secret>'"));
  sql = Golden(tables, Dialect("spark"), "rest_spark");
  EXPECT_TRUE(Has(sql, "spark.sql.catalog.lakepipe.credential=<client id>:<client secret>"));
}

TEST(IcebergSql, LocalTables) {
  const auto tables = Tables(Catalog("file", "/srv/lake"), "/srv/lake");
  SqlOptions o = Dialect("duckdb");
  o.location = "/srv/lake";
  std::string sql = Golden(tables, o, "local_duckdb");
  EXPECT_FALSE(Has(sql, "SECRET"));
  EXPECT_TRUE(Has(sql, "iceberg_scan('/srv/lake/default/users/metadata/v3.metadata.json')"));
  o.dialect = "spark";
  sql = Golden(tables, o, "local_spark");
  EXPECT_TRUE(Has(sql, "spark.sql.catalog.lakepipe.warehouse=/srv/lake\n"));
  // Without a warehouse setting: the table's location minus <namespace>/<table>.
  auto unset = tables;
  for (LakeTable& t : unset) t.iceberg->warehouse.clear();
  Result<std::string> derived = GenerateSql(unset, o);
  ASSERT_TRUE(derived.ok()) << derived.status().ToString();
  EXPECT_EQ(*derived, sql);
  for (const char* d : {"snowflake", "athena"}) {
    o.dialect = d;
    Result<std::string> refused = GenerateSql(tables, o);
    ASSERT_FALSE(refused.ok()) << d;
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(
        Has(refused.status().message(), "/srv/lake/default/users/metadata/v3.metadata.json"))
        << refused.status().ToString();
  }
  o.dialect = "duckdb";
  o.live_files = true;
  auto unlisted = tables;
  unlisted[0].iceberg->files_listed = false;
  EXPECT_FALSE(GenerateSql(unlisted, o).ok());
}

}  // namespace
}  // namespace lakepipe::warehouse
