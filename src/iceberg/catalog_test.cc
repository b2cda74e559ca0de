#include "iceberg/catalog.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

TEST(TableIdentifier, ParsesLevelsAndName) {
  ASSERT_OK_AND_ASSIGN(TableIdentifier id, TableIdentifier::Parse("a.b.events"));
  EXPECT_EQ(id.namespace_levels, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(id.name, "events");
  EXPECT_EQ(id.ToString(), "a.b.events");
  ASSERT_OK_AND_ASSIGN(TableIdentifier bare, TableIdentifier::Parse("events"));
  EXPECT_TRUE(bare.namespace_levels.empty());
  EXPECT_EQ(bare.ToString(), "events");
  for (const char* bad : {"", "db.", ".events", "a..b"}) {
    auto r = TableIdentifier::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
}

TEST(CatalogRegistry, AnUnknownTypeNamesTheKnownOnes) {
  CatalogOptions options;
  options.type = "hive";
  auto made = CatalogRegistry::Default().Make(options);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(made.status().message().find("'hive'"), std::string::npos);
  EXPECT_NE(made.status().message().find("one of: file, sql"), std::string::npos)
      << made.status().ToString();
}

TEST(CatalogRegistry, MakesTheRegisteredTypes) {
  CatalogOptions options;
  options.type = "file";
  options.warehouse = "/tmp/wh";
  ASSERT_OK_AND_ASSIGN(auto file, CatalogRegistry::Default().Make(options));
  EXPECT_EQ(file->type(), "file");
  ASSERT_OK_AND_ASSIGN(std::string loc,
                       file->DefaultLocation(TableIdentifier{{"db", "raw"}, "events"}));
  EXPECT_EQ(loc, "/tmp/wh/db/raw/events");

  CatalogRegistry registry;  // a registry of its own, with a stand-in type
  registry.Register("mine", [](const CatalogOptions& o) { return MakeFileCatalog(o); });
  EXPECT_EQ(registry.Types(), std::vector<std::string>{"mine"});
  options.type = "mine";
  EXPECT_OK(registry.Make(options));
}

TEST(CommitRequirements, AreCheckedAgainstTheBase) {
  TableMetadata base;
  base.table_uuid = "u-1";
  base.current_snapshot_id = 7;
  base.last_column_id = 3;
  auto check = [&](const char* text, const TableMetadata* m = nullptr) {
    return CheckRequirements(m, json::parse(text));
  };
  EXPECT_OK(check(R"([{"type":"assert-table-uuid","uuid":"u-1"},
                      {"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":7},
                      {"type":"assert-current-schema-id","current-schema-id":0},
                      {"type":"assert-last-assigned-field-id","last-assigned-field-id":3},
                      {"type":"assert-last-assigned-partition-id","last-assigned-partition-id":999},
                      {"type":"assert-default-spec-id","default-spec-id":0},
                      {"type":"assert-default-sort-order-id","default-sort-order-id":0}])",
                  &base));
  EXPECT_OK(check(R"([{"type":"assert-create"}])"));
  auto refused = [&](const char* text, const TableMetadata* m) {
    Status st = check(text, m);
    EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << text << ": " << st.ToString();
  };
  refused(R"([{"type":"assert-create"}])", &base);
  refused(R"([{"type":"assert-table-uuid","uuid":"u-2"}])", &base);
  refused(R"([{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":8}])", &base);
  refused(R"([{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}])", &base);
  refused(R"([{"type":"assert-last-assigned-field-id","last-assigned-field-id":4}])", &base);
  refused(R"([{"type":"assert-default-spec-id","default-spec-id":1}])", &base);
  refused(R"([{"type":"assert-table-uuid","uuid":"u-1"}])", nullptr);
  TableMetadata empty;
  EXPECT_OK(
      check(R"([{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}])", &empty));
  EXPECT_EQ(check(R"([{"type":"assert-nothing"}])", &base).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakepipe::iceberg
