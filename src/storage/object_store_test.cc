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

TEST_F(ObjectStoreConformance, PlainPathsAreLocalFiles) {
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(root_ + "/plain.txt"));
  ASSERT_OK(out->Append("p"));
  ASSERT_OK(out->Commit());
  EXPECT_TRUE(fs::exists(root_ + "/plain.txt"));
}

}  // namespace
}  // namespace lakepipe
