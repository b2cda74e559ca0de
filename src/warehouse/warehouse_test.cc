// The catalog over a local lake of hand-made Parquet files, and the SQL of
// each dialect. (tests/interop/run.test.mjs runs the DuckDB SQL and checks
// the others against golden files.)
#include <algorithm>
#include <cctype>
#include <string_view>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "jobs/lake.h"
#include "warehouse/catalog.h"
#include "warehouse/sql.h"
#include "warehouse/types.h"

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
  // seen is a UTC-adjusted timestamp: an instant, TIMESTAMP_LTZ.
  EXPECT_NE(sf->find("seen TIMESTAMP_LTZ AS (VALUE:\"seen\"::TIMESTAMP_LTZ)"), std::string::npos);
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

// The randomuser.me API's nested shape, with a list of structs, a map,
// decimals, small and unsigned integers, a union and local and UTC
// timestamps.
constexpr char kPersonSchema[] = R"({"type": "record", "name": "Person", "namespace": "test",
  "fields": [
    {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
    {"name": "name", "type": {"type": "record", "name": "Name", "fields": [
      {"name": "title", "type": "string"}, {"name": "first", "type": "string"},
      {"name": "last", "type": "string"}]}},
    {"name": "location", "type": ["null", {"type": "record", "name": "Location", "fields": [
      {"name": "street", "type": {"type": "record", "name": "Street", "fields": [
        {"name": "number", "type": "int"}, {"name": "name", "type": "string"}]}},
      {"name": "city", "type": "string"}, {"name": "postcode", "type": "string"},
      {"name": "coordinates", "type": {"type": "record", "name": "Coordinates", "fields": [
        {"name": "latitude", "type": "string"}, {"name": "longitude", "type": "string"}]}}]}]},
    {"name": "dob", "type": {"type": "record", "name": "Dob", "fields": [
      {"name": "date", "type": {"type": "long", "logicalType": "timestamp-millis"}},
      {"name": "age", "type": {"type": "int", "logicalType": "int8"}}]}},
    {"name": "phones", "type": {"type": "array", "items": {"type": "record", "name": "Phone",
      "fields": [{"name": "kind", "type": "string"}, {"name": "number", "type": "string"}]}}},
    {"name": "logins", "type": {"type": "map", "values": "long"}},
    {"name": "balance", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10,
      "scale": 2}},
    {"name": "lifetime", "type": {"type": "fixed", "name": "D38", "size": 16,
      "logicalType": "decimal", "precision": 38, "scale": 9}},
    {"name": "registered", "type": {"type": "long", "logicalType": "timestamp-micros"}},
    {"name": "seen_local", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
    {"name": "level", "type": {"type": "int", "logicalType": "uint8"}},
    {"name": "visits", "type": {"type": "long", "logicalType": "uint64"}},
    {"name": "key", "type": {"type": "fixed", "name": "Key", "size": 16, "logicalType": "uuid"}},
    {"name": "note", "type": ["null", "string", "long"]}
  ]})";

std::vector<LakeTable> PeopleTables() {
  auto schema = Schema::FromAvroJson(kPersonSchema, SchemaParseOptions{.complete_types = true});
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  LakeTable t;
  t.name = "people_raw";
  t.table = "people";
  t.zone = "raw";
  t.location = "people/raw/parquet";
  t.schema = std::make_shared<const Schema>(std::move(schema).value());
  t.partitions.push_back(PartitionColumn{"nat", Type::kString, LogicalType::kNone, {"DE", "GB"}});
  return {t};
}

std::string Sql(const std::string& dialect, const std::string& location = "s3://bucket/lake") {
  SqlOptions o;
  o.dialect = dialect;
  o.location = location;
  auto sql = GenerateSql(PeopleTables(), o);
  EXPECT_TRUE(sql.ok()) << sql.status().ToString();
  return sql.ok() ? *sql : "";
}

// Each line is in the SQL.
void ExpectLines(const std::string& sql, const std::vector<std::string>& lines) {
  for (const std::string& line : lines)
    EXPECT_NE(sql.find(line), std::string::npos) << line << "\n" << sql;
}

