#include "pipeline/local_outputs.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/testing.h"

namespace lakepipe {
namespace {

namespace fs = std::filesystem;

SchemaPtr TestSchema() {
  auto parsed = Schema::FromAvroJson(R"({"type":"record","name":"U","fields":[
      {"name":"id","type":"string"},{"name":"n","type":"long"}]})");
  return std::make_shared<const Schema>(std::move(parsed).value());
}

RecordBatch Rows(const SchemaPtr& schema, const std::string& prefix, int n) {
  RecordBatch b(schema);
  for (int i = 0; i < n; ++i) {
    b.column(0).AppendBytes(prefix + std::to_string(i));
    b.column(1).AppendInt64(i);
    b.CommitRow();
  }
  return b;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> Names(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// Writes `n` rows named `prefix...` to the copies of `formats` in `dir`,
// finished but neither replaced nor aborted.
std::unique_ptr<LocalOutputs> Written(const std::string& dir, const std::string& prefix, int n,
                                      const std::vector<std::string>& formats = {"json", "csv",
                                                                                 "parquet"}) {
  const SchemaPtr schema = TestSchema();
  auto out = LocalOutputs::Open(dir, "t_data", schema, formats);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  const RecordBatch b = Rows(schema, prefix, n);
  for (int i = 0; i < n; ++i) EXPECT_OK((*out)->Add(b, static_cast<size_t>(i)));
  EXPECT_OK((*out)->Finish());
  return std::move(out).value();
}

TEST(LocalOutputsTest, ReplaceRenamesTheCopiesIntoPlace) {
  const std::string dir = testing::MakeTempDir("local-outputs-replace");
  std::unique_ptr<LocalOutputs> first = Written(dir, "a", 3);
  EXPECT_FALSE(first->AnyExists());
  for (const std::string& name : Names(dir)) EXPECT_EQ(name.front(), '.') << "visible: " << name;
  ASSERT_OK(first->Replace());
  EXPECT_EQ(Names(dir), (std::set<std::string>{"t_data.csv", "t_data.json", "t_data.parquet"}));
  EXPECT_EQ(Read(dir + "/t_data.csv"), "id,n\na0,0\na1,1\na2,2\n");

  std::unique_ptr<LocalOutputs> second = Written(dir, "b", 2);
  EXPECT_TRUE(second->AnyExists());
  EXPECT_EQ(Read(dir + "/t_data.csv"), "id,n\na0,0\na1,1\na2,2\n") << "untouched before Replace";
  ASSERT_OK(second->Replace());
  EXPECT_EQ(Names(dir), (std::set<std::string>{"t_data.csv", "t_data.json", "t_data.parquet"}));
  EXPECT_EQ(Read(dir + "/t_data.csv"), "id,n\nb0,0\nb1,1\n");
  EXPECT_NE(Read(dir + "/t_data.json").find("\"b1\""), std::string::npos);
  EXPECT_EQ(Read(dir + "/t_data.json").find("\"a0\""), std::string::npos);
}

TEST(LocalOutputsTest, AbortLeavesThePreviousCopiesByteIdentical) {
  const std::string dir = testing::MakeTempDir("local-outputs-abort");
  ASSERT_OK(Written(dir, "a", 100)->Replace());
  std::map<std::string, std::string> before;
  for (const std::string& name : Names(dir)) before[name] = Read(dir + "/" + name);

  // Aborted after Finish, and destroyed without Replace after Finish and
  // while still open.
  Written(dir, "b", 50)->Abort();
  { std::unique_ptr<LocalOutputs> dropped = Written(dir, "c", 50); }
  {
    auto open = LocalOutputs::Open(dir, "t_data", TestSchema());
    ASSERT_OK(open);
    const RecordBatch b = Rows(TestSchema(), "d", 1);
    ASSERT_OK((*open)->Add(b, 0));
  }
  std::map<std::string, std::string> after;
  for (const std::string& name : Names(dir)) after[name] = Read(dir + "/" + name);
  EXPECT_EQ(after, before) << "the same files, byte for byte, and no temporaries";
}

TEST(LocalOutputsTest, ReplaceNeedsAFinishedCopyAndHappensOnce) {
  const std::string dir = testing::MakeTempDir("local-outputs-once");
  auto open = LocalOutputs::Open(dir, "t_data", TestSchema());
  ASSERT_OK(open);
  EXPECT_EQ((*open)->Replace().code(), StatusCode::kFailedPrecondition);
  std::unique_ptr<LocalOutputs> done = Written(dir, "a", 1);
  ASSERT_OK(done->Replace());
  EXPECT_EQ(done->Replace().code(), StatusCode::kFailedPrecondition);
  done->Abort();  // after Replace: nothing to undo
  EXPECT_TRUE(fs::exists(dir + "/t_data.csv"));
}

TEST(LocalOutputsTest, OnlyTheChosenFormats) {
  const std::string dir = testing::MakeTempDir("local-outputs-csv");
  std::unique_ptr<LocalOutputs> csv = Written(dir, "a", 2, {"csv"});
  EXPECT_EQ(csv->paths(), std::vector<std::string>{dir + "/t_data.csv"});
  ASSERT_OK(csv->Replace());
  EXPECT_EQ(Names(dir), std::set<std::string>{"t_data.csv"});

  const std::string none_dir = dir + "/none";
  std::unique_ptr<LocalOutputs> none = Written(none_dir, "a", 2, {});
  EXPECT_TRUE(none->paths().empty());
  EXPECT_EQ(none->records(), 2u);
  ASSERT_OK(none->Replace());
  EXPECT_FALSE(fs::exists(none_dir)) << "no directory for no copies";
}

TEST(LocalOutputsTest, ParsesFormatLists) {
  using V = std::vector<std::string>;
  ASSERT_OK_AND_ASSIGN(V all, ParseLocalCopyFormats("parquet,json,csv"));
  EXPECT_EQ(all, (V{"json", "csv", "parquet"}));
  ASSERT_OK_AND_ASSIGN(V csv, ParseLocalCopyFormats("csv,csv"));
  EXPECT_EQ(csv, V{"csv"});
  ASSERT_OK_AND_ASSIGN(V none, ParseLocalCopyFormats("none"));
  EXPECT_TRUE(none.empty());
  for (const char* bad : {"xml", "json,", "", "csv,none", "JSON"}) {
    auto r = ParseLocalCopyFormats(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  const std::string message = ParseLocalCopyFormats("json,xml").status().ToString();
  EXPECT_NE(message.find("'xml' is not a local copy format"), std::string::npos) << message;
  EXPECT_NE(message.find("json, csv, parquet, or none"), std::string::npos) << message;
}

}  // namespace
}  // namespace lakepipe
