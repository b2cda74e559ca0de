// The catalog over a local lake of hand-made Parquet files, and the SQL of
// each dialect. (tests/interop/run.test.mjs runs the DuckDB SQL and checks
// the others against golden files.)
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "jobs/lake.h"
#include "warehouse/catalog.h"
#include "warehouse/sql.h"

namespace lakepipe::warehouse {
namespace {

class WarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = ::lakepipe::testing::MakeTempDir("warehouse");
    auto lake = jobs::Lake::Open(root_);
    ASSERT_TRUE(lake.ok()) << lake.status().ToString();
    lake_.emplace(std::move(lake).value());
  }

  // A file of one row at `rel` with columns id (uuid), seen (timestamp)
  // and score (nullable int).
  void Write(const std::string& rel) {
    auto schema = std::make_shared<const Schema>(
        "t",
        std::vector<Field>{jobs::TableField("id", Type::kString, LogicalType::kUuid),
                           jobs::TableField("seen", Type::kLong, LogicalType::kTimestampMillis),
                           jobs::TableField("score", Type::kInt, LogicalType::kNone, true)},
        "test");
    RecordBatch b(schema);
    b.column(0).AppendBytes("00000000-0000-4000-8000-000000000001");
    b.column(1).AppendInt64(1700000000000);
    b.column(2).AppendNull();
    b.CommitRow();
    auto written = jobs::WriteTableFile(*lake_, lake_->Path(rel), b);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }

  std::string root_;
  std::optional<jobs::Lake> lake_;
};

TEST_F(WarehouseTest, FindsZonesMetricsAndPartitions) {
  Write("users/clean/parquet/registration_year=2019/a.parquet");
  Write("users/clean/parquet/registration_year=2021/b.parquet");
  Write("users/clean/parquet/registration_year=2021/c.parquet");
  Write("users/analytics/parquet/gender_distribution/part.parquet");
  Write("user_activity/raw/parquet/event_date=2026-06-01/hour=09/x.parquet");
  Write("user_activity/raw/parquet/event_date=2026-06-02/hour=10/y.parquet");
  Write("user_activity/clean/parquet/event_date=2026-06-01/hour=09/_spill/s.parquet");  // hidden
  Write("_lakepipe/state/users/analytics/registration_year=2019.parquet");              // hidden
  auto tables = DiscoverTables(*lake_);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  ASSERT_EQ(tables->size(), 3u);
  const LakeTable& raw = (*tables)[0];
  EXPECT_EQ(raw.name, "user_activity_raw");
  EXPECT_EQ(raw.location, "user_activity/raw/parquet");
  ASSERT_EQ(raw.partitions.size(), 2u);
  EXPECT_EQ(raw.partitions[0].name, "event_date");
  EXPECT_EQ(raw.partitions[0].logical, LogicalType::kDate);
  EXPECT_EQ(raw.partitions[0].values, (std::vector<std::string>{"2026-06-01", "2026-06-02"}));
  EXPECT_EQ(raw.partitions[1].name, "hour");
  EXPECT_EQ(raw.partitions[1].type, Type::kInt);
  EXPECT_EQ((*tables)[1].name, "users_analytics_gender_distribution");
  EXPECT_EQ((*tables)[1].metric, "gender_distribution");
  EXPECT_TRUE((*tables)[1].partitions.empty());
  const LakeTable& clean = (*tables)[2];
  EXPECT_EQ(clean.name, "users_clean");
  EXPECT_EQ(clean.files, 3u);
  ASSERT_EQ(clean.schema->fields().size(), 3u);
  EXPECT_EQ(clean.partitions[0].values, (std::vector<std::string>{"2019", "2021"}));

  auto only = DiscoverTables(*lake_, "users");
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(only->size(), 2u);
  auto none = DiscoverTables(*lake_, "orders");
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
}

