#include "storage/object_store_conformance.h"

#include <algorithm>

#include "core/testing.h"
#include "storage/object_store.h"

namespace lakepipe::testing {
namespace {

// A fresh root, its store and a helper for URIs under it.
struct Place {
  std::string root;
  StoreLocation loc;

  std::string Uri(const std::string& rel) const { return root + "/" + rel; }
  // The path the store uses for `rel` (what List returns).
  std::string Path(const std::string& rel) const {
    return loc.path.empty() ? rel : loc.path + "/" + rel;
  }
};

Place Open(const StoreUnderTest& s) {
  Place p;
  p.root = s.fresh_root();
  while (!p.root.empty() && p.root.back() == '/') p.root.pop_back();
  auto loc = ObjectStoreRegistry::Default().Resolve(p.root);
  EXPECT_TRUE(loc.ok()) << loc.status().ToString();
  if (loc.ok()) {
    p.loc = std::move(loc).value();
    while (!p.loc.path.empty() && p.loc.path.back() == '/') p.loc.path.pop_back();
  }
  return p;
}

Status Put(const std::string& uri, std::string_view data, OutputOptions options = {}) {
  LP_ASSIGN_OR_RETURN(auto out, OpenOutputStream(uri, options));
  LP_RETURN_IF_ERROR(out->Append(data));
  return out->Commit();
}

TEST_P(ObjectStoreConformance, NothingIsVisibleBeforeCommit) {
  Place p = Open(GetParam());
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(p.Uri("a/b/c.bin")));
  EXPECT_EQ(out->position(), 0u);
  ASSERT_OK(out->Append("hello "));
  ASSERT_OK(out->Append(std::string(3 << 20, 'x')));
  EXPECT_EQ(out->position(), 6u + (3u << 20));
  EXPECT_EQ(OpenInputFile(p.Uri("a/b/c.bin")).status().code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto listed, p.loc.store->List(p.loc.path));
  for (const ObjectInfo& o : listed) EXPECT_NE(o.path, p.Path("a/b/c.bin"));
  ASSERT_OK(out->Commit());
  ASSERT_OK_AND_ASSIGN(auto in, OpenInputFile(p.Uri("a/b/c.bin")));
  EXPECT_EQ(in->size(), 6u + (3u << 20));
  std::string got;
  ASSERT_OK(in->ReadAt(0, 5, &got));
  EXPECT_EQ(got, "hello");
  ASSERT_OK(in->ReadAt(in->size() - 2, 10, &got));
  EXPECT_EQ(got, "xx");
  ASSERT_OK(in->ReadAt(in->size() + 5, 10, &got));
  EXPECT_EQ(got, "");
}

TEST_P(ObjectStoreConformance, LargeObjectReadsBackWhole) {
  Place p = Open(GetParam());
  const uint64_t size = GetParam().part_bytes * 5 / 2 + 12345;
  std::string all;
  all.reserve(size);
  for (uint64_t i = 0; all.size() < size; ++i) {
    all += std::to_string(i * 2654435761u % 1000003) + ',';
  }
  all.resize(size);
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(p.Uri("big.bin")));
  for (uint64_t at = 0; at < size; at += 700001) {  // appends that straddle parts
    ASSERT_OK(out->Append(std::string_view(all).substr(at, 700001)));
  }
  ASSERT_OK(out->Commit());
  ASSERT_OK_AND_ASSIGN(auto in, OpenInputFile(p.Uri("big.bin")));
  ASSERT_EQ(in->size(), size);
  std::string got;
  ASSERT_OK(in->ReadAt(0, size, &got));
  EXPECT_TRUE(got == all) << "the object read back differs";
  const uint64_t boundary = GetParam().part_bytes;
  ASSERT_OK(in->ReadAt(boundary - 3, 6, &got));
  EXPECT_EQ(got, all.substr(boundary - 3, 6));
}