TEST(NestedSqlTest, SnowflakeTakesSemiStructuredColumnsAndPaths) {
  // External tables take OBJECT, ARRAY and VARIANT; fields are reached by
  // path expressions over VALUE, each cast to its type.
  ExpectLines(
      Sql("snowflake"),
      {"  id VARCHAR AS (VALUE:\"id\"::VARCHAR),\n", "  name OBJECT AS (VALUE:\"name\"::OBJECT),\n",
       "  location OBJECT AS (VALUE:\"location\"::OBJECT),\n",
       "  phones ARRAY AS (VALUE:\"phones\"::ARRAY),\n",
       "  logins VARIANT AS (VALUE:\"logins\"::VARIANT),\n",
       "  balance NUMBER(10,2) AS (VALUE:\"balance\"::NUMBER(10,2)),\n",
       "  lifetime NUMBER(38,9) AS (VALUE:\"lifetime\"::NUMBER(38,9)),\n",
       "  registered TIMESTAMP_LTZ AS (VALUE:\"registered\"::TIMESTAMP_LTZ),\n",
       "  seen_local TIMESTAMP_NTZ AS (VALUE:\"seen_local\"::TIMESTAMP_NTZ),\n",
       "  level SMALLINT AS (VALUE:\"level\"::SMALLINT),\n",
       "  visits NUMBER(20,0) AS (VALUE:\"visits\"::NUMBER(20,0)),\n",
       "  key BINARY AS (VALUE:\"key\"::BINARY),\n", "  note OBJECT AS (VALUE:\"note\"::OBJECT)\n",
       "-- Nested fields of people_raw by path", "  name:\"first\"::VARCHAR AS name_first,\n",
       "  location:\"street\".\"number\"::INTEGER AS location_street_number,\n",
       "  location:\"coordinates\".\"latitude\"::VARCHAR AS location_coordinates_latitude,\n",
       "  dob:\"date\"::TIMESTAMP_LTZ AS dob_date,\n  dob:\"age\"::TINYINT AS dob_age,\n",
       "  note:\"member1\"::BIGINT AS note_member1\nFROM people_raw\nLIMIT 10;\n"});
}

TEST(NestedSqlTest, AthenaSpellsOutStructArrayMapAndDecimal) {
  ExpectLines(
      Sql("athena"),
      {"  `id` string,\n", "  `name` struct<title:string,first:string,last:string>,\n",
       "  `location` struct<street:struct<number:int,name:string>,city:string,postcode:string,"
       "coordinates:struct<latitude:string,longitude:string>>,\n",
       // date is one of Hive's reserved words: quoted.
       "  `dob` struct<`date`:timestamp,age:tinyint>,\n",
       "  `phones` array<struct<kind:string,number:string>>,\n", "  `logins` map<string,bigint>,\n",
       "  `balance` decimal(10,2),\n", "  `lifetime` decimal(38,9),\n",
       "  `registered` timestamp,\n", "  `seen_local` timestamp,\n",
       // Unsigned integers widen to the next signed type.
       "  `level` smallint,\n", "  `visits` decimal(20,0),\n", "  `key` binary,\n",
       "  `note` struct<member0:string,member1:bigint>\n)\nPARTITIONED BY (`nat` string)\n",
       "  \"location\".\"street\".\"number\" AS \"location_street_number\",\n",
       "FROM lakepipe.people_raw\nLIMIT 10;\n"});
}

TEST(NestedSqlTest, SparkSpellsOutStructArrayMapAndDecimal) {
  ExpectLines(Sql("spark"),
              {"  `name` STRUCT<`title`: STRING, `first`: STRING, `last`: STRING>,\n",
               "  `location` STRUCT<`street`: STRUCT<`number`: INT, `name`: STRING>, `city`: "
               "STRING, `postcode`: STRING, `coordinates`: STRUCT<`latitude`: STRING, "
               "`longitude`: STRING>>,\n",
               "  `dob` STRUCT<`date`: TIMESTAMP, `age`: BYTE>,\n",
               "  `phones` ARRAY<STRUCT<`kind`: STRING, `number`: STRING>>,\n",
               "  `logins` MAP<STRING, BIGINT>,\n", "  `balance` DECIMAL(10,2),\n",
               "  `lifetime` DECIMAL(38,9),\n", "  `registered` TIMESTAMP,\n",
               "  `seen_local` TIMESTAMP_NTZ,\n", "  `level` SHORT,\n",
               "  `visits` DECIMAL(20,0),\n", "  `key` BINARY,\n",
               "  `note` STRUCT<`member0`: STRING, `member1`: BIGINT>,\n  `nat` STRING\n)",
               "  `location`.`street`.`number` AS `location_street_number`,\n"});
}

