#include "storage/object_store.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "storage/object_store_conformance.h"

namespace lakepipe {
namespace {

namespace fs = std::filesystem;

using testing::ObjectStoreConformance;
INSTANTIATE_TEST_SUITE_P(File, ObjectStoreConformance,
                         ::testing::Values(testing::StoreUnderTest{
                             "file", [] { return "file://" + testing::MakeTempDir("store"); }}));

// What the local store adds to the contract.
class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = testing::MakeTempDir("store"); }
  std::string Uri(const std::string& rel) { return "file://" + root_ + "/" + rel; }
  std::string root_;
};

TEST_F(LocalStoreTest, AbortLeavesNoTemporaryFile) {
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(Uri("x.bin")));
    ASSERT_OK(out->Append("data"));
    out->Abort();
  }
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(Uri("y.bin")));
    ASSERT_OK(out->Append("data"));
  }
  EXPECT_TRUE(fs::is_empty(root_)) << "temporary files were left in " << root_;
}

TEST_F(LocalStoreTest, BadSchemesAreNamed) {
  Status st = OpenInputFile("gopher://host/x").status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("gopher"), std::string::npos);
}

TEST_F(LocalStoreTest, StagesElsewhereUntilCommit) {
  ASSERT_OK_AND_ASSIGN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(Uri("t")));
  ObjectStore& store = *loc.store;
  OutputOptions staged;
  staged.staging_dir = root_ + "/_staging";
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(Uri("t/a/x.bin"), staged));
  ASSERT_OK(out->Append("xyz"));
  // The unfinished bytes live in the staging directory, not beside the object.
  ASSERT_OK_AND_ASSIGN(auto staging, store.List(root_ + "/_staging"));
  ASSERT_EQ(staging.size(), 1u);
  EXPECT_FALSE(fs::exists(root_ + "/t/a/x.bin"));
  ASSERT_OK(out->Commit());
  ASSERT_OK_AND_ASSIGN(auto after, store.List(root_ + "/_staging"));
  EXPECT_TRUE(after.empty());
  EXPECT_TRUE(fs::exists(root_ + "/t/a/x.bin"));
}

TEST_F(LocalStoreTest, PlainPathsAreLocalFiles) {
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(root_ + "/plain.txt"));
  ASSERT_OK(out->Append("p"));
  ASSERT_OK(out->Commit());
  EXPECT_TRUE(fs::exists(root_ + "/plain.txt"));
}

TEST(ObjectStoreRegistryTest, RegisteringASchemeAgainReplacesIt) {
  ObjectStoreRegistry registry;
  int first = 0, second = 0;
  registry.Register("mem", [&](std::string_view) -> Result<std::unique_ptr<ObjectStore>> {
    ++first;
    return InvalidArgumentError("first");
  });
  registry.Register("mem", [&](std::string_view) -> Result<std::unique_ptr<ObjectStore>> {
    ++second;
    return InvalidArgumentError("second");
  });
  EXPECT_EQ(registry.Resolve("mem://x/y").status().message(), "second");
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 1);
}

}  // namespace
}  // namespace lakepipe