TEST_F(WarehouseTest, EveryDialectDeclaresTypesAndPartitions) {
  Write("users/clean/parquet/registration_year=2019/a.parquet");
  Write("users/rejected/parquet/r.parquet");
  Write("user_activity/clean/parquet/event_date=2026-06-01/hour=09/x.parquet");
  auto tables = DiscoverTables(*lake_);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  SqlOptions o;
  o.location = "s3://bucket/lake/";
  o.storage_integration = "lake_int";

  o.dialect = "snowflake";
  auto sf = GenerateSql(*tables, o);
  ASSERT_TRUE(sf.ok()) << sf.status().ToString();
  EXPECT_NE(sf->find("URL = 's3://bucket/lake/'"), std::string::npos);
  EXPECT_NE(sf->find("STORAGE_INTEGRATION = lake_int"), std::string::npos);
  EXPECT_NE(sf->find("event_date DATE AS (TO_DATE(REGEXP_SUBSTR(METADATA$FILENAME, "
                     "'event_date=([^/]+)', 1, 1, 'e', 1)))"),
            std::string::npos);
  EXPECT_NE(sf->find("seen TIMESTAMP_NTZ AS (VALUE:\"seen\"::TIMESTAMP_NTZ)"), std::string::npos);
  EXPECT_NE(sf->find("PARTITION BY (event_date, hour)"), std::string::npos);
  EXPECT_NE(sf->find("LOCATION = @lakepipe_lake/users/clean/parquet/"), std::string::npos);
  EXPECT_NE(sf->find("rejected_share"), std::string::npos);
  EXPECT_NE(sf->find("score_null_rate"), std::string::npos);

  o.dialect = "athena";
  auto athena = GenerateSql(*tables, o);
  ASSERT_TRUE(athena.ok());
  EXPECT_NE(athena->find("PARTITIONED BY (`event_date` date, `hour` int)"), std::string::npos);
  EXPECT_NE(athena->find("'projection.hour.digits' = '2'"), std::string::npos);
  EXPECT_NE(athena->find("'projection.event_date.range' = '2026-06-01,NOW'"), std::string::npos);
  EXPECT_NE(athena->find("'projection.registration_year.range' = '2019,2019'"), std::string::npos);
  EXPECT_NE(athena->find("`seen` timestamp"), std::string::npos);

  o.dialect = "spark";
  auto spark = GenerateSql(*tables, o);
  ASSERT_TRUE(spark.ok());
  EXPECT_NE(spark->find("PARTITIONED BY (`registration_year`)"), std::string::npos);
  EXPECT_NE(spark->find("MSCK REPAIR TABLE users_clean;"), std::string::npos);

  o.dialect = "duckdb";
  o.location = root_;
  auto duck = GenerateSql(*tables, o);
  ASSERT_TRUE(duck.ok());
  EXPECT_NE(duck->find(fmt::format("read_parquet('{}/users/clean/parquet/**/*.parquet', "
                                   "hive_partitioning = true, hive_types = "
                                   "{{'registration_year': INTEGER}})",
                                   root_)),
            std::string::npos);

  o.dialect = "snowflake";
  EXPECT_EQ(GenerateSql(*tables, o).status().code(), StatusCode::kInvalidArgument);
  o.dialect = "oracle";
  auto bad = GenerateSql(*tables, o);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("'oracle'"), std::string::npos);
}

TEST_F(WarehouseTest, DuckDbReachesAnS3CompatibleStoreAtItsEndpoint) {
  Write("users/clean/parquet/registration_year=2019/a.parquet");
  auto tables = DiscoverTables(*lake_);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  SqlOptions o;
  o.dialect = "duckdb";
  o.location = "s3://bucket/lake";
  // AWS: DuckDB's defaults and the credential chain.
  auto aws = GenerateSql(*tables, o);
  ASSERT_TRUE(aws.ok()) << aws.status().ToString();
  EXPECT_NE(aws->find("CREATE OR REPLACE SECRET lakepipe_s3 (TYPE s3, PROVIDER credential_chain);"),
            std::string::npos)
      << *aws;
  EXPECT_EQ(aws->find("ENDPOINT '"), std::string::npos);
  // A local S3-compatible store, path-style.
  o.s3_endpoint = "http://127.0.0.1:9000/";
  o.s3_region = "eu-west-1";
  auto local = GenerateSql(*tables, o);
  ASSERT_TRUE(local.ok());
  EXPECT_NE(local->find("CREATE OR REPLACE SECRET lakepipe_s3 (TYPE s3, PROVIDER credential_chain, "
                        "ENDPOINT '127.0.0.1:9000', URL_STYLE 'path', USE_SSL false, REGION "
                        "'eu-west-1');"),
            std::string::npos)
      << *local;
  // HTTPS, virtual-hosted.
  o.s3_endpoint = "https://objects.example.org";
  o.s3_path_style = false;
  o.s3_region = "";
  auto remote = GenerateSql(*tables, o);
  ASSERT_TRUE(remote.ok());
  EXPECT_NE(remote->find("ENDPOINT 'objects.example.org', URL_STYLE 'vhost', USE_SSL true);"),
            std::string::npos)
      << *remote;
}

TEST(TableNameTest, NamesZonesAndMetricsAsDiscoveryDoes) {
  EXPECT_EQ(TableName("users", "clean"), "users_clean");
  EXPECT_EQ(TableName("user_activity", "rejected"), "user_activity_rejected");
  EXPECT_EQ(TableName("users", "analytics", "age_groups"), "users_analytics_age_groups");
}

}  // namespace
}  // namespace lakepipe::warehouse