TEST(NestedSqlTest, DuckDbNamesTheTypesItReadsAndPaths) {
  ExpectLines(
      Sql("duckdb", "/lake"),
      {"-- people_raw: the columns as DuckDB reads them from the files\n--   \"id\" VARCHAR\n",
       "--   \"name\" STRUCT(\"title\" VARCHAR, \"first\" VARCHAR, \"last\" VARCHAR)\n",
       "--   \"location\" STRUCT(\"street\" STRUCT(\"number\" INTEGER, \"name\" VARCHAR), \"city\" "
       "VARCHAR, \"postcode\" VARCHAR, \"coordinates\" STRUCT(\"latitude\" VARCHAR, "
       "\"longitude\" VARCHAR))\n",
       "--   \"dob\" STRUCT(\"date\" TIMESTAMPTZ, \"age\" TINYINT)\n",
       "--   \"phones\" STRUCT(\"kind\" VARCHAR, \"number\" VARCHAR)[]\n",
       "--   \"logins\" MAP(VARCHAR, BIGINT)\n", "--   \"balance\" DECIMAL(10,2)\n",
       "--   \"lifetime\" DECIMAL(38,9)\n", "--   \"registered\" TIMESTAMPTZ\n",
       "--   \"seen_local\" TIMESTAMP\n", "--   \"level\" UTINYINT\n", "--   \"visits\" UBIGINT\n",
       "--   \"key\" UUID\n", "--   \"note\" STRUCT(\"member0\" VARCHAR, \"member1\" BIGINT)\n",
       "--   \"nat\" VARCHAR\nCREATE OR REPLACE VIEW people_raw AS\n",
       "  \"name\".\"first\" AS \"name_first\",\n"});
}

TEST(NestedSqlTest, FieldNamesThatNeedQuotesAreQuoted) {
  Field inner;
  inner.name = "zip code";
  inner.full_kind = Kind::kString;
  Field odd;
  odd.name = "we\"ird";
  odd.full_kind = Kind::kInt64;
  Field s;
  s.name = "Mixed Case";
  s.full_kind = Kind::kStruct;
  s.children = {inner, odd};
  EXPECT_EQ(SqlType(Dialect::kAthena, s), "struct<`zip code`:string,`we\"ird`:bigint>");
  EXPECT_EQ(SqlType(Dialect::kSpark, s), "STRUCT<`zip code`: STRING, `we\"ird`: BIGINT>");
  EXPECT_EQ(SqlType(Dialect::kDuckDb, s), "STRUCT(\"zip code\" VARCHAR, \"we\"\"ird\" BIGINT)");
  EXPECT_EQ(ColumnName(Dialect::kSnowflake, "Mixed Case"), "\"Mixed Case\"");
  EXPECT_EQ(ColumnName(Dialect::kSnowflake, "plain_name"), "plain_name");
  EXPECT_EQ(ColumnName(Dialect::kSpark, "a`b"), "`a``b`");
  EXPECT_EQ(PathExpression(Dialect::kSnowflake, {"Mixed Case", "zip code"}),
            "\"Mixed Case\":\"zip code\"");
  EXPECT_EQ(PathExpression(Dialect::kAthena, {"Mixed Case", "we\"ird"}),
            "\"Mixed Case\".\"we\"\"ird\"");
}

// A recursive-descent check of a type against a dialect's documented
// grammar: Athena's (Hive DDL) lower-case struct<name:type,...>, array<type>,
// map<primitive,type>, decimal(p,s); Spark's STRUCT<`name`: type, ...>,
// ARRAY<type>, MAP<type, type>, DECIMAL(p,s).
class TypeGrammar {
 public:
  TypeGrammar(Dialect d, std::string_view text) : d_(d), text_(text) {}

  bool Valid() { return Type() && pos_ == text_.size(); }

