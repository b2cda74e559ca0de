#include "storage/object_store.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe {
namespace {

namespace fs = std::filesystem;

// Conformance checks every ObjectStore must pass; run here for file://.
class ObjectStoreConformance : public ::testing::Test {
 protected:
  void SetUp() override { root_ = testing::MakeTempDir("store"); }
  std::string Uri(const std::string& rel) { return "file://" + root_ + "/" + rel; }
  std::string root_;
};

TEST_F(ObjectStoreConformance, NothingIsVisibleBeforeCommit) {
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(Uri("a/b/c.bin")));
  ASSERT_OK(out->Append("hello "));
  ASSERT_OK(out->Append(std::string(3 << 20, 'x')));
  EXPECT_EQ(out->position(), 6u + (3u << 20));
  EXPECT_FALSE(OpenInputFile(Uri("a/b/c.bin")).ok());
  ASSERT_OK(out->Commit());
  ASSERT_OK_AND_ASSIGN(auto in, OpenInputFile(Uri("a/b/c.bin")));
  EXPECT_EQ(in->size(), 6u + (3u << 20));
  std::string got;
  ASSERT_OK(in->ReadAt(0, 5, &got));
  EXPECT_EQ(got, "hello");
  ASSERT_OK(in->ReadAt(in->size() - 2, 10, &got));
  EXPECT_EQ(got, "xx");
  ASSERT_OK(in->ReadAt(in->size() + 5, 10, &got));
  EXPECT_EQ(got, "");
}

TEST_F(ObjectStoreConformance, AbortLeavesNothingBehind) {
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(Uri("x.bin")));
    ASSERT_OK(out->Append("data"));
    out->Abort();
    EXPECT_FALSE(out->Commit().ok());
  }
  {
    // Destroying an uncommitted stream aborts it.
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(Uri("y.bin")));
    ASSERT_OK(out->Append("data"));
  }
  EXPECT_TRUE(fs::is_empty(root_)) << "temporary files were left in " << root_;
}

TEST_F(ObjectStoreConformance, CreateOnlyRefusesToReplace) {
  OutputOptions create_only;
  create_only.overwrite = false;
  ASSERT_OK_AND_ASSIGN(auto first, OpenOutputStream(Uri("once.bin"), create_only));
  ASSERT_OK(first->Append("1"));
  ASSERT_OK(first->Commit());
  ASSERT_OK_AND_ASSIGN(auto second, OpenOutputStream(Uri("once.bin"), create_only));
  ASSERT_OK(second->Append("2"));
  EXPECT_EQ(second->Commit().code(), StatusCode::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(auto in, OpenInputFile(Uri("once.bin")));
  ASSERT_OK_AND_ASSIGN(std::string all, ReadWholeFile(in.get()));
  EXPECT_EQ(all, "1");
  // Overwriting is the default.
  ASSERT_OK_AND_ASSIGN(auto third, OpenOutputStream(Uri("once.bin")));
  ASSERT_OK(third->Append("3"));
  ASSERT_OK(third->Commit());
}

TEST_F(ObjectStoreConformance, MissingFilesAndBadSchemes) {
  EXPECT_EQ(OpenInputFile(Uri("nope")).status().code(), StatusCode::kNotFound);
  Status st = OpenInputFile("gopher://host/x").status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("gopher"), std::string::npos);
}

TEST_F(ObjectStoreConformance, ListsDeletesAndStagesElsewhere) {
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
  ASSERT_OK_AND_ASSIGN(auto other, OpenOutputStream(Uri("t/b/y.bin")));
  ASSERT_OK(other->Append("1"));
  ASSERT_OK(other->Commit());
  ASSERT_OK_AND_ASSIGN(auto all, store.List(root_ + "/t"));
  EXPECT_EQ(all.size(), 2u);
  ASSERT_OK_AND_ASSIGN(auto some, store.List(root_ + "/t/a/x"));
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].path, root_ + "/t/a/x.bin");
  EXPECT_EQ(some[0].size, 3u);
  ASSERT_OK(store.Delete(root_ + "/t/a/x.bin"));
  ASSERT_OK(store.Delete(root_ + "/t/a/x.bin"));
  ASSERT_OK_AND_ASSIGN(auto left, store.List(root_ + "/t"));
  EXPECT_EQ(left.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto none, store.List(root_ + "/missing"));
  EXPECT_TRUE(none.empty());
}

TEST_F(ObjectStoreConformance, PlainPathsAreLocalFiles) {
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(root_ + "/plain.txt"));
  ASSERT_OK(out->Append("p"));
  ASSERT_OK(out->Commit());
  EXPECT_TRUE(fs::exists(root_ + "/plain.txt"));
}

}  // namespace
}  // namespace lakepipe