TEST_P(ObjectStoreConformance, AbortLeavesNothingBehind) {
  Place p = Open(GetParam());
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(p.Uri("x.bin")));
    ASSERT_OK(out->Append(std::string(GetParam().part_bytes * 2, 'd')));
    out->Abort();
    EXPECT_FALSE(out->Commit().ok());
  }
  {
    // Destroying an uncommitted stream aborts it.
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(p.Uri("y.bin")));
    ASSERT_OK(out->Append("data"));
  }
  EXPECT_EQ(OpenInputFile(p.Uri("x.bin")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(OpenInputFile(p.Uri("y.bin")).status().code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto listed, p.loc.store->List(p.loc.path));
  EXPECT_TRUE(listed.empty()) << listed.size() << " objects left, first " << listed[0].path;
}

TEST_P(ObjectStoreConformance, CreateOnlyRefusesToReplace) {
  Place p = Open(GetParam());
  OutputOptions create_only;
  create_only.overwrite = false;
  ASSERT_OK(Put(p.Uri("once.bin"), "1", create_only));
  EXPECT_EQ(Put(p.Uri("once.bin"), "2", create_only).code(), StatusCode::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(auto in, OpenInputFile(p.Uri("once.bin")));
  ASSERT_OK_AND_ASSIGN(std::string all, ReadWholeFile(in.get()));
  EXPECT_EQ(all, "1");
  // Overwriting is the default.
  ASSERT_OK(Put(p.Uri("once.bin"), "3"));
  ASSERT_OK_AND_ASSIGN(in, OpenInputFile(p.Uri("once.bin")));
  ASSERT_OK_AND_ASSIGN(all, ReadWholeFile(in.get()));
  EXPECT_EQ(all, "3");
}

TEST_P(ObjectStoreConformance, MissingObjectsAreNotFound) {
  Place p = Open(GetParam());
  EXPECT_EQ(OpenInputFile(p.Uri("nope")).status().code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(auto none, p.loc.store->List(p.Path("missing")));
  EXPECT_TRUE(none.empty());
  EXPECT_OK(p.loc.store->Delete(p.Path("nope")));
}

TEST_P(ObjectStoreConformance, ListsADirectoryAndDeletes) {
  Place p = Open(GetParam());
  ASSERT_OK(Put(p.Uri("t/a/x.bin"), "xyz"));
  ASSERT_OK(Put(p.Uri("t/b/y.bin"), "1"));
  ASSERT_OK(Put(p.Uri("t2/z.bin"), "22"));
  ASSERT_OK_AND_ASSIGN(auto listed, p.loc.store->List(p.Path("t")));
  std::sort(listed.begin(), listed.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.path < b.path; });
  ASSERT_EQ(listed.size(), 2u) << "t2/ is not under t/";
  EXPECT_EQ(listed[0].path, p.Path("t/a/x.bin"));
  EXPECT_EQ(listed[0].size, 3u);
  EXPECT_EQ(listed[1].path, p.Path("t/b/y.bin"));
  EXPECT_EQ(listed[1].size, 1u);
  ASSERT_OK_AND_ASSIGN(auto everything, p.loc.store->List(p.loc.path));
  EXPECT_EQ(everything.size(), 3u);
  ASSERT_OK(p.loc.store->Delete(p.Path("t/a/x.bin")));
  ASSERT_OK(p.loc.store->Delete(p.Path("t/a/x.bin")));  // deleting twice succeeds
  ASSERT_OK_AND_ASSIGN(auto left, p.loc.store->List(p.Path("t")));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].path, p.Path("t/b/y.bin"));
  EXPECT_EQ(OpenInputFile(p.Uri("t/a/x.bin")).status().code(), StatusCode::kNotFound);
}

// What a killed writer left in a staging directory goes; what a running
// writer (here, an open stream of this process) is writing there stays and
// still commits.
TEST_P(ObjectStoreConformance, DeleteAbandonedKeepsWhatIsBeingWritten) {
  Place p = Open(GetParam());
  OutputOptions staged;
  staged.staging_dir = p.Path("staging");
  ASSERT_OK(Put(p.Uri("staging/left-by-a-killed-writer"), "old"));
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(p.Uri("data/part-0.bin"), staged));
  ASSERT_OK(out->Append(std::string(1 << 20, 'x')));
  ASSERT_OK_AND_ASSIGN(size_t deleted, p.loc.store->DeleteAbandoned(p.Path("staging")));
  EXPECT_EQ(deleted, 1u);
  EXPECT_EQ(OpenInputFile(p.Uri("staging/left-by-a-killed-writer")).status().code(),
            StatusCode::kNotFound);
  ASSERT_OK(out->Commit());
  ASSERT_OK_AND_ASSIGN(auto in, OpenInputFile(p.Uri("data/part-0.bin")));
  EXPECT_EQ(in->size(), 1u << 20);
  ASSERT_OK_AND_ASSIGN(size_t again, p.loc.store->DeleteAbandoned(p.Path("staging")));
  EXPECT_EQ(again, 0u);
}

}  // namespace
}  // namespace lakepipe::testing