 private:
  bool Eat(std::string_view token) {
    if (text_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  bool Primitive() {
    static const std::vector<std::string_view> kAthena = {
        "boolean", "tinyint", "smallint", "int",  "bigint",   "float",
        "double",  "string",  "binary",   "date", "timestamp"};
    static const std::vector<std::string_view> kSpark = {
        "BOOLEAN", "BYTE",   "SHORT",  "INT",  "BIGINT",        "FLOAT",
        "DOUBLE",  "STRING", "BINARY", "DATE", "TIMESTAMP_NTZ", "TIMESTAMP"};
    if (Eat(d_ == Dialect::kAthena ? "decimal(" : "DECIMAL(")) {
      return Digits() && Eat(",") && Digits() && Eat(")");
    }
    for (std::string_view p : d_ == Dialect::kAthena ? kAthena : kSpark) {
      // The longest name first matters only for TIMESTAMP_NTZ, listed first.
      if (Eat(p)) return true;
    }
    return false;
  }
  bool Digits() {
    const size_t start = pos_;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) ++pos_;
    return pos_ > start;
  }
  bool Name() {
    if (Eat("`")) {
      while (pos_ < text_.size()) {
        if (Eat("``")) continue;
        if (Eat("`")) return true;
        ++pos_;
      }
      return false;
    }
    if (d_ == Dialect::kSpark) return false;  // always quoted here
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::islower(static_cast<unsigned char>(text_[pos_])) ||
            std::isdigit(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    return pos_ > start;
  }
  bool Type() {
    const bool athena = d_ == Dialect::kAthena;
    const std::string_view sep = athena ? "," : ", ";
    if (Eat(athena ? "struct<" : "STRUCT<")) {
      do {
        if (!Name() || !Eat(athena ? ":" : ": ") || !Type()) return false;
      } while (Eat(sep));
      return Eat(">");
    }
    if (Eat(athena ? "array<" : "ARRAY<")) return Type() && Eat(">");
    if (Eat(athena ? "map<" : "MAP<")) {
      // Athena's map keys are primitive types.
      return (athena ? Primitive() : Type()) && Eat(sep) && Type() && Eat(">");
    }
    return Primitive();
  }

  Dialect d_;
  std::string_view text_;
  size_t pos_ = 0;
};

TEST(NestedSqlTest, EveryTypeFollowsItsDialectsGrammar) {
  // The person's columns, and a list of maps of lists of structs.
  constexpr char kDeep[] = R"({"type": "record", "name": "Deep", "fields": [
    {"name": "deep", "type": {"type": "array", "items": {"type": "map", "values": {
      "type": "array", "items": ["null", {"type": "record", "name": "Leaf", "fields": [
        {"name": "when", "type": {"type": "int", "logicalType": "date"}},
        {"name": "timestamp", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 20,
          "scale": 4}},
        {"name": "flag", "type": "boolean"}, {"name": "ratio", "type": "float"},
        {"name": "blob", "type": "bytes"},
        {"name": "tick", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "small", "type": {"type": "int", "logicalType": "int16"}},
        {"name": "u16", "type": {"type": "int", "logicalType": "uint16"}},
        {"name": "u32", "type": {"type": "long", "logicalType": "uint32"}},
        {"name": "nothing", "type": "null"}]}]}}}}]})";
  auto deep = Schema::FromAvroJson(kDeep, SchemaParseOptions{.complete_types = true});
  ASSERT_TRUE(deep.ok()) << deep.status().ToString();
  std::vector<Field> fields = deep->fields();
  const std::vector<LakeTable> people = PeopleTables();
  for (const Field& f : people[0].schema->fields()) fields.push_back(f);
  static const std::vector<std::string> kSnowflake = {
      "OBJECT",  "ARRAY",    "VARIANT",       "VARCHAR",      "BINARY", "BOOLEAN",
      "TINYINT", "SMALLINT", "INTEGER",       "BIGINT",       "FLOAT",  "DOUBLE",
      "DATE",    "TIME",     "TIMESTAMP_LTZ", "TIMESTAMP_NTZ"};
  for (const Field& f : fields) {
    for (Dialect d : {Dialect::kAthena, Dialect::kSpark}) {
      const std::string type = SqlType(d, f);
      EXPECT_TRUE(TypeGrammar(d, type).Valid()) << f.name << ": " << type;
    }
    const std::string sf = SqlType(Dialect::kSnowflake, f);
    const bool number = sf.rfind("NUMBER(", 0) == 0 && sf.back() == ')';
    EXPECT_TRUE(number || std::find(kSnowflake.begin(), kSnowflake.end(), sf) != kSnowflake.end())
        << f.name << ": " << sf;
  }
  EXPECT_EQ(SqlType(Dialect::kAthena, fields[0]),
            "array<map<string,array<struct<`when`:date,`timestamp`:timestamp,amount:decimal(20,4),"
            "flag:boolean,ratio:float,blob:binary,tick:int,small:smallint,u16:int,u32:bigint,"
            "nothing:int>>>>");
  // The check can fail.
  EXPECT_FALSE(TypeGrammar(Dialect::kAthena, "struct<a int>").Valid());
  EXPECT_FALSE(TypeGrammar(Dialect::kSpark, "STRUCT<a: INT>").Valid());
  EXPECT_FALSE(TypeGrammar(Dialect::kAthena, "map<array<int>,int>").Valid());
}

TEST(TableNameTest, NamesZonesAndMetricsAsDiscoveryDoes) {
  EXPECT_EQ(TableName("users", "clean"), "users_clean");
  EXPECT_EQ(TableName("user_activity", "rejected"), "user_activity_rejected");
  EXPECT_EQ(TableName("users", "analytics", "age_groups"), "users_analytics_age_groups");
}

}  // namespace
}  // namespace lakepipe::warehouse
