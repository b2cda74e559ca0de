#include "cli/catalog_flags.h"

#include <gtest/gtest.h>

#include "config/config_test_util.h"
#include "config/sections.h"
#include "core/testing.h"

namespace lakepipe::cli {
namespace {

using config::Contains;

class CatalogFlagsTest : public config::ConfigEnvironmentTest {
 protected:
  // Parses `args` (after the program name) into an app with the catalog
  // flags, then builds the options from `yaml` ("" = no file) and the flags.
  Result<iceberg::CatalogOptions> Build(std::vector<std::string> args, const std::string& yaml,
                                        std::string_view lake = {}) {
    CLI::App app("test");
    CatalogFlags flags;
    AddCatalogFlags(&app, &flags);
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
    const std::string path = yaml.empty() ? "" : WriteFile("lakepipe.yaml", yaml);
    LP_ASSIGN_OR_RETURN(config::Config cfg, config::Config::Load(path, config::AllSections()));
    return BuildCatalogOptions(app, flags, &cfg, lake);
  }
};

TEST_F(CatalogFlagsTest, DefaultsAreAFileCatalogOverTheLake) {
  ASSERT_OK_AND_ASSIGN(iceberg::CatalogOptions o, Build({}, "", "/data/lake/"));
  EXPECT_EQ(o.type, "file");
  EXPECT_EQ(o.name, "lakepipe");
  EXPECT_EQ(o.warehouse, "/data/lake");
  EXPECT_EQ(o.timeout, std::chrono::seconds(30));
  EXPECT_FALSE(o.sigv4);
  EXPECT_EQ(o.signing_name, "glue");
  EXPECT_EQ(o.scope, "catalog");

  // Without a lake given, archive.lake of the file.
  ASSERT_OK_AND_ASSIGN(iceberg::CatalogOptions from_archive,
                       Build({}, "archive:\n  lake: s3://bucket/lake\n"));
  EXPECT_EQ(from_archive.warehouse, "s3://bucket/lake");
}

TEST_F(CatalogFlagsTest, TheSectionIsReadAndFlagsWin) {
  SetEnv("LAKEPIPE_CATALOG_TOKEN", "t0ken-from-env");
  const std::string yaml = R"(catalog:
  type: rest
  name: prod
  warehouse: s3://wh/
  uri: http://catalog:8181
  credential: id:secret
  oauth2_server_uri: http://auth/token
  scope: PRINCIPAL_ROLE:ALL
  sigv4: true
  signing_region: eu-west-1
  signing_name: s3tables
  prefix: ws1
  timeout: 5s
  properties: [a=1, "b=x=y"]
)";
  ASSERT_OK_AND_ASSIGN(iceberg::CatalogOptions o, Build({}, yaml, "/lake"));
  EXPECT_EQ(o.type, "rest");
  EXPECT_EQ(o.name, "prod");
  EXPECT_EQ(o.warehouse, "s3://wh");
  EXPECT_EQ(o.uri, "http://catalog:8181");
  EXPECT_EQ(o.token, "t0ken-from-env");
  EXPECT_EQ(o.credential, "id:secret");
  EXPECT_EQ(o.oauth2_server_uri, "http://auth/token");
  EXPECT_EQ(o.scope, "PRINCIPAL_ROLE:ALL");
  EXPECT_TRUE(o.sigv4);
  EXPECT_EQ(o.signing_region, "eu-west-1");
  EXPECT_EQ(o.signing_name, "s3tables");
  EXPECT_EQ(o.prefix, "ws1");
  EXPECT_EQ(o.timeout, std::chrono::seconds(5));
  EXPECT_EQ(o.properties, (std::map<std::string, std::string>{{"a", "1"}, {"b", "x=y"}}));

  ASSERT_OK_AND_ASSIGN(
      iceberg::CatalogOptions flagged,
      Build({"--catalog-type", "sql", "--catalog-uri", "/tmp/c.db", "--warehouse", "/wh"}, yaml));
  EXPECT_EQ(flagged.type, "sql");
  EXPECT_EQ(flagged.uri, "/tmp/c.db");
  EXPECT_EQ(flagged.warehouse, "/wh");
}

TEST_F(CatalogFlagsTest, SecretsAreNeverPrinted) {
  SetEnv("LAKEPIPE_CATALOG_TOKEN", "t0ken-value");
  SetEnv("LAKEPIPE_CATALOG_CREDENTIAL", "client:s3cret-value");
  ASSERT_OK_AND_ASSIGN(config::Config cfg, config::Config::Load("", config::AllSections()));
  EXPECT_TRUE(config::Lacks(cfg.Dump(), "t0ken-value"));
  EXPECT_TRUE(config::Lacks(cfg.Dump(), "s3cret-value"));
}

TEST_F(CatalogFlagsTest, BadSettingsNameTheKey) {
  auto unknown_key = Build({}, "catalog:\n  typ: file\n");
  ASSERT_FALSE(unknown_key.ok());
  EXPECT_TRUE(Contains(unknown_key.status().message(), "unknown key 'typ' in section 'catalog'"));

  auto unknown_type = Build({}, "catalog:\n  type: hive\n");
  ASSERT_FALSE(unknown_type.ok());
  EXPECT_TRUE(Contains(unknown_type.status().message(), "allowed: file, sql, rest"));

  auto no_uri = Build({"--catalog-type", "sql"}, "");
  ASSERT_FALSE(no_uri.ok());
  EXPECT_EQ(no_uri.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(no_uri.status().message(), "catalog.uri"));
  EXPECT_TRUE(Contains(no_uri.status().message(), "--catalog-uri"));

  auto bad_property = Build({}, "catalog:\n  properties: [novalue]\n");
  ASSERT_FALSE(bad_property.ok());
  EXPECT_TRUE(Contains(bad_property.status().message(), "catalog.properties"));
  EXPECT_TRUE(Contains(bad_property.status().message(), "'novalue' is not key=value"));

  auto no_region = Build({}, "catalog:\n  type: rest\n  uri: http://x\n  sigv4: true\n");
  ASSERT_FALSE(no_region.ok());
  EXPECT_TRUE(Contains(no_region.status().message(), "catalog.signing_region"));
}

}  // namespace
}  // namespace lakepipe::cli
